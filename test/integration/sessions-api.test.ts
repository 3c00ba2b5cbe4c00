/**
 * Recording and sessions through the headless host, as the app's panels use them: start a
 * recording of the live (simulated) feeds, stop it, see it listed with its records, rename it,
 * replay it (the feed becomes the replay) and go back to live, delete it; refusals are clear and
 * change nothing; names cannot reach outside the sessions folder.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SessionsState } from '../../src/common/api.ts';
import { Off, RECORD_SIZE, RecordKind } from '../../src/common/record.ts';
import { openSession, readRecords } from '../../src/main/recorder/session-reader.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));
let child: ChildProcess;
let url = '';
let sessions = '';

before(async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'tickscope-sessions-'));
  sessions = join(tmp, 'sessions');
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
      join(tmp, 'config.json'),
      '--sim-venues',
      'binance,kraken',
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
const command = async (body: unknown): Promise<{ status: number; body: { ok: boolean; error?: string } }> => {
  const res = await fetch(`${url}api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url.slice(0, -1) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { ok: boolean; error?: string } };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('record, stop, list, rename, replay, live, delete — and the refusals', async () => {
  assert.equal((await state()).recording.active, false);
  assert.deepEqual((await command({ action: 'record' })).body, { ok: true });
  assert.equal((await command({ action: 'record' })).status, 409, 'one recording at a time');
  await sleep(2500);
  const during = await state();
  assert.equal(during.recording.active, true);
  assert.ok(during.recording.records > 0, 'records arriving');
  assert.ok((during.recording.freeBytes ?? 0) > 0, 'free disk shown');
  assert.equal(
    (await command({ action: 'replay', name: during.recording.name })).status,
    409,
    'no replay while recording',
  );
  assert.deepEqual((await command({ action: 'stop' })).body, { ok: true });

  const listed = await state();
  assert.equal(listed.sessions.length, 1);
  const s = listed.sessions[0]!;
  assert.ok(s.records > 0 && s.closed && s.bytes > 0, JSON.stringify(s));
  assert.deepEqual(s.venues.sort(), ['binance', 'kraken']);

  // Names cannot leave the folder; unknown actions and keys are refused.
  for (const bad of [
    { action: 'rename', name: s.name, to: '../escape' },
    { action: 'delete', name: '../../etc' },
    { action: 'rename', name: s.name, to: '' },
    { action: 'explode' },
    { action: 'stop', extra: 1 },
    { action: 'replay', name: s.name, speed: -1 },
  ]) {
    const r = await command(bad);
    assert.ok(r.status === 422 || r.status === 409, `${JSON.stringify(bad)} → ${r.status}`);
    assert.equal(r.body.ok, false);
  }
  assert.deepEqual((await command({ action: 'rename', name: s.name, to: 'morning run' })).body, { ok: true });
  assert.deepEqual(await readdir(sessions), ['morning run']);
  const inspected = (await (
    await fetch(`${url}api/sessions?inspect=${encodeURIComponent('morning run')}`)
  ).json()) as {
    ok: boolean;
    inspection: { records: number; corruptBlocks: number; byVenue: Record<string, number> };
  };
  assert.equal(inspected.ok, true);
  assert.equal(inspected.inspection.records, s.records, 'the blocks hold what the manifest says');
  assert.equal(inspected.inspection.corruptBlocks, 0);
  assert.deepEqual(Object.keys(inspected.inspection.byVenue).sort(), ['binance', 'kraken']);
  assert.equal((await fetch(`${url}api/sessions?inspect=..%2Fx`)).status, 404);

  assert.equal((await command({ action: 'pause' })).status, 409, 'nothing to pause while live');
  assert.deepEqual((await command({ action: 'replay', name: 'morning run', speed: 1 })).body, { ok: true });
  const replaying = await state();
  assert.equal(replaying.replaying?.name, 'morning run');
  // Pause holds the position; resume, a seek back to the start and 'max' run it to the end.
  await sleep(700);
  assert.deepEqual((await command({ action: 'pause' })).body, { ok: true });
  await sleep(400);
  const held = (await state()).replaying!;
  assert.equal(held.paused, true);
  await sleep(500);
  assert.equal((await state()).replaying!.position, held.position, 'no progress while paused');
  assert.ok(held.position! > held.start!, 'it had moved before the pause');
  assert.deepEqual((await command({ action: 'resume' })).body, { ok: true });
  assert.deepEqual((await command({ action: 'seek', to: held.start! })).body, { ok: true });
  assert.deepEqual((await command({ action: 'speed', speed: 'max' })).body, { ok: true });
  const end = Date.now() + 5000;
  while (!(await state()).replaying!.done && Date.now() < end) await sleep(100);
  assert.equal((await state()).replaying!.done, true, 'replayed to the end');
  assert.equal((await command({ action: 'delete', name: 'morning run' })).status, 409, 'not while replayed');
  assert.deepEqual((await command({ action: 'live' })).body, { ok: true });
  assert.equal((await state()).replaying, null);

  assert.deepEqual((await command({ action: 'delete', name: 'morning run' })).body, { ok: true });
  assert.deepEqual(await readdir(sessions), []);
  assert.equal((await state()).sessions.length, 0);
});

test('a recording started on running feeds starts every book from a whole image of it', async () => {
  // The feeds have been live for seconds: their venue snapshots are long gone by the time the
  // recording starts, so without the images its book rows would be deltas with no base.
  assert.deepEqual((await command({ action: 'record' })).body, { ok: true });
  await sleep(1500);
  const { name } = (await state()).recording;
  assert.deepEqual((await command({ action: 'stop' })).body, { ok: true });
  const session = await openSession(join(sessions, name!));
  const resets = new Map<number, number>();
  const bookRows = new Set<number>();
  for await (const block of readRecords(session)) {
    const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
    for (let at = 0; at < block.byteLength; at += RECORD_SIZE) {
      const kind = v.getUint8(at + Off.kind);
      const id = v.getUint32(at + Off.instrumentId, true);
      if (kind === RecordKind.bookDelta) bookRows.add(id);
      if (kind === RecordKind.bookReset) resets.set(id, (resets.get(id) ?? 0) + 1);
    }
  }
  assert.ok(bookRows.size >= 4, `books recorded for ${bookRows.size} instruments`);
  for (const id of bookRows) {
    const label = session.instruments.get(id);
    assert.ok((resets.get(id) ?? 0) >= 1, `${label?.venue}:${label?.symbol} has a bookReset to start from`);
  }
  assert.deepEqual((await command({ action: 'delete', name: name! })).body, { ok: true });
});
