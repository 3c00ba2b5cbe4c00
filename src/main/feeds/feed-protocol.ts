/**
 * The contract between a feed worker and the main thread: what the worker is started with, the
 * shared counters it writes (one Float64Array over a SAB, read by the metrics side without
 * messages), and the few low-rate messages it posts (state changes, new instruments, first
 * occurrence of each kind of malformed input).
 */
import type { FeedState } from '../../common/frame.ts';

export interface FeedWorkerData {
  feedId: number;
  venue: number;
  name: string;
  /** Base WebSocket URL, e.g. wss://stream.binance.com:9443 or the simulator's ws://127.0.0.1:PORT. */
  url: string;
  /** Venue symbols, e.g. BTCUSDT. */
  symbols: string[];
  ring: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  connectTimeoutMs: number;
  /** No frame at all (data or ping) for this long → the feed is stale and reconnects. */
  staleAfterMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  maxPayloadBytes: number;
}

/** Indices into the feed's shared Float64Array of counters. */
export const FeedStat = {
  messages: 0,
  bytes: 1,
  trades: 2,
  control: 3,
  malformed: 4,
  /** Records the ring returned to the sender (a lossless reader was full); each is in a gap record. */
  dropped: 5,
  reconnects: 6,
  lastMessageAt: 7,
  connects: 8,
  gapRecords: 9,
  state: 10,
  stateSince: 11,
  unknownSymbols: 12,
} as const;
export const FEED_STAT_COUNT = 16;

export function createFeedStats(): SharedArrayBuffer {
  return new SharedArrayBuffer(FEED_STAT_COUNT * 8);
}

export type FeedWorkerMessage =
  | { type: 'state'; state: FeedState; at: number; url: string; detail?: string }
  | { type: 'instrument'; instrumentId: number; venueSymbol: string; symbol: string }
  | { type: 'malformed'; reason: string; sample: string }
  /** A socket error or a venue's error reply (not malformed data). */
  | { type: 'error'; message: string }
  | { type: 'stopped' };

export type FeedControlMessage = { type: 'stop' } | { type: 'drop-connection' };
