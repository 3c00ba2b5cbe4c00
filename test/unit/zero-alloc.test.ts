/**
 * decode → ring → readers allocates nothing per event in steady state: millions of Binance trade
 * frames through the feed's own hot path (FeedIngest), the metrics reader (HDR histograms) and the
 * publisher's market reader; Bybit book deltas through the general scanner, the L2 book and its
 * sequence rule; and Kraken updates (bare JSON numbers, some in exponent form, the symbol escaped)
 * through the scanner, the book and its checksum — counting garbage collections and heap growth.
 */
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Stream } from '../../src/common/feed-model.ts';
import { RECORD_SIZE } from '../../src/common/record.ts';
import { createRing, RingReader, RingWriter } from '../../src/common/ring.ts';
import { krakenChecksum } from '../../src/main/feeds/book/checksum.ts';
import { L2Book } from '../../src/main/feeds/book/l2-book.ts';
import { FeedIngest, type IngestEvents } from '../../src/main/feeds/feed-ingest.ts';
import { createFeedStats, FeedStat } from '../../src/main/feeds/feed-protocol.ts';
import { VENUE_SPECS } from '../../src/main/feeds/venues/registry.ts';
import { MetricsReader } from '../../src/main/metrics/metrics-reader.ts';
import { MarketReader } from '../../src/main/publisher/market-reader.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT'];

function frames(count: number): Buffer[] {
  const now = Math.round(performance.timeOrigin + performance.now()) * 1000;
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const s = SYMBOLS[i % SYMBOLS.length]!;
    const price = (60000 + ((i * 7919) % 10000) / 100).toFixed(8);
    const qty = (((i * 104729) % 100000) / 1e5 + 0.0001).toFixed(8);
    const t = now - 500 + (i % 400);
    out.push(
      Buffer.from(
        `{"stream":"${s.toLowerCase()}@trade","data":{"e":"trade","E":${t + 1},"s":"${s}","t":${5_000_000_000 + i},"p":"${price}","q":"${qty}","T":${t},"m":${i % 3 === 0},"M":true}}`,
      ),
    );
  }
  return out;
}

const quiet: IngestEvents = {
  onInstrument() {},
  onMalformed() {},
  onControl() {},
  send() {},
  requestSnapshot() {},
};

async function countGcs(work: () => void): Promise<{ gcs: number; growth: number }> {
  gc();
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  const before = process.memoryUsage().heapUsed;
  work();
  const growth = process.memoryUsage().heapUsed - before;
  // GC entries are delivered asynchronously: let them arrive before counting.
  await new Promise((resolve) => setTimeout(resolve, 50));
  obs.disconnect();
  return { gcs, growth };
}

/**
 * Feeds `input` through `ingest` (draining the ring as a reader would): a warm-up, a control with
 * one garbage array per frame that the harness must see, a pass that may still compile, then the
 * measured pass over the rest. Returns the control's and the measured pass's counts.
 */
async function measureFrames(
  ingest: FeedIngest,
  reader: RingReader,
  input: Buffer[],
  warm: number,
  settle: number,
): Promise<{
  control: { gcs: number; growth: number };
  real: { gcs: number; growth: number };
  events: number;
}> {
  const run = (from: number, to: number, garbage: unknown[] | null): void => {
    for (let i = from; i < to; i++) {
      const f = input[i]!;
      ingest.onFrame(f, f.length);
      if (garbage) garbage[i & 1023] = new Array(256).fill(i);
      if ((i & 1023) === 1023) reader.advance(reader.available());
    }
  };
  run(0, warm, null);
  const control = await countGcs(() => run(warm, warm + 100_000, []));
  assert.ok(control.gcs >= 3, `the harness detects an allocation per event (${control.gcs} GCs)`);
  // Twice: the first pass may still compile (code and feedback live on the heap too).
  await countGcs(() => run(warm + 100_000, warm + settle, null));
  const real = await countGcs(() => run(warm + settle, input.length, null));
  return { control, real, events: input.length - warm - settle };
}

