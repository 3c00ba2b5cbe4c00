/**
 * Burst dispatch to a pool of worker threads (after burst-pool): `trySend` hands an item to a
 * worker that is idle *now*, or returns false at once — the work returns to the sender, whose
 * fallback runs (the recorder, for one, writes the block uncompressed). Nothing queues, so a
 * burst never builds latency inside the pool. Counts what was sent, returned, completed and
 * failed, and the enqueue → start latency in an HDR histogram.
 */
import { type TransferListItem, Worker } from 'node:worker_threads';
import { nowMs } from '../../common/clock.ts';
import type { StageLatency } from '../../common/frame.ts';
import type { BurstDone, BurstJob } from './burst-worker.ts';
import { LatencyStage } from './latency-stage.ts';

export interface BurstDispatcherOptions {
  name: string;
  /** Worker entry that calls serveBurstWorker(). */
  workerUrl: URL;
  workers: number;
  workerData?: unknown;
}

export interface BurstStats {
  workers: number;
  busy: number;
  sent: number;
  /** Items refused because every worker was busy (handled by the sender's fallback). */
  returned: number;
  completed: number;
  failed: number;
}

export class BurstDispatcher<T, R> {
  readonly name: string;
  readonly stats: BurstStats;
  private readonly workers: Worker[];
  private readonly busy: boolean[];
  private readonly sentAt: number[];
  private readonly startLatency = new LatencyStage(0);
  private next = 0;
  private seq = 0;
  /** The worker the last successful trySend went to. */
  lastWorker = -1;
  private onDone: (result: R, worker: number) => void = () => {};
  private onError: (error: string, worker: number) => void = () => {};

  constructor(opts: BurstDispatcherOptions) {
    if (!Number.isInteger(opts.workers) || opts.workers < 1 || opts.workers > 64) {
      throw new RangeError(`burst dispatcher workers must be 1..64, got ${opts.workers}`);
    }
    this.name = opts.name;
    this.workers = [];
    this.busy = [];
    this.sentAt = [];
    this.stats = { workers: opts.workers, busy: 0, sent: 0, returned: 0, completed: 0, failed: 0 };
    for (let i = 0; i < opts.workers; i++) {
      const w = new Worker(opts.workerUrl, { workerData: opts.workerData, name: `${opts.name}-${i}` });
      w.on('message', (m: BurstDone<R>) => this.finished(i, m));
      w.on('error', (err) => this.failed(i, err.message));
      this.workers.push(w);
      this.busy.push(false);
      this.sentAt.push(0);
    }
  }

  /** Called with each result (in completion order). */
  onResult(cb: (result: R, worker: number) => void): void {
    this.onDone = cb;
  }

  onFailure(cb: (error: string, worker: number) => void): void {
    this.onError = cb;
  }

  /** Hands `item` to an idle worker and returns true, or returns false if all are busy. */
  trySend(item: T, transfer: readonly TransferListItem[] = []): boolean {
    const n = this.workers.length;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      if (this.busy[i]) continue;
      this.busy[i] = true;
      this.stats.busy++;
      this.sentAt[i] = nowMs();
      this.next = (i + 1) % n;
      this.lastWorker = i;
      const job: BurstJob<T> = { seq: this.seq++, item };
      this.workers[i]!.postMessage(job, transfer);
      this.stats.sent++;
      return true;
    }
    this.stats.returned++;
    return false;
  }

  /** Enqueue → start latency (µs) since the last call. */
  takeStartLatency(out: StageLatency): void {
    this.startLatency.closeInto(out);
  }

  private finished(i: number, m: BurstDone<R>): void {
    this.startLatency.recordUs(Math.round((m.startedAt - this.sentAt[i]!) * 1000));
    this.release(i);
    if (m.ok) {
      this.stats.completed++;
      this.onDone(m.result as R, i);
    } else {
      this.stats.failed++;
      this.onError(m.error ?? 'failed', i);
    }
  }

  private failed(i: number, message: string): void {
    this.release(i);
    this.stats.failed++;
    this.onError(message, i);
  }

  private release(i: number): void {
    if (!this.busy[i]) return;
    this.busy[i] = false;
    this.stats.busy--;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
