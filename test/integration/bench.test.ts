/**
 * Benchmarks are not tests: this only checks that `tickscope bench pipeline --json` runs end to
 * end on a tiny scale and prints well-formed rows for every subject and metric.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));

test('bench pipeline --json prints one row per subject, batch and metric', () => {
  const r = spawnSync(
    process.execPath,
    [bin, 'bench', 'pipeline', '--json', '--scale', '0.005', '--repeat', '1'],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const keys = rows.map((x) => `${x.subject}/${x.readers}/${x.batch}/${x.metric}`);
  for (const k of [
    'tickscope/1/1/records_per_s',
    'tickscope/2/1/records_per_s',
    'tickscope/1/256/records_per_s',
    'tickscope/2/256/records_per_s',
    'ringbuf.js/1/1/records_per_s',
    'ringbuf.js/1/256/records_per_s',
    'postMessage/1/1/records_per_s',
    'postMessage-batch/1/256/records_per_s',
    'tickscope/1/1/latency_p99_us',
    'postMessage/1/1/latency_p999_us',
  ]) {
    assert.ok(keys.includes(k), `row ${k}`);
  }
  for (const x of rows) {
    assert.equal(x.bench, 'pipeline');
    assert.ok(Number.isFinite(x.value) && x.value > 0, `${x.subject} ${x.metric} = ${x.value}`);
  }
  const bad = spawnSync(process.execPath, [bin, 'bench', 'nope'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown benchmark 'nope'/);
});

test('bench record --json runs end to end at a tiny scale and prints the contract lines', () => {
  const r = spawnSync(process.execPath, [bin, 'bench', 'record', '--json', '--scale', '0.02'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as { bench: string; subject: string; metric: string; value: number; stream: string },
    );
  for (const stream of ['trades', 'book', 'mixed'])
    for (const subject of ['tickscope', 'tickscope-v1', 'parquet-zstd', 'csv-gzip', 'jsonl', 'jsonl-gzip'])
      for (const metric of ['records_per_s', 'bytes_per_record'])
        assert.ok(
          rows.some(
            (x) =>
              x.bench === 'record' &&
              x.stream === stream &&
              x.subject === subject &&
              x.metric === metric &&
              x.value > 0,
          ),
          `${stream} ${subject} ${metric}`,
        );
  for (const subject of ['tickscope', 'tickscope-v1'])
    assert.ok(rows.some((x) => x.subject === subject && x.metric === 'replay_records_per_s' && x.value > 0));
  // The same records: v2 is smaller than v1 on every stream.
  for (const stream of ['trades', 'book', 'mixed']) {
    const size = (subject: string): number =>
      rows.find((x) => x.stream === stream && x.subject === subject && x.metric === 'bytes_per_record')!
        .value;
    assert.ok(
      size('tickscope') < size('tickscope-v1') * 0.6,
      `${stream}: v2 ${size('tickscope')}, v1 ${size('tickscope-v1')}`,
    );
  }
});

test('bench ui --json drives the dashboard in Chromium and prints the contract lines', () => {
  const r = spawnSync(process.execPath, [bin, 'bench', 'ui', '--json', '--seconds', '3', '--rate', '300'], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { bench: string; subject: string; metric: string; value: number });
  for (const metric of ['frame_p50_ms', 'frame_p99_ms', 'long_tasks_over_50ms', 'ui_latency_p99_ms'])
    assert.ok(
      rows.some(
        (x) =>
          x.bench === 'ui' && x.subject === 'tickscope' && x.metric === metric && Number.isFinite(x.value),
      ),
      metric,
    );
  const p50 = rows.find((x) => x.metric === 'frame_p50_ms')!.value;
  assert.ok(p50 > 0 && p50 < 100, `frames are being drawn (p50 ${p50} ms)`);
});
