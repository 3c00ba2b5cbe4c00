/**
 * Worker-thread entry for the simulator, so that when the engine runs on its own embedded
 * simulator the market's sending work does not share the main thread with the metrics reader —
 * the pipeline stage then measures the pipeline, not the simulator. The worker's data are the
 * simulator's options (either mode).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { VenueSim, type VenueSimOptions } from './venue-sim.ts';
import type { VenueFault, VenueName } from './venues/common.ts';

const port = parentPort!;
const log = (line: string): void => port.postMessage({ type: 'log', line });

type Command =
  | { type: 'close' }
  | { type: 'drop' }
  | { type: 'inject'; fault: VenueFault; venue?: VenueName };

const sim = await VenueSim.start({ ...(workerData as VenueSimOptions), log });
port.postMessage({ type: 'ready', url: sim.baseUrl, urls: sim.urls });
port.on('message', (m: Command) => {
  if (m.type === 'close') void sim.close().then(() => port.postMessage({ type: 'closed' }));
  else if (m.type === 'drop') sim.inject('disconnect');
  else if (m.type === 'inject') {
    try {
      sim.inject(m.fault, m.venue);
    } catch (err) {
      log(`simulator: ${(err as Error).message}`);
    }
  }
});
