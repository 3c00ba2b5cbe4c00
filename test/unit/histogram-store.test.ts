/**
 * The renderer's histogram store and the frame receiver's latency rows, under Node (no DOM in
 * either): intervals add into per-second rows, a range sum adds rows up for one stage, the ring
 * keeps an hour, a clock going backwards starts afresh, and the UI histogram is drained into the
 * row's ui columns.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Stage } from '../../src/common/feed-model.ts';
import { createDecodedFrame } from '../../src/common/frame.ts';
import { BUCKETS, bucketOf, percentileOf } from '../../src/common/latency-buckets.ts';
import {
  createHistogramBuffer,
  HIST_ROWS,
  HistogramStore,
  type RangeSum,
} from '../../src/renderer/src/series/histogram-store.ts';
import { COLUMNS, Col } from '../../src/renderer/src/series/series-layout.ts';
import { LatencyRows } from '../../src/renderer/src/worker/latency-rows.ts';

function counts(values: number[]): Uint32Array {
  const c = new Uint32Array(BUCKETS);
  for (const v of values) c[bucketOf(v)]! += 1;
  return c;
}

test('histogram store: intervals of one second share a row; ranges add rows; one stage at a time', () => {
  const w = new HistogramStore(createHistogramBuffer());
  const r = new HistogramStore(w.sab);
  const out = new Float64Array(BUCKETS);
  const sum: RangeSum = { count: 0, max: 0, rows: 0 };
  assert.equal(r.sumRange(Stage.wire, 0, 1e12, out, sum), true);
  assert.equal(sum.count, 0);
  assert.ok(Number.isNaN(r.newestSecond()));
  for (let s = 0; s < 10; s++) {
    for (let q = 0; q < 4; q++) {
      w.begin(1000 + s);
      w.add(Stage.wire, counts([100, 200]), 0, 2, 200 + s);
      w.add(Stage.disk, counts([50_000]), 0, 1, 50_000);
      w.end();
    }
  }
  assert.equal(r.count, 10);
  assert.equal(r.newestSecond(), 1009);
  assert.equal(r.version % 2, 0);
  assert.equal(r.sumRange(Stage.wire, 1000, 1009, out, sum), true);
  assert.deepEqual(sum, { count: 80, max: 209, rows: 10 });
  assert.equal(out[bucketOf(100)], 40);
  assert.equal(r.sumRange(Stage.wire, 1005, 1006, out, sum), true);
  assert.deepEqual(sum, { count: 16, max: 206, rows: 2 });
  assert.equal(r.sumRange(Stage.disk, 1000, 1009, out, sum), true);
  assert.equal(sum.count, 40);
  assert.equal(percentileOf(out, 0, sum.count, 99, sum.max), 50_000);
  assert.equal(r.sumRange(Stage.ui, 1000, 1009, out, sum), true);
  assert.equal(sum.count, 0);
});

test('histogram store: keeps the newest hour; a reset forgets; a read during a write is refused', () => {
  const w = new HistogramStore(createHistogramBuffer());
  const one = counts([10]);
  for (let s = 0; s < HIST_ROWS + 100; s++) {
    w.begin(s);
    w.add(Stage.pipeline, one, 0, 1, 10);
    w.end();
  }
  const out = new Float64Array(BUCKETS);
  const sum: RangeSum = { count: 0, max: 0, rows: 0 };
  assert.equal(w.count, HIST_ROWS);
  assert.equal(w.sumRange(Stage.pipeline, 0, 1e9, out, sum), true);
  assert.equal(sum.count, HIST_ROWS);
  assert.equal(w.sumRange(Stage.pipeline, HIST_ROWS + 100 - 3600, 1e9, out, sum), true);
  assert.equal(sum.count, 3600);
  w.begin(1e6); // a writer mid-row: readers back off
  assert.equal(w.sumRange(Stage.pipeline, 0, 1e9, out, sum), false);
  w.end();
  w.reset();
  assert.equal(w.count, 0);
});

test('latency rows: engine stages from METRICS, ui drained from the page histogram, counts per second', () => {
  const rows = new LatencyRows(new HistogramStore(createHistogramBuffer()));
  const f = createDecodedFrame();
  const m = f.metrics;
  m.end = 1_784_107_800_250;
  m.stageCount = 4;
  for (let s = 0; s < 4; s++) Object.assign(m.stages[s]!, { stage: s, count: 0 });
  Object.assign(m.stages[Stage.wire]!, { count: 3, p50: 800, p90: 900, p99: 1000, p999: 1000, max: 1200 });
  f.hasHistograms = true;
  f.histograms.stageCount = 1;
  Object.assign(f.histograms.stages[0]!, { stage: Stage.wire, count: 3, max: 1200 });
  f.histograms.stages[0]!.counts.set(counts([800, 900, 1200]));
  // The page painted three trades 4, 5 and 30 ms after the engine received them.
  for (const us of [4000, 5000, 30_000]) rows.ui.record(us);
  const row = new Float64Array(COLUMNS).fill(Number.NaN);
  rows.append(f, row);
  assert.equal(row[Col.wire + 2], 1);
  assert.equal(row[Col.wire + 4], 1.2);
  assert.ok(Number.isNaN(row[Col.pipe]!), 'no pipeline samples: a gap');
  assert.ok(Number.isNaN(row[Col.disk]!), 'not recording: a gap');
  assert.equal(row[Col.ui + 4], 30);
  assert.ok(row[Col.ui]! > 4 && row[Col.ui]! < 5.5, `ui p50 ${row[Col.ui]}`);
  const out = new Float64Array(BUCKETS);
  const sum: RangeSum = { count: 0, max: 0, rows: 0 };
  rows.histograms.sumRange(Stage.ui, 0, 1e10, out, sum);
  assert.deepEqual(sum, { count: 3, max: 30_000, rows: 1 });
  rows.histograms.sumRange(Stage.wire, 0, 1e10, out, sum);
  assert.deepEqual(sum, { count: 3, max: 1200, rows: 1 });
  // The UI histogram was drained: the next row has no UI samples.
  row.fill(Number.NaN);
  m.end += 250;
  rows.append(f, row);
  assert.ok(Number.isNaN(row[Col.ui]!));
  // A clock that went backwards (a new session) starts afresh.
  m.end -= 60_000;
  rows.append(f, row);
  assert.equal(rows.histograms.count, 1);
});
