/**
 * The ingest benchmark's simulator — the trade-only Binance stream (VenueSim mode 'trades') — in a
 * worker thread of its own so that the server and the subject never share a thread. Like
 * sim/sim-worker.ts, plus what the server sent on request (the benchmark reconciles what was sent
 * with what arrived), in the shape the replay worker answers too.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { VenueSim, type VenueSimOptions } from '../sim/venue-sim.ts';

export type SimRequest = { type: 'stats' } | { type: 'close' };

/** What a benchmark source sent: trade frames and their payload bytes. */
export interface SourceStats {
  tradesSent: number;
  bytesSent: number;
}

const port = parentPort!;
const sim = await VenueSim.start({ ...(workerData as VenueSimOptions), mode: 'trades' });
port.postMessage({ type: 'ready', url: sim.baseUrl });
port.on('message', (m: SimRequest) => {
  if (m.type === 'stats') {
    const b = sim.stats().venues.binance;
    port.postMessage({
      type: 'stats',
      stats: { tradesSent: b.trades, bytesSent: b.bytes } satisfies SourceStats,
    });
  } else if (m.type === 'close') void sim.close().then(() => port.postMessage({ type: 'closed' }));
});
