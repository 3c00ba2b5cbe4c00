/**
 * The disk latency stage: receive → durable on disk. When the fsync that covers a block returns,
 * every record of the block gets one sample, durable time − its receive time, in the shared
 * histogram the engine's metrics reader drains once an interval. Receive times are read straight
 * from the block's records as appended (whatever codec the block is stored in): nothing is
 * allocated per record.
 */
import { Off, RECORD_SIZE } from '../../common/record.ts';
import type { SharedHistogram } from '../../common/shared-histogram.ts';

const scratch = new Uint8Array(8);
const MAX_INT = 0x7fffffff;
const view = new DataView(scratch.buffer);

/** Receive time (epoch ms) of record i of a shuffled block of `count` records. */
export function shuffledReceiveTime(shuffled: Uint8Array, count: number, i: number): number {
  for (let j = 0; j < 8; j++) scratch[j] = shuffled[(Off.receiveTime + j) * count + i]!;
  return view.getFloat64(0, true);
}

/** One sample per record of a block (its records, 64 bytes each) made durable at `durableAt` (epoch ms). */
export function recordDurable(
  hist: SharedHistogram,
  records: Uint8Array,
  count: number,
  durableAt: number,
): void {
  if (records.length < count * RECORD_SIZE) return;
  const v = new DataView(records.buffer, records.byteOffset, count * RECORD_SIZE);
  for (let i = 0; i < count; i++) {
    const us = (durableAt - v.getFloat64(i * RECORD_SIZE + Off.receiveTime, true)) * 1000;
    // A small integer crosses the call unboxed; beyond ~35 min the bucket is overflow anyway.
    hist.record(us >= MAX_INT ? MAX_INT : us <= 0 ? 0 : (us + 0.5) | 0);
  }
}
