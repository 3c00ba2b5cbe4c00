/**
 * VenueSim, Coinbase Advanced Trade and Bybit v5 spot: subscriptions as the fixture sessions,
 * frame shapes, Coinbase's per-connection sequence_num, Bybit's u +1 per delta and orderbook.1,
 * trades at the best level, books at rest equal to bookOf(), heartbeats/pongs, errors, and the
 * dropped-delta fault as a sequence gap.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertShapeLike, type Conn, connect, LocalBook, startSim, until } from './sim-venues-helpers.ts';

interface CbFrame {
  channel: string;
  sequence_num: number;
  events: {
    type?: string;
    updates?: { side: string; price_level: string; new_quantity: string }[];
    trades?: { price: string; size: string; side: string }[];
  }[];
}

async function coinbase(url: string, product = 'BTC-USD'): Promise<Conn> {
  const c = await connect(url);
  for (const channel of ['level2', 'market_trades', 'ticker'])
    c.send({ type: 'subscribe', product_ids: [product], channel });
  c.send({ type: 'subscribe', channel: 'heartbeats' });
  await c.next((f) => f.includes('"heartbeats":["heartbeats"]'));
  return c;
}

test('coinbase: sequence_num per connection, shapes, book equals bookOf at rest, heartbeats', async () => {
  const sim = await startSim({ venues: ['coinbase'], rate: 500, seed: 31 });
  assert.match(sim.urls.coinbase.ws, /^ws:\/\/127\.0\.0\.1:\d+\/coinbase$/);
  const c = await coinbase(sim.urls.coinbase.ws);
  const c2 = await coinbase(sim.urls.coinbase.ws, 'BTC-USDT');
  await until(() => c.frames.some((f) => f.includes('"channel":"heartbeats"')), 3000, 'a heartbeat');
  await until(
    () => c.frames.filter((f) => f.includes('"channel":"market_trades"')).length >= 3,
    3000,
    'trades',
  );
  await sim.quiesce();
  const book = new LocalBook();
  let seq = 0;
  for (const f of c.frames) {
    const m = JSON.parse(f) as CbFrame;
    assert.equal(m.sequence_num, seq++, 'contiguous from 0 across channels');
    const type = m.events[0]?.type;
    if (m.channel === 'subscriptions') assertShapeLike('coinbase', f, (l) => l.includes('"subscriptions"'));
    else if (m.channel === 'heartbeats')
      assertShapeLike('coinbase', f, (l) => l.includes('"heartbeats","timestamp"'));
    else if (
      m.channel === 'l2_data' ||
      m.channel === 'ticker' ||
      (m.channel === 'market_trades' && type === 'update')
    )
      assertShapeLike(
        'coinbase',
        f,
        (l) => l.includes(`"channel":"${m.channel}"`) && l.includes(`"type":"${type}"`),
      );
    if (m.channel !== 'l2_data') continue;
    for (const e of m.events) {
      assert.equal((e as { product_id?: string }).product_id, 'BTC-USD');
      if (e.type === 'snapshot') book.clear();
      for (const u of e.updates!) book.set(u.side === 'bid' ? 'bid' : 'ask', u.price_level, u.new_quantity);
    }
    book.assertNotCrossed(`seq ${m.sequence_num}`);
  }
  const want = sim.bookOf('coinbase', 'BTC-USD');
  assert.deepEqual(book.view(), { bids: want.bids, asks: want.asks });
  assert.deepEqual(sim.bookOf('coinbase', 'BTC-USDT').bids, want.bids);
  assert.ok(
    c2.frames.some((f) => f.includes('"product_id":"BTC-USDT"')),
    'BTC-USDT is the same instrument',
  );
  // Trades: maker side, shortest decimals.
  const t = c.frames.find((f) => f.includes('"market_trades"') && f.includes('"type":"update"'))!;
  assert.match(t, /"side":"(BUY|SELL)"/);
  assert.doesNotMatch(t, /"price":"\d+\.\d*0"/);
  const hb = c.frames.filter((f) => f.includes('"channel":"heartbeats"')).map((f) => JSON.parse(f).events[0]);
  for (let k = 1; k < hb.length; k++) assert.equal(hb[k].heartbeat_counter, hb[k - 1].heartbeat_counter + 1);
});

test('coinbase: dropped-delta is a sequence_num gap; a bad product is an error', async () => {
  const sim = await startSim({ venues: ['coinbase'], rate: 600, seed: 32 });
  const c = await coinbase(sim.urls.coinbase.ws);
  await until(() => c.frames.length > 10, 3000, 'frames');
  sim.inject('dropped-delta', 'coinbase');
  const n = c.frames.length;
  await until(() => c.frames.length > n + 10, 3000, 'frames');
  const seqs = c.frames.map((f) => (JSON.parse(f) as CbFrame).sequence_num);
  let gaps = 0;
  for (let k = 1; k < seqs.length; k++) if (seqs[k] !== seqs[k - 1]! + 1) gaps++;
  assert.equal(gaps, 1);
  assert.equal(sim.stats().venues.coinbase.droppedDeltas, 1);
  c.send({ type: 'subscribe', product_ids: ['NOPE-USD'], channel: 'level2' });
  const e = JSON.parse(await c.next((f) => f.includes('"type":"error"')));
  assert.deepEqual(Object.keys(e), ['type', 'message']);
});

interface BybitMsg {
  topic: string;
  type: string;
  data: { b: string[][]; a: string[][]; u: number; seq: number } & { S: string; p: string; v: string }[];
}

test('bybit: u +1 per delta, ts before type, orderbook.1 agrees, trades at the best level, bookOf at rest', async () => {
  const sim = await startSim({ venues: ['bybit'], rate: 600, seed: 41 });
  assert.match(sim.urls.bybit.ws, /^ws:\/\/127\.0\.0\.1:\d+\/v5\/public\/spot$/);
  const c = await connect(sim.urls.bybit.ws);
  c.send({
    req_id: '1',
    op: 'subscribe',
    args: ['orderbook.50.BTCUSDT', 'publicTrade.BTCUSDT', 'orderbook.1.BTCUSDT'],
  });
  const ack = await c.next((f) => f.includes('"op":"subscribe"'));
  assertShapeLike('bybit', ack, (l) => l.includes('"op":"subscribe"'));
  await until(() => c.frames.filter((f) => f.includes('publicTrade')).length >= 5, 4000, 'trades');
  c.send({ op: 'ping' });
  const pong = await c.next((f) => f.includes('"ret_msg":"pong"'));
  assertShapeLike('bybit', pong, (l) => l.includes('pong'));
  await sim.quiesce();
  const book = new LocalBook();
  let lastU = -1;
  let trades = 0;
  let l1 = 0;
  for (const f of c.frames) {
    if (f.startsWith('{"success"')) continue;
    const m = JSON.parse(f) as BybitMsg;
    assert.equal(Object.keys(m)[1], 'ts', 'spot frames put ts before type');
    assertShapeLike(
      'bybit',
      f,
      (l) => l.includes(`"topic":"${m.topic}"`) && l.includes(`"type":"${m.type}"`),
    );
    if (m.topic === 'publicTrade.BTCUSDT') {
      const t = m.data[0]!;
      const best = book.best(t.S === 'Buy' ? 'ask' : 'bid')!;
      assert.equal(Number(t.p), best[0], 'trade at the best level');
      assert.ok(Number(t.v) <= best[1] + 1e-9);
      trades++;
    } else if (m.topic === 'orderbook.50.BTCUSDT') {
      if (m.type === 'snapshot') book.clear();
      else assert.equal(m.data.u, lastU + 1, 'u +1 per delta');
      lastU = m.data.u;
      for (const [p, q] of m.data.b) book.set('bid', p!, q!);
      for (const [p, q] of m.data.a) book.set('ask', p!, q!);
      book.truncate(50);
      book.assertNotCrossed(`u ${lastU}`);
    } else if (m.topic === 'orderbook.1.BTCUSDT' && lastU > 0) {
      // orderbook.1 goes out before the delta of the same event: it must equal the book after it.
      assert.equal(m.type, 'snapshot');
      l1++;
    }
  }
  assert.ok(trades > 0 && l1 > 0);
  const want = sim.bookOf('bybit', 'BTCUSDT', 50);
  assert.deepEqual(book.view(), { bids: want.bids, asks: want.asks });
  assert.equal(want.sequence, lastU);
  const lastL1 = JSON.parse(c.frames.filter((f) => f.includes('orderbook.1.'))!.at(-1)!) as BybitMsg;
  assert.equal(Number(lastL1.data.b[0]![0]), want.bids[0]![0]);
  assert.equal(Number(lastL1.data.a[0]![0]), want.asks[0]![0]);
});

test('bybit: errors (args > 10, bad topic, bad symbol); dropped-delta is a u gap', async () => {
  const sim = await startSim({ venues: ['bybit'], rate: 800, seed: 42 });
  const c = await connect(sim.urls.bybit.ws);
  c.send({ op: 'subscribe', args: Array.from({ length: 11 }, (_, k) => `publicTrade.X${k}USDT`) });
  await c.next((f) => f.includes('"args size >10"'));
  c.send({ op: 'subscribe', args: ['orderbook.7.BTCUSDT'] });
  await c.next((f) => f.includes('handler not found'));
  c.send({ op: 'subscribe', args: ['publicTrade.NOPEUSDT'] });
  await c.next((f) => f.includes('Invalid symbol'));
  c.send({ op: 'subscribe', args: ['orderbook.200.BTCUSDT'] });
  await until(() => c.frames.filter((f) => f.includes('"type":"delta"')).length >= 5, 3000, 'deltas');
  sim.inject('dropped-delta', 'bybit');
  const n = c.frames.length;
  await until(
    () => c.frames.slice(n).filter((f) => f.includes('"type":"delta"')).length >= 5,
    3000,
    'deltas',
  );
  const us = c.frames
    .filter((f) => f.includes('"type":"delta"'))
    .map((f) => (JSON.parse(f) as BybitMsg).data.u);
  let gaps = 0;
  for (let k = 1; k < us.length; k++) if (us[k] !== us[k - 1]! + 1) gaps++;
  assert.equal(gaps, 1);
  const st = sim.stats().venues.bybit;
  assert.equal(st.droppedDeltas, 1);
  assert.equal(st.errors, 3);
});
