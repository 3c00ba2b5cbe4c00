/**
 * The ingest benchmark's simulator, in a worker thread of its own so that the server and the
 * subject never share a thread. Like sim/sim-worker.ts, plus the simulator's counters on request
 * (the benchmark reconciles what was sent with what arrived).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BinanceSim, type BinanceSimOptions } from '../sim/binance-sim.ts';

export type SimRequest = { type: 'stats' } | { type: 'close' };

const port = parentPort!;
const sim = await BinanceSim.start(workerData as BinanceSimOptions);
port.postMessage({ type: 'ready', url: sim.url });
port.on('message', (m: SimRequest) => {
  if (m.type === 'stats') port.postMessage({ type: 'stats', stats: sim.stats() });
  else if (m.type === 'close') void sim.close().then(() => port.postMessage({ type: 'closed' }));
});
