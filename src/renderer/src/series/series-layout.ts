/**
 * Columns of the renderer's series store: one row per closed metrics interval. Latencies are in
 * milliseconds; NaN marks "no sample in this interval" (drawn as a gap, never as zero).
 */
export const MAX_FEED_SLOTS = 8;

export const Col = {
  time: 0,
  /** messages/s of feed slot i is column msgs + i. */
  msgs: 1,
  bytes: 1 + MAX_FEED_SLOTS,
  wire: 2 + MAX_FEED_SLOTS, // p50, p90, p99, p99.9, max
  pipe: 7 + MAX_FEED_SLOTS, // p50, p90, p99, p99.9, max
  reuse: 12 + MAX_FEED_SLOTS,
  fill: 13 + MAX_FEED_SLOTS,
  misses: 14 + MAX_FEED_SLOTS,
  skipped: 15 + MAX_FEED_SLOTS,
  dropped: 16 + MAX_FEED_SLOTS,
  /** Ring laps of lossy readers per second, all rings. */
  laps: 17 + MAX_FEED_SLOTS,
  /** Writes returned to the sender per second, all rings. */
  returns: 18 + MAX_FEED_SLOTS,
} as const;

export const COLUMNS = 19 + MAX_FEED_SLOTS;
export const ROWS = 2048;
