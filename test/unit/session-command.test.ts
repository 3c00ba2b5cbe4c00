/**
 * The recording and sessions command contract (IPC and HTTP both go through parseSessionCommand):
 * every action with its arguments, and every malformed command refused with its reason —
 * including the export command's name and format.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportDownloadPath, parseSessionCommand } from '../../src/common/api.ts';

test('well-formed commands parse to themselves (replay speed defaults to 1×)', () => {
  for (const c of [
    { action: 'record' },
    { action: 'stop' },
    { action: 'rename', name: 'a', to: 'b' },
    { action: 'delete', name: 'a' },
    { action: 'replay', name: 'a', speed: 'max' },
    { action: 'pause' },
    { action: 'speed', speed: 4 },
    { action: 'seek', to: 1_700_000_000_000 },
    { action: 'live' },
    { action: 'export', name: 'session-2026-01-01T00-00-00', format: 'csv' },
    { action: 'export', name: 'morning run', format: 'jsonl' },
  ]) {
    const r = parseSessionCommand(c);
    assert.deepEqual(r, { ok: true, command: c });
  }
  assert.deepEqual(parseSessionCommand({ action: 'replay', name: 'a' }), {
    ok: true,
    command: { action: 'replay', name: 'a', speed: 1 },
  });
});

test('export: a name and a known format, nothing else', () => {
  const cases: [unknown, RegExp][] = [
    [{ action: 'export', format: 'csv' }, /export needs a name/],
    [{ action: 'export', name: '', format: 'csv' }, /export needs a name/],
    [{ action: 'export', name: 7, format: 'csv' }, /export needs a name/],
    [{ action: 'export', name: 'x'.repeat(101), format: 'csv' }, /export needs a name/],
    [{ action: 'export', name: 'a' }, /format must be one of csv, jsonl/],
    [{ action: 'export', name: 'a', format: 'xlsx' }, /format must be one of csv, jsonl/],
    [{ action: 'export', name: 'a', format: 'CSV' }, /format must be one of/],
    [{ action: 'export', name: 'a', format: 'csv', out: '/etc/passwd' }, /unknown key 'out'/],
  ];
  for (const [input, msg] of cases) {
    const r = parseSessionCommand(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) assert.match(r.error, msg, JSON.stringify(input));
  }
});

test('malformed commands are refused with the reason', () => {
  const cases: [unknown, RegExp][] = [
    [null, /must be an object/],
    [['record'], /must be an object/],
    [{ action: 'explode' }, /unknown action 'explode' .*export/],
    [{ action: 'stop', now: true }, /unknown key 'now'/],
    [{ action: 'rename', name: 'a' }, /rename needs name and to/],
    [{ action: 'replay', name: 'a', speed: 0 }, /speed must be/],
    [{ action: 'seek', to: -1 }, /seek needs/],
  ];
  for (const [input, msg] of cases) {
    const r = parseSessionCommand(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) assert.match(r.error, msg);
  }
});

test('the download address encodes the name', () => {
  assert.equal(exportDownloadPath('morning run', 'csv'), 'api/sessions?download=morning%20run&format=csv');
});
