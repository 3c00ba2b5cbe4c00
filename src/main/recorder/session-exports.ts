/**
 * The app's exports: each one a worker (export-worker.ts) writing `<root>/exports/<name>.<format>`
 * while the engine runs on. Keeps every export's status (running, done, failed) for the Sessions
 * panel, refuses a second export of the same file while one runs, and answers where a finished
 * export is for the headless host's download — by name and format, validated, never a path.
 */
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EXPORT_FORMATS, type ExportFormat, type ExportStatus } from '../../common/api.ts';
import type { ExportWorkerData, FromExportWorker } from './export-worker.ts';
import { checkSessionName, SessionsError } from './sessions.ts';

/** Finished exports kept in the list. */
const KEEP = 8;

export const EXPORTS_FOLDER = 'exports';

export class SessionExports {
  private readonly root: string;
  private readonly workerUrl: URL;
  private readonly jobs: ExportStatus[] = [];
  private readonly workers = new Map<ExportStatus, { worker: Worker; tmp: string }>();

  constructor(root: string, workerUrl: URL) {
    this.root = root;
    this.workerUrl = workerUrl;
  }

  /** Newest first; the objects are copies. */
  list(): ExportStatus[] {
    return this.jobs.map((j) => ({ ...j }));
  }

  /** Whether an export of the session is running (it must not be renamed or deleted meanwhile). */
  busy(name: string): boolean {
    return this.jobs.some((j) => j.name === name && j.state === 'running');
  }

  /** The finished file's path for a session and format; throws SessionsError for a bad name. */
  pathOf(name: unknown, format: unknown): string {
    const n = checkSessionName(name);
    if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format))
      throw new SessionsError(`format must be one of ${EXPORT_FORMATS.join(', ')}`);
    return join(this.root, EXPORTS_FOLDER, `${n}.${format}`);
  }

  /** Starts exporting the session `name` (the caller checked it is one) on a worker; returns its status. */
  start(name: string, format: ExportFormat, total: number): ExportStatus {
    const path = this.pathOf(name, format);
    if (this.jobs.some((j) => j.path === path && j.state === 'running'))
      throw new SessionsError(`${name}.${format} is being exported already`);
    const job: ExportStatus = {
      name,
      format,
      state: 'running',
      path,
      records: 0,
      bytes: 0,
      read: 0,
      total,
      damaged: 0,
      error: null,
      startedAt: Date.now(),
      finishedAt: null,
    };
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    const data: ExportWorkerData = { dir: join(this.root, name), format, out: path, tmp };
    const worker = new Worker(this.workerUrl, { workerData: data, name: 'export' });
    this.workers.set(job, { worker, tmp });
    const finish = (state: 'done' | 'failed', error: string | null): void => {
      if (job.state !== 'running') return;
      job.state = state;
      job.error = error;
      job.finishedAt = Date.now();
      if (state === 'done') job.read = job.total;
      this.workers.delete(job);
      void worker.terminate();
      if (state === 'failed') void rm(tmp, { force: true });
    };
    worker.on('message', (m: FromExportWorker) => {
      if (m.type === 'progress')
        Object.assign(job, { records: m.records, bytes: m.bytes, read: m.read, damaged: m.damaged });
      else if (m.type === 'done') {
        Object.assign(job, { records: m.records, bytes: m.bytes, damaged: m.damaged });
        finish('done', null);
      } else finish('failed', m.message);
    });
    worker.on('error', (err) => finish('failed', err.message));
    worker.on('exit', (code) => finish('failed', `the export stopped (worker exit ${code})`));
    this.jobs.unshift(job);
    // Forget the oldest finished ones; running ones always stay.
    for (let i = this.jobs.length - 1; i >= 0 && this.jobs.length > KEEP; i--)
      if (this.jobs[i]!.state !== 'running') this.jobs.splice(i, 1);
    return job;
  }

  /** A finished export's file and size, for download; throws SessionsError if there is none. */
  async file(name: unknown, format: unknown): Promise<{ path: string; size: number }> {
    const path = this.pathOf(name, format);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw new SessionsError(`no export ${String(name)}.${String(format)}`);
    return { path, size: info.size };
  }

  /** Stops the running exports (their temporary files are removed; finished files stay). */
  async stop(): Promise<void> {
    const running = [...this.workers.entries()];
    for (const [job, { worker, tmp }] of running) {
      job.state = 'failed';
      job.error = 'stopped: the engine is shutting down';
      job.finishedAt = Date.now();
      await worker.terminate();
      await rm(tmp, { force: true });
    }
    this.workers.clear();
  }
}
