/**
 * How each series column is folded when a long time window has more rows than the chart has
 * pixels: several intervals become one point, and the fold must not lie about the column. A
 * latency percentile or maximum keeps the worst interval (a spike never disappears when zoomed
 * out); a rate is averaged (the mean of per-second rates over equal intervals is the rate of the
 * whole bucket); a fill keeps its peak; the pool's reuse ratio keeps its dip. Beside the column
 * list (series-layout.ts) so that a new column is declared once; a column not named here is
 * folded by its maximum, the safe choice for the latency stages.
 */
import { COLUMNS, Col, MAX_FEED_SLOTS, MAX_POOL_SLOTS, STREAM_SLOTS } from './series-layout.ts';

export const Agg = {
  /** The newest row of the bucket (the time column: each row is stamped with its interval's end). */
  last: 0,
  max: 1,
  min: 2,
  /** The mean of the rows that have a value (NaN rows are "no sample", not zero). */
  mean: 3,
} as const;
export type Agg = (typeof Agg)[keyof typeof Agg];

/** Columns whose values are per-second rates. */
const RATES: readonly number[] = [
  Col.bytes,
  Col.misses,
  Col.skipped,
  Col.dropped,
  Col.laps,
  Col.returns,
  ...Array.from({ length: MAX_FEED_SLOTS }, (_, i) => Col.msgs + i),
  ...Array.from({ length: MAX_FEED_SLOTS }, (_, i) => Col.feedBytes + i),
  ...Array.from({ length: STREAM_SLOTS }, (_, k) => Col.streamMsgs + k),
  ...Array.from({ length: STREAM_SLOTS }, (_, k) => Col.streamBytes + k),
  ...Array.from({ length: MAX_POOL_SLOTS }, (_, p) => Col.poolMisses + p),
];

/** Pools' reuse % keeps its dip, like the frame pool's; in use and high-water their peak (max). */
const REUSE: readonly number[] = Array.from({ length: MAX_POOL_SLOTS }, (_, p) => Col.poolReuse + p);

/** The fold of every column, indexed by column. */
export const AGGREGATION: readonly Agg[] = Array.from({ length: COLUMNS }, (_, c): Agg => {
  if (c === Col.time) return Agg.last;
  if (RATES.includes(c)) return Agg.mean;
  if (c === Col.reuse || REUSE.includes(c)) return Agg.min;
  return Agg.max; // latency percentiles and max, ring fill
});
