/**
 * The app's export of one session, on a worker thread: reading blocks, decompressing and building
 * text rows takes real CPU for a large session, and the engine's main thread must keep publishing
 * frames meanwhile. Posts progress a few times a second, then one `done` or `failed`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ExportFormat } from '../../common/api.ts';
import { exportSessionToFile } from './session-export.ts';

export interface ExportWorkerData {
  dir: string;
  format: ExportFormat;
  out: string;
  tmp: string;
}

export type FromExportWorker =
  | { type: 'progress'; records: number; bytes: number; read: number; total: number; damaged: number }
  | { type: 'done'; records: number; bytes: number; damaged: number }
  | { type: 'failed'; message: string };

const PROGRESS_MS = 200;
const job = workerData as ExportWorkerData;
const port = parentPort!;
let damaged = 0;
let last = 0;

try {
  const r = await exportSessionToFile(job.dir, job.format, job.out, {
    tmp: job.tmp,
    onDamage: () => {
      damaged++;
    },
    onProgress: (p) => {
      const now = Date.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      port.postMessage({ type: 'progress', ...p, damaged } satisfies FromExportWorker);
    },
  });
  port.postMessage({
    type: 'done',
    records: r.records,
    bytes: r.bytes,
    damaged: r.damaged,
  } satisfies FromExportWorker);
} catch (err) {
  port.postMessage({ type: 'failed', message: (err as Error).message } satisfies FromExportWorker);
}
