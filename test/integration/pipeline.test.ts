/**
 * sim → feed worker → ring → readers, over real loopback sockets and real worker threads: every
 * trade the simulator sends is received exactly once, in order, uncorrupted; the metrics reader
 * measures both latency stages; a dropped connection is reconnected and resubscribed.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FeedState, Stage } from '../../src/common/feed-model.ts';
import { Off, RecordKind, Venue } from '../../src/common/record.ts';
import { RingReader } from '../../src/common/ring.ts';
import { sourceFeedWorkerUrl } from '../../src/main/cli/paths.ts';
import { FeedHost } from '../../src/main/feeds/feed-host.ts';
import { FeedStat } from '../../src/main/feeds/feed-protocol.ts';
import { MetricsReader } from '../../src/main/metrics/metrics-reader.ts';
import { VenueSim } from '../../src/main/sim/venue-sim.ts';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Seen {
  count: number;
  /** Last trade id per instrument id. */
  lastId: Map<number, number>;
  duplicatesOrGaps: number;
  corrupt: number;
  connections: Set<number>;
}

function drainLossless(reader: RingReader, seen: Seen): void {
  const n = reader.available();
  for (let k = 0; k < n; k++) {
    const at = reader.offsetOf(reader.cursor + k);
    const d = reader.data;
    const kind = d.getUint8(at + Off.kind);
    if (kind !== RecordKind.trade) continue;
    const inst = d.getUint32(at + Off.instrumentId, true);
    const id = d.getFloat64(at + Off.sequence, true);
    const price = d.getFloat64(at + Off.price, true);
    const qty = d.getFloat64(at + Off.quantity, true);
    const recv = d.getFloat64(at + Off.receiveTime, true);
    const exch = d.getFloat64(at + Off.exchangeTime, true);
    if (!(price > 0 && qty > 0 && recv >= exch - 5 && d.getUint8(at + Off.venue) === Venue.binance))
      seen.corrupt++;
    const last = seen.lastId.get(inst);
    if (last !== undefined && id !== last + 1) seen.duplicatesOrGaps++;
    seen.lastId.set(inst, id);
    seen.connections.add(d.getUint16(at + Off.connectionId, true));
    seen.count++;
  }
  reader.advance(n);
}

test('every trade sent over loopback is received exactly once, in order, with both latency stages measured', async () => {
  const total = 30_000;
  const sim = await VenueSim.start({
    mode: 'trades',
    port: 0,
    rate: 20_000,
    seed: 7,
    symbols: SYMBOLS,
    maxEvents: total,
  });
  cleanups.push(() => sim.close());
  const feed = new FeedHost(
    {
      feedId: 1,
      venue: Venue.binance,
      name: 'it',
      url: sim.baseUrl,
      symbols: SYMBOLS,
      ringCapacity: 1 << 16,
    },
    sourceFeedWorkerUrl(),
    { onChange() {}, onLog() {} },
  );
  // Attach before the feed starts so the lossless reader sees the first record.
  const lossless = new RingReader(feed.ring, 'lossless');
  const metrics = new MetricsReader();
  metrics.addFeed(1, feed.ring, feed.statsBuffer);
  feed.start();
  cleanups.push(() => feed.stop());

  const seen: Seen = { count: 0, lastId: new Map(), duplicatesOrGaps: 0, corrupt: 0, connections: new Set() };
  await until(`${total} trades`, () => {
    drainLossless(lossless, seen);
    metrics.drain();
    return seen.count >= total;
  });
  await new Promise((r) => setTimeout(r, 200)); // anything extra would arrive now
  drainLossless(lossless, seen);
  metrics.drain();

  const stats = sim.stats();
  assert.equal(stats.venues.binance.trades, total, 'the simulator sent exactly maxEvents trades');
  assert.equal(seen.count, total, 'received = sent');
  assert.equal(seen.duplicatesOrGaps, 0, 'trade ids contiguous per instrument: no loss, no duplicate');
  assert.equal(seen.corrupt, 0);
  assert.equal(seen.lastId.size, SYMBOLS.length);
  assert.equal(feed.stats[FeedStat.trades], total);
  assert.equal(feed.stats[FeedStat.malformed], 0);
  assert.equal(
    feed.stats[FeedStat.dropped],
    0,
    'the lossless reader kept up; nothing returned to the sender',
  );
  assert.equal(feed.state, FeedState.live);
  assert.equal(feed.instruments.length, SYMBOLS.length);
  assert.deepEqual(feed.instruments.map((i) => i.symbol).sort(), ['BTC-USDT', 'ETH-USDT', 'SOL-USDT']);

  const m = metrics.closeInterval(performance.timeOrigin + performance.now());
  const wire = m.stages[Stage.wire]!;
  const pipeline = m.stages[Stage.pipeline]!;
  const lossy = m.pipeline.readerSkipped;
  assert.equal(wire.count + lossy, total, 'metrics reader: measured + skipped = every trade');
  assert.equal(pipeline.count, wire.count);
  assert.ok(wire.p50 > 0 && wire.max >= wire.p99 && wire.p99 >= wire.p50, 'wire percentiles ordered');
  assert.ok(pipeline.max >= pipeline.p50, 'pipeline percentiles ordered');
  assert.equal(m.feeds[0]!.totalMessages, feed.stats[FeedStat.messages]);
});

