/**
 * A compression worker of the recorder's burst-dispatched pool: encodes one block's records in the
 * recording's codec — v1 (shuffle, zstd) or v2 (integer columns, zstd) — off the recorder's
 * thread. The encoders' scratch buffers live in this worker and are reused block after block.
 */
import { serveBurstWorker } from '../pipeline/burst-worker.ts';
import { type CompressedCodec, encodePayload } from './block.ts';

export interface CompressJob {
  sequence: number;
  codec: CompressedCodec;
  /** The block's records, 64 bytes each, as appended. */
  records: Uint8Array;
}

export interface CompressDone {
  sequence: number;
  codec: CompressedCodec;
  payload: Uint8Array;
}

serveBurstWorker<CompressJob, CompressDone>((job) => ({
  sequence: job.sequence,
  codec: job.codec,
  payload: encodePayload(job.codec, job.records, job.records.length / 64),
}));
