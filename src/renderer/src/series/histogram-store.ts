/**
 * The histogram store: per second of engine time, the latency bucket counts (latency-buckets.ts)
 * of the four stages, in a SharedArrayBuffer ring long enough for the longest time window (1 h).
 * The frame receiver (a Web Worker) adds each metrics interval's counts into the row of the
 * second the interval ended in; the Distribution panel on the UI thread adds up the rows of a
 * time range for one stage. Like the series store, a version word works as a seqlock — odd while
 * a row is being written — so a reader never uses a torn sum, and it re-reads only when the
 * version moved.
 */
import { BUCKETS } from '../../../common/latency-buckets.ts';

/** Stages kept (wire, pipeline, ui, disk: common/frame.ts Stage). */
export const HIST_STAGES = 4;
/** Rows kept: one an engine second, an hour and a minute. */
export const HIST_ROWS = 3660;

const H_VERSION = 0;
const H_COUNT = 1;
const H_HEAD = 2;
const HEADER_BYTES = 64;
/** Per row: second, then per stage count and max (µs). */
const META = 1 + 2 * HIST_STAGES;
const META_BYTES = HIST_ROWS * META * 8;
const ROW_WORDS = HIST_STAGES * BUCKETS;

export function createHistogramBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + META_BYTES + HIST_ROWS * ROW_WORDS * 4);
}

/** What a range sum found (reused by the caller). */
export interface RangeSum {
  count: number;
  /** µs; 0 when count is 0. */
  max: number;
  /** Seconds (rows) in the range that had any row at all. */
  rows: number;
}

export class HistogramStore {
  readonly sab: SharedArrayBuffer;
  private readonly h: Int32Array;
  private readonly meta: Float64Array;
  private readonly counts: Uint32Array;

  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.h = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.meta = new Float64Array(sab, HEADER_BYTES, HIST_ROWS * META);
    this.counts = new Uint32Array(sab, HEADER_BYTES + META_BYTES, HIST_ROWS * ROW_WORDS);
  }

  get version(): number {
    return Atomics.load(this.h, H_VERSION);
  }

  get count(): number {
    return Atomics.load(this.h, H_COUNT);
  }

  /** The newest row's second, or NaN when empty. */
  newestSecond(): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    return this.meta[((Atomics.load(this.h, H_HEAD) + HIST_ROWS - 1) % HIST_ROWS) * META]!;
  }

  // Writer side (the frame receiver): begin(second) … add … end() around each metrics interval.

  /**
   * Opens the row of `second` (engine epoch seconds, whole): the newest row when it is that
   * second, else a new, zeroed one. A second older than the newest row is added to the newest
   * (the caller resets the store when a new session's clock went backwards).
   */
  begin(second: number): void {
    const h = this.h;
    Atomics.add(h, H_VERSION, 1); // odd: writing
    const n = Atomics.load(h, H_COUNT);
    const head = Atomics.load(h, H_HEAD);
    if (n > 0 && this.meta[((head + HIST_ROWS - 1) % HIST_ROWS) * META]! >= second) return;
    const m = head * META;
    this.meta[m] = second;
    for (let k = 1; k < META; k++) this.meta[m + k] = 0;
    this.counts.fill(0, head * ROW_WORDS, (head + 1) * ROW_WORDS);
    Atomics.store(h, H_HEAD, (head + 1) % HIST_ROWS);
    Atomics.store(h, H_COUNT, Math.min(HIST_ROWS, n + 1));
  }

  /** Adds one stage's interval counts (`src[offset … offset + BUCKETS)`) into the open row. */
  add(stage: number, src: ArrayLike<number>, offset: number, count: number, max: number): void {
    if (count === 0 || stage < 0 || stage >= HIST_STAGES) return;
    const row = (Atomics.load(this.h, H_HEAD) + HIST_ROWS - 1) % HIST_ROWS;
    const base = row * ROW_WORDS + stage * BUCKETS;
    const c = this.counts;
    for (let b = 0; b < BUCKETS; b++) {
      const x = src[offset + b]!;
      if (x !== 0) c[base + b] = c[base + b]! + x;
    }
    const m = row * META + 1 + stage * 2;
    this.meta[m] = this.meta[m]! + count;
    if (max > this.meta[m + 1]!) this.meta[m + 1] = max;
  }

  end(): void {
    Atomics.add(this.h, H_VERSION, 1); // even: stable
  }

  /** Forgets every row (a new session whose clock went backwards). */
  reset(): void {
    Atomics.add(this.h, H_VERSION, 1);
    Atomics.store(this.h, H_HEAD, 0);
    Atomics.store(this.h, H_COUNT, 0);
    Atomics.add(this.h, H_VERSION, 1);
  }

  /**
   * Reader side: adds up `stage`'s counts of the rows whose second lies in [fromSec, toSec] into
   * `out` (BUCKETS long, overwritten), with the count, max and rows in `sum`. Returns false if a
   * write was in progress or happened meanwhile (try again later). Allocates nothing.
   */
  sumRange(stage: number, fromSec: number, toSec: number, out: Float64Array, sum: RangeSum): boolean {
    const v = this.version;
    if (v & 1) return false;
    out.fill(0);
    sum.count = 0;
    sum.max = 0;
    sum.rows = 0;
    const n = this.count;
    const head = Atomics.load(this.h, H_HEAD);
    const c = this.counts;
    // Newest first, stopping at the first row older than the range (rows are in time order).
    for (let i = 1; i <= n; i++) {
      const row = (head + HIST_ROWS - i) % HIST_ROWS;
      const sec = this.meta[row * META]!;
      if (sec > toSec) continue;
      if (sec < fromSec) break;
      sum.rows++;
      const m = row * META + 1 + stage * 2;
      const k = this.meta[m]!;
      if (k === 0) continue;
      sum.count += k;
      if (this.meta[m + 1]! > sum.max) sum.max = this.meta[m + 1]!;
      const base = row * ROW_WORDS + stage * BUCKETS;
      for (let b = 0; b < BUCKETS; b++) out[b] = out[b]! + c[base + b]!;
    }
    return this.version === v;
  }
}
