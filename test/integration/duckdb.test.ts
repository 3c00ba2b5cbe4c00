/**
 * Parquet and SQL over a recorded session, as a user runs them: `tickscope record`, then
 * `export --format parquet` read back by DuckDB itself, and `tickscope query` — real child
 * processes, a real session, DuckDB from @duckdb/node-api (no download at run time). The rows must
 * be the session's records, with the documented types; bad SQL and bad folders get a clear error.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { runNode, tickscopeBin } from '../helpers/run-node.ts';

const run = async (args: string[]): Promise<{ code: number | null; out: string; err: string }> => {
  const r = await runNode([tickscopeBin, ...args]);
  return { code: r.code, out: r.stdout, err: r.stderr };
};

let tmp = '';
let session = '';
let records = 0;
let byKind: Record<string, number> = {};
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tickscope-duckdb-'));
  session = join(tmp, 'session');
  const r = await run(['record', '--out', session, '--sim-venues', 'binance,okx', '--duration', '2']);
  assert.equal(r.code, 0, r.err);
  const i = await run(['inspect', session, '--json']);
  assert.equal(i.code, 0, i.err);
  const inspection = JSON.parse(i.out) as { records: number; byKind: Record<string, number> };
  records = inspection.records;
  byKind = inspection.byKind;
  assert.ok(records > 100, `${records} records`);
});
after(() => rm(tmp, { recursive: true, force: true }));

test('export --format parquet: one row per record, typed columns, readable by DuckDB', async () => {
  const file = join(tmp, 'session.parquet');
  const r = await run(['export', session, '--format', 'parquet', '--out', file]);
  assert.equal(r.code, 0, r.err);
  assert.ok((await stat(file)).size > 0);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const count = await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file}')`);
    assert.equal(count.getRowObjects()[0]!.n, records, 'every record is a row');
    const types = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    const typeOf = Object.fromEntries(
      types.getRowObjects().map((row) => [String(row.column_name), String(row.column_type)]),
    );
    assert.match(typeOf.receive_time!, /^TIMESTAMP/);
    assert.equal(typeOf.price, 'DOUBLE');
    assert.equal(typeOf.quantity, 'DOUBLE');
    assert.equal(typeOf.snapshot, 'BOOLEAN');
    const kinds = await c.runAndReadAll(
      `SELECT kind::VARCHAR AS kind, count(*)::INTEGER AS n FROM read_parquet('${file}') GROUP BY 1`,
    );
    const got = Object.fromEntries(kinds.getRowObjects().map((row) => [String(row.kind), Number(row.n)]));
    for (const [kind, n] of Object.entries(byKind)) assert.equal(got[kind] ?? 0, n, `${kind} rows`);
    const venues = await c.runAndReadAll(
      `SELECT DISTINCT venue::VARCHAR AS v FROM read_parquet('${file}') ORDER BY 1`,
    );
    assert.deepEqual(
      venues.getRowObjects().map((row) => row.v),
      ['binance', 'okx'],
    );
  } finally {
    c.closeSync();
  }
});

test('query: SQL over the view records agrees with inspect; --json and --csv print rows', async () => {
  const j = await run([
    'query',
    session,
    'SELECT kind, count(*) AS n FROM records GROUP BY kind ORDER BY kind',
    '--json',
  ]);
  assert.equal(j.code, 0, j.err);
  const rows = j.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; n: number | string });
  assert.equal(
    rows.reduce((a, r) => a + Number(r.n), 0),
    records,
  );
  for (const r of rows) assert.equal(Number(r.n), byKind[r.kind] ?? 0, r.kind);
  const csv = await run([
    'query',
    session,
    "SELECT count(*) AS trades FROM records WHERE kind = 'trade'",
    '--csv',
  ]);
  assert.equal(csv.code, 0, csv.err);
  assert.deepEqual(csv.out.trim().split('\n'), ['trades', String(byKind.trade ?? 0)]);
});

test('query: bad SQL, a missing folder and bad flags get one clear line and a non-zero exit', async () => {
  const bad = await run(['query', session, 'SELEKT nothing']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /tickscope query: .*(syntax|Parser)/i);
  const missing = await run(['query', join(tmp, 'nope'), 'SELECT 1']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /tickscope query: /);
  const flags = await run(['query', session]);
  assert.equal(flags.code, 2);
  const both = await run(['query', session, 'SELECT 1', '--json', '--csv']);
  assert.equal(both.code, 2);
});
