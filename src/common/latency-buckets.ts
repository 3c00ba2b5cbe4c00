/**
 * The one fixed bucket scheme every latency histogram shares (engine stages, the recorder's disk
 * stage, the page's UI stage, the renderer's histogram store), so counts from anywhere add up
 * bucket by bucket. Latencies are whole microseconds. Log-linear, like HdrHistogram with 16
 * sub-buckets:
 *
 * | bucket    | holds (µs)                 | width                          |
 * |-----------|----------------------------|--------------------------------|
 * | 0         | 0 and below (underflow: clamped negatives, sub-µs) | —      |
 * | 1 … 15    | exactly 1 … 15             | 1 µs                           |
 * | 16 … 175  | 16 µs … 2^24 µs (16.8 s)   | 8 a power of two: 1/8 of 2^e   |
 * | 176       | 2^24 µs and above (overflow) | —                            |
 *
 * Eight sub-buckets an octave keep a bucket at most 12.5 % of its value wide (6.25 % error from
 * its middle): fine for a chart, and small enough (177 buckets) that one hour of per-second rows
 * for four stages fits in about 10 MB. Percentiles from counts interpolate inside the bucket that
 * holds the rank and never exceed the exact maximum when one is known.
 */

/** Values below this are their own bucket (exact). */
const LINEAR = 16;
/** Sub-buckets per power of two above LINEAR. */
const SUB = 8;
const SUB_BITS = 3;
/** First octave above the linear range: 2^4 = 16. */
const FIRST_EXP = 4;
/** Values at or above 2^24 µs go to the overflow bucket. */
const TOP_EXP = 24;

export const BUCKET_UNDER = 0;
export const BUCKET_OVER = LINEAR + (TOP_EXP - FIRST_EXP) * SUB; // 176
/** Number of buckets, underflow and overflow included. */
export const BUCKETS = BUCKET_OVER + 1; // 177
/** Smallest value that lands in the overflow bucket (µs). */
export const OVERFLOW_US = 2 ** TOP_EXP;

/** The bucket of a latency in µs. Integer math, no allocation; NaN and negatives go to bucket 0. */
export function bucketOf(us: number): number {
  if (!(us >= 1)) return BUCKET_UNDER;
  if (us >= OVERFLOW_US) return BUCKET_OVER;
  const v = us | 0;
  if (v < LINEAR) return v;
  const e = 31 - Math.clz32(v);
  return LINEAR + (e - FIRST_EXP) * SUB + ((v >>> (e - SUB_BITS)) & (SUB - 1));
}

/** Lowest value (µs) bucket b holds. */
export function bucketLow(b: number): number {
  if (b <= BUCKET_UNDER) return 0;
  if (b < LINEAR) return b;
  if (b >= BUCKET_OVER) return OVERFLOW_US;
  const k = b - LINEAR;
  const e = FIRST_EXP + (k >>> SUB_BITS);
  return (SUB + (k & (SUB - 1))) * 2 ** (e - SUB_BITS);
}

/** First value (µs) above bucket b (exclusive upper bound); Infinity for the overflow bucket. */
export function bucketHigh(b: number): number {
  if (b >= BUCKET_OVER) return Number.POSITIVE_INFINITY;
  if (b < LINEAR) return b + 1;
  return bucketLow(b + 1);
}

/**
 * The value (µs) at percentile p (0–100) of `counts[offset … offset + BUCKETS)`, whose sum is
 * `total`: the bucket holding the rank ⌈p·total⌉, interpolated linearly inside it (exact in the
 * linear range), clamped to `max` (the exact maximum, when known). NaN when total is 0.
 */
export function percentileOf(
  counts: ArrayLike<number>,
  offset: number,
  total: number,
  p: number,
  max = Number.POSITIVE_INFINITY,
): number {
  if (!(total > 0)) return Number.NaN;
  // (The epsilon keeps 99.9 % of 1000 at rank 999: 0.999 × 1000 is 999.0000000000001 in doubles.)
  const rank = Math.max(1, Math.ceil((p / 100) * total - 1e-9));
  let cum = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const c = counts[offset + b]!;
    if (c === 0) continue;
    if (cum + c >= rank) {
      let v: number;
      if (b < LINEAR) v = b;
      else if (b === BUCKET_OVER) v = max < Number.POSITIVE_INFINITY ? max : OVERFLOW_US;
      else {
        const lo = bucketLow(b);
        v = lo + ((rank - cum) / c) * (bucketHigh(b) - lo);
      }
      return v > max ? max : v;
    }
    cum += c;
  }
  return max < Number.POSITIVE_INFINITY ? max : Number.NaN;
}

/** Sum of counts[offset … offset + BUCKETS). */
export function totalOf(counts: ArrayLike<number>, offset = 0): number {
  let n = 0;
  for (let b = 0; b < BUCKETS; b++) n += counts[offset + b]!;
  return n;
}

/** Highest non-empty bucket, or -1 when every bucket is empty. */
export function topBucket(counts: ArrayLike<number>, offset = 0): number {
  for (let b = BUCKETS - 1; b >= 0; b--) if (counts[offset + b]! > 0) return b;
  return -1;
}
