/**
 * The frame codec: one binary frame carries everything the UI needs since the last frame, sent
 * 30–60 times a second from the engine to the renderer (MessagePort in Electron, WebSocket in a
 * browser). Little-endian, versioned, 8-byte aligned sections.
 *
 * Header (24 bytes)
 * | off | type | field                                   |
 * |----:|------|-----------------------------------------|
 * |   0 | u32  | magic 'TSKF' (0x464b5354)               |
 * |   4 | u16  | version (FRAME_VERSION)                 |
 * |   6 | u16  | section count                           |
 * |   8 | u32  | sequence number (wraps)                 |
 * |  12 | u32  | total byte length                       |
 * |  16 | f64  | frame time, epoch ms (sender's clock)   |
 *
 * Each section: u16 type, u16 reserved, u32 payload length, payload padded to 8 bytes.
 * Unknown section types are skipped, so a newer engine can talk to an older renderer.
 *
 * Sections:
 * - METRICS: one closed metrics interval (throughput per feed and per stream of each feed, latency
 *   stages, pool and ring).
 * - FEEDS: connection state of every feed; sent when a state changes and once a second.
 * - INSTRUMENTS: id → symbol table; sent when it changes and once a second.
 * - MARKET: last price, trade count and volume per instrument; every frame.
 * - COMPONENTS: every ring, buffer pool and burst dispatcher with its counters; with METRICS.
 * - BOOK: per instrument the top of book, a depth ladder (BOOK_DEPTH levels a side), whether the
 *   book is in sync, and the trades that arrived since the previous frame (at most
 *   MAX_FRAME_TRADES in all; the ones left out are counted); every frame.
 * - HISTOGRAM: per engine latency stage (wire, pipeline, disk), the interval's bucket counts in
 *   the shared scheme of latency-buckets.ts (non-empty buckets only), its count and exact max;
 *   with METRICS. METRICS carries all four stage slots; the engine leaves the UI slot empty
 *   (count 0), the renderer measures and fills it.
 *
 * Decoding writes into a caller-owned `DecodedFrame` whose arrays are preallocated, so decoding
 * the numeric sections allocates nothing; strings (feeds, instruments) are decoded only when their
 * sections are present.
 */

import {
  COMPONENT_VALUES,
  type ComponentStats,
  FEED_COUNTER_COUNT,
  type FeedStatus,
  type InstrumentInfo,
  STREAM_COUNT,
} from './feed-model.ts';
import { BUCKETS } from './latency-buckets.ts';

export const FRAME_MAGIC = 0x464b5354;
export const FRAME_VERSION = 4;
export const FRAME_HEADER_SIZE = 24;
const SECTION_HEADER_SIZE = 8;

export const SectionType = {
  metrics: 1,
  feeds: 2,
  instruments: 3,
  market: 4,
  components: 5,
  book: 6,
  histogram: 7,
} as const;

export const MAX_FEEDS = 16;
export const MAX_STAGES = 4;
export const MAX_INSTRUMENTS = 256;
export const MAX_COMPONENTS = 64;
/** Levels a side in a BOOK section's depth ladder. */
export const BOOK_DEPTH = 10;
/** Trades a frame carries at most (all instruments); the rest are counted as omitted. */
export const MAX_FRAME_TRADES = 512;

export interface FeedThroughput {
  feedId: number;
  messagesPerSec: number;
  bytesPerSec: number;
  totalMessages: number;
  totalBytes: number;
  /** Messages/s and wire bytes/s of each Stream (STREAM_COUNT values each). */
  streamMessagesPerSec: Float64Array;
  streamBytesPerSec: Float64Array;
}

