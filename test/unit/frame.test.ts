import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ComponentKind,
  FEED_COUNTER_COUNT,
  FeedState,
  STREAM_COUNT,
  STREAM_NAMES,
  Stage,
  Stream,
} from '../../src/common/feed-model.ts';
import {
  BOOK_DEPTH,
  type BookSection,
  createBookEntry,
  createDecodedFrame,
  createHistogramSection,
  createMetricsSection,
  createTradeBatch,
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_SIZE,
  FrameError,
  type FrameParts,
  MAX_FRAME_TRADES,
  type MetricsSection,
  measureFrame,
} from '../../src/common/frame.ts';
import { BUCKETS, bucketOf, totalOf } from '../../src/common/latency-buckets.ts';

/** `instruments` books with full ladders and `tradesEach` trades each, trades grouped by entry. */
function book(instruments: number, tradesEach: number, omitted = 0): BookSection {
  const trades = createTradeBatch();
  const entries = Array.from({ length: instruments }, (_, i) => {
    const e = createBookEntry(65536 + i);
    e.synced = i % 2 === 0;
    e.bid = 100 + i - 0.5;
    e.bidSize = 1.25;
    e.ask = 100 + i + 0.5;
    e.askSize = 2.5;
    e.bidLevels = i === 1 ? 3 : BOOK_DEPTH;
    e.askLevels = i === 1 ? 0 : BOOK_DEPTH;
    for (let k = 0; k < e.bidLevels; k++) {
      e.bidPx[k] = e.bid - k * 0.5;
      e.bidQty[k] = k + 0.125;
    }
    for (let k = 0; k < e.askLevels; k++) {
      e.askPx[k] = e.ask + k * 0.5;
      e.askQty[k] = k + 0.375;
    }
    e.tradeStart = trades.count;
    e.tradeCount = tradesEach;
    for (let k = 0; k < tradesEach; k++) {
      const t = trades.count++;
      trades.exchangeTime[t] = 1784107800000.125 + t;
      trades.receiveTime[t] = 1784107800001.5 + t;
      trades.price[t] = e.bid + (k % 3) * 0.5;
      trades.qty[t] = 0.001 * (k + 1);
      trades.flags[t] = k % 2;
    }
    return e;
  });
  trades.omitted = omitted;
  return { count: instruments, entries, trades };
}

function metrics(feedCount: number): MetricsSection {
  return {
    interval: 41,
    start: 1784107800000.25,
    end: 1784107800250.75,
    feedCount,
    feeds: Array.from({ length: feedCount }, (_, i) => ({
      feedId: i + 1,
      messagesPerSec: 1000.5 + i,
      bytesPerSec: 163_000.25,
      totalMessages: 123456 + i,
      totalBytes: 98765432,
      // Streams (trades, top, book, other) summing to the feed's totals, as the ingest counts them.
      streamMessagesPerSec: Float64Array.of(400.25 + i, 300, 250.25, 50),
      streamBytesPerSec: Float64Array.of(60_000, 40_000.25, 55_000, 8_000),
    })),
    stageCount: 2,
    stages: [
      { stage: Stage.wire, count: 250, p50: 812, p90: 1200, p99: 2300, p999: 4100, max: 5200 },
      { stage: Stage.pipeline, count: 250, p50: 41, p90: 60, p99: 95, p999: 180, max: 230 },
    ],
    pipeline: {
      poolAcquires: 8,
      poolReuses: 7,
      poolMisses: 1,
      poolHighWater: 3,
      poolReuseRatio: 0.875,
      ringFill: 0.015625,
      ringCapacity: 65536,
      ringReturns: 2,
      readerSkipped: 17,
      dropped: 2,
      malformed: 1,
      ringLaps: 3,
      readersDetached: 1,
      negativeWire: 5,
    },
  };
}

