import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetricsSection } from '../../src/common/frame.ts';
import { BurstDispatcher } from '../../src/main/pipeline/burst-dispatcher.ts';

const workerUrl = new URL('../helpers/burst-sleep-worker.ts', import.meta.url);

test('burst dispatch: work goes only to an idle worker; when all are busy it returns to the sender at once', async () => {
  const d = new BurstDispatcher<{ id: number; ms: number }, number>({ name: 'test', workerUrl, workers: 2 });
  try {
    const done: number[] = [];
    const finished = new Promise<void>((resolve) => {
      d.onResult((id) => {
        done.push(id);
        if (done.length === 3) resolve();
      });
    });
    assert.equal(d.trySend({ id: 1, ms: 100 }), true);
    assert.equal(d.trySend({ id: 2, ms: 100 }), true);
    const t0 = performance.now();
    assert.equal(d.trySend({ id: 3, ms: 1 }), false, 'both workers busy: returned');
    assert.ok(performance.now() - t0 < 5, 'returning does not wait');
    assert.deepEqual({ ...d.stats }, { workers: 2, busy: 2, sent: 2, returned: 1, completed: 0, failed: 0 });
    // Once a worker is idle again, the next send goes through.
    while (d.stats.busy === 2) await new Promise((r) => setTimeout(r, 5));
    assert.equal(d.trySend({ id: 4, ms: 1 }), true);
    await finished;
    assert.deepEqual(done.sort(), [1, 2, 4]);
    assert.equal(d.stats.completed, 3);
    const out = createMetricsSection().stages[0]!;
    d.takeStartLatency(out);
    assert.equal(out.count, 3, 'enqueue → start latency measured for every item');
    assert.ok(out.max < 1_000_000, `start latency ${out.max} µs`);
  } finally {
    await d.close();
  }
});

test('a failing item is counted and reported, and frees its worker', async () => {
  const d = new BurstDispatcher<{ id: number; ms: number }, number>({ name: 'fail', workerUrl, workers: 1 });
  try {
    const error = new Promise<string>((resolve) => d.onFailure((e) => resolve(e)));
    assert.equal(d.trySend({ id: -1, ms: 1 }), true);
    assert.match(await error, /negative id/);
    assert.equal(d.stats.failed, 1);
    assert.equal(d.stats.busy, 0);
    assert.equal(d.trySend({ id: 5, ms: 1 }), true);
  } finally {
    await d.close();
  }
  assert.throws(() => new BurstDispatcher({ name: 'x', workerUrl, workers: 0 }), /1..64/);
});
