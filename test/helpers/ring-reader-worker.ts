// Test helper (worker thread): a ring reader that blocks with Atomics.wait, checks order and
// checksum of every record it reads, and sleeps a random time between batches to vary its speed.
// Lossless: must see every record. Lossy: must see an increasing subsequence, and reads plus
// skipped must add up to everything written.
import { parentPort, workerData } from 'node:worker_threads';
import { Off } from '../../src/common/record.ts';
import { RingReader } from '../../src/common/ring.ts';

const { ring, count, seed, maxSleepMs, mode } = workerData as {
  ring: SharedArrayBuffer;
  count: number;
  seed: number;
  maxSleepMs: number;
  mode?: 'lossless' | 'lossy';
};
const r = new RingReader(ring, mode ?? 'lossless');
const start = r.cursor;
parentPort!.postMessage({ attached: true });
let s = seed >>> 0;
const rnd = (): number => {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return s / 4294967296;
};
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let last = -1;
let read = 0;
let errors = 0;
while ((r.cursor - start) >>> 0 < count) {
  const n = r.wait(200);
  let torn = 0;
  for (let k = 0; k < n; k++) {
    const i = (r.cursor + k) >>> 0;
    const at = r.offsetOf(i);
    const v = r.data.getFloat64(at + Off.sequence, true);
    const price = r.data.getFloat64(at + Off.price, true);
    const check = r.data.getUint32(at + Off.instrumentId, true);
    if (!r.intact(i)) {
      torn++;
      continue;
    }
    const ok =
      v === (i - start) >>> 0 && price === v * 1.5 && check === Math.imul(v, 2654435761) >>> 0 && v > last;
    if (!ok) errors++;
    last = v;
    read++;
  }
  r.advance(n, torn);
  if (rnd() < 0.3) Atomics.wait(sleeper, 0, 0, rnd() * maxSleepMs);
}
parentPort!.postMessage({ read, errors, skipped: r.readerSkipped(r.id), laps: r.readerLaps(r.id) });
