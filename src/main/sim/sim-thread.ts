/**
 * Runs the simulator in its own worker thread (see sim-worker.ts) behind the same small surface
 * the engine uses: its URLs, faults, and close.
 */
import { Worker } from 'node:worker_threads';
import type { VenueSimOptions, VenueUrls } from './venue-sim.ts';
import type { VenueFault, VenueName } from './venues/common.ts';

type FromSim =
  | { type: 'ready'; url: string; urls: Record<VenueName, VenueUrls> }
  | { type: 'log'; line: string }
  | { type: 'closed' };

export interface SimHandle {
  /** ws://host:port, the base of every venue's URL. */
  readonly url: string;
  /** The running venues' URLs. */
  readonly urls: Record<VenueName, VenueUrls>;
  dropConnections(): void;
  injectFault(fault: VenueFault, venue?: VenueName): void;
  close(): Promise<void>;
}

export class SimThread implements SimHandle {
  readonly url: string;
  readonly urls: Record<VenueName, VenueUrls>;
  private readonly worker: Worker;

  private constructor(worker: Worker, url: string, urls: Record<VenueName, VenueUrls>) {
    this.worker = worker;
    this.url = url;
    this.urls = urls;
  }

  /** The simulator with these options (either mode), logging through `log`. */
  static start(
    workerUrl: URL,
    opts: Omit<VenueSimOptions, 'log'>,
    log: (line: string) => void,
  ): Promise<SimThread> {
    const worker = new Worker(workerUrl, { workerData: opts, name: 'simulator' });
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromSim) => {
        if (m.type === 'ready') resolve(new SimThread(worker, m.url, m.urls));
        else if (m.type === 'log') log(m.line);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`simulator thread exited with code ${code}`)));
    });
  }

  dropConnections(): void {
    this.worker.postMessage({ type: 'drop' });
  }

  injectFault(fault: VenueFault, venue?: VenueName): void {
    this.worker.postMessage({ type: 'inject', fault, ...(venue ? { venue } : {}) });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.worker.on('message', (m: FromSim) => {
        if (m.type === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    this.worker.postMessage({ type: 'close' });
    await closed;
    await this.worker.terminate();
  }
}
