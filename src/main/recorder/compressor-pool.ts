/**
 * The recorder's compression workers behind a burst dispatcher: a block goes to a worker that is
 * idle now, or comes straight back (null) and is written uncompressed — a busy pool never holds a
 * block back, never drops one. A worker that fails also gives its block back as uncompressed.
 */
import { BurstDispatcher } from '../pipeline/burst-dispatcher.ts';
import type { CompressDone, CompressJob } from './compress-worker.ts';
import type { Compressor } from './session-writer.ts';

export class CompressorPool {
  readonly dispatcher: BurstDispatcher<CompressJob, CompressDone>;
  private readonly waiting = new Map<number, (payload: Uint8Array | null) => void>();
  /** Which block each worker holds, so a failure gives the right one back. */
  private readonly holding: number[] = [];

  constructor(workers: number, workerUrl: URL) {
    this.dispatcher = new BurstDispatcher({ name: 'compressor', workerUrl, workers });
    this.dispatcher.onResult((done, worker) => {
      this.holding[worker] = -1;
      this.take(done.sequence, done.payload);
    });
    this.dispatcher.onFailure((_error, worker) => {
      const seq = this.holding[worker] ?? -1;
      this.holding[worker] = -1;
      if (seq >= 0) this.take(seq, null);
    });
  }

  readonly compress: Compressor = (shuffled, sequence) => {
    // Copied, not transferred: the writer keeps the shuffled bytes to store if compression fails.
    if (!this.dispatcher.trySend({ sequence, shuffled })) return null;
    const worker = this.dispatcher.lastWorker;
    this.holding[worker] = sequence;
    return new Promise((resolve) => this.waiting.set(sequence, resolve));
  };

  private take(sequence: number, payload: Uint8Array | null): void {
    const resolve = this.waiting.get(sequence);
    this.waiting.delete(sequence);
    resolve?.(payload);
  }

  close(): Promise<void> {
    for (const resolve of this.waiting.values()) resolve(null);
    this.waiting.clear();
    return this.dispatcher.close();
  }
}