function parts(): FrameParts {
  return {
    seq: 2 ** 32 - 1,
    time: 1784107800251.5,
    metrics: metrics(3),
    feeds: [
      {
        feedId: 1,
        venue: 1,
        state: FeedState.live,
        reconnects: 2,
        transitions: 9,
        since: 1784107790000,
        messages: 5000,
        name: 'binance-sim',
        url: 'ws://127.0.0.1:40123/stream?timeUnit=MICROSECOND',
        counters: Array.from({ length: FEED_COUNTER_COUNT }, (_, k) => k * 1000.5 + 1),
      },
      {
        feedId: 2,
        venue: 3,
        state: FeedState.backoff,
        reconnects: 0,
        transitions: 0,
        since: 1,
        messages: 0,
        name: 'krakén ✓',
        url: '',
        counters: new Array<number>(FEED_COUNTER_COUNT).fill(0),
      },
    ],
    instruments: [
      { instrumentId: 65536, feedId: 1, venue: 1, symbol: 'BTC-USDT' },
      { instrumentId: 65537, feedId: 1, venue: 1, symbol: 'ETH-USDT' },
    ],
    market: {
      count: 2,
      ticks: [
        { instrumentId: 65536, last: 67250.1, open: 67000, trades: 10, volume: 1.25 },
        { instrumentId: 65537, last: 3500.5, open: 3510, trades: 3, volume: 12 },
      ],
    },
    components: [
      {
        kind: ComponentKind.ring,
        name: 'ring feed-1',
        values: Float64Array.of(65536, 0.25, 1e9, 3, 2, 4, 17, 1),
      },
      { kind: ComponentKind.pool, name: 'frame pool ✓', values: Float64Array.of(100, 99, 1, 2, 0, 0, 0, 0) },
    ],
    book: book(3, 4, 7),
  };
}

test('frame round trip: every section, every field, exact', () => {
  const p = parts();
  const size = measureFrame(p);
  const buf = new Uint8Array(size + 100).fill(0xaa);
  const len = encodeFrame(buf, p);
  assert.equal(len, size, 'measure is exact');
  assert.equal(len % 8, 0);
  assert.equal(buf[len], 0xaa, 'nothing written past the frame');
  const d = decodeFrame(buf.subarray(0, len), createDecodedFrame());
  assert.equal(d.seq, p.seq);
  assert.equal(d.time, p.time);
  assert.equal(d.hasMetrics, true);
  const m = d.metrics;
  assert.equal(m.interval, 41);
  assert.equal(m.start, p.metrics!.start);
  assert.equal(m.end, p.metrics!.end);
  assert.deepEqual(m.feeds.slice(0, m.feedCount), p.metrics!.feeds);
  assert.deepEqual(m.stages.slice(0, m.stageCount), p.metrics!.stages);
  assert.deepEqual(m.pipeline, p.metrics!.pipeline);
  assert.deepEqual(d.feeds, p.feeds);
  assert.deepEqual(d.instruments, p.instruments);
  assert.equal(d.marketCount, 2);
  assert.deepEqual(d.market.slice(0, 2), p.market!.ticks);
  assert.deepEqual(d.components, p.components);
  assert.equal(d.hasBook, true);
  assert.equal(d.book.count, 3);
  for (let i = 0; i < 3; i++) {
    const a = d.book.entries[i]!;
    const b = p.book!.entries[i]!;
    assert.deepEqual(
      { ...a, bidPx: a.bidPx.subarray(0, a.bidLevels), bidQty: a.bidQty.subarray(0, a.bidLevels) },
      { ...b, bidPx: b.bidPx.subarray(0, b.bidLevels), bidQty: b.bidQty.subarray(0, b.bidLevels) },
    );
  }
  assert.equal(d.book.trades.count, 12);
  assert.equal(d.book.trades.omitted, 7);
  assert.deepEqual(d.book.trades, p.book!.trades);
});

test('book section: the largest frame (every trade slot used) round-trips; size with 5 venues × 3 instruments', () => {
  const full: FrameParts = { seq: 1, time: 2, book: book(16, MAX_FRAME_TRADES / 16) };
  const buf = new Uint8Array(measureFrame(full));
  const len = encodeFrame(buf, full);
  assert.equal(len, buf.length);
  const d = decodeFrame(buf, createDecodedFrame());
  assert.equal(d.book.trades.count, MAX_FRAME_TRADES);
  assert.deepEqual(d.book.trades, full.book!.trades);

  // Five venues × 3 instruments, full ladders, 20 trades each since the last frame: a few KB.
  const typical = measureFrame({ seq: 1, time: 2, book: book(15, 20) });
  const quiet = measureFrame({ seq: 1, time: 2, book: book(15, 0) });
  console.log(`book section: 15 instruments ${quiet} B without trades, ${typical} B with 300 trades`);
  assert.ok(quiet <= 6 * 1024, `${quiet}`);
  assert.ok(typical <= 18 * 1024, `${typical}`);
  assert.ok(len <= 32 * 1024, `largest ${len}`);
});

