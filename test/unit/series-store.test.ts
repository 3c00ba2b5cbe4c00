/**
 * The renderer's series store, read the way the charts read it: a visible time range and a point
 * budget. Rows in range are returned as they are while they fit; beyond that they are folded into
 * time-aligned buckets, each column by its own aggregation (latency by its maximum, rates by their
 * mean, the ring fill by its peak, reuse by its dip), NaN staying a gap. Also: the ring wraps, the
 * store holds an hour, a read allocates no new output arrays.
 */
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AGGREGATION, Agg } from '../../src/renderer/src/series/series-aggregation.ts';
import { COLUMNS, Col, ROWS } from '../../src/renderer/src/series/series-layout.ts';
import { createSeriesBuffer, SeriesStore } from '../../src/renderer/src/series/series-store.ts';

const row = new Float64Array(COLUMNS);

/** Appends `n` rows 0.25 s apart from t0, each filled by `fill(i)`. */
function fillStore(
  store: SeriesStore,
  n: number,
  t0: number,
  fill: (i: number, r: Float64Array) => void,
): void {
  for (let i = 0; i < n; i++) {
    row.fill(Number.NaN);
    row[Col.time] = t0 + i * 0.25;
    fill(i, row);
    store.append(row, 1);
  }
}

function outFor(k: number): (number | null)[][] {
  return Array.from({ length: k }, () => []);
}

test('the store holds at least an hour of 250 ms intervals', () => {
  assert.ok(ROWS * 0.25 >= 3600, `${ROWS} rows`);
});

test('each column declares an honest aggregation', () => {
  assert.equal(AGGREGATION[Col.time], Agg.last);
  assert.equal(AGGREGATION[Col.wire + 2], Agg.max); // wire p99
  assert.equal(AGGREGATION[Col.pipe + 4], Agg.max); // pipeline max
  assert.equal(AGGREGATION[Col.msgs], Agg.mean);
  assert.equal(AGGREGATION[Col.bytes], Agg.mean);
  assert.equal(AGGREGATION[Col.dropped], Agg.mean);
  assert.equal(AGGREGATION[Col.fill], Agg.max);
  assert.equal(AGGREGATION[Col.reuse], Agg.min);
  assert.equal(AGGREGATION[Col.feedBytes + 2], Agg.mean);
  assert.equal(AGGREGATION[Col.streamMsgs + 1], Agg.mean);
  assert.equal(AGGREGATION[Col.streamBytes + 3], Agg.mean);
  assert.equal(AGGREGATION[Col.poolMisses], Agg.mean);
  assert.equal(AGGREGATION[Col.poolReuse + 1], Agg.min);
  assert.equal(AGGREGATION[Col.poolInUse], Agg.max);
  assert.equal(AGGREGATION[Col.poolHighWater], Agg.max);
  assert.equal(AGGREGATION[Col.ui + 4], Agg.max);
  assert.equal(AGGREGATION[Col.disk + 2], Agg.max);
  assert.equal(AGGREGATION.length, COLUMNS);
});

test('rows in range come back as they are, with one row beyond each edge', () => {
  const store = new SeriesStore(createSeriesBuffer());
  fillStore(store, 100, 1000, (i, r) => {
    r[Col.msgs] = i;
  });
  const out = outFor(2);
  // [1005, 1010] holds rows 20..40 (21 rows); rows 19 and 41 are the edges.
  const inView = store.read([Col.time, Col.msgs], out, { from: 1005, to: 1010, maxPoints: 1000 });
  assert.equal(inView, 21);
  assert.equal(out[0]!.length, 23);
  assert.equal(out[0]![0], 1004.75);
  assert.equal(out[0]![22], 1010.25);
  assert.deepEqual(out[1]!.slice(0, 3), [19, 20, 21]);
  // Past the newest row: no right edge.
  assert.equal(store.read([Col.time, Col.msgs], out, { from: 1020, to: 1100, maxPoints: 1000 }), 20);
  assert.equal(out[0]!.length, 21);
  // Nothing in range (before the data): the first row is the only edge.
  assert.equal(store.read([Col.time, Col.msgs], out, { from: 0, to: 10, maxPoints: 1000 }), 0);
  assert.equal(out[0]!.length, 1);
});

test('NaN is a gap and the floor lifts values of the series columns only', () => {
  const store = new SeriesStore(createSeriesBuffer());
  fillStore(store, 4, 1, (i, r) => {
    r[Col.wire] = i === 1 ? Number.NaN : i * 0.0001;
  });
  const out = outFor(2);
  store.read([Col.time, Col.wire], out, { from: 0, to: 10, maxPoints: 100, floor: 0.001 });
  assert.deepEqual(out[1], [0.001, null, 0.001, 0.001]);
  assert.deepEqual(out[0], [1, 1.25, 1.5, 1.75]);
});

