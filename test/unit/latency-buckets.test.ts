import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BUCKET_OVER,
  BUCKET_UNDER,
  BUCKETS,
  bucketHigh,
  bucketLow,
  bucketOf,
  OVERFLOW_US,
  percentileOf,
  topBucket,
  totalOf,
} from '../../src/common/latency-buckets.ts';
import { SharedHistogram } from '../../src/common/shared-histogram.ts';

test('buckets: under/overflow, exact below 16 µs, 8 per power of two above, contiguous bounds', () => {
  assert.equal(BUCKETS, 177);
  assert.equal(bucketOf(0), BUCKET_UNDER);
  assert.equal(bucketOf(-5), BUCKET_UNDER);
  assert.equal(bucketOf(0.4), BUCKET_UNDER);
  assert.equal(bucketOf(Number.NaN), BUCKET_UNDER);
  for (let v = 1; v < 16; v++) assert.equal(bucketOf(v), v);
  assert.equal(bucketOf(16), 16);
  assert.equal(bucketOf(17), 16);
  assert.equal(bucketOf(18), 17);
  assert.equal(bucketOf(31), 23);
  assert.equal(bucketOf(32), 24);
  assert.equal(bucketOf(OVERFLOW_US - 1), BUCKET_OVER - 1);
  assert.equal(bucketOf(OVERFLOW_US), BUCKET_OVER);
  assert.equal(bucketOf(1e12), BUCKET_OVER);
  assert.equal(bucketOf(Number.POSITIVE_INFINITY), BUCKET_OVER);
  // Every bucket's range is [low, high), contiguous, and every value maps back into its bucket.
  for (let b = 1; b < BUCKET_OVER; b++) {
    assert.equal(bucketHigh(b - 1), bucketLow(b), `bucket ${b}`);
    assert.equal(bucketOf(bucketLow(b)), b);
    assert.equal(bucketOf(bucketHigh(b) - 1), b);
    if (b >= 16) assert.ok((bucketHigh(b) - bucketLow(b)) / bucketLow(b) <= 0.125 + 1e-12);
  }
  assert.equal(bucketHigh(BUCKET_OVER), Number.POSITIVE_INFINITY);
  // Random values land inside their bucket's bounds.
  let x = 1;
  for (let i = 0; i < 10_000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const v = x % 20_000_000;
    const b = bucketOf(v);
    assert.ok(v >= bucketLow(b) && v < bucketHigh(b), `${v} in ${b}`);
  }
});

test('percentiles from counts: exact in the linear range, within a bucket above, clamped to max', () => {
  const counts = new Float64Array(BUCKETS);
  for (let v = 1; v <= 10; v++) counts[bucketOf(v)]! += 1;
  assert.equal(totalOf(counts), 10);
  assert.equal(percentileOf(counts, 0, 10, 50), 5);
  assert.equal(percentileOf(counts, 0, 10, 90), 9);
  assert.equal(percentileOf(counts, 0, 10, 100), 10);
  assert.ok(Number.isNaN(percentileOf(counts, 0, 0, 50)));

  // 1..100,000 µs uniformly: each percentile within 12.5 % of the true value.
  const big = new Float64Array(BUCKETS);
  for (let v = 1; v <= 100_000; v++) big[bucketOf(v)]! += 1;
  for (const p of [50, 90, 99, 99.9]) {
    const got = percentileOf(big, 0, 100_000, p, 100_000);
    const want = p * 1000;
    assert.ok(Math.abs(got - want) / want < 0.125, `p${p}: ${got} vs ${want}`);
  }
  assert.equal(percentileOf(big, 0, 100_000, 100, 100_000), 100_000);
  // An overflow sample reads as the exact max when it is known.
  const over = new Float64Array(BUCKETS);
  over[BUCKET_OVER] = 1;
  assert.equal(percentileOf(over, 0, 1, 99, 30_000_000), 30_000_000);
  assert.equal(topBucket(over), BUCKET_OVER);
  assert.equal(topBucket(new Float64Array(BUCKETS)), -1);
  // Offsets select a row of a larger array.
  const rows = new Float64Array(BUCKETS * 2);
  rows[BUCKETS + 5] = 3;
  assert.equal(percentileOf(rows, BUCKETS, 3, 50), 5);
});

test('shared histogram: counts, exact max, drain resets, NaN refused and counted', () => {
  const h = new SharedHistogram();
  const again = new SharedHistogram(h.sab); // the drainer's view of the same memory
  for (const us of [0, -3, 5, 120, 120, 40_000, 2_500_000]) h.record(us);
  h.record(Number.NaN);
  const into = new Float64Array(BUCKETS);
  const r = again.drainInto(into, 0, { count: 0, max: 0 });
  assert.equal(r.count, 7);
  assert.equal(r.max, 2_500_000);
  assert.equal(into[BUCKET_UNDER], 2);
  assert.equal(into[bucketOf(120)], 2);
  assert.equal(again.invalid, 1);
  const empty = again.drainInto(into, 0, { count: 0, max: 0 });
  assert.deepEqual(empty, { count: 0, max: 0 });
  assert.equal(totalOf(into), 7, 'a second drain adds nothing');
});
