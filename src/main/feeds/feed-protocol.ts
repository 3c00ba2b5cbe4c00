/**
 * The contract between a feed worker and the main thread: what the worker is started with, the
 * shared counters it writes (one Float64Array over a SAB, read by the metrics side without
 * messages), and the few low-rate messages it posts (state changes, new instruments, first
 * occurrence of each kind of malformed input).
 */
import type { FeedState } from '../../common/feed-model.ts';

export interface FeedWorkerData {
  feedId: number;
  venue: number;
  name: string;
  /** Base WebSocket URL, e.g. wss://stream.binance.com:9443 or the simulator's ws://127.0.0.1:PORT. */
  url: string;
  /** REST base for book snapshots (Binance), e.g. https://api.binance.com. */
  restUrl?: string;
  /** Subscribe to L2 books and top of book as well as trades (default true). */
  books?: boolean;
  /** L2 depth to subscribe (venue default if 0/absent). */
  bookDepth?: number;
  /** Roll the connection over this long before the venue's lifetime ends (default 10 min). */
  rollAheadMs?: number;
  /** Application ping interval override (ms; 0 = the venue's). */
  pingEveryMs?: number;
  /** Override of the venue's connection lifetime (tests), 0 = the venue's. */
  maxConnectionAgeMs?: number;
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
  /** Book snapshot/delta sections received (one per instrument per book frame). */
  bookUpdates: 13,
  /** Top-of-book updates received. */
  tops: 14,
  /** Gaps found by the venue's sequence rule or a checksum (each leads to a resync). */
  gaps: 15,
  /** Fresh snapshots requested (REST fetch or resubscribe). */
  resyncs: 16,
  checksumErrors: 17,
  /** Book deltas discarded while waiting for a snapshot (covered by it, not lost). */
  bookDiscarded: 18,
  /** Events the venue reported missing by its sequence (sum of the gaps' sizes where known). */
  missingEvents: 19,
  /** Trades seen twice while two connections overlapped during a roll (dropped as duplicates). */
  duplicates: 20,
  /** Planned connection roll-overs (ahead of a venue's connection lifetime or shutdown notice). */
  rolls: 21,
  heartbeats: 22,
  snapshots: 23,
  /** State transitions, and the ms spent in each state so far (index timeIn + state). */
  transitions: 24,
  /** ms from connecting to live on the last successful connect. */
  lastConnectMs: 25,
  timeIn: 26, // 26..32: FeedState 0..6
  /** REST snapshot requests under way (Binance): a monitor waits for them before its summary. */
  snapshotsInFlight: 33,
  /**
   * Wire messages and their bytes per stream (index + Stream from common/frame.ts: trades, top of
   * book, book, other), one add each per message: the streams of a feed sum to messages and bytes.
   */
  streamMessages: 34, // 34..37
  streamBytes: 38, // 38..41
} as const;
export const FEED_STAT_COUNT = 48;

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

export type FeedControlMessage =
  | { type: 'stop' }
  | { type: 'drop-connection' }
  | { type: 'roll' }
  | { type: 'resync' }
  /** Write every synced book as it stands (a bookReset and its levels): a recording starts. */
  | { type: 'book-images' };
