// Test helper (worker thread): writes `count` records with sequence numbers and a checksum into a
// ring in random batch sizes; on a return to sender it waits briefly and retries, so a lossless
// reader must eventually see every record.
import { parentPort, workerData } from 'node:worker_threads';
import { Off } from '../../src/common/record.ts';
import { RingWriter } from '../../src/common/ring.ts';

const { ring, count, seed, maxBatch } = workerData as {
  ring: SharedArrayBuffer;
  count: number;
  seed: number;
  maxBatch: number;
};
const w = new RingWriter(ring);
let s = seed >>> 0;
const rnd = (): number => {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let seq = 0;
let returns = 0;
while (seq < count) {
  const want = Math.min(count - seq, 1 + Math.floor(rnd() * maxBatch));
  const n = w.claim(want);
  if (n === 0) {
    returns++;
    Atomics.wait(sleeper, 0, 0, 0.05);
    continue;
  }
  for (let k = 0; k < n; k++) {
    const at = w.offsetOf(w.nextIndex + k);
    const v = seq + k;
    w.data.setFloat64(at + Off.sequence, v, true);
    w.data.setFloat64(at + Off.price, v * 1.5, true);
    w.data.setUint32(at + Off.instrumentId, Math.imul(v, 2654435761) >>> 0, true);
  }
  w.publish(n);
  seq += n;
}
parentPort!.postMessage({ written: seq, returns });
