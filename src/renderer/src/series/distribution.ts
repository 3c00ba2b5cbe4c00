/**
 * A latency distribution as the Distribution panel draws it, from bucket counts summed over a
 * time range (histogram-store.ts): the histogram as steps (x = each bucket's lower bound in ms,
 * y = its count) and the percentile distribution the way HdrHistogram publishes it — x =
 * 1 / (1 − p) on a log axis, so 50 %, 90 %, 99 %, 99.9 % … are evenly spaced and the tail gets
 * the room it deserves; y = the latency at that percentile. Written into reused arrays: nothing is
 * allocated once they have grown.
 */
import {
  BUCKET_OVER,
  BUCKETS,
  bucketHigh,
  bucketLow,
  percentileOf,
} from '../../../common/latency-buckets.ts';

/** Points of the percentile curve. */
export const CURVE_POINTS = 96;
/** Where bucket 0 (0 µs: below the resolution, or clamped negatives) is drawn on a log axis, ms. */
export const UNDER_MS = 0.0005;
/** Counts below this are drawn at it (a log axis cannot draw 0). */
export const COUNT_FLOOR = 0.7;

export interface Distribution {
  count: number;
  /** ms; NaN when count is 0 (also the percentiles). */
  max: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  /** Histogram steps: x (ms), y (count, floored), one more x than buckets drawn for the last edge. */
  histX: number[];
  histY: number[];
  /** Percentile curve: x = 1 / (1 − p), y = latency (ms). */
  curveX: number[];
  curveY: number[];
}

export function createDistribution(): Distribution {
  return {
    count: 0,
    max: Number.NaN,
    p50: Number.NaN,
    p90: Number.NaN,
    p99: Number.NaN,
    p999: Number.NaN,
    histX: [],
    histY: [],
    curveX: [],
    curveY: [],
  };
}

function resize(a: number[], n: number): void {
  if (a.length !== n) a.length = n;
}

/** The x (ms) a bucket's step starts at. */
function stepX(b: number): number {
  return b === 0 ? UNDER_MS : bucketLow(b) / 1000;
}

/**
 * Fills `out` from `counts` (BUCKETS long) holding `count` samples whose exact maximum is `maxUs`.
 */
export function computeDistribution(
  counts: ArrayLike<number>,
  count: number,
  maxUs: number,
  out: Distribution,
): Distribution {
  out.count = count;
  if (!(count > 0)) {
    out.max = out.p50 = out.p90 = out.p99 = out.p999 = Number.NaN;
    resize(out.histX, 0);
    resize(out.histY, 0);
    resize(out.curveX, 0);
    resize(out.curveY, 0);
    return out;
  }
  const at = (p: number): number => percentileOf(counts, 0, count, p, maxUs) / 1000;
  out.max = maxUs / 1000;
  out.p50 = at(50);
  out.p90 = at(90);
  out.p99 = at(99);
  out.p999 = at(99.9);

  let first = 0;
  while (first < BUCKETS && counts[first] === 0) first++;
  let last = BUCKETS - 1;
  while (last > first && counts[last] === 0) last--;
  const n = last - first + 1;
  resize(out.histX, n + 1);
  resize(out.histY, n + 1);
  for (let i = 0; i < n; i++) {
    const c = counts[first + i]!;
    out.histX[i] = stepX(first + i);
    out.histY[i] = c > 0 ? c : COUNT_FLOOR;
  }
  // The last step's right edge: its bucket's upper bound (the exact max for the overflow bucket).
  const edge = last === BUCKET_OVER ? Math.max(maxUs, bucketLow(last) * 1.05) : bucketHigh(last);
  out.histX[n] = last === 0 ? UNDER_MS * 2 : edge / 1000;
  out.histY[n] = out.histY[n - 1]!;

  // x from 1 (p = 0) to `count` (p = 1 − 1/count, the last sample but one), log-evenly; the
  // last point is the max.
  const top = Math.max(2, count);
  resize(out.curveX, CURVE_POINTS);
  resize(out.curveY, CURVE_POINTS);
  for (let i = 0; i < CURVE_POINTS; i++) {
    const x = top ** (i / (CURVE_POINTS - 1));
    out.curveX[i] = x;
    const y = i === CURVE_POINTS - 1 ? out.max : at((1 - 1 / x) * 100);
    out.curveY[i] = y > 0 ? y : UNDER_MS;
  }
  return out;
}

/** The percentile (0–100) an x of the percentile axis stands for. */
export function percentileAt(x: number): number {
  return (1 - 1 / x) * 100;
}

/** Axis label of x = 1 / (1 − p): "0%", "50%", "90%", "99%", "99.9%", "99.99%" … */
export function percentileLabel(x: number): string {
  if (x <= 1) return '0%';
  const p = percentileAt(x);
  const nines = Math.log10(x);
  const digits = Math.max(0, Math.round(nines) - 2);
  return `${p.toFixed(digits)}%`;
}
