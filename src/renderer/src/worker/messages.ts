/**
 * Messages between the page and its frame receiver worker. Only low-rate state crosses here; the
 * chart data goes through the shared series store.
 */

import type { ComponentStats, FeedStatus, InstrumentInfo } from '../../../common/feed-model.ts';
import type { MarketTick } from '../../../common/frame.ts';

/** One instrument's book as the Market panel shows it (ladder best first). */
export interface BookView {
  instrumentId: number;
  synced: boolean;
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
  /** [price, size] pairs, best first. */
  bids: [number, number][];
  asks: [number, number][];
}

export const NOT_ISOLATED =
  'This page is not cross-origin isolated (COOP/COEP headers missing), so SharedArrayBuffer is unavailable and the live charts cannot run.';

export type ToWorker = { type: 'port'; port: MessagePort } | { type: 'websocket'; url: string };

export interface TransportStatus {
  kind: 'electron-port' | 'websocket';
  state: 'connecting' | 'open' | 'closed';
  frames: number;
  framesPerSec: number;
  decodeErrors: number;
  /** Frames whose sequence number skipped ahead (frames lost between engine and page). */
  seqGaps: number;
  lastError: string;
  /** When the next connection attempt starts (page clock, epoch ms) while closed; 0 if none is planned. */
  retryAt: number;
}

export interface PipelineTotals {
  totalMessages: number;
  dropped: number;
  malformed: number;
  skipped: number;
  ringReturns: number;
  poolHighWater: number;
  ringCapacity: number;
  ringLaps: number;
  readersDetached: number;
  negativeWire: number;
  /** Frame time of the newest metrics interval (engine clock, epoch ms). */
  time: number;
}

export type FromWorker =
  | { type: 'store'; sab: SharedArrayBuffer }
  | { type: 'feeds'; feeds: FeedStatus[] }
  | { type: 'instruments'; instruments: InstrumentInfo[] }
  | { type: 'market'; ticks: MarketTick[] }
  | { type: 'market-store'; sab: SharedArrayBuffer }
  /** The histogram store (histogram-store.ts) and the UI-stage histogram the page writes (ui-latency.ts). */
  | { type: 'latency-stores'; histograms: SharedArrayBuffer; ui: SharedArrayBuffer }
  /** Books at most 4 times a second; `omitted`: trades the engine could not fit in frames, in all. */
  | { type: 'books'; books: BookView[]; omitted: number }
  | { type: 'transport'; status: TransportStatus }
  | { type: 'pipeline'; totals: PipelineTotals }
  | { type: 'components'; components: ComponentStats[] }
  | { type: 'fatal'; message: string }
  /** What one frame produced, in one message: the page applies it in one task, so React renders once. */
  | { type: 'batch'; messages: FromWorker[] };
