/**
 * The recorder's compression workers behind a burst dispatcher: a block goes to a worker that is
 * idle now (which encodes it in the recording's codec), or comes straight back (null) and is
 * written uncompressed — a busy pool never holds a
 * block back, never drops one. A worker that fails also gives its block back as uncompressed.
 */
import { BurstDispatcher } from '../pipeline/burst-dispatcher.ts';
import type { CompressDone, CompressJob } from './compress-worker.ts';
import type { Compressed, Compressor } from './session-writer.ts';

export class CompressorPool {
  readonly dispatcher: BurstDispatcher<CompressJob, CompressDone>;
  private readonly waiting = new Map<number, (done: Compressed | null) => void>();
  /** Which block each worker holds, so a failure gives the right one back. */
  private readonly holding: number[] = [];

  constructor(workers: number, workerUrl: URL) {
    this.dispatcher = new BurstDispatcher({ name: 'compressor', workerUrl, workers });
    this.dispatcher.onResult((done, worker) => {
      this.holding[worker] = -1;
      this.take(done.sequence, { codec: done.codec, payload: done.payload });
    });
    this.dispatcher.onFailure((_error, worker) => {
      const seq = this.holding[worker] ?? -1;
      this.holding[worker] = -1;
      if (seq >= 0) this.take(seq, null);
    });
  }

  readonly compress: Compressor = (records, sequence, codec) => {
    // Copied, not transferred: the writer keeps the records to store if compression fails.
    if (!this.dispatcher.trySend({ sequence, codec, records })) return null;
    const worker = this.dispatcher.lastWorker;
    this.holding[worker] = sequence;
    return new Promise((resolve) => this.waiting.set(sequence, resolve));
  };

  private take(sequence: number, done: Compressed | null): void {
    const resolve = this.waiting.get(sequence);
    this.waiting.delete(sequence);
    resolve?.(done);
  }

  close(): Promise<void> {
    for (const resolve of this.waiting.values()) resolve(null);
    this.waiting.clear();
    return this.dispatcher.close();
  }
}
