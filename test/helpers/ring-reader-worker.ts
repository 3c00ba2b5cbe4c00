// Test helper (worker thread): a lossless reader that blocks with Atomics.wait, checks order and
// checksum of every record, and sleeps a random time between batches to vary its speed.
import { parentPort, workerData } from 'node:worker_threads';
import { Off } from '../../src/common/record.ts';
import { RingReader } from '../../src/common/ring.ts';

const { ring, count, seed, maxSleepMs } = workerData as {
  ring: SharedArrayBuffer;
  count: number;
  seed: number;
  maxSleepMs: number;
};
const r = new RingReader(ring, 'lossless');
parentPort!.postMessage({ attached: true });
let s = seed >>> 0;
const rnd = (): number => {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return s / 4294967296;
};
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let expected = 0;
let errors = 0;
while (expected < count) {
  const n = r.wait(200);
  for (let k = 0; k < n; k++) {
    const at = r.offsetOf(r.cursor + k);
    const v = r.data.getFloat64(at + Off.sequence, true);
    const ok =
      v === expected &&
      r.data.getFloat64(at + Off.price, true) === v * 1.5 &&
      r.data.getUint32(at + Off.instrumentId, true) === Math.imul(v, 2654435761) >>> 0;
    if (!ok) errors++;
    expected++;
  }
  r.advance(n);
  if (rnd() < 0.3) Atomics.wait(sleeper, 0, 0, rnd() * maxSleepMs);
}
parentPort!.postMessage({ read: expected, errors });
