/**
 * The feed model both sides of the bridge speak: feed states, the streams a feed's messages are
 * counted under, latency stages, pipeline component kinds, the per-feed counters and the shape of
 * a feed's status and of an instrument. The frame codec (frame.ts) carries them; the engine, the
 * feeds and the page use them without needing the codec.
 */

export const ComponentKind = {
  ring: 1,
  pool: 2,
  dispatcher: 3,
} as const;

/**
 * What each of a component's eight values means, by kind:
 * - ring: capacity, fill (0..1, slowest reader), writes, returns to sender, readers attached,
 *   laps (lossy readers, summed), skipped records (summed), readers detached by the stall policy;
 * - pool: acquires, reuses, misses, high-water mark, in use, oversize acquires, 0, 0;
 * - dispatcher: workers, busy, sent, returned to sender, completed, failed, enqueue→start p99 µs, 0.
 */
export const COMPONENT_VALUES = 8;

export interface ComponentStats {
  kind: number;
  name: string;
  values: Float64Array;
}

/** Latency stages, in the order of DESIGN.md. */
export const Stage = {
  wire: 0,
  pipeline: 1,
  ui: 2,
  disk: 3,
} as const;
export const STAGE_NAMES = ['wire', 'pipeline', 'ui', 'disk'] as const;

export const FeedState = {
  idle: 0,
  connecting: 1,
  subscribing: 2,
  live: 3,
  stale: 4,
  backoff: 5,
  closed: 6,
} as const;
export type FeedState = (typeof FeedState)[keyof typeof FeedState];
export const FEED_STATE_NAMES = [
  'idle',
  'connecting',
  'subscribing',
  'live',
  'stale',
  'backoff',
  'closed',
] as const;

/**
 * What a feed's wire messages carry, counted per message at ingest: trades, top of book, L2 book
 * (snapshots and deltas), and everything else (heartbeats, pongs, acks, subscription replies,
 * errors, notices, malformed frames). Every message is in exactly one, so a feed's streams sum to
 * its total.
 */
export const Stream = {
  trades: 0,
  top: 1,
  book: 2,
  other: 3,
} as const;
export const STREAM_COUNT = 4;
export const STREAM_NAMES = ['trades', 'top of book', 'book', 'other'] as const;

/**
 * Per-feed counters carried with each feed's status (indices into FeedStatus.counters): what
 * arrived, what the book sync found, and the connection state machine's timing.
 */
export const FeedCounter = {
  trades: 0,
  bookUpdates: 1,
  topOfBook: 2,
  /** Gaps found by a venue's sequence rule or a book checksum. */
  gaps: 3,
  resyncs: 4,
  checksumErrors: 5,
  malformed: 6,
  /** Records the ring returned to the writer (a reader a full ring behind). */
  dropped: 7,
  /** Planned connection roll-overs. */
  rolls: 8,
  /** ms from connecting to live, last time. */
  lastConnectMs: 9,
  heartbeats: 10,
  /** ms spent in each FeedState (idle … closed) until the last transition: timeIn + state. */
  timeIn: 11,
} as const;
export const FEED_COUNTER_COUNT = 18;

export interface FeedStatus {
  feedId: number;
  venue: number;
  state: number;
  reconnects: number;
  /** State changes since the feed started (connecting → subscribing → live → …). */
  transitions: number;
  /** When the current state began, epoch ms on the engine's clock. */
  since: number;
  messages: number;
  name: string;
  url: string;
  /** FEED_COUNTER_COUNT values, indexed by FeedCounter. */
  counters: number[];
}

export interface InstrumentInfo {
  instrumentId: number;
  feedId: number;
  venue: number;
  symbol: string;
}
