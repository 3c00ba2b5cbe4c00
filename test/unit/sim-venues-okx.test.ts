/**
 * VenueSim, OKX v5: subscriptions as the fixture session (books, trades, bbo-tbt in one request,
 * text ping), frame shapes, the prevSeqId → seqId chain, the legacy signed CRC32 recomputed by the
 * client (or 0 when configured so), trades at the best level, bbo-tbt equal to the book, the book
 * at rest equal to bookOf(), error events, and dropped-delta / bad-checksum faults.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertShapeLike,
  type Conn,
  connect,
  crc32,
  LocalBook,
  startSim,
  until,
} from './sim-venues-helpers.ts';

interface BooksMsg {
  arg: { channel: string };
  action: string;
  data: { asks: string[][]; bids: string[][]; checksum: number; prevSeqId: number; seqId: number }[];
}

function okxChecksum(book: LocalBook): number {
  const b = book.sorted('bid', 25);
  const a = book.sorted('ask', 25);
  const parts: string[] = [];
  for (let i = 0; i < 25; i++) {
    if (b[i]) parts.push(`${b[i]![0]}:${b[i]![1]}`);
    if (a[i]) parts.push(`${a[i]![0]}:${a[i]![1]}`);
  }
  return crc32(parts.join(':')) | 0;
}

/**
 * Replays the books channel: returns checksum mismatches and sequence breaks (frame indexes). The
 * book must never cross until the chain breaks: after a dropped delta it is wrong and may (it keeps
 * levels the market then moves through, as a real client's book does until it resyncs).
 */
function replay(c: Conn, onFrame?: (book: LocalBook, f: string) => void) {
  const book = new LocalBook();
  const badSum: number[] = [];
  const breaks: number[] = [];
  let last: number | null = null;
  c.frames.forEach((f, k) => {
    onFrame?.(book, f);
    if (!f.startsWith('{"arg":{"channel":"books"')) return;
    const m = JSON.parse(f) as BooksMsg;
    const d = m.data[0]!;
    if (m.action === 'snapshot') {
      assert.equal(d.prevSeqId, -1);
      book.clear();
    } else if (d.prevSeqId !== last) breaks.push(k);
    else if (d.seqId !== d.prevSeqId) assert.ok(d.seqId > d.prevSeqId);
    last = d.seqId;
    for (const [p, q] of d.bids) book.set('bid', p!, q!);
    for (const [p, q] of d.asks) book.set('ask', p!, q!);
    if (breaks.length === 0) book.assertNotCrossed(`frame ${k}`);
    if (d.checksum !== 0 && okxChecksum(book) !== d.checksum) badSum.push(k);
  });
  return { book, badSum, breaks };
}

async function subscribe(url: string): Promise<Conn> {
  const c = await connect(url);
  c.send({
    id: '1',
    op: 'subscribe',
    args: [
      { channel: 'books', instId: 'BTC-USDT' },
      { channel: 'trades', instId: 'BTC-USDT' },
      { channel: 'bbo-tbt', instId: 'BTC-USDT' },
    ],
  });
  await c.next((f) => f.includes('"action":"snapshot"'));
  return c;
}