test('book section: counts out of range are refused', () => {
  const p: FrameParts = { seq: 1, time: 2, book: book(1, 2) };
  const buf = new Uint8Array(measureFrame(p));
  encodeFrame(buf, p);
  const v = new DataView(buf.buffer);
  const entry = FRAME_HEADER_SIZE + 8 + 8;
  v.setUint8(entry + 5, BOOK_DEPTH + 1);
  assert.throws(() => decodeFrame(buf, createDecodedFrame()), FrameError);
  v.setUint8(entry + 5, BOOK_DEPTH);
  v.setUint32(entry + 8, MAX_FRAME_TRADES + 1, true);
  assert.throws(() => decodeFrame(buf, createDecodedFrame()), FrameError);
  v.setUint32(entry + 8, 3, true);
  assert.throws(() => decodeFrame(buf, createDecodedFrame()), /truncated book/);
});

test('optional sections are absent when not sent; the decoded frame is reused', () => {
  const out = createDecodedFrame();
  const full = parts();
  const b1 = new Uint8Array(measureFrame(full));
  decodeFrame(b1.subarray(0, encodeFrame(b1, full)), out);
  const bare: FrameParts = { seq: 7, time: 1 };
  const b2 = new Uint8Array(measureFrame(bare));
  assert.equal(encodeFrame(b2, bare), FRAME_HEADER_SIZE);
  const d = decodeFrame(b2, out);
  assert.equal(d, out);
  assert.equal(d.hasMetrics, false);
  assert.equal(d.feeds, null);
  assert.equal(d.instruments, null);
  assert.equal(d.hasMarket, false);
  assert.equal(d.components, null);
  assert.equal(d.hasBook, false);
  assert.equal(d.book.count, 0);
  assert.equal(d.book.trades.count, 0);
  assert.equal(d.seq, 7);
});

test('unknown section types are skipped', () => {
  const p = parts();
  const buf = new Uint8Array(measureFrame(p) + 16);
  const len = encodeFrame(buf, p);
  const v = new DataView(buf.buffer);
  // Append a section of type 99 and bump the counts.
  v.setUint16(len, 99, true);
  v.setUint32(len + 4, 8, true);
  v.setUint16(6, v.getUint16(6, true) + 1, true);
  v.setUint32(12, len + 16, true);
  const d = decodeFrame(buf, createDecodedFrame());
  assert.equal(d.marketCount, 2);
});

test('malformed frames throw FrameError and never read out of bounds', () => {
  const p = parts();
  const good = new Uint8Array(measureFrame(p));
  const len = encodeFrame(good, p);
  const out = createDecodedFrame();
  assert.throws(() => decodeFrame(new Uint8Array(10), out), FrameError);
  const badMagic = good.slice();
  badMagic[0] = 0;
  assert.throws(() => decodeFrame(badMagic, out), /magic/);
  const badVersion = good.slice();
  new DataView(badVersion.buffer).setUint16(4, 99, true);
  assert.throws(() => decodeFrame(badVersion, out), /version/);
  // Every truncation either decodes (a shorter but consistent frame) or throws FrameError.
  for (let cut = 0; cut < len; cut++) {
    try {
      decodeFrame(good.subarray(0, cut), out);
      assert.fail(`truncated frame of ${cut} bytes decoded`);
    } catch (err) {
      assert.ok(err instanceof FrameError, `cut ${cut}: ${(err as Error).message}`);
    }
  }
  // Random byte flips: never anything but FrameError.
  let seed = 99;
  for (let k = 0; k < 5000; k++) {
    const f = good.slice();
    for (let j = 0; j < 3; j++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      f[seed % len] = seed >>> 24;
    }
    try {
      decodeFrame(f, out);
    } catch (err) {
      assert.ok(err instanceof FrameError, (err as Error).message);
    }
  }
});

test('metrics: per-stream throughput of every feed round-trips, and each feed entry is 104 bytes', () => {
  const p = parts();
  const one = measureFrame({ seq: 1, time: 2, metrics: metrics(1) });
  const four = measureFrame({ seq: 1, time: 2, metrics: metrics(4) });
  assert.equal(four - one, 3 * (40 + STREAM_COUNT * 16));
  const buf = new Uint8Array(measureFrame(p));
  const d = decodeFrame(buf.subarray(0, encodeFrame(buf, p)), createDecodedFrame());
  for (let i = 0; i < 3; i++) {
    const f = d.metrics.feeds[i]!;
    assert.deepEqual([...f.streamMessagesPerSec], [400.25 + i, 300, 250.25, 50]);
    assert.deepEqual([...f.streamBytesPerSec], [60_000, 40_000.25, 55_000, 8_000]);
    const sum = f.streamMessagesPerSec.reduce((a, b) => a + b, 0);
    assert.equal(sum, f.messagesPerSec, "the fixture's streams sum to the total");
    assert.equal(
      f.streamBytesPerSec.reduce((a, b) => a + b, 0),
      f.bytesPerSec,
    );
  }
  assert.equal(STREAM_NAMES.length, STREAM_COUNT);
  assert.equal(Stream.other, STREAM_COUNT - 1);
});

