/**
 * The disk latency stage: receive → durable on disk. When the fsync that covers a block returns,
 * every record of the block gets one sample, durable time − its receive time, in the shared
 * histogram the engine's metrics reader drains once an interval. Receive times are read straight
 * from the block's byte-shuffled payload (byte k of record i at k × count + i), through one
 * reused 8-byte scratch: nothing is allocated per record.
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

/** One sample per record of a shuffled block made durable at `durableAt` (epoch ms, shared clock). */
export function recordDurable(
  hist: SharedHistogram,
  shuffled: Uint8Array,
  count: number,
  durableAt: number,
): void {
  if (shuffled.length < count * RECORD_SIZE) return;
  const at = Off.receiveTime * count;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < 8; j++) scratch[j] = shuffled[at + j * count + i]!;
    const us = (durableAt - view.getFloat64(0, true)) * 1000;
    // A small integer crosses the call unboxed; beyond ~35 min the bucket is overflow anyway.
    hist.record(us >= MAX_INT ? MAX_INT : us <= 0 ? 0 : (us + 0.5) | 0);
  }
}
