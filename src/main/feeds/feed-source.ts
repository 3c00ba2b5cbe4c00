/**
 * What readers downstream (metrics, market, recorder, publisher) and the engine read from: a ring
 * of records with its statistics and instruments, whether a live feed writes it (FeedHost) or a
 * replay of a recorded session does (recorder/replay-host.ts). An interface here, below both, so
 * that neither the recorder nor the engine needs the other's types.
 */
import type { FeedStatus, InstrumentInfo } from '../../common/feed-model.ts';
import type { FeedConfig } from './feed-host.ts';

export interface FeedSource {
  readonly config: FeedConfig;
  /** The ring the source writes (common/ring.ts layout). */
  readonly ring: SharedArrayBuffer;
  /** Its counters (feed-protocol.ts FeedStat), shared with the thread that writes them. */
  readonly statsBuffer: SharedArrayBuffer;
  readonly stats: Float64Array;
  /** Instruments in the order their ids were given. */
  readonly instruments: InstrumentInfo[];
  start(): void;
  stop(): Promise<void>;
  status(): FeedStatus;
  /** Feed commands; a replay has no connection and ignores them. */
  roll(): void;
  resync(): void;
  dropConnection(): void;
  /**
   * Writes every synced book as it stands into the ring (a bookReset and its levels), for a
   * reader that attached to a running source: a recording started from the app.
   */
  writeBookImages(): void;
}
