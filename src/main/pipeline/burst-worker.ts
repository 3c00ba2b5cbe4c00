/**
 * The worker side of a burst dispatcher: runs `handle` on each item it is handed and answers
 * with the result and the moment it started, so the dispatcher can measure enqueue → start.
 */
import { parentPort } from 'node:worker_threads';
import { nowMs } from '../../common/clock.ts';

export interface BurstJob<T> {
  seq: number;
  item: T;
}

export interface BurstDone<R> {
  seq: number;
  startedAt: number;
  ok: boolean;
  result?: R;
  error?: string;
}

export function serveBurstWorker<T, R>(handle: (item: T) => R | Promise<R>): void {
  const port = parentPort;
  if (!port) throw new Error('serveBurstWorker must run in a worker thread');
  port.on('message', async (job: BurstJob<T>) => {
    const startedAt = nowMs();
    try {
      const result = await handle(job.item);
      port.postMessage({ seq: job.seq, startedAt, ok: true, result } satisfies BurstDone<R>);
    } catch (err) {
      port.postMessage({ seq: job.seq, startedAt, ok: false, error: String(err) } satisfies BurstDone<R>);
    }
  });
}
