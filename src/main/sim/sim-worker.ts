/**
 * Worker-thread entry for the simulator, so that when the engine runs on its own embedded
 * simulator the market's sending work does not share the main thread with the metrics reader —
 * the pipeline stage then measures the pipeline, not the simulator.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BinanceSim, type BinanceSimOptions } from './binance-sim.ts';

const port = parentPort!;
const sim = await BinanceSim.start({
  ...(workerData as BinanceSimOptions),
  log: (line) => port.postMessage({ type: 'log', line }),
});
port.postMessage({ type: 'ready', url: sim.url });
port.on('message', (m: { type: string }) => {
  if (m.type === 'close') void sim.close().then(() => port.postMessage({ type: 'closed' }));
  else if (m.type === 'drop') sim.dropConnections();
});
