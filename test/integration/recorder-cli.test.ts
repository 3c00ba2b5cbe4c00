/**
 * `tickscope inspect` and `tickscope export` as a user runs them: real child processes on real
 * session folders.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type MarketRecord, RECORD_SIZE, readRecord } from '../../src/common/record.ts';
import { CSV_COLUMNS } from '../../src/main/recorder/session-export.ts';
import { flagNames, KIND_NAMES } from '../../src/main/recorder/session-reader.ts';
import { FIXTURE_INSTRUMENTS, makeRecords, writeSession } from '../helpers/session-fixture.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'tickscope-cli-rec-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
}

const COUNT = 3000;
const records = makeRecords(COUNT, 21);
const fixture = writeSession(join(tmp, 'session'), records, { blockRecords: 200, blocksPerSegment: 4 });
const expected: MarketRecord[] = [];
{
  const v = new DataView(records.buffer);
  for (let i = 0; i < COUNT; i++) expected.push(readRecord(v, i * RECORD_SIZE));
}
const symbolOf = (id: number): string => FIXTURE_INSTRUMENTS.find((i) => i.instrumentId === id)!.symbol;
const venues = ['unknown', 'binance', 'coinbase'];
const iso = (t: number): string | null => (t === 0 ? null : new Date(t).toISOString());

test('inspect --json prints exactly one JSON object with the counts', () => {
  const r = run(['inspect', fixture.dir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const j = JSON.parse(lines[0]!);
  assert.equal(j.records, COUNT);
  assert.equal(j.blocks, fixture.blocks.length);
  assert.equal(j.corruptBlocks, 0);
  assert.equal(j.truncatedBytes, 0);
  const kinds: Record<string, number> = { trade: 0, bookTop: 0, bookDelta: 0, gap: 0, bookReset: 0 };
  for (const e of expected) kinds[KIND_NAMES[e.kind]!]!++;
  assert.deepEqual(j.byKind, kinds);
  assert.equal(j.gaps, kinds.gap);
  assert.equal(typeof j.bytes, 'number');
  assert.equal(j.compressionRatio, (COUNT * 64) / j.bytes);
  assert.equal(j.start, Math.min(...expected.map((e) => e.receiveTime)));
  assert.equal(j.end, Math.max(...expected.map((e) => e.receiveTime)));
  for (const key of ['byVenue', 'byInstrument']) assert.equal(typeof j[key], 'object');
});

test('inspect without --json prints a readable summary; damage is listed with offsets', () => {
  const r = run(['inspect', fixture.dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /records\s+3,000 in 15 blocks, 4 segments/);
  assert.match(r.stdout, /ratio \d+\.\d\d×/);
  assert.match(r.stdout, /binance:BTC-USDT/);
  assert.match(r.stdout, /damage\s+none/);

  const damaged = writeSession(join(tmp, 'damaged'), records, { blockRecords: 200, blocksPerSegment: 4 });
  const b = damaged.blocks[2]!;
  const p = join(damaged.dir, b.segment);
  const bytes = readFileSync(p);
  bytes[b.offset + 60]! ^= 1;
  writeFileSync(p, bytes);
  const last = damaged.blocks.at(-1)!;
  truncateSync(join(damaged.dir, last.segment), last.offset + 10);
  const j = JSON.parse(run(['inspect', damaged.dir, '--json']).stdout);
  assert.equal(j.corruptBlocks, 1);
  assert.deepEqual(j.corruptSpans[0], {
    segment: b.segment,
    offset: b.offset,
    bytes: b.size,
    reason: 'payload CRC mismatch',
  });
  assert.equal(j.truncatedBytes, 10);
  assert.equal(j.records, COUNT - b.records - last.records);
  const text = run(['inspect', damaged.dir]).stdout;
  assert.match(text, new RegExp(`corrupt\\s+${b.segment} at offset ${b.offset}, ${b.size} bytes`));
  assert.match(text, new RegExp(`torn tail ${last.segment} at offset ${last.offset}, 10 bytes`));
});

test('export --format csv: a header row, then one row per record with every field', () => {
  const r = run(['export', fixture.dir, '--format', 'csv']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], CSV_COLUMNS.join(','));
  assert.equal(lines.length, COUNT + 1);
  lines.slice(1).forEach((line, i) => {
    const c = Object.fromEntries(line.split(',').map((v, k) => [CSV_COLUMNS[k]!, v]));
    const e = expected[i]!;
    assert.equal(c.kind, KIND_NAMES[e.kind]);
    assert.equal(c.venue, venues[e.venue]);
    assert.equal(c.symbol, symbolOf(e.instrumentId));
    assert.equal(Number(c.instrument_id), e.instrumentId);
    assert.equal(c.flags, flagNames(e.flags).join('|'));
    assert.equal(Number(c.price), e.price);
    assert.equal(Number(c.quantity), e.quantity);
    assert.equal(Number(c.exchange_time_ms), e.exchangeTime);
    assert.equal(c.exchange_time, iso(e.exchangeTime) ?? '');
    assert.equal(Number(c.receive_time_ms), e.receiveTime);
    assert.equal(c.receive_time, iso(e.receiveTime));
    assert.equal(Number(c.event_time_ms), e.eventTime);
    assert.equal(c.event_time, iso(e.eventTime) ?? '');
    assert.equal(Number(c.sequence), e.sequence);
    assert.equal(Number(c.feed), e.feedId);
    assert.equal(Number(c.connection), e.connectionId);
    assert.equal(Number(c.wire_bytes), e.wireBytes);
  });
});

test('export --format jsonl --out FILE: one JSON object per record', () => {
  const out = join(tmp, 'out.jsonl');
  const r = run(['export', fixture.dir, '--format', 'jsonl', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /3,000 records to /);
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, COUNT);
  lines.forEach((line, i) => {
    const j = JSON.parse(line);
    const e = expected[i]!;
    assert.deepEqual(j, {
      kind: KIND_NAMES[e.kind],
      venue: venues[e.venue],
      symbol: symbolOf(e.instrumentId),
      instrumentId: e.instrumentId,
      flags: flagNames(e.flags),
      price: e.price,
      quantity: e.quantity,
      exchangeTime: iso(e.exchangeTime),
      exchangeTimeMs: e.exchangeTime,
      receiveTime: iso(e.receiveTime),
      receiveTimeMs: e.receiveTime,
      eventTime: iso(e.eventTime),
      eventTimeMs: e.eventTime,
      sequence: e.sequence,
      feed: e.feedId,
      connection: e.connectionId,
      wireBytes: e.wireBytes,
    });
  });
});

test('export without a manifest names instruments by id', () => {
  const bare = writeSession(join(tmp, 'bare'), records.subarray(0, 10 * RECORD_SIZE), { manifest: false });
  const r = run(['export', bare.dir, '--format', 'csv']);
  assert.equal(r.status, 0, r.stderr);
  const first = r.stdout.split('\n')[1]!.split(',');
  assert.equal(first[2], `#${expected[0]!.instrumentId}`);
});

test('clear errors: missing folder, unknown format, unwritable --out (exit 1), bad flags (exit 2)', () => {
  const readOnly = join(tmp, 'read-only.csv');
  writeFileSync(readOnly, '');
  chmodSync(readOnly, 0o444);
  const asRoot = process.getuid?.() === 0;
  const cases: [string[], number, RegExp][] = [
    [['inspect', join(tmp, 'nope')], 1, /^tickscope inspect: no session at .*nope: no such folder$/],
    [
      ['export', join(tmp, 'nope'), '--format', 'csv'],
      1,
      /^tickscope export: no session at .*: no such folder$/,
    ],
    [
      ['export', fixture.dir, '--format', 'xml'],
      2,
      /^tickscope export: unknown --format 'xml' \(formats: csv, jsonl, parquet\)$/,
    ],
    [['export', fixture.dir], 2, /^tickscope export: --format is required/],
    [
      ['export', fixture.dir, '--format', 'csv', '--out', join(tmp, 'no-such-dir', 'x.csv')],
      1,
      /^tickscope export: cannot write .*x\.csv: ENOENT/,
    ],
    [
      ['export', fixture.dir, '--format', 'csv', '--out', tmp],
      1,
      /^tickscope export: cannot write .*: EISDIR/,
    ],
    [['inspect', fixture.dir, '--bogus'], 2, /^tickscope inspect: Unknown option '--bogus'/],
    [['inspect'], 2, /^tickscope inspect: a session folder is required/],
    [['export', fixture.dir, fixture.dir, '--format', 'csv'], 2, /one session folder at a time/],
  ];
  if (!asRoot) cases.push([['export', fixture.dir, '--format', 'csv', '--out', readOnly], 1, /EACCES/]);
  for (const [args, code, msg] of cases) {
    const r = run(args);
    assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.match(r.stderr.trim(), msg);
    assert.equal(r.stdout, '');
  }
});

test('a session the recorder wrote reads back in full: inspect agrees with the manifest', () => {
  const dir = join(tmp, 'recorded');
  const rec = run(['record', '--out', dir, '--duration', '2', '--rate', '2000']);
  assert.equal(rec.status, 0, rec.stderr);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const j = JSON.parse(run(['inspect', dir, '--json']).stdout);
  assert.ok(j.records > 0);
  assert.equal(j.records, manifest.counts.records);
  assert.equal(j.corruptBlocks, 0);
  assert.equal(j.truncatedBytes, 0);
  for (const [kind, n] of Object.entries(manifest.counts.byKind as Record<string, number>))
    assert.equal(j.byKind[kind] ?? 0, n, kind);
  const csv = run(['export', dir, '--format', 'csv']);
  assert.equal(csv.status, 0, csv.stderr);
  assert.equal(csv.stdout.trimEnd().split('\n').length, j.records + 1);
});