test('four stage slots and the HISTOGRAM section round-trip; only non-empty buckets travel; reused without allocation', () => {
  const hist = createHistogramSection();
  hist.stageCount = 3;
  const stageIds = [Stage.wire, Stage.pipeline, Stage.disk];
  for (let i = 0; i < 3; i++) {
    const st = hist.stages[i]!;
    st.stage = stageIds[i]!;
    st.count = 0;
    for (const us of [3, 150 * (i + 1), 150 * (i + 1), 2_000_000, 40_000_000]) {
      st.counts[bucketOf(us)]! += 1;
      st.count++;
    }
    st.max = 40_000_000 + i;
  }
  const m = createMetricsSection();
  m.stageCount = 4;
  for (let s = 0; s < 4; s++) {
    const st = m.stages[s]!;
    st.stage = s;
    st.count = s === Stage.ui ? 0 : 5;
    st.p50 = 150.5 + s;
    st.p90 = 2000;
    st.p99 = 3000;
    st.p999 = 4000;
    st.max = 5000;
  }
  const p: FrameParts = { seq: 3, time: 1784107800251.5, metrics: m, histograms: hist };
  const size = measureFrame(p);
  const buf = new Uint8Array(size);
  assert.equal(encodeFrame(buf, p), size);
  // 8 + 3 stages × (16 + 4 non-empty buckets × 8)
  const bare = measureFrame({ seq: 3, time: 0, metrics: m });
  assert.equal(size - bare, 8 + 8 + 3 * (16 + 4 * 8));
  const out = createDecodedFrame();
  const d = decodeFrame(buf, out);
  assert.equal(d.hasHistograms, true);
  assert.equal(d.histograms.stageCount, 3);
  for (let i = 0; i < 3; i++) assert.deepEqual(d.histograms.stages[i], hist.stages[i]);
  assert.equal(d.metrics.stageCount, 4);
  assert.deepEqual(d.metrics.stages, m.stages);
  assert.equal(d.metrics.stages[Stage.ui]!.count, 0);

  // Decoding again into the same frame reuses its arrays (and clears buckets no longer sent).
  const counts = d.histograms.stages[0]!.counts;
  hist.stages[0]!.counts.fill(0);
  hist.stages[0]!.counts[7] = 9;
  const b2 = new Uint8Array(measureFrame(p));
  encodeFrame(b2, p);
  decodeFrame(b2, out);
  assert.equal(out.histograms.stages[0]!.counts, counts);
  assert.equal(totalOf(counts), 9);
  // Without the section, hasHistograms is false.
  const b3 = new Uint8Array(measureFrame({ seq: 4, time: 0 }));
  encodeFrame(b3, { seq: 4, time: 0 });
  assert.equal(decodeFrame(b3, out).hasHistograms, false);
});

test('HISTOGRAM section: a different bucket scheme is ignored; a bad bucket index or truncation throws', () => {
  const hist = createHistogramSection();
  hist.stageCount = 1;
  hist.stages[0]!.counts[20] = 4;
  hist.stages[0]!.count = 4;
  const p: FrameParts = { seq: 1, time: 2, histograms: hist };
  const buf = new Uint8Array(measureFrame(p));
  encodeFrame(buf, p);
  const v = new DataView(buf.buffer);
  const body = FRAME_HEADER_SIZE + 8;
  v.setUint16(body + 2, 99, true);
  assert.equal(decodeFrame(buf, createDecodedFrame()).hasHistograms, false);
  v.setUint16(body + 2, BUCKETS, true);
  v.setUint16(body + 8 + 16, BUCKETS, true);
  assert.throws(() => decodeFrame(buf, createDecodedFrame()), /bucket out of range/);
  v.setUint16(body + 8 + 16, 20, true);
  v.setUint16(body + 8 + 2, 50, true);
  assert.throws(() => decodeFrame(buf, createDecodedFrame()), /truncated histogram/);
});