test('decode → ring → metrics: no GC and under a byte of heap per event over 4 million trades', async () => {
  const ring = createRing({ capacity: 1 << 14, maxReaders: 2, recordSize: RECORD_SIZE });
  const statsBuf = createFeedStats();
  const stats = new Float64Array(statsBuf);
  const ingest = new FeedIngest({
    ring: new RingWriter(ring),
    stats,
    spec: VENUE_SPECS.binance,
    feedId: 1,
    events: quiet,
  });
  const metrics = new MetricsReader();
  const reader = metrics.addFeed(1, ring, statsBuf);
  const market = new MarketReader();
  market.addRing(ring);
  const input = frames(1024);
  const clock = (): number => performance.timeOrigin + performance.now();
  const sink: { last: unknown } = { last: null };

  /** The feed's and the metrics reader's per-event work; `garbage` adds one small object per event. */
  const run = (n: number, garbage: boolean): void => {
    for (let i = 0; i < n; i++) {
      const f = input[i & 1023]!;
      ingest.onFrame(f, f.length);
      if (garbage) sink.last = { i };
      if ((i & 1023) === 1023) {
        metrics.drainOne(reader, 4096);
        market.drain();
      }
      if (i % 250_000 === 249_999) metrics.closeInterval(clock());
    }
    metrics.drainOne(reader, 4096);
  };

  const measure = async (n: number, garbage: boolean): Promise<{ gcs: number; growth: number }> => {
    gc();
    let gcs = 0;
    const obs = new PerformanceObserver((list) => {
      gcs += list.getEntries().length;
    });
    obs.observe({ entryTypes: ['gc'] });
    const before = process.memoryUsage().heapUsed;
    run(n, garbage);
    const growth = process.memoryUsage().heapUsed - before;
    // GC entries are delivered asynchronously: let them arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 50));
    obs.disconnect();
    return { gcs, growth };
  };

  run(300_000, false); // warm-up: JIT, instrument table, histogram buckets
  const events = 4_000_000;
  // Positive control: one 16-byte object per event must be seen, or the measurement proves nothing.
  const control = await measure(events, true);
  assert.ok(control.gcs >= 10, `the harness detects a small allocation per event (${control.gcs} GCs)`);
  const real = await measure(events, false);
  const perEvent = real.growth / events;
  console.log(
    `zero-alloc: ${events} events, ${real.gcs} GCs, heap growth ${(real.growth / 1024).toFixed(0)} KiB (${perEvent.toFixed(3)} B/event); control with one object per event: ${control.gcs} GCs`,
  );
  assert.equal(stats[FeedStat.trades], 300_000 + 2 * events, 'every frame became a record');
  assert.equal(
    stats[FeedStat.streamMessages + Stream.trades],
    stats[FeedStat.messages],
    'each in the trades stream',
  );
  assert.equal(stats[FeedStat.streamBytes + Stream.trades], stats[FeedStat.bytes]);
  assert.equal(stats[FeedStat.dropped], 0);
  assert.equal(reader.readerSkipped(reader.id), 0, 'the metrics reader kept up');
  // A stray scavenge from the test runner itself is tolerated; per-event garbage gives dozens.
  assert.ok(real.gcs <= 1, `${real.gcs} garbage collections`);
  assert.ok(perEvent < 1, `heap grew ${perEvent.toFixed(2)} bytes per event`);
});

test('book deltas (general scanner, L2 book, sequence rule): no GC over 600,000 deltas', async () => {
  const ring = createRing({ capacity: 1 << 14, maxReaders: 2, recordSize: RECORD_SIZE });
  const stats = new Float64Array(createFeedStats());
  const ingest = new FeedIngest({
    ring: new RingWriter(ring),
    stats,
    spec: VENUE_SPECS.bybit,
    feedId: 1,
    events: quiet,
  });
  const reader = new RingReader(ring, 'lossy');
  const total = 600_000;
  const warm = 100_000;
  // Prebuilt frames with contiguous `u` (a generator in the loop would allocate itself).
  const bids: string[] = [];
  for (let k = 0; k < 50; k++) bids.push(`["${(67250 - k / 10).toFixed(2)}","${(1 + k / 100).toFixed(6)}"]`);
  const asks: string[] = [];
  for (let k = 0; k < 50; k++)
    asks.push(`["${(67250.1 + k / 10).toFixed(2)}","${(1 + k / 100).toFixed(6)}"]`);
  const snapshot = Buffer.from(
    `{"topic":"orderbook.50.BTCUSDT","ts":1,"type":"snapshot","data":{"s":"BTCUSDT","b":[${bids.join(',')}],"a":[${asks.join(',')}],"u":1,"seq":1},"cts":1}`,
  );
  const input: Buffer[] = [];
  for (let i = 0; i < warm + total; i++) {
    const k = (i * 7) % 50;
    const side = i % 2 === 0 ? 'b' : 'a';
    const px = side === 'b' ? 67250 - k / 10 : 67250.1 + k / 10;
    const qty = i % 5 === 0 ? '0' : ((i % 997) / 100 + 0.01).toFixed(6);
    input.push(
      Buffer.from(
        `{"topic":"orderbook.50.BTCUSDT","ts":${1784107800000 + i},"type":"delta","data":{"s":"BTCUSDT","${side}":[["${px.toFixed(2)}","${qty}"]],"${side === 'b' ? 'a' : 'b'}":[],"u":${i + 2},"seq":${i + 2}},"cts":1}`,
      ),
    );
  }
  ingest.onFrame(snapshot, snapshot.length);
  const { control, real, events } = await measureFrames(ingest, reader, input, warm, 250_000);
  console.log(
    `zero-alloc (book): ${events} deltas, ${real.gcs} GCs, heap growth ${(real.growth / 1024).toFixed(0)} KiB; control: ${control.gcs} GCs`,
  );
  assert.equal(stats[FeedStat.gaps], 0, 'the deltas were contiguous');
  assert.equal(stats[FeedStat.bookUpdates], warm + total + 1);
  assert.ok(ingest.books[0]!.synced && !ingest.books[0]!.crossed());
  assert.ok(real.gcs <= 1, `${real.gcs} garbage collections`);
  // The smallest heap object is 12–16 bytes: under 4 bytes an event, not even every fourth event
  // allocates; what remains is code and feedback the JIT still writes (it varies run to run).
  assert.ok(real.growth / events < 4, `heap grew ${(real.growth / events).toFixed(2)} bytes per event`);
});