test('a dropped connection reconnects with backoff, resubscribes and keeps every id in order per connection', async () => {
  const sim = await VenueSim.start({ mode: 'trades', port: 0, rate: 2_000, seed: 9, symbols: SYMBOLS });
  cleanups.push(() => sim.close());
  const states: number[] = [];
  const feed = new FeedHost(
    {
      feedId: 2,
      venue: Venue.binance,
      name: 'drop',
      url: sim.baseUrl,
      symbols: SYMBOLS,
      backoffInitialMs: 50,
    },
    sourceFeedWorkerUrl(),
    {
      onChange() {
        if (states.at(-1) !== feed.state) states.push(feed.state);
      },
      onLog() {},
    },
  );
  const lossless = new RingReader(feed.ring, 'lossless');
  feed.start();
  cleanups.push(() => feed.stop());
  const seen: Seen = { count: 0, lastId: new Map(), duplicatesOrGaps: 0, corrupt: 0, connections: new Set() };
  await until('first trades', () => {
    drainLossless(lossless, seen);
    return seen.count > 200;
  });
  sim.inject('disconnect');
  await until('reconnected and trading again', () => {
    drainLossless(lossless, seen);
    return seen.connections.size === 2 && feed.state === FeedState.live;
  });
  assert.equal(feed.stats[FeedStat.reconnects], 1);
  assert.ok(states.includes(FeedState.backoff), `went through backoff: ${states}`);
  assert.equal(feed.stats[FeedStat.malformed], 0);
  assert.equal(seen.corrupt, 0);
});

test('overflow: a lossless reader a full ring behind makes writes return to the sender, carried in a gap record', async () => {
  const sim = await VenueSim.start({ mode: 'trades', port: 0, rate: 2_000, seed: 11, symbols: SYMBOLS });
  cleanups.push(() => sim.close());
  const feed = new FeedHost(
    {
      feedId: 4,
      venue: Venue.binance,
      name: 'overflow',
      url: sim.baseUrl,
      symbols: SYMBOLS,
      ringCapacity: 64,
    },
    sourceFeedWorkerUrl(),
    { onChange() {}, onLog() {} },
  );
  const stalled = new RingReader(feed.ring, 'lossless');
  feed.start();
  cleanups.push(() => feed.stop());
  // The reader stalls until the ring is full and writes are being returned.
  await until('writes returned to the sender', () => feed.stats[FeedStat.dropped]! > 100);
  let trades = 0;
  let gapRecords = 0;
  let gapCount = 0;
  const drain = (): void => {
    const n = stalled.available();
    for (let k = 0; k < n; k++) {
      const at = stalled.offsetOf(stalled.cursor + k);
      const kind = stalled.data.getUint8(at + Off.kind);
      if (kind === RecordKind.trade) trades++;
      else if (kind === RecordKind.gap) {
        gapRecords++;
        gapCount += stalled.data.getFloat64(at + Off.quantity, true);
      }
    }
    stalled.advance(n);
  };
  await until('the gap record after the reader catches up', () => {
    drain();
    return gapRecords > 0;
  });
  sim.stopTrading();
  await new Promise((r) => setTimeout(r, 300));
  drain();
  assert.equal(trades, feed.stats[FeedStat.trades], 'every record written was read');
  assert.equal(gapCount, feed.stats[FeedStat.dropped], 'every returned write is counted in a gap record');
  assert.equal(trades + gapCount, sim.stats().venues.binance.trades, 'sent = received + counted as lost');
  assert.ok(stalled.returns >= gapCount, 'the ring counted the returns too');
});
