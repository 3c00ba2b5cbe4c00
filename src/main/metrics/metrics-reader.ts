/**
 * The metrics reader (main thread): a lossy reader on every feed's ring. For each record it
 * measures the wire stage (exchange time → receive) and the pipeline stage (receive → this
 * reader) into HDR histograms; gap records add to the gap count. Throughput — in total and per
 * stream (trades, top of book, book, other) — comes from the feed's shared counters, so a lapped
 * reader never under-reports what arrived on the wire.
 *
 * `closeInterval` turns everything since the last call into one MetricsSection, written into a
 * preallocated object: the steady state allocates nothing per record and nothing per interval.
 * The section has all four stage slots: wire and pipeline measured here, disk drained from the
 * shared histogram the recorder worker writes (`disk`; count 0 when nothing records), and the UI
 * slot left empty for the renderer, which measures it. `histograms` holds the same interval's
 * bucket counts of the three engine stages, for the frame's HISTOGRAM section.
 */
import { nowMs } from '../../common/clock.ts';
import { STREAM_COUNT, Stage } from '../../common/feed-model.ts';
import {
  createHistogramSection,
  createMetricsSection,
  type HistogramSection,
  MAX_FEEDS,
  type MetricsSection,
  type StageLatency,
} from '../../common/frame.ts';
import { percentileOf } from '../../common/latency-buckets.ts';
import { Off, RecordKind } from '../../common/record.ts';
import { RingReader } from '../../common/ring.ts';
import { type DrainResult, SharedHistogram } from '../../common/shared-histogram.ts';
import { FEED_STAT_COUNT, FeedStat } from '../feeds/feed-protocol.ts';
import type { BufferPool } from '../pipeline/buffer-pool.ts';
import { LatencyStage } from '../pipeline/latency-stage.ts';

interface FeedSlot {
  feedId: number;
  reader: RingReader;
  stats: Float64Array;
  lastMessages: number;
  lastBytes: number;
  /** Stream counters at the last interval: STREAM_COUNT messages, then STREAM_COUNT bytes. */
  lastStreams: Float64Array;
}

/** Records handled per drain call before yielding to the event loop. */
const DRAIN_BUDGET = 8192;

export class MetricsReader {
  private readonly feeds: FeedSlot[] = [];
  private readonly wire = new LatencyStage(Stage.wire);
  private readonly pipeline = new LatencyStage(Stage.pipeline);
  /**
   * The disk stage (receive → durable on disk), written by the recorder worker into shared
   * memory: hand `disk.sab` to a recording (engine-runner.ts).
   */
  readonly disk = new SharedHistogram();
  /** The last closed interval's bucket counts: wire, pipeline, disk (reused). */
  readonly histograms: HistogramSection = createHistogramSection();
  private readonly drained: DrainResult = { count: 0, max: 0 };
  private readonly pool: BufferPool | null;
  private readonly section: MetricsSection;
  private intervalIndex = 0;
  private intervalStart: number;
  private lastPool = { acquires: 0, reuses: 0, misses: 0 };
  private gapEvents = 0;
  /** Records read since start (all rings). */
  recordsRead = 0;

  /** A virtual clock for reproducible sessions; null means the shared wall clock. */
  private readonly virtualClock: (() => number) | null;

  /** `clock` stamps the read time; a virtual clock makes a session reproducible. */
  constructor(opts: { pool?: BufferPool; start?: number; clock?: () => number } = {}) {
    this.pool = opts.pool ?? null;
    this.virtualClock = opts.clock ?? null;
    this.intervalStart = opts.start ?? (this.virtualClock ? this.virtualClock() : nowMs());
    this.section = createMetricsSection();
    this.section.stageCount = 4;
    for (let s = 0; s < 4; s++) this.section.stages[s]!.stage = s; // slot s holds Stage s
    this.histograms.stageCount = 3;
    this.histograms.stages[2]!.stage = Stage.disk;
  }

  addFeed(feedId: number, ring: SharedArrayBuffer, stats: SharedArrayBuffer): RingReader {
    if (this.feeds.length >= MAX_FEEDS) throw new RangeError(`at most ${MAX_FEEDS} feeds`);
    const reader = new RingReader(ring, 'lossy');
    const s = new Float64Array(stats, 0, FEED_STAT_COUNT);
    this.feeds.push({
      feedId,
      reader,
      stats: s,
      lastMessages: s[FeedStat.messages]!,
      lastBytes: s[FeedStat.bytes]!,
      lastStreams: s.slice(FeedStat.streamMessages, FeedStat.streamMessages + STREAM_COUNT * 2),
    });
    return reader;
  }

  removeFeed(feedId: number): void {
    const i = this.feeds.findIndex((f) => f.feedId === feedId);
    if (i < 0) return;
    this.feeds[i]!.reader.close();
    this.feeds.splice(i, 1);
  }

  /** Gap events (records lost before or at the ring, as reported by gap records) since start. */
  get gaps(): number {
    return this.gapEvents;
  }

  /** Reads what is available on every ring, up to a budget; returns records handled. */
  drain(): number {
    let total = 0;
    for (let f = 0; f < this.feeds.length; f++) {
      total += this.drainOne(this.feeds[f]!.reader, DRAIN_BUDGET);
    }
    return total;
  }

