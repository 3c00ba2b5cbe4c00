/**
 * Benchmarks are not tests: this only checks that `tickscope bench ingest --json` runs end to end
 * on a tiny scale and prints a well-formed row for every subject and metric it measures.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));

test('bench ingest --json prints one row per subject and metric', () => {
  const r = spawnSync(
    process.execPath,
    [bin, 'bench', 'ingest', '--json', '--scale', '0.01', '--repeat', '1'],
    { encoding: 'utf8', timeout: 240_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const keys = rows.map((x) => `${x.subject}/${x.metric}`);
  for (const k of [
    'tickscope/messages_per_s',
    'ws-receive/messages_per_s',
    'ws-json-parse/messages_per_s',
    'ws-extract/messages_per_s',
    'ccxt/messages_per_s',
    'tickscope/latency_p50_us',
    'tickscope/latency_p99_us',
    'tickscope/latency_p999_us',
    'ws-extract/latency_p99_us',
    'ccxt/latency_p99_us',
  ]) {
    assert.ok(keys.includes(k), `row ${k}`);
  }
  // The book-delta stream is measured where the simulator and the feed have one, and says why not
  // where they do not.
  if (!keys.includes('tickscope-book/messages_per_s')) assert.match(r.stderr, /tickscope-book: skipped/);
  for (const x of rows) {
    assert.deepEqual(Object.keys(x), ['bench', 'subject', 'metric', 'value']);
    assert.equal(x.bench, 'ingest');
    assert.ok(Number.isFinite(x.value) && x.value > 0, `${x.subject} ${x.metric} = ${x.value}`);
  }
});