/** Percentiles in microseconds over one interval. count = 0 means no sample in the interval. */
export interface StageLatency {
  stage: number;
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface PipelineStats {
  poolAcquires: number;
  poolReuses: number;
  poolMisses: number;
  poolHighWater: number;
  /** reuses / acquires over the interval (1 when there was no acquire). */
  poolReuseRatio: number;
  /** Slowest reader's backlog over capacity, 0..1, at the end of the interval. */
  ringFill: number;
  ringCapacity: number;
  /** Writes returned to the sender since start. */
  ringReturns: number;
  /** Records every lossy (or detached) reader skipped since start (lapped or torn). */
  readerSkipped: number;
  /** Records lost at the ring (returned to the sender, carried in gap records), since start. */
  dropped: number;
  /** Malformed messages from every feed since start (counted, never decoded into records). */
  malformed: number;
  /** Times a lossy reader was lapped, all rings, since start. */
  ringLaps: number;
  /** Lossless readers detached by the stall policy, all rings, since start. */
  readersDetached: number;
  /** Wire latencies below zero (exchange clock ahead of ours), recorded as 0, since start. */
  negativeWire: number;
}

export interface MetricsSection {
  interval: number;
  start: number;
  end: number;
  feedCount: number;
  feeds: FeedThroughput[];
  stageCount: number;
  stages: StageLatency[];
  pipeline: PipelineStats;
}

export interface MarketTick {
  instrumentId: number;
  last: number;
  /** First trade price seen this session, for the change figure. */
  open: number;
  trades: number;
  volume: number;
}

/** One instrument's book in a BOOK section; the ladder arrays hold BOOK_DEPTH levels, best first. */
export interface BookEntry {
  instrumentId: number;
  /** The book was rebuilt from a snapshot and no gap (or skipped record) has been seen since. */
  synced: boolean;
  /** Top of book: the venue's last best bid/ask, or the book's best levels; NaN when unknown. */
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
  bidLevels: number;
  askLevels: number;
  bidPx: Float64Array;
  bidQty: Float64Array;
  askPx: Float64Array;
  askQty: Float64Array;
  /** This instrument's trades in the section's trade arrays: [tradeStart, tradeStart + tradeCount). */
  tradeStart: number;
  tradeCount: number;
}

/** Trades of a BOOK section, struct of arrays (MAX_FRAME_TRADES long), grouped by instrument. */
export interface TradeBatch {
  count: number;
  /** Trades that arrived since the previous frame but did not fit (or fell out of the reader's buffer). */
  omitted: number;
  /** Venue's match time, epoch ms. */
  exchangeTime: Float64Array;
  /** Receive time on the engine's clock, epoch ms. */
  receiveTime: Float64Array;
  price: Float64Array;
  qty: Float64Array;
  /** RecordFlag bits (aggressorSell). */
  flags: Uint16Array;
}

export interface BookSection {
  count: number;
  entries: readonly BookEntry[];
  trades: TradeBatch;
}

export function createBookEntry(instrumentId = 0): BookEntry {
  return {
    instrumentId,
    synced: false,
    bid: Number.NaN,
    bidSize: Number.NaN,
    ask: Number.NaN,
    askSize: Number.NaN,
    bidLevels: 0,
    askLevels: 0,
    bidPx: new Float64Array(BOOK_DEPTH),
    bidQty: new Float64Array(BOOK_DEPTH),
    askPx: new Float64Array(BOOK_DEPTH),
    askQty: new Float64Array(BOOK_DEPTH),
    tradeStart: 0,
    tradeCount: 0,
  };
}

export function createTradeBatch(): TradeBatch {
  return {
    count: 0,
    omitted: 0,
    exchangeTime: new Float64Array(MAX_FRAME_TRADES),
    receiveTime: new Float64Array(MAX_FRAME_TRADES),
    price: new Float64Array(MAX_FRAME_TRADES),
    qty: new Float64Array(MAX_FRAME_TRADES),
    flags: new Uint16Array(MAX_FRAME_TRADES),
  };
}

/** One stage's bucket counts over one metrics interval (BUCKETS long, latency-buckets.ts). */
export interface StageHistogram {
  stage: number;
  count: number;
  /** Exact maximum, µs (0 when count is 0). */
  max: number;
  counts: Uint32Array;
}

export interface HistogramSection {
  stageCount: number;
  /** MAX_STAGES entries, reused; the first stageCount are valid. */
  stages: StageHistogram[];
}

export function createHistogramSection(): HistogramSection {
  const stages: StageHistogram[] = [];
  for (let i = 0; i < MAX_STAGES; i++)
    stages.push({ stage: i, count: 0, max: 0, counts: new Uint32Array(BUCKETS) });
  return { stageCount: 0, stages };
}

export interface FrameParts {
  seq: number;
  time: number;
  metrics?: MetricsSection | undefined;
  feeds?: readonly FeedStatus[] | undefined;
  instruments?: readonly InstrumentInfo[] | undefined;
  market?: { count: number; ticks: readonly MarketTick[] } | undefined;
  components?: readonly ComponentStats[] | undefined;
  book?: BookSection | undefined;
  histograms?: HistogramSection | undefined;
}

export interface DecodedFrame {
  seq: number;
  time: number;
  hasMetrics: boolean;
  metrics: MetricsSection;
  /** null when the frame had no FEEDS section. */
  feeds: FeedStatus[] | null;
  instruments: InstrumentInfo[] | null;
  hasMarket: boolean;
  marketCount: number;
  market: MarketTick[];
  /** null when the frame had no COMPONENTS section. */
  components: ComponentStats[] | null;
  hasBook: boolean;
  /** Entries (MAX_INSTRUMENTS, reused) and trades of the BOOK section; count 0 when absent. */
  book: { count: number; entries: BookEntry[]; trades: TradeBatch };
  hasHistograms: boolean;
  /** Bucket counts per engine stage (reused); valid when hasHistograms. */
  histograms: HistogramSection;
}

const METRICS_FIXED = 32;
/** Feed entry: 40 bytes of totals, then messages/s and bytes/s of each stream. */
const FEED_THROUGHPUT_SIZE = 40 + STREAM_COUNT * 16;
const STAGE_SIZE = 48;
const PIPELINE_SIZE = 112;
const COMPONENT_FIXED = 8 + COMPONENT_VALUES * 8;
const MARKET_TICK_SIZE = 40;
/** Book entry: 48 bytes of fields, then 16 bytes a level, then 40 bytes a trade. */
const BOOK_FIXED = 48;
const BOOK_LEVEL_SIZE = 16;
const TRADE_SIZE = 40;
/** Histogram: 8 bytes of counts, then per stage 16 bytes and 8 a non-empty bucket. */
const HIST_STAGE_FIXED = 16;
const HIST_BUCKET_SIZE = 8;
/** Feed status: 40 bytes of fields, then the counters, then name and url. */
const FEED_FIXED = 40 + FEED_COUNTER_COUNT * 8;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function pad8(n: number): number {
  return (n + 7) & ~7;
}

function metricsSize(m: MetricsSection): number {
  return METRICS_FIXED + m.feedCount * FEED_THROUGHPUT_SIZE + m.stageCount * STAGE_SIZE + PIPELINE_SIZE;
}

function feedsSize(feeds: readonly FeedStatus[]): number {
  let n = 8;
  for (const f of feeds) n += pad8(FEED_FIXED + utf8Length(f.name) + utf8Length(f.url));
  return n;
}

function componentsSize(list: readonly ComponentStats[]): number {
  let n = 8;
  for (const c of list) n += pad8(COMPONENT_FIXED + utf8Length(c.name));
  return n;
}

function instrumentsSize(list: readonly InstrumentInfo[]): number {
  let n = 8;
  for (const i of list) n += pad8(12 + utf8Length(i.symbol));
  return n;
}

function bookSize(b: BookSection): number {
  let n = 8;
  for (let i = 0; i < b.count; i++) {
    const e = b.entries[i]!;
    n += BOOK_FIXED + (e.bidLevels + e.askLevels) * BOOK_LEVEL_SIZE + e.tradeCount * TRADE_SIZE;
  }
  return n;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Exact encoded size, so the sender can take a pooled buffer of the right class first. */
export function measureFrame(p: FrameParts): number {
  let n = FRAME_HEADER_SIZE;
  if (p.metrics) n += SECTION_HEADER_SIZE + pad8(metricsSize(p.metrics));
  if (p.feeds) n += SECTION_HEADER_SIZE + pad8(feedsSize(p.feeds));
  if (p.instruments) n += SECTION_HEADER_SIZE + pad8(instrumentsSize(p.instruments));
  if (p.market) n += SECTION_HEADER_SIZE + 8 + p.market.count * MARKET_TICK_SIZE;
  if (p.components) n += SECTION_HEADER_SIZE + pad8(componentsSize(p.components));
  if (p.book) n += SECTION_HEADER_SIZE + bookSize(p.book);
  if (p.histograms) n += SECTION_HEADER_SIZE + histogramsSize(p.histograms);
  return n;
}

/** Encodes into `out` (at least `measureFrame(p)` bytes) and returns the byte length. */
export function encodeFrame(out: Uint8Array, p: FrameParts): number {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let sections = 0;
  let at = FRAME_HEADER_SIZE;

  const begin = (type: number): number => {
    v.setUint16(at, type, true);
    v.setUint16(at + 2, 0, true);
    sections++;
    return at + SECTION_HEADER_SIZE;
  };
  const end = (start: number, bodyEnd: number): void => {
    const len = pad8(bodyEnd - start);
    for (let i = bodyEnd; i < start + len; i++) out[i] = 0;
    v.setUint32(start - 4, len, true);
    at = start + len;
  };

  if (p.metrics) {
    const m = p.metrics;
    const s = begin(SectionType.metrics);
    let o = s;
    v.setUint32(o, m.interval >>> 0, true);
    v.setUint16(o + 4, m.feedCount, true);
    v.setUint16(o + 6, m.stageCount, true);
    v.setFloat64(o + 8, m.start, true);
    v.setFloat64(o + 16, m.end, true);
    v.setFloat64(o + 24, 0, true);
    o += METRICS_FIXED;
    for (let i = 0; i < m.feedCount; i++) {
      const f = m.feeds[i]!;
      v.setUint16(o, f.feedId, true);
      v.setUint16(o + 2, 0, true);
      v.setUint32(o + 4, 0, true);
      v.setFloat64(o + 8, f.messagesPerSec, true);
      v.setFloat64(o + 16, f.bytesPerSec, true);
      v.setFloat64(o + 24, f.totalMessages, true);
      v.setFloat64(o + 32, f.totalBytes, true);
      for (let k = 0; k < STREAM_COUNT; k++) {
        v.setFloat64(o + 40 + k * 8, f.streamMessagesPerSec[k] ?? 0, true);
        v.setFloat64(o + 40 + (STREAM_COUNT + k) * 8, f.streamBytesPerSec[k] ?? 0, true);
      }
      o += FEED_THROUGHPUT_SIZE;
    }
    for (let i = 0; i < m.stageCount; i++) {
      const st = m.stages[i]!;
      v.setUint32(o, st.stage, true);
      v.setUint32(o + 4, st.count, true);
      v.setFloat64(o + 8, st.p50, true);
      v.setFloat64(o + 16, st.p90, true);
      v.setFloat64(o + 24, st.p99, true);
      v.setFloat64(o + 32, st.p999, true);
      v.setFloat64(o + 40, st.max, true);
      o += STAGE_SIZE;
    }
    const pl = m.pipeline;
    v.setFloat64(o, pl.poolAcquires, true);
    v.setFloat64(o + 8, pl.poolReuses, true);
    v.setFloat64(o + 16, pl.poolMisses, true);
    v.setFloat64(o + 24, pl.poolHighWater, true);
    v.setFloat64(o + 32, pl.poolReuseRatio, true);
    v.setFloat64(o + 40, pl.ringFill, true);
    v.setFloat64(o + 48, pl.ringCapacity, true);
    v.setFloat64(o + 56, pl.ringReturns, true);
    v.setFloat64(o + 64, pl.readerSkipped, true);
    v.setFloat64(o + 72, pl.dropped, true);
    v.setFloat64(o + 80, pl.malformed, true);
    v.setFloat64(o + 88, pl.ringLaps, true);
    v.setFloat64(o + 96, pl.readersDetached, true);
    v.setFloat64(o + 104, pl.negativeWire, true);
    o += PIPELINE_SIZE;
    end(s, o);
  }

  if (p.feeds) {
    const s = begin(SectionType.feeds);
    v.setUint32(s, p.feeds.length, true);
    v.setUint32(s + 4, 0, true);
    let o = s + 8;
    for (const f of p.feeds) {
      const start = o;
      v.setUint16(o, f.feedId, true);
      v.setUint8(o + 2, f.venue);
      v.setUint8(o + 3, f.state);
      v.setUint32(o + 4, f.reconnects, true);
      v.setFloat64(o + 8, f.since, true);
      v.setFloat64(o + 16, f.messages, true);
      const nameLen = encoder.encodeInto(f.name, out.subarray(o + FEED_FIXED)).written;
      const urlLen = encoder.encodeInto(f.url, out.subarray(o + FEED_FIXED + nameLen)).written;
      v.setUint32(o + 24, nameLen, true);
      v.setUint32(o + 28, urlLen, true);
      v.setUint32(o + 32, f.transitions >>> 0, true);
      v.setUint32(o + 36, 0, true);
      for (let k = 0; k < FEED_COUNTER_COUNT; k++) v.setFloat64(o + 40 + k * 8, f.counters[k] ?? 0, true);
      o += FEED_FIXED + nameLen + urlLen;
      const padded = start + pad8(o - start);
      for (let i = o; i < padded; i++) out[i] = 0;
      o = padded;
    }
    end(s, o);
  }

  if (p.instruments) {
    const s = begin(SectionType.instruments);
    v.setUint32(s, p.instruments.length, true);
    v.setUint32(s + 4, 0, true);
    let o = s + 8;
    for (const ins of p.instruments) {
      const start = o;
      v.setUint32(o, ins.instrumentId, true);
      v.setUint16(o + 4, ins.feedId, true);
      v.setUint8(o + 6, ins.venue);
      const len = encoder.encodeInto(ins.symbol, out.subarray(o + 12)).written;
      v.setUint8(o + 7, 0);
      v.setUint32(o + 8, len, true);
      o += 12 + len;
      const padded = start + pad8(o - start);
      for (let i = o; i < padded; i++) out[i] = 0;
      o = padded;
    }
    end(s, o);
  }

  if (p.market) {
    const s = begin(SectionType.market);
    v.setUint32(s, p.market.count, true);
    v.setUint32(s + 4, 0, true);
    let o = s + 8;
    for (let i = 0; i < p.market.count; i++) {
      const t = p.market.ticks[i]!;
      v.setUint32(o, t.instrumentId, true);
      v.setUint32(o + 4, 0, true);
      v.setFloat64(o + 8, t.last, true);
      v.setFloat64(o + 16, t.open, true);
      v.setFloat64(o + 24, t.trades, true);
      v.setFloat64(o + 32, t.volume, true);
      o += MARKET_TICK_SIZE;
    }
    end(s, o);
  }

  if (p.components) {
    const s = begin(SectionType.components);
    v.setUint32(s, p.components.length, true);
    v.setUint32(s + 4, 0, true);
    let o = s + 8;
    for (const c of p.components) {
      const start = o;
      v.setUint8(o, c.kind);
      v.setUint8(o + 1, 0);
      const len = encoder.encodeInto(c.name, out.subarray(o + COMPONENT_FIXED)).written;
      v.setUint16(o + 2, len, true);
      v.setUint32(o + 4, 0, true);
      for (let k = 0; k < COMPONENT_VALUES; k++) v.setFloat64(o + 8 + k * 8, c.values[k] ?? 0, true);
      o += COMPONENT_FIXED + len;
      const padded = start + pad8(o - start);
      for (let i = o; i < padded; i++) out[i] = 0;
      o = padded;
    }
    end(s, o);
  }

  if (p.book) {
    const b = p.book;
    const tr = b.trades;
    const s = begin(SectionType.book);
    v.setUint32(s, b.count, true);
    v.setUint32(s + 4, tr.omitted, true);
    let o = s + 8;
    for (let i = 0; i < b.count; i++) {
      const e = b.entries[i]!;
      v.setUint32(o, e.instrumentId, true);
      v.setUint8(o + 4, e.synced ? 1 : 0);
      v.setUint8(o + 5, e.bidLevels);
      v.setUint8(o + 6, e.askLevels);
      v.setUint8(o + 7, 0);
      v.setUint32(o + 8, e.tradeCount, true);
      v.setUint32(o + 12, 0, true);
      v.setFloat64(o + 16, e.bid, true);
      v.setFloat64(o + 24, e.bidSize, true);
      v.setFloat64(o + 32, e.ask, true);
      v.setFloat64(o + 40, e.askSize, true);
      o += BOOK_FIXED;
      for (let k = 0; k < e.bidLevels; k++) {
        v.setFloat64(o, e.bidPx[k]!, true);
        v.setFloat64(o + 8, e.bidQty[k]!, true);
        o += BOOK_LEVEL_SIZE;
      }
      for (let k = 0; k < e.askLevels; k++) {
        v.setFloat64(o, e.askPx[k]!, true);
        v.setFloat64(o + 8, e.askQty[k]!, true);
        o += BOOK_LEVEL_SIZE;
      }
      for (let k = e.tradeStart; k < e.tradeStart + e.tradeCount; k++) {
        v.setFloat64(o, tr.exchangeTime[k]!, true);
        v.setFloat64(o + 8, tr.receiveTime[k]!, true);
        v.setFloat64(o + 16, tr.price[k]!, true);
        v.setFloat64(o + 24, tr.qty[k]!, true);
        v.setUint32(o + 32, tr.flags[k]!, true);
        v.setUint32(o + 36, 0, true);
        o += TRADE_SIZE;
      }
    }
    end(s, o);
  }

  if (p.histograms) {
    const s = begin(SectionType.histogram);
    end(s, encodeHistograms(v, s, p.histograms));
  }

  v.setUint32(0, FRAME_MAGIC, true);
  v.setUint16(4, FRAME_VERSION, true);
  v.setUint16(6, sections, true);
  v.setUint32(8, p.seq >>> 0, true);
  v.setUint32(12, at, true);
  v.setFloat64(16, p.time, true);
  return at;
}

/** A zeroed MetricsSection with room for MAX_FEEDS feeds and MAX_STAGES stages, to be reused. */
export function createMetricsSection(): MetricsSection {
  const feeds: FeedThroughput[] = [];
  for (let i = 0; i < MAX_FEEDS; i++) {
    feeds.push({
      feedId: 0,
      messagesPerSec: 0,
      bytesPerSec: 0,
      totalMessages: 0,
      totalBytes: 0,
      streamMessagesPerSec: new Float64Array(STREAM_COUNT),
      streamBytesPerSec: new Float64Array(STREAM_COUNT),
    });
  }
  const stages: StageLatency[] = [];
  for (let i = 0; i < MAX_STAGES; i++)
    stages.push({ stage: i, count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  return {
    interval: 0,
    start: 0,
    end: 0,
    feedCount: 0,
    feeds,
    stageCount: 0,
    stages,
    pipeline: {
      poolAcquires: 0,
      poolReuses: 0,
      poolMisses: 0,
      poolHighWater: 0,
      poolReuseRatio: 1,
      ringFill: 0,
      ringCapacity: 0,
      ringReturns: 0,
      readerSkipped: 0,
      dropped: 0,
      malformed: 0,
      ringLaps: 0,
      readersDetached: 0,
      negativeWire: 0,
    },
  };
}

export function createDecodedFrame(): DecodedFrame {
  const market: MarketTick[] = [];
  for (let i = 0; i < MAX_INSTRUMENTS; i++)
    market.push({ instrumentId: 0, last: 0, open: 0, trades: 0, volume: 0 });
  return {
    seq: 0,
    time: 0,
    hasMetrics: false,
    metrics: createMetricsSection(),
    feeds: null,
    instruments: null,
    hasMarket: false,
    marketCount: 0,
    market,
    components: null,
    hasBook: false,
    book: {
      count: 0,
      entries: Array.from({ length: MAX_INSTRUMENTS }, () => createBookEntry()),
      trades: createTradeBatch(),
    },
    hasHistograms: false,
    histograms: createHistogramSection(),
  };
}

export class FrameError extends Error {
  override name = 'FrameError';
}

/**
 * Decodes `bytes` into `out`. Throws FrameError on anything malformed (bad magic, newer major
 * version, lengths past the end), never reads out of bounds.
 */
export function decodeFrame(bytes: Uint8Array, out: DecodedFrame): DecodedFrame {
  if (bytes.byteLength < FRAME_HEADER_SIZE)
    throw new FrameError(`frame too short: ${bytes.byteLength} bytes`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== FRAME_MAGIC) throw new FrameError('bad frame magic');
  const version = v.getUint16(4, true);
  if (version !== FRAME_VERSION) throw new FrameError(`unsupported frame version ${version}`);
  const sections = v.getUint16(6, true);
  const total = v.getUint32(12, true);
  if (total > bytes.byteLength)
    throw new FrameError(`frame declares ${total} bytes, has ${bytes.byteLength}`);
  out.seq = v.getUint32(8, true);
  out.time = v.getFloat64(16, true);
  out.hasMetrics = false;
  out.feeds = null;
  out.instruments = null;
  out.hasMarket = false;
  out.marketCount = 0;
  out.components = null;
  out.hasBook = false;
  out.book.count = 0;
  out.book.trades.count = 0;
  out.book.trades.omitted = 0;
  out.hasHistograms = false;

  let at = FRAME_HEADER_SIZE;
  for (let s = 0; s < sections; s++) {
    if (at + SECTION_HEADER_SIZE > total) throw new FrameError('section header past end of frame');
    const type = v.getUint16(at, true);
    const len = v.getUint32(at + 4, true);
    const body = at + SECTION_HEADER_SIZE;
    if (body + len > total) throw new FrameError(`section ${type} overruns the frame`);
    switch (type) {
      case SectionType.metrics:
        decodeMetrics(v, body, len, out.metrics);
        out.hasMetrics = true;
        break;
      case SectionType.feeds:
        out.feeds = decodeFeeds(v, bytes, body, len);
        break;
      case SectionType.instruments:
        out.instruments = decodeInstruments(v, bytes, body, len);
        break;
      case SectionType.market:
        out.marketCount = decodeMarket(v, body, len, out.market);
        out.hasMarket = true;
        break;
      case SectionType.components:
        out.components = decodeComponents(v, bytes, body, len);
        break;
      case SectionType.histogram:
        out.hasHistograms = decodeHistograms(v, body, len, out.histograms);
        break;
      case SectionType.book:
        decodeBook(v, body, len, out.book);
        out.hasBook = true;
        break;
      default:
        break; // unknown: skip
    }
    at = body + len;
  }
  return out;
}

function histogramsSize(h: HistogramSection): number {
  let n = 8;
  for (let i = 0; i < h.stageCount; i++) {
    const c = h.stages[i]!.counts;
    n += HIST_STAGE_FIXED;
    for (let b = 0; b < BUCKETS; b++) if (c[b] !== 0) n += HIST_BUCKET_SIZE;
  }
  return n;
}

/** Writes a HISTOGRAM body at `s`; returns where it ends. Only non-empty buckets are sent. */
function encodeHistograms(v: DataView, s: number, h: HistogramSection): number {
  v.setUint16(s, h.stageCount, true);
  v.setUint16(s + 2, BUCKETS, true);
  v.setUint32(s + 4, 0, true);
  let o = s + 8;
  for (let i = 0; i < h.stageCount; i++) {
    const st = h.stages[i]!;
    const at = o;
    o += HIST_STAGE_FIXED;
    let used = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = st.counts[b]!;
      if (c === 0) continue;
      v.setUint16(o, b, true);
      v.setUint16(o + 2, 0, true);
      v.setUint32(o + 4, c, true);
      o += HIST_BUCKET_SIZE;
      used++;
    }
    v.setUint8(at, st.stage);
    v.setUint8(at + 1, 0);
    v.setUint16(at + 2, used, true);
    v.setUint32(at + 4, st.count >>> 0, true);
    v.setFloat64(at + 8, st.max, true);
  }
  return o;
}

/**
 * Reads a HISTOGRAM body into `h` (counts zeroed, then the non-empty buckets set). Returns false,
 * leaving the section unused, when the sender's bucket scheme is not ours.
 */
function decodeHistograms(v: DataView, s: number, len: number, h: HistogramSection): boolean {
  need(len >= 8, 'histogram');
  const stageCount = v.getUint16(s, true);
  if (v.getUint16(s + 2, true) !== BUCKETS) return false;
  if (stageCount > MAX_STAGES) throw new FrameError('histogram section stage count out of range');
  const end = s + len;
  let o = s + 8;
  for (let i = 0; i < stageCount; i++) {
    need(o + HIST_STAGE_FIXED <= end, 'histogram');
    const st = h.stages[i]!;
    const used = v.getUint16(o + 2, true);
    need(o + HIST_STAGE_FIXED + used * HIST_BUCKET_SIZE <= end, 'histogram');
    st.stage = v.getUint8(o);
    st.count = v.getUint32(o + 4, true);
    st.max = v.getFloat64(o + 8, true);
    st.counts.fill(0);
    o += HIST_STAGE_FIXED;
    for (let k = 0; k < used; k++) {
      const b = v.getUint16(o, true);
      if (b >= BUCKETS) throw new FrameError('histogram bucket out of range');
      st.counts[b] = v.getUint32(o + 4, true);
      o += HIST_BUCKET_SIZE;
    }
  }
  h.stageCount = stageCount;
  return true;
}

function need(ok: boolean, what: string): void {
  if (!ok) throw new FrameError(`truncated ${what} section`);
}

function decodeMetrics(v: DataView, s: number, len: number, m: MetricsSection): void {
  need(len >= METRICS_FIXED, 'metrics');
  m.interval = v.getUint32(s, true);
  const feedCount = v.getUint16(s + 4, true);
  const stageCount = v.getUint16(s + 6, true);
  if (feedCount > MAX_FEEDS || stageCount > MAX_STAGES)
    throw new FrameError('metrics section counts out of range');
  need(metricsSize({ feedCount, stageCount } as MetricsSection) <= len, 'metrics');
  m.start = v.getFloat64(s + 8, true);
  m.end = v.getFloat64(s + 16, true);
  m.feedCount = feedCount;
  m.stageCount = stageCount;
  let o = s + METRICS_FIXED;
  for (let i = 0; i < feedCount; i++) {
    const f = m.feeds[i]!;
    f.feedId = v.getUint16(o, true);
    f.messagesPerSec = v.getFloat64(o + 8, true);
    f.bytesPerSec = v.getFloat64(o + 16, true);
    f.totalMessages = v.getFloat64(o + 24, true);
    f.totalBytes = v.getFloat64(o + 32, true);
    for (let k = 0; k < STREAM_COUNT; k++) {
      f.streamMessagesPerSec[k] = v.getFloat64(o + 40 + k * 8, true);
      f.streamBytesPerSec[k] = v.getFloat64(o + 40 + (STREAM_COUNT + k) * 8, true);
    }
    o += FEED_THROUGHPUT_SIZE;
  }
  for (let i = 0; i < stageCount; i++) {
    const st = m.stages[i]!;
    st.stage = v.getUint32(o, true);
    st.count = v.getUint32(o + 4, true);
    st.p50 = v.getFloat64(o + 8, true);
    st.p90 = v.getFloat64(o + 16, true);
    st.p99 = v.getFloat64(o + 24, true);
    st.p999 = v.getFloat64(o + 32, true);
    st.max = v.getFloat64(o + 40, true);
    o += STAGE_SIZE;
  }
  const pl = m.pipeline;
  pl.poolAcquires = v.getFloat64(o, true);
  pl.poolReuses = v.getFloat64(o + 8, true);
  pl.poolMisses = v.getFloat64(o + 16, true);
  pl.poolHighWater = v.getFloat64(o + 24, true);
  pl.poolReuseRatio = v.getFloat64(o + 32, true);
  pl.ringFill = v.getFloat64(o + 40, true);
  pl.ringCapacity = v.getFloat64(o + 48, true);
  pl.ringReturns = v.getFloat64(o + 56, true);
  pl.readerSkipped = v.getFloat64(o + 64, true);
  pl.dropped = v.getFloat64(o + 72, true);
  pl.malformed = v.getFloat64(o + 80, true);
  pl.ringLaps = v.getFloat64(o + 88, true);
  pl.readersDetached = v.getFloat64(o + 96, true);
  pl.negativeWire = v.getFloat64(o + 104, true);
}

function decodeComponents(v: DataView, bytes: Uint8Array, s: number, len: number): ComponentStats[] {
  need(len >= 8, 'components');
  const count = v.getUint32(s, true);
  if (count > MAX_COMPONENTS) throw new FrameError('components section count out of range');
  const end = s + len;
  const list: ComponentStats[] = [];
  let o = s + 8;
  for (let i = 0; i < count; i++) {
    need(o + COMPONENT_FIXED <= end, 'components');
    const nameLen = v.getUint16(o + 2, true);
    need(o + COMPONENT_FIXED + nameLen <= end, 'components');
    const values = new Float64Array(COMPONENT_VALUES);
    for (let k = 0; k < COMPONENT_VALUES; k++) values[k] = v.getFloat64(o + 8 + k * 8, true);
    list.push({
      kind: v.getUint8(o),
      name: decoder.decode(bytes.subarray(o + COMPONENT_FIXED, o + COMPONENT_FIXED + nameLen)),
      values,
    });
    o += pad8(COMPONENT_FIXED + nameLen);
  }
  return list;
}

function decodeFeeds(v: DataView, bytes: Uint8Array, s: number, len: number): FeedStatus[] {
  need(len >= 8, 'feeds');
  const count = v.getUint32(s, true);
  if (count > MAX_FEEDS) throw new FrameError('feeds section count out of range');
  const end = s + len;
  const list: FeedStatus[] = [];
  let o = s + 8;
  for (let i = 0; i < count; i++) {
    need(o + FEED_FIXED <= end, 'feeds');
    const nameLen = v.getUint32(o + 24, true);
    const urlLen = v.getUint32(o + 28, true);
    need(o + FEED_FIXED + nameLen + urlLen <= end, 'feeds');
    const nameAt = o + FEED_FIXED;
    const counters: number[] = [];
    for (let k = 0; k < FEED_COUNTER_COUNT; k++) counters.push(v.getFloat64(o + 40 + k * 8, true));
    list.push({
      feedId: v.getUint16(o, true),
      venue: v.getUint8(o + 2),
      state: v.getUint8(o + 3),
      reconnects: v.getUint32(o + 4, true),
      transitions: v.getUint32(o + 32, true),
      since: v.getFloat64(o + 8, true),
      messages: v.getFloat64(o + 16, true),
      name: decoder.decode(bytes.subarray(nameAt, nameAt + nameLen)),
      url: decoder.decode(bytes.subarray(nameAt + nameLen, nameAt + nameLen + urlLen)),
      counters,
    });
    o += pad8(FEED_FIXED + nameLen + urlLen);
  }
  return list;
}

function decodeInstruments(v: DataView, bytes: Uint8Array, s: number, len: number): InstrumentInfo[] {
  need(len >= 8, 'instruments');
  const count = v.getUint32(s, true);
  if (count > MAX_INSTRUMENTS) throw new FrameError('instruments section count out of range');
  const end = s + len;
  const list: InstrumentInfo[] = [];
  let o = s + 8;
  for (let i = 0; i < count; i++) {
    need(o + 12 <= end, 'instruments');
    const symLen = v.getUint32(o + 8, true);
    need(o + 12 + symLen <= end, 'instruments');
    list.push({
      instrumentId: v.getUint32(o, true),
      feedId: v.getUint16(o + 4, true),
      venue: v.getUint8(o + 6),
      symbol: decoder.decode(bytes.subarray(o + 12, o + 12 + symLen)),
    });
    o += pad8(12 + symLen);
  }
  return list;
}

function decodeMarket(v: DataView, s: number, len: number, ticks: MarketTick[]): number {
  need(len >= 8, 'market');
  const count = v.getUint32(s, true);
  if (count > MAX_INSTRUMENTS) throw new FrameError('market section count out of range');
  need(8 + count * MARKET_TICK_SIZE <= len, 'market');
  let o = s + 8;
  for (let i = 0; i < count; i++) {
    const t = ticks[i]!;
    t.instrumentId = v.getUint32(o, true);
    t.last = v.getFloat64(o + 8, true);
    t.open = v.getFloat64(o + 16, true);
    t.trades = v.getFloat64(o + 24, true);
    t.volume = v.getFloat64(o + 32, true);
    o += MARKET_TICK_SIZE;
  }
  return count;
}

function decodeBook(
  v: DataView,
  s: number,
  len: number,
  b: { count: number; entries: BookEntry[]; trades: TradeBatch },
): void {
  need(len >= 8, 'book');
  const count = v.getUint32(s, true);
  if (count > MAX_INSTRUMENTS) throw new FrameError('book section count out of range');
  const tr = b.trades;
  tr.omitted = v.getUint32(s + 4, true);
  const end = s + len;
  let o = s + 8;
  let t = 0;
  for (let i = 0; i < count; i++) {
    need(o + BOOK_FIXED <= end, 'book');
    const e = b.entries[i]!;
    const bids = v.getUint8(o + 5);
    const asks = v.getUint8(o + 6);
    const trades = v.getUint32(o + 8, true);
    if (bids > BOOK_DEPTH || asks > BOOK_DEPTH) throw new FrameError('book depth out of range');
    if (t + trades > MAX_FRAME_TRADES) throw new FrameError('book section trade count out of range');
    need(o + BOOK_FIXED + (bids + asks) * BOOK_LEVEL_SIZE + trades * TRADE_SIZE <= end, 'book');
    e.instrumentId = v.getUint32(o, true);
    e.synced = v.getUint8(o + 4) === 1;
    e.bidLevels = bids;
    e.askLevels = asks;
    e.bid = v.getFloat64(o + 16, true);
    e.bidSize = v.getFloat64(o + 24, true);
    e.ask = v.getFloat64(o + 32, true);
    e.askSize = v.getFloat64(o + 40, true);
    o += BOOK_FIXED;
    for (let k = 0; k < bids; k++) {
      e.bidPx[k] = v.getFloat64(o, true);
      e.bidQty[k] = v.getFloat64(o + 8, true);
      o += BOOK_LEVEL_SIZE;
    }
    for (let k = 0; k < asks; k++) {
      e.askPx[k] = v.getFloat64(o, true);
      e.askQty[k] = v.getFloat64(o + 8, true);
      o += BOOK_LEVEL_SIZE;
    }
    e.tradeStart = t;
    e.tradeCount = trades;
    for (let k = 0; k < trades; k++, t++) {
      tr.exchangeTime[t] = v.getFloat64(o, true);
      tr.receiveTime[t] = v.getFloat64(o + 8, true);
      tr.price[t] = v.getFloat64(o + 16, true);
      tr.qty[t] = v.getFloat64(o + 24, true);
      tr.flags[t] = v.getUint32(o + 32, true);
      o += TRADE_SIZE;
    }
  }
  tr.count = t;
  b.count = count;
}