  /** Reads up to `budget` records from one reader. */
  drainOne(reader: RingReader, budget: number): number {
    const avail = reader.available();
    if (avail === 0) return 0;
    const n = Math.min(avail, budget);
    const data = reader.data;
    const start = reader.cursor;
    let torn = 0;
    for (let k = 0; k < n; k++) {
      const i = (start + k) >>> 0;
      const at = reader.offsetOf(i);
      const kind = data.getUint8(at + Off.kind);
      const receive = data.getFloat64(at + Off.receiveTime, true);
      const exchange = data.getFloat64(at + Off.exchangeTime, true);
      const qty = data.getFloat64(at + Off.quantity, true);
      // nowMs() inlines; a call through a property would box the double it returns.
      const readAt = this.virtualClock === null ? nowMs() : this.virtualClock();
      if (!reader.intact(i)) {
        torn++;
        continue;
      }
      if (kind === RecordKind.trade) {
        this.wire.recordUs(Math.round((receive - exchange) * 1000));
        this.pipeline.recordUs(Math.round((readAt - receive) * 1000));
      } else if (kind === RecordKind.gap) {
        this.gapEvents += qty;
      }
    }
    reader.advance(n, torn);
    this.recordsRead += n - torn;
    return n;
  }

  /** Closes the current interval at `now` and returns its snapshot (reused between calls). */
  closeInterval(now: number): MetricsSection {
    const m = this.section;
    const seconds = Math.max(1e-6, (now - this.intervalStart) / 1000);
    m.interval = this.intervalIndex++;
    m.start = this.intervalStart;
    m.end = now;
    this.intervalStart = now;

    m.feedCount = this.feeds.length;
    let dropped = 0;
    let malformed = 0;
    let skipped = 0;
    let laps = 0;
    let detached = 0;
    let returns = 0;
    let fill = 0;
    let capacity = 0;
    for (let i = 0; i < this.feeds.length; i++) {
      const f = this.feeds[i]!;
      const out = m.feeds[i]!;
      const messages = f.stats[FeedStat.messages]!;
      const bytes = f.stats[FeedStat.bytes]!;
      out.feedId = f.feedId;
      out.messagesPerSec = (messages - f.lastMessages) / seconds;
      out.bytesPerSec = (bytes - f.lastBytes) / seconds;
      out.totalMessages = messages;
      out.totalBytes = bytes;
      f.lastMessages = messages;
      f.lastBytes = bytes;
      for (let k = 0; k < STREAM_COUNT; k++) {
        const sm = f.stats[FeedStat.streamMessages + k]!;
        const sb = f.stats[FeedStat.streamBytes + k]!;
        out.streamMessagesPerSec[k] = (sm - f.lastStreams[k]!) / seconds;
        out.streamBytesPerSec[k] = (sb - f.lastStreams[STREAM_COUNT + k]!) / seconds;
        f.lastStreams[k] = sm;
        f.lastStreams[STREAM_COUNT + k] = sb;
      }
      dropped += f.stats[FeedStat.dropped]! + f.stats[FeedStat.unknownSymbols]!;
      malformed += f.stats[FeedStat.malformed]!;
      skipped += f.reader.totalSkipped();
      laps += f.reader.totalLaps();
      detached += f.reader.detachedReaders;
      returns += f.reader.returns;
      const fl = f.reader.fill();
      if (fl > fill) fill = fl;
      capacity += f.reader.capacity;
    }

    const h = this.histograms;
    this.wire.closeInto(m.stages[Stage.wire]!, h.stages[0]);
    this.pipeline.closeInto(m.stages[Stage.pipeline]!, h.stages[1]);
    emptyStage(m.stages[Stage.ui]!);
    const disk = h.stages[2]!;
    disk.counts.fill(0);
    this.disk.drainInto(disk.counts, 0, this.drained);
    disk.count = this.drained.count;
    disk.max = this.drained.max;
    stageFromCounts(m.stages[Stage.disk]!, disk.counts, disk.count, disk.max);

    const pl = m.pipeline;
    if (this.pool) {
      const s = this.pool.stats;
      const acquires = s.acquires - this.lastPool.acquires;
      const reuses = s.reuses - this.lastPool.reuses;
      pl.poolAcquires = acquires;
      pl.poolReuses = reuses;
      pl.poolMisses = s.misses - this.lastPool.misses;
      pl.poolHighWater = s.highWater;
      pl.poolReuseRatio = acquires > 0 ? reuses / acquires : 1;
      this.lastPool.acquires = s.acquires;
      this.lastPool.reuses = s.reuses;
      this.lastPool.misses = s.misses;
    }
    pl.ringFill = fill;
    pl.ringCapacity = capacity;
    pl.ringReturns = returns;
    pl.readerSkipped = skipped;
    pl.dropped = dropped;
    pl.malformed = malformed;
    pl.ringLaps = laps;
    pl.readersDetached = detached;
    pl.negativeWire = this.wire.negativeTotal;
    return m;
  }
}

function emptyStage(st: StageLatency): void {
  st.count = 0;
  st.p50 = st.p90 = st.p99 = st.p999 = st.max = 0;
}

/** Percentiles (µs) of a stage known only by its bucket counts (the disk stage). */
function stageFromCounts(st: StageLatency, counts: Uint32Array, count: number, max: number): void {
  if (count === 0) {
    emptyStage(st);
    return;
  }
  st.count = count;
  st.p50 = percentileOf(counts, 0, count, 50, max);
  st.p90 = percentileOf(counts, 0, count, 90, max);
  st.p99 = percentileOf(counts, 0, count, 99, max);
  st.p999 = percentileOf(counts, 0, count, 99.9, max);
  st.max = max;
}
