/**
 * VenueSim faults common to every venue (disconnect, stall, malformed, oversized, slow-consumer),
 * scheduled faults and their parser, URL routing, and throughput at rate 'max'.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFaultSchedule } from '../../src/main/sim/venue-sim.ts';
import { connect, sleep, startSim, until } from './sim-venues-helpers.ts';

const SUBSCRIBE = {
  binance: { method: 'SUBSCRIBE', params: ['btcusdt@trade', 'btcusdt@depth@100ms'], id: 1 },
  coinbase: { type: 'subscribe', product_ids: ['BTC-USDT'], channel: 'level2' },
  kraken: { method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USDT'] } },
  bybit: { op: 'subscribe', args: ['orderbook.50.BTCUSDT', 'publicTrade.BTCUSDT'] },
  okx: { op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] },
} as const;
const NAMES = Object.keys(SUBSCRIBE) as (keyof typeof SUBSCRIBE)[];

test('disconnect, malformed and oversized reach every venue and are counted', async () => {
  const sim = await startSim({ rate: 300, seed: 51 });
  const conns = await Promise.all(NAMES.map((v) => connect(sim.urls[v].ws)));
  for (const [k, c] of conns.entries()) c.send(SUBSCRIBE[NAMES[k]!]);
  await until(() => conns.every((c) => c.frames.length >= 2), 3000, 'frames everywhere');
  sim.inject('malformed');
  await until(() => conns.every((c) => c.frames.some((f) => !isJson(f))), 3000, 'malformed frames');
  assert.deepEqual(sim.inject('oversized', 'kraken'), ['kraken']);
  const k = conns[NAMES.indexOf('kraken')]!;
  await until(() => k.frames.some((f) => f.length > 2 << 20), 3000, 'an oversized frame');
  assert.deepEqual(sim.inject('bad-checksum', 'binance'), [], 'no checksum on Binance');
  sim.inject('disconnect');
  await Promise.all(conns.map((c) => c.closed));
  await until(() => NAMES.every((v) => sim.stats().venues[v].connections === 0), 2000, 'server-side closes');
  const st = sim.stats();
  for (const v of NAMES) {
    assert.equal(st.venues[v].malformed, 1, v);
    assert.equal(st.venues[v].disconnects, 1, v);
    assert.equal(st.venues[v].connections, 0, v);
    assert.ok(st.venues[v].messages > 0, v);
  }
  assert.equal(st.venues.kraken.oversized, 1);
  assert.equal(st.venues.okx.oversized, 0);
});

function isJson(f: string): boolean {
  if (f === 'pong') return true;
  try {
    JSON.parse(f);
    return true;
  } catch {
    return false;
  }
}

test('stall: nothing at all (heartbeats included) for stallMs, then the feed resumes', async () => {
  const sim = await startSim({ venues: ['kraken', 'okx'], rate: 400, stallMs: 600, heartbeatMs: 100 });
  const k = await connect(sim.urls.kraken.ws);
  k.send(SUBSCRIBE.kraken);
  const o = await connect(sim.urls.okx.ws);
  o.send(SUBSCRIBE.okx);
  await until(() => k.frames.length > 5 && o.frames.length > 5, 3000, 'frames');
  sim.inject('stall', 'kraken');
  await sleep(20);
  const kn = k.frames.length;
  const on = o.frames.length;
  await sleep(450);
  assert.equal(k.frames.length, kn, 'the stalled venue sends nothing');
  assert.ok(o.frames.length > on, 'the other venue goes on');
  await until(() => k.frames.length > kn, 2000, 'the feed resumes');
  assert.equal(sim.stats().venues.kraken.stalls, 1);
});

test('slow-consumer: the backlog grows while held; a client beyond the limit is cut', async () => {
  const sim = await startSim({ venues: ['binance'], rate: 'max', slowMs: 1500, maxBufferedBytes: 256 << 10 });
  const c = await connect(`${sim.urls.binance.ws}?streams=btcusdt@trade/ethusdt@trade`);
  await until(() => c.frames.length > 100, 3000, 'trades');
  sim.inject('slow-consumer', 'binance');
  assert.equal(await c.closed, 1006, 'cut without a close frame');
  const st = sim.stats().venues.binance;
  assert.equal(st.slowConsumers, 1);
  assert.equal(st.backlogCuts, 1);
});

test('scheduled faults fire; the schedule syntax is validated', async () => {
  const sim = await startSim({
    venues: ['bybit'],
    rate: 500,
    faults: parseFaultSchedule('dropped-delta:bybit@every:150ms,malformed@100ms', 5000),
  });
  const c = await connect(sim.urls.bybit.ws);
  c.send(SUBSCRIBE.bybit);
  await until(() => sim.stats().venues.bybit.droppedDeltas >= 2, 3000, 'two scheduled drops');
  assert.equal(sim.stats().venues.bybit.malformed, 1);
  assert.deepEqual(parseFaultSchedule('disconnect@10s,bad-checksum:okx@every:2.5s,stall', 5000), [
    { fault: 'disconnect', atMs: 10_000 },
    { fault: 'bad-checksum', venue: 'okx', everyMs: 2500 },
    { fault: 'stall', everyMs: 5000 },
  ]);
  assert.throws(() => parseFaultSchedule('bogus', 1000), /unknown fault 'bogus'/);
  assert.throws(() => parseFaultSchedule('stall:nyse', 1000), /unknown venue 'nyse'/);
  assert.throws(() => parseFaultSchedule('stall@soon', 1000), /bad time 'soon'/);
  assert.throws(() => parseFaultSchedule('stall@every:1ms', 1000), /≥ 10ms/);
});

test('routing: unknown paths are refused; bookOf rejects venues not running', async () => {
  const sim = await startSim({ venues: ['okx', 'binance'], rate: 10 });
  assert.deepEqual(Object.keys(sim.urls).sort(), ['binance', 'okx']);
  await assert.rejects(connect(sim.urls.binance.ws.replace('/stream', '/v2')), /404/);
  await assert.rejects(connect(sim.urls.binance.ws.replace('/stream', '/ws/NOT A STREAM')), /400/);
  const o = await connect(sim.urls.okx.ws);
  o.send('ping');
  assert.equal(await o.next((f) => f === 'pong'), 'pong');
  assert.throws(() => sim.bookOf('kraken', 'BTC/USDT'), /not running/);
});

test("rate 'max': Binance trades at a high rate on loopback", async () => {
  const sim = await startSim({ venues: ['binance'], rate: 'max', symbols: ['BTCUSDT'] });
  const c = await connect(`${sim.urls.binance.ws.replace('/stream', '/ws')}/btcusdt@trade`);
  await sleep(1000);
  const st = sim.stats();
  console.log(`max: ${st.events} events, ${st.venues.binance.trades} trades/s to one client`);
  assert.ok(st.venues.binance.trades > 20_000, `${st.venues.binance.trades} trades in 1 s`);
  c.ws.terminate();
});
