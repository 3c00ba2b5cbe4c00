/**
 * A latency histogram in a SharedArrayBuffer, written by one thread and drained by another: the
 * recorder worker writes the disk stage and the engine's metrics reader drains it once an
 * interval; the page's UI thread writes the UI stage and the frame receiver worker drains it once
 * a metrics row. Bucket counts (latency-buckets.ts) and the maximum are Int32 words updated with
 * Atomics, so neither side ever locks or waits and recording allocates nothing.
 *
 * A sample that races a drain lands whole in one interval or the next; only its maximum may be
 * read into the neighbouring interval, so the drainer raises a maximum below the highest bucket
 * it drained to that bucket (and ignores a maximum that comes without counts).
 */
import { BUCKETS, bucketHigh, bucketLow, bucketOf } from './latency-buckets.ts';

const MAX_WORD = BUCKETS;
/** Samples that were not latencies at all (NaN): counted, never bucketed. */
const INVALID_WORD = BUCKETS + 1;
const WORDS = BUCKETS + 2;
/** Largest µs value the max word holds (about 35 minutes). */
const MAX_US = 0x7fffffff;

export function createSharedHistogramBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(WORDS * 4);
}

/** What one drain found. */
export interface DrainResult {
  count: number;
  /** µs; 0 when count is 0. */
  max: number;
}

export class SharedHistogram {
  readonly sab: SharedArrayBuffer;
  private readonly w: Int32Array;

  constructor(sab: SharedArrayBuffer = createSharedHistogramBuffer()) {
    this.sab = sab;
    this.w = new Int32Array(sab, 0, WORDS);
  }

  /** Writer side: one latency in µs (negatives count as 0, like the engine's stages). */
  record(us: number): void {
    const w = this.w;
    if (Number.isNaN(us)) {
      Atomics.add(w, INVALID_WORD, 1);
      return;
    }
    Atomics.add(w, bucketOf(us), 1);
    const v = us >= MAX_US ? MAX_US : us > 0 ? Math.ceil(us) : 0;
    let cur = Atomics.load(w, MAX_WORD);
    while (v > cur) {
      const seen = Atomics.compareExchange(w, MAX_WORD, cur, v);
      if (seen === cur) break;
      cur = seen;
    }
  }

  /**
   * Drainer side: moves every count into `into[offset + b]` (added, so the caller may accumulate
   * or zero it first) and resets this histogram. Returns the count and maximum drained, in `out`.
   */
  drainInto(into: Float64Array | Uint32Array, offset: number, out: DrainResult): DrainResult {
    const w = this.w;
    let max = Atomics.exchange(w, MAX_WORD, 0);
    let count = 0;
    let top = -1;
    for (let b = 0; b < BUCKETS; b++) {
      const c = Atomics.exchange(w, b, 0);
      if (c === 0) continue;
      into[offset + b] = into[offset + b]! + c;
      count += c;
      top = b;
    }
    if (count === 0) max = 0;
    else if (top >= 0 && max < bucketLow(top)) max = Math.min(bucketHigh(top), MAX_US);
    out.count = count;
    out.max = max;
    return out;
  }

  /** NaN samples refused since start. */
  get invalid(): number {
    return Atomics.load(this.w, INVALID_WORD);
  }
}
