// Test helper: a burst worker that sleeps `ms` per item, then echoes the item.
import { serveBurstWorker } from '../../src/main/pipeline/burst-worker.ts';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
serveBurstWorker((item: { id: number; ms: number }) => {
  Atomics.wait(sleeper, 0, 0, item.ms);
  if (item.id < 0) throw new Error('negative id');
  return item.id;
});
