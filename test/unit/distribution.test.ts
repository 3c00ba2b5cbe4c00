/**
 * The Distribution panel's arithmetic (series/distribution.ts): histogram steps from the first to
 * the last non-empty bucket with a closing edge, the percentile curve on HdrHistogram's
 * 1 / (1 − p) axis ending at the max, read-outs, axis labels, and reuse of the arrays.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUCKETS, bucketLow, bucketOf } from '../../src/common/latency-buckets.ts';
import {
  COUNT_FLOOR,
  CURVE_POINTS,
  computeDistribution,
  createDistribution,
  percentileLabel,
  UNDER_MS,
} from '../../src/renderer/src/series/distribution.ts';

test('distribution: steps, percentile curve, read-outs; empty clears', () => {
  const counts = new Float64Array(BUCKETS);
  // 1000 samples: 900 at 1 ms, 90 at 10 ms, 9 at 100 ms, 1 at 1 s.
  counts[bucketOf(1000)] = 900;
  counts[bucketOf(10_000)] = 90;
  counts[bucketOf(100_000)] = 9;
  counts[bucketOf(1_000_000)] = 1;
  const d = computeDistribution(counts, 1000, 1_000_000, createDistribution());
  assert.equal(d.count, 1000);
  assert.equal(d.max, 1000);
  assert.ok(d.p50 >= 0.96 && d.p50 <= 1.07, `p50 ${d.p50}`);
  assert.ok(d.p99 >= 9.6 && d.p99 <= 11, `p99 ${d.p99}`);
  assert.ok(d.p999 >= 96 && d.p999 <= 110, `p99.9 ${d.p999}`);
  const first = bucketOf(1000);
  const last = bucketOf(1_000_000);
  assert.equal(d.histX.length, last - first + 2);
  assert.equal(d.histX[0], bucketLow(first) / 1000);
  assert.equal(d.histY[0], 900);
  assert.equal(d.histY[1], COUNT_FLOOR, 'empty buckets between sit on the floor');
  assert.ok(d.histX.at(-1)! > d.histX.at(-2)!, 'the last step has a right edge');
  for (let i = 1; i < d.histX.length; i++) assert.ok(d.histX[i]! > d.histX[i - 1]!);
  assert.equal(d.curveX.length, CURVE_POINTS);
  assert.equal(d.curveX[0], 1);
  assert.ok(Math.abs(d.curveX.at(-1)! - 1000) < 1e-9);
  assert.equal(d.curveY.at(-1), 1000, 'the curve ends at the max');
  for (let i = 1; i < CURVE_POINTS; i++) assert.ok(d.curveY[i]! >= d.curveY[i - 1]!, 'non-decreasing');

  const xs = d.histX;
  computeDistribution(counts, 1000, 1_000_000, d);
  assert.equal(d.histX, xs, 'arrays are reused');
  computeDistribution(new Float64Array(BUCKETS), 0, 0, d);
  assert.equal(d.count, 0);
  assert.ok(Number.isNaN(d.p99));
  assert.equal(d.histX.length, 0);
  assert.equal(d.curveX.length, 0);

  // Only 0 µs samples (clamped clock skew): drawn at the underflow position.
  const zero = new Float64Array(BUCKETS);
  zero[0] = 5;
  const z = computeDistribution(zero, 5, 0, createDistribution());
  assert.equal(z.histX[0], UNDER_MS);
  assert.equal(z.histX.length, 2);
});

test('percentile axis labels: 0 %, 50 %, 90 %, 99 %, 99.9 %, 99.99 %', () => {
  assert.deepEqual([1, 2, 10, 100, 1000, 10_000, 100_000].map(percentileLabel), [
    '0%',
    '50%',
    '90%',
    '99%',
    '99.9%',
    '99.99%',
    '99.999%',
  ]);
});
