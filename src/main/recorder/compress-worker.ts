/**
 * A compression worker of the recorder's burst-dispatched pool: zstd over one shuffled block.
 */
import { serveBurstWorker } from '../pipeline/burst-worker.ts';
import { compress } from './block.ts';

export interface CompressJob {
  sequence: number;
  shuffled: Uint8Array;
}

export interface CompressDone {
  sequence: number;
  payload: Uint8Array;
}

serveBurstWorker<CompressJob, CompressDone>((job) => ({
  sequence: job.sequence,
  payload: compress(job.shuffled),
}));
