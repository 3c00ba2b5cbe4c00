import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../../src/main/feeds/backoff.ts';

test('backoff doubles its ceiling up to the cap and draws full jitter below it', () => {
  const b = new Backoff({ initialMs: 100, maxMs: 1600, factor: 2, random: () => 0.999999 });
  const delays = Array.from({ length: 7 }, () => b.next());
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, 1600, 1600]);
  const z = new Backoff({ initialMs: 100, maxMs: 1600, factor: 2, random: () => 0 });
  assert.equal(z.next(), 0, 'full jitter can retry at once');
  b.reset();
  assert.equal(b.attempts, 0);
  assert.equal(b.ceiling(), 100);
});

test('backoff validates its options', () => {
  assert.throws(() => new Backoff({ initialMs: 0, maxMs: 10, factor: 2 }), /initialMs/);
  assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5, factor: 2 }), /maxMs/);
  assert.throws(() => new Backoff({ initialMs: 10, maxMs: 50, factor: 0.5 }), /factor/);
});
