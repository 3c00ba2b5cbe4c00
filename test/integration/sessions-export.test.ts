/**
 * Export from the app, through the headless host: record a short session of the simulated feeds,
 * export it as CSV and as JSON lines (in the background, progress and result in the sessions
 * state), find one row per record in `<sessions>/exports/`, download both, and see the refusals —
 * bad names and formats, paths that try to leave the folder, a session that does not exist, the
 * session being recorded. Also: the recording's status carries its segment file, its policy and
 * the free disk, and a recording-policy change is saved without restarting the feeds.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ExportStatus, SessionsState } from '../../src/common/api.ts';
import { CSV_COLUMNS } from '../../src/main/recorder/session-export.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));
let child: ChildProcess;
let url = '';
let sessions = '';
let configPath = '';

before(async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'tickscope-export-'));
  sessions = join(tmp, 'sessions');
  configPath = join(tmp, 'config.json');
  child = spawn(
    process.execPath,
    [
      bin,
      'serve',
      '--port',
      '0',
      '--sessions',
      sessions,
      '--config',
      configPath,
      '--sim-venues',
      'binance,okx',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no URL in 120 s')), 120_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(t);
      resolve(l);
    });
  });
});

after(async () => {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
});

const state = async (): Promise<SessionsState> =>
  (await fetch(`${url}api/sessions`)).json() as Promise<SessionsState>;
const post = async (
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url.slice(0, -1) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const command = (body: unknown) => post('api/sessions', body);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function finished(name: string, format: string): Promise<ExportStatus> {
  const end = Date.now() + 30_000;
  for (;;) {
    const e = (await state()).exports.find((x) => x.name === name && x.format === format);
    if (e && e.state !== 'running') return e;
    if (Date.now() > end) throw new Error(`export ${name}.${format} did not finish: ${JSON.stringify(e)}`);
    await sleep(100);
  }
}

test('the recording status says where it writes, with which policy, and how much disk is free', async () => {
  const idle = await state();
  assert.ok((idle.recording.freeBytes ?? 0) > 0, 'free disk known before the folder exists');
  assert.deepEqual(idle.nextPolicy, { fsyncMs: 1000, compressors: 2, codec: 'columnar', segmentMiB: 256 });
  assert.ok(idle.recording.at > 0);
  assert.deepEqual(idle.exports, []);
});

test('a recording-policy change is saved and taken up by the next recording, not the feeds', async () => {
  const config = (await (await fetch(`${url}api/config`)).json()) as Record<string, unknown>;
  const r = await post('api/config', {
    ...config,
    recording: { fsyncMs: 200, compressors: 1, codec: 'zstd', segmentMiB: 64 },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual((await state()).nextPolicy, {
    fsyncMs: 200,
    compressors: 1,
    codec: 'zstd',
    segmentMiB: 64,
  });
  const saved = JSON.parse(await readFile(configPath, 'utf8')) as { recording: unknown };
  assert.deepEqual(saved.recording, { fsyncMs: 200, compressors: 1, codec: 'zstd', segmentMiB: 64 });
  const bad = await post('api/config', { ...config, recording: { codec: 'lz4' } });
  assert.equal(bad.status, 422);
  assert.match(JSON.stringify(bad.body), /recording.codec/);
});

test('export a recorded session as CSV and JSON lines: one row per record, downloadable; the refusals', async () => {
  assert.deepEqual((await command({ action: 'record' })).body, { ok: true });
  await sleep(2000);
  const during = await state();
  assert.equal(during.recording.active, true);
  assert.match(during.recording.segment ?? '', /segment-000001\.tsb$/);
  assert.ok(during.recording.segment!.startsWith(join(sessions, during.recording.name!)));
  assert.deepEqual(during.recording.policy, { fsyncMs: 200, compressors: 1, codec: 'zstd', segmentMiB: 64 });
  assert.ok((during.recording.freeBytes ?? 0) > 0);
  const name = during.recording.name!;
  const busy = await command({ action: 'export', name, format: 'csv' });
  assert.equal(busy.status, 409, 'not the session being recorded');
  assert.match(String(busy.body.error), /being recorded/);
  assert.deepEqual((await command({ action: 'stop' })).body, { ok: true });

  const s = (await state()).sessions.find((x) => x.name === name)!;
  assert.ok(s.records > 0 && s.closed, JSON.stringify(s));

  assert.deepEqual((await command({ action: 'export', name, format: 'csv' })).body, { ok: true });
  assert.deepEqual((await command({ action: 'export', name, format: 'jsonl' })).body, { ok: true });
  const csv = await finished(name, 'csv');
  const jsonl = await finished(name, 'jsonl');
  for (const e of [csv, jsonl]) {
    assert.equal(e.state, 'done', JSON.stringify(e));
    assert.equal(e.records, s.records, 'one row per record');
    assert.equal(e.damaged, 0);
    assert.equal(e.read, e.total);
    assert.equal(e.path, join(sessions, 'exports', `${name}.${e.format}`));
  }
  assert.deepEqual(
    (await readdir(join(sessions, 'exports'))).sort(),
    [`${name}.csv`, `${name}.jsonl`],
    'no temporary file left',
  );

  const csvText = await readFile(csv.path, 'utf8');
  const lines = csvText.trimEnd().split('\n');
  assert.equal(lines[0], CSV_COLUMNS.join(','));
  assert.equal(lines.length - 1, s.records);
  assert.equal(Buffer.byteLength(csvText), csv.bytes);
  const rows = (await readFile(jsonl.path, 'utf8')).trimEnd().split('\n');
  assert.equal(rows.length, s.records);
  const first = JSON.parse(rows[0]!) as { venue: string; receiveTimeMs: number };
  assert.ok(['binance', 'okx'].includes(first.venue));
  assert.ok(first.receiveTimeMs > 0);

  // Download: the same bytes, as an attachment.
  const dl = await fetch(`${url}api/sessions?download=${encodeURIComponent(name)}&format=csv`);
  assert.equal(dl.status, 200);
  assert.match(dl.headers.get('content-type') ?? '', /^text\/csv/);
  assert.equal(dl.headers.get('content-disposition'), `attachment; filename="${name}.csv"`);
  assert.equal(await dl.text(), csvText);
  const dlj = await fetch(`${url}api/sessions?download=${encodeURIComponent(name)}&format=jsonl`);
  assert.equal(dlj.status, 200);
  assert.equal((await dlj.text()).trimEnd().split('\n').length, s.records);

  // Parquet, from the same drawer: DuckDB writes it on the export worker; it downloads as a file.
  assert.deepEqual((await command({ action: 'export', name, format: 'parquet' })).body, { ok: true });
  const parquet = await finished(name, 'parquet');
  assert.equal(parquet.state, 'done', JSON.stringify(parquet));
  assert.equal(parquet.records, s.records, 'one row per record');
  assert.equal(parquet.path, join(sessions, 'exports', `${name}.parquet`));
  const dlp = await fetch(`${url}api/sessions?download=${encodeURIComponent(name)}&format=parquet`);
  assert.equal(dlp.status, 200);
  const bytes = Buffer.from(await dlp.arrayBuffer());
  // A Parquet file begins and ends with its magic.
  assert.equal(bytes.subarray(0, 4).toString(), 'PAR1');
  assert.equal(bytes.subarray(-4).toString(), 'PAR1');
  assert.equal(bytes.length, parquet.bytes);

  // Refusals: unknown format, missing or escaping names — nothing outside the folder is read.
  for (const bad of [
    { action: 'export', name, format: 'xlsx' },
    { action: 'export', name, format: 'csv', out: '/tmp/x.csv' },
    { action: 'export', format: 'csv' },
    { action: 'export', name: '../../etc', format: 'csv' },
    { action: 'export', name: '..', format: 'csv' },
    { action: 'export', name: 'no such session', format: 'csv' },
  ]) {
    const r = await command(bad);
    assert.ok(r.status === 422 || r.status === 409, `${JSON.stringify(bad)} → ${r.status}`);
    assert.equal(r.body.ok, false);
  }
  for (const q of [
    `download=${encodeURIComponent(name)}&format=exe`,
    `download=${encodeURIComponent(name)}`,
    'download=..%2F..%2Fetc%2Fpasswd&format=csv',
    `download=${encodeURIComponent(`../${name}`)}&format=csv`,
    'download=nothing&format=csv',
  ]) {
    const r = await fetch(`${url}api/sessions?${q}`);
    assert.equal(r.status, 404, q);
    assert.equal(((await r.json()) as { ok: boolean }).ok, false);
  }
  // The listed sessions do not include the exports folder.
  assert.deepEqual(
    (await state()).sessions.map((x) => x.name),
    [name],
  );
});
