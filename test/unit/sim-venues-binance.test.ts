/**
 * VenueSim, Binance spot: a raw client subscribes as the fixture session does (combined /stream,
 * depth@100ms + trade + bookTicker), syncs its book from the REST snapshot by Binance's procedure,
 * checks frame shapes against the fixture, U/u continuity, an uncrossed book, and that at rest its
 * book equals bookOf(); a dropped delta shows as a U gap and is counted; REST errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertShapeLike, connect, LocalBook, startSim, until } from './sim-venues-helpers.ts';

interface Depth {
  e: string;
  E: number;
  s: string;
  U: number;
  u: number;
  b: [string, string][];
  a: [string, string][];
}

test('binance: diff depth + REST snapshot sync to the simulator book; shapes as the fixture', async () => {
  const sim = await startSim({ venues: ['binance'], rate: 400, seed: 7 });
  assert.match(sim.urls.binance.ws, /^ws:\/\/127\.0\.0\.1:\d+\/stream$/);
  assert.match(sim.urls.binance.rest!, /^http:\/\/127\.0\.0\.1:\d+$/);
  const c = await connect(sim.urls.binance.ws);
  c.send({
    method: 'SUBSCRIBE',
    params: ['btcusdt@depth@100ms', 'btcusdt@trade', 'btcusdt@bookTicker'],
    id: 1,
  });
  assert.equal(await c.next((f) => f.includes('"id":1')), '{"result":null,"id":1}');
  // Buffer depth events; fetch the snapshot after the second one.
  await until(() => c.frames.filter((f) => f.includes('depthUpdate')).length >= 2, 3000, 'two depth events');
  const res = await fetch(`${sim.urls.binance.rest}/api/v3/depth?symbol=BTCUSDT&limit=5000`);
  assert.equal(res.status, 200);
  const snap = (await res.json()) as {
    lastUpdateId: number;
    bids: [string, string][];
    asks: [string, string][];
  };
  assert.deepEqual(Object.keys(snap), ['lastUpdateId', 'bids', 'asks']);
  await until(() => c.frames.filter((f) => f.includes('depthUpdate')).length >= 8, 3000, 'more depth events');
  await sim.quiesce();
  const book = new LocalBook();
  for (const [p, q] of snap.bids) book.set('bid', p, q);
  for (const [p, q] of snap.asks) book.set('ask', p, q);
  let local = snap.lastUpdateId;
  let first = true;
  let prevU = -1;
  let applied = 0;
  for (const f of c.frames) {
    const m = JSON.parse(f) as { stream?: string; data?: Record<string, unknown> };
    if (m.stream === undefined) continue;
    if (m.stream === 'btcusdt@trade') assertShapeLike('binance', f, (l) => l.includes('@trade'));
    if (m.stream === 'btcusdt@bookTicker') {
      assertShapeLike('binance', f, (l) => l.includes('@bookTicker'));
      assert.ok(Number(m.data!.b) < Number(m.data!.a), 'bookTicker not crossed');
    }
    if (m.stream !== 'btcusdt@depth@100ms') continue;
    assertShapeLike('binance', f, (l) => l.includes('depthUpdate'));
    const d = m.data as unknown as Depth;
    if (prevU >= 0) assert.equal(d.U, prevU + 1, 'U = previous u + 1');
    prevU = d.u;
    assert.ok(d.U <= d.u);
    if (d.u <= local) continue;
    if (first) {
      assert.ok(d.U <= local + 1 && local + 1 <= d.u, 'first event straddles lastUpdateId');
      first = false;
    }
    for (const [p, q] of d.b) book.set('bid', p, q);
    for (const [p, q] of d.a) book.set('ask', p, q);
    local = d.u;
    applied++;
    book.assertNotCrossed(`u=${d.u}`);
  }
  assert.ok(applied >= 3, `applied ${applied} events`);
  const want = sim.bookOf('binance', 'BTCUSDT');
  assert.equal(want.sequence, local);
  assert.deepEqual(book.view(), { bids: want.bids, asks: want.asks });
  // Trades are real and contiguous per symbol.
  const trades = c.frames
    .filter((f) => f.includes('"e":"trade"'))
    .map((f) => JSON.parse(f).data as { t: number });
  assert.ok(trades.length > 0);
  for (let k = 1; k < trades.length; k++) assert.equal(trades[k]!.t, trades[k - 1]!.t + 1);
  const st = sim.stats().venues.binance;
  assert.equal(st.trades, trades.length);
  assert.equal(st.bookSnapshots, 1);
});

test('binance: a dropped delta is a U gap, counted; REST errors', async () => {
  const sim = await startSim({ venues: ['binance'], rate: 500, seed: 8, symbols: ['BTCUSDT', 'ETHUSDT'] });
  const c = await connect(`${sim.urls.binance.ws}?streams=btcusdt@depth@100ms`);
  await until(() => c.frames.length >= 3, 3000, 'depth events');
  sim.inject('dropped-delta', 'binance');
  const n = c.frames.length;
  await until(() => c.frames.length >= n + 3, 3000, 'more depth events');
  const ds = c.frames.map((f) => JSON.parse(f).data as Depth);
  let gaps = 0;
  for (let k = 1; k < ds.length; k++) if (ds[k]!.U !== ds[k - 1]!.u + 1) gaps++;
  assert.equal(gaps, 1);
  assert.equal(sim.stats().venues.binance.droppedDeltas, 1);
  const rest = sim.urls.binance.rest!;
  let r = await fetch(`${rest}/api/v3/depth?symbol=NOPEUSDT`);
  assert.equal(r.status, 400);
  assert.deepEqual(await r.json(), { code: -1121, msg: 'Invalid symbol.' });
  r = await fetch(`${rest}/api/v3/depth`);
  assert.equal(r.status, 400);
  r = await fetch(`${rest}/api/v3/depth?symbol=ETHUSDT&limit=5`);
  const body = (await r.json()) as { bids: string[][]; asks: string[][] };
  assert.equal(body.bids.length, 5);
  assert.equal(body.asks.length, 5);
  assert.match(body.bids[0]![0]!, /^\d+\.\d{8}$/);
  assert.equal((await fetch(`${rest}/nothing`)).status, 404);
});