test('more rows than points fold into time-aligned buckets, each column its own way', () => {
  const store = new SeriesStore(createSeriesBuffer());
  // 1 h of rows from t = 3600 (a multiple of every bucket width used here).
  const n = 14_400;
  fillStore(store, n, 3600, (i, r) => {
    r[Col.wire + 2] = i % 40 === 7 ? 50 : 1; // a spike once every 10 s
    r[Col.msgs] = i % 2 === 0 ? 100 : 300; // mean 200
    r[Col.fill] = i % 40 === 13 ? 90 : 10;
    r[Col.reuse] = i % 40 === 21 ? 80 : 100;
    r[Col.dropped] = i % 40 < 20 ? Number.NaN : 4; // half the intervals without a sample
  });
  const cols = [Col.time, Col.wire + 2, Col.msgs, Col.fill, Col.reuse, Col.dropped];
  const out = outFor(cols.length);
  // The whole hour in 360 points: 10 s (40 rows) per bucket.
  const inView = store.read(cols, out, { from: 3600, to: 7200, maxPoints: 360 });
  assert.equal(inView, n, 'every row lies in [3600, 7200]');
  const points = out[0]!.length;
  assert.ok(points >= 360 && points <= 362, `${points} points`);
  for (const o of out) assert.equal(o.length, points);
  for (let j = 0; j < points - 1; j++) {
    // Each bucket is stamped with the end of its newest interval.
    assert.equal(out[0]![j], 3600 + j * 10 + 9.75);
    assert.equal(out[1]![j], 50, 'the spike survives');
    assert.equal(out[2]![j], 200, 'the rate is the mean');
    assert.equal(out[3]![j], 90, 'the fill keeps its peak');
    assert.equal(out[4]![j], 80, 'reuse keeps its dip');
    assert.equal(out[5]![j], 4, 'rows without a sample are not zeros');
  }
  // Bucket boundaries follow absolute time: moving the view by a row does not move them.
  const shifted = outFor(cols.length);
  store.read(cols, shifted, { from: 3600.25, to: 7200.25, maxPoints: 360 });
  assert.deepEqual(shifted[0]!.slice(0, 50), out[0]!.slice(0, 50));
});

test('a bucket with no sample at all is a gap', () => {
  const store = new SeriesStore(createSeriesBuffer());
  fillStore(store, 400, 100, (i, r) => {
    r[Col.wire] = i >= 40 && i < 80 ? Number.NaN : 2;
  });
  const out = outFor(2);
  store.read([Col.time, Col.wire], out, { from: 100, to: 200, maxPoints: 10 });
  assert.deepEqual(out[1], [2, null, 2, 2, 2, 2, 2, 2, 2, 2]);
});

test('the ring wraps: the oldest rows go, reads stay in time order', () => {
  const store = new SeriesStore(createSeriesBuffer());
  const extra = 1000;
  fillStore(store, ROWS + extra, 0, (i, r) => {
    r[Col.msgs] = i;
  });
  assert.equal(store.count, ROWS);
  assert.equal(store.oldest(), extra * 0.25);
  const out = outFor(2);
  const to = (ROWS + extra - 1) * 0.25;
  assert.equal(store.read([Col.time, Col.msgs], out, { from: 0, to, maxPoints: 1e9 }), ROWS);
  for (let i = 1; i < out[0]!.length; i++) assert.ok(out[0]![i]! > out[0]![i - 1]!);
  assert.equal(out[1]![0], extra);
  assert.equal(store.countAfter(to - 1), 4);
  assert.equal(store.countAfter(to), 0);
});

test('steady reads reuse their output arrays', () => {
  const store = new SeriesStore(createSeriesBuffer());
  fillStore(store, 5000, 0, (i, r) => {
    r[Col.msgs] = i;
  });
  const out = outFor(2);
  const arrays = [...out];
  for (let i = 0; i < 200; i++) {
    store.read([Col.time, Col.msgs], out, { from: i, to: i + 900, maxPoints: 500 });
    assert.ok(out[0]!.length <= 502);
  }
  assert.equal(out[0], arrays[0]);
  assert.equal(out[1], arrays[1]);
});

test('reading and folding allocate nothing per frame once the outputs have grown', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const store = new SeriesStore(createSeriesBuffer());
  // Whole-second times and integer values: V8 keeps them unboxed in the output arrays, so what
  // is measured is the read and the fold themselves. (Fractional values are boxed when stored into
  // the plain arrays uPlot needs for its gaps: one small number per point drawn, bounded by the
  // chart's width, not by the rows read.)
  for (let i = 0; i < ROWS; i++) {
    row.fill(Number.NaN);
    row[Col.time] = 1_700_000_000 + i;
    row[Col.msgs] = (i % 2) * 2; // a mean of 1 in every bucket
    row[Col.wire] = i % 5;
    row[Col.fill] = i % 3;
    store.append(row, 1);
  }
  const cols = [Col.time, Col.msgs, Col.wire, Col.fill];
  const out = outFor(cols.length);
  const view = { from: 1_700_000_000, to: 1_700_000_000 + ROWS, maxPoints: 512 };
  // Warm up: the outputs grow to their length and the read is optimised (a real page runs for hours).
  for (let i = 0; i < 3000; i++) store.read(cols, out, view);
  gc();
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 2000; i++) {
    view.from += 1;
    view.to += 1;
    store.read(cols, out, view);
  }
  const growth = process.memoryUsage().heapUsed - before;
  await new Promise((resolve) => setTimeout(resolve, 50));
  obs.disconnect();
  assert.equal(gcs, 0, `${gcs} collections in 2000 reads of ${ROWS} rows`);
  // Nothing per row or per point: 16384 rows and 512 points a read would be megabytes a read.
  assert.ok(growth / 2000 < 256, `heap grew ${growth} bytes in 2000 reads`);
});