test('Kraken book updates as JSON numbers, exponents and an escaped symbol, checksummed: no GC', async () => {
  const ring = createRing({ capacity: 1 << 14, maxReaders: 2, recordSize: RECORD_SIZE });
  const stats = new Float64Array(createFeedStats());
  const ingest = new FeedIngest({
    ring: new RingWriter(ring),
    stats,
    spec: VENUE_SPECS.kraken,
    feedId: 1,
    events: quiet,
  });
  const reader = new RingReader(ring, 'lossy');
  const total = 400_000;
  const warm = 100_000;
  // The book as Kraken prints it (pair precisions 1 and 8), and a shadow of it for the checksums.
  const shadow = new L2Book();
  const put = (bid: boolean, px: number, qty: number): void => {
    const side = bid ? shadow.bids : shadow.asks;
    side.key[0] = px;
    side.key[1] = qty;
    side.set(1, 8);
  };
  const level = (px: number, qty: number, k: number): string =>
    // Every third size in exponent form with the same 8 digits once written out (4.1e-1 style).
    `{"price":${px.toFixed(1)},"qty":${k % 3 === 0 ? `${Math.round(qty * 1e8)}e-8` : qty.toFixed(8)}}`;
  const bids: string[] = [];
  const asks: string[] = [];
  for (let k = 0; k < 10; k++) {
    bids.push(level(67250 - k / 10, 1 + k / 100, k));
    asks.push(level(67250.1 + k / 10, 1 + k / 100, k));
    put(true, 67250 - k / 10, 1 + k / 100);
    put(false, 67250.1 + k / 10, 1 + k / 100);
  }
  const snapshot = Buffer.from(
    `{"channel":"book","type":"snapshot","data":[{"symbol":"BTC\\/USD","bids":[${bids.join(',')}],"asks":[${asks.join(',')}],"checksum":${krakenChecksum(shadow)},"timestamp":"2026-07-15T09:30:00.206907Z"}]}`,
  );
  const input: Buffer[] = [];
  for (let i = 0; i < warm + total; i++) {
    const k = (i * 7) % 10;
    const bid = i % 2 === 0;
    const px = bid ? 67250 - k / 10 : 67250.1 + k / 10;
    const qty = (i % 997) / 100 + 0.01;
    put(bid, px, qty);
    const lv = `[${level(px, qty, i)}]`;
    input.push(
      Buffer.from(
        `{"channel":"book","type":"update","data":[{"symbol":"BTC\\/USD","bids":${bid ? lv : '[]'},"asks":${bid ? '[]' : lv},"checksum":${krakenChecksum(shadow)},"timestamp":"2026-07-15T09:30:01.032406Z"}]}`,
      ),
    );
  }
  ingest.onFrame(snapshot, snapshot.length);
  const { control, real, events } = await measureFrames(ingest, reader, input, warm, 200_000);
  console.log(
    `zero-alloc (kraken): ${events} updates, ${real.gcs} GCs, heap growth ${(real.growth / 1024).toFixed(0)} KiB; control: ${control.gcs} GCs`,
  );
  assert.equal(stats[FeedStat.malformed], 0);
  assert.equal(stats[FeedStat.checksumErrors], 0, 'every checksum matched');
  assert.equal(stats[FeedStat.gaps], 0);
  assert.deepEqual(ingest.instruments.symbols, ['BTC/USD'], 'the escaped symbol is the plain one');
  assert.ok(real.gcs <= 1, `${real.gcs} garbage collections`);
  assert.ok(real.growth / events < 4, `heap grew ${(real.growth / events).toFixed(2)} bytes per event`);
});
