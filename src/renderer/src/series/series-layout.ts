/**
 * Columns of the renderer's series store: one row per closed metrics interval. Latencies are in
 * milliseconds; NaN marks "no sample in this interval" (drawn as a gap, never as zero).
 */
export const MAX_FEED_SLOTS = 8;
/** Streams of a feed (common/frame.ts STREAM_COUNT). */
export const STREAM_SLOTS = 4;
/** Buffer pools with their own series (the frame pool first). */
export const MAX_POOL_SLOTS = 4;
/** First column of the Throughput panel's per-feed bytes and per-stream series. */
const THROUGHPUT = 19 + MAX_FEED_SLOTS;
/** First column of the per-pool series of the Buffer reuse panel. */
const POOLS = THROUGHPUT + MAX_FEED_SLOTS + 2 * STREAM_SLOTS;
/** First column of the UI and disk latency stages (wire and pipeline sit near the start). */
const STAGES = POOLS + 4 * MAX_POOL_SLOTS;

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
  /** Wire bytes/s of feed slot i is column feedBytes + i. */
  feedBytes: THROUGHPUT,
  /** Messages/s of each stream (trades, top of book, book, other; common/frame.ts Stream), all feeds. */
  streamMsgs: THROUGHPUT + MAX_FEED_SLOTS,
  /** Wire bytes/s of each stream, all feeds. */
  streamBytes: THROUGHPUT + MAX_FEED_SLOTS + STREAM_SLOTS,
  /** Buffer pool slot p (the COMPONENTS section's pools, in order): buffers in use at the interval's end. */
  poolInUse: POOLS,
  /** Pool slot p's high-water mark (buffers). */
  poolHighWater: POOLS + MAX_POOL_SLOTS,
  /** Pool slot p's reuses over acquires in the interval, % (100 when nothing was acquired). */
  poolReuse: POOLS + 2 * MAX_POOL_SLOTS,
  /** Pool slot p's misses (buffers allocated) per second. */
  poolMisses: POOLS + 3 * MAX_POOL_SLOTS,
  /** UI stage (engine receive → painted in this page): p50, p90, p99, p99.9, max. */
  ui: STAGES,
  /** Disk stage (engine receive → durable on disk; NaN when not recording): p50 … max. */
  disk: STAGES + 5,
} as const;

/** Percentile columns of a stage, after its base column (Col.wire + LATENCY_OFFSET.p99, …). */
export const LATENCY_OFFSET = { p50: 0, p90: 1, p99: 2, p999: 3, max: 4 } as const;

export const COLUMNS = STAGES + 10;
/**
 * Rows kept: 16384 metrics intervals, a little over an hour at the engine's 250 ms interval, so
 * the longest time window (1 h) is full and a paused view survives a few minutes of new rows.
 */
export const ROWS = 16384;