test('okx: fixture-shaped frames, seqId chain, checksums, trades and bbo agree with the book', async () => {
  const sim = await startSim({ venues: ['okx'], rate: 600, seed: 21 });
  assert.match(sim.urls.okx.ws, /^ws:\/\/127\.0\.0\.1:\d+\/ws\/v5\/public$/);
  const c = await subscribe(sim.urls.okx.ws);
  await until(() => c.frames.filter((f) => f.includes('"channel":"trades"')).length >= 6, 4000, 'trades');
  c.send('ping');
  await c.next((f) => f === 'pong');
  await sim.quiesce();
  const acks = c.frames.filter((f) => f.includes('"event":"subscribe"'));
  assert.equal(acks.length, 3);
  for (const f of c.frames) {
    if (f === 'pong') continue;
    if (f.includes('"event":"subscribe"'))
      assertShapeLike('okx', f, (l) => l.includes('"event":"subscribe"'));
    else if (f.includes('"action":"snapshot"'))
      assertShapeLike('okx', f, (l) => l.includes('"action":"snapshot"'));
    else if (f.includes('"action":"update"'))
      assertShapeLike('okx', f, (l) => l.includes('"action":"update"'));
    else if (f.includes('"channel":"trades"'))
      assertShapeLike('okx', f, (l) => l.includes('"channel":"trades"'));
    else if (f.includes('"channel":"bbo-tbt"'))
      assertShapeLike('okx', f, (l) => l.includes('"channel":"bbo-tbt"'));
  }
  let trades = 0;
  let bbos = 0;
  const { book, badSum, breaks } = replay(c, (b, f) => {
    if (f.startsWith('{"arg":{"channel":"trades"')) {
      const t = JSON.parse(f).data[0] as { px: string; sz: string; side: string };
      const best = b.best(t.side === 'buy' ? 'ask' : 'bid');
      if (!best) return;
      assert.equal(Number(t.px), best[0], 'trade at the best level');
      assert.ok(Number(t.sz) <= best[1] + 1e-9);
      trades++;
    }
  });
  // bbo-tbt precedes the books update of the same event: compare it with the next book state.
  const b2 = new LocalBook();
  let pendingBbo: { asks: string[][]; bids: string[][] } | null = null;
  for (const f of c.frames) {
    if (f.startsWith('{"arg":{"channel":"bbo-tbt"')) pendingBbo = JSON.parse(f).data[0];
    if (!f.startsWith('{"arg":{"channel":"books"')) continue;
    const d = (JSON.parse(f) as BooksMsg).data[0]!;
    if (f.includes('"action":"snapshot"')) b2.clear();
    for (const [p, q] of d.bids) b2.set('bid', p!, q!);
    for (const [p, q] of d.asks) b2.set('ask', p!, q!);
    if (pendingBbo) {
      assert.equal(Number(pendingBbo.bids[0]![0]), b2.best('bid')![0]);
      assert.equal(Number(pendingBbo.asks[0]![0]), b2.best('ask')![0]);
      bbos++;
      pendingBbo = null;
    }
  }
  assert.deepEqual(badSum, []);
  assert.deepEqual(breaks, []);
  assert.ok(trades > 0 && bbos > 0);
  const want = sim.bookOf('okx', 'BTC-USDT');
  assert.deepEqual(book.view(), { bids: want.bids, asks: want.asks });
  const lastBooks = c.frames.filter((f) => f.startsWith('{"arg":{"channel":"books"')).at(-1)!;
  assert.equal((JSON.parse(lastBooks) as BooksMsg).data[0]!.seqId, want.sequence);
});

test('okx: error events; checksum 0 when configured; keep-alive update', async () => {
  const sim = await startSim({ venues: ['okx'], rate: 300, okxChecksum: 'zero', okxKeepAliveMs: 300 });
  const c = await connect(sim.urls.okx.ws);
  c.send({ id: '7', op: 'subscribe', args: [{ channel: 'trades', instId: 'NOPE-USDT' }] });
  const e = JSON.parse(await c.next((f) => f.includes('"event":"error"')));
  assert.equal(e.code, '60018');
  assert.equal(e.id, '7');
  c.send('{"op":');
  const e2 = JSON.parse(await c.next((f) => f.includes('"code":"60012"')));
  assert.equal(e2.event, 'error');
  c.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
  await until(() => c.frames.filter((f) => f.includes('"action":"update"')).length >= 3, 3000, 'updates');
  for (const f of c.frames.filter((x) => x.includes('"channel":"books"') && x.includes('"data"'))) {
    assert.equal((JSON.parse(f) as BooksMsg).data[0]!.checksum, 0);
  }
  sim.stopTrading();
  await c.next((f) => f.includes('"asks":[],"bids":[]'), 2000);
  const ka = JSON.parse(c.frames.find((f) => f.includes('"asks":[],"bids":[]'))!) as BooksMsg;
  assert.equal(ka.data[0]!.prevSeqId, ka.data[0]!.seqId);
});

test('okx: dropped-delta breaks the chain, bad-checksum fails once; both counted', async () => {
  const sim = await startSim({ venues: ['okx'], rate: 800, seed: 22 });
  const c = await subscribe(sim.urls.okx.ws);
  await until(() => c.frames.length > 20, 3000, 'updates');
  sim.inject('bad-checksum', 'okx');
  const n = c.frames.length;
  await until(() => c.frames.length > n + 10, 3000, 'updates');
  sim.inject('dropped-delta');
  const m = c.frames.length;
  await until(() => c.frames.length > m + 10, 3000, 'updates');
  const { badSum, breaks } = replay(c);
  assert.ok(badSum.length >= 1, 'the corrupted checksum fails');
  assert.equal(breaks.length, 1, 'one sequence break');
  assert.ok(badSum[0]! < breaks[0]!);
  const st = sim.stats().venues.okx;
  assert.equal(st.badChecksums, 1);
  assert.equal(st.droppedDeltas, 1);
});
