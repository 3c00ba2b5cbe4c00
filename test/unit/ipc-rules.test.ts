import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpcChannel } from '../../src/common/api.ts';
import { DEFAULT_CONFIG } from '../../src/common/config.ts';
import {
  ipcArgs,
  isAllowedOrigin,
  isTrustedSender,
  isValidNonce,
} from '../../src/main/electron/ipc-rules.ts';

const ALLOWED = ['app://tickscope'];

test('origins compare exactly, never by prefix', () => {
  assert.equal(isAllowedOrigin('app://tickscope/index.html', ALLOWED), true);
  for (const bad of [
    'app://tickscope.attacker.com/',
    'app://tickscopex/',
    'https://tickscope/',
    'http://127.0.0.1:9/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'not a url',
    '',
  ]) {
    assert.equal(isAllowedOrigin(bad, ALLOWED), false, bad);
  }
});

test('only the main frame of our window at our origin is a trusted sender', () => {
  assert.equal(isTrustedSender({ frameUrl: 'app://tickscope/index.html', isMainFrame: true }, ALLOWED), true);
  assert.equal(
    isTrustedSender({ frameUrl: 'app://tickscope/index.html', isMainFrame: false }, ALLOWED),
    false,
  );
  assert.equal(isTrustedSender({ frameUrl: 'https://evil.example/', isMainFrame: true }, ALLOWED), false);
  assert.equal(isTrustedSender({ frameUrl: null, isMainFrame: true }, ALLOWED), false);
});

test('frame-port nonces: 16–64 URL-safe characters, nothing else', () => {
  assert.equal(isValidNonce('a'.repeat(16)), true);
  assert.equal(isValidNonce('0123456789abcdefABCDEF_-'), true);
  for (const bad of [
    '',
    'short',
    'a'.repeat(65),
    'has space in it!!',
    'ünïcödé-ünïcödé-ü',
    null,
    42,
    {},
    ['x'.repeat(20)],
  ]) {
    assert.equal(isValidNonce(bad), false, JSON.stringify(bad));
  }
});

test('every renderer → main channel has an argument schema, and only those do', () => {
  // framePort is the one main → renderer channel; everything else is an invoke the main process answers.
  const invokes = Object.keys(IpcChannel).filter((k) => k !== 'framePort');
  assert.deepEqual(Object.keys(ipcArgs).sort(), invokes.sort());
});

test('channels without arguments refuse any argument instead of ignoring it', () => {
  for (const check of [ipcArgs.appInfo, ipcArgs.getConfig, ipcArgs.sessions]) {
    assert.deepEqual(check([]), { ok: true, value: null });
    const r = check([{ __proto__: null }]);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.errors[0]!, /takes no arguments, got 1/);
  }
});

test('one-argument channels refuse a missing or an extra argument', () => {
  const nonce = 'n'.repeat(20);
  assert.deepEqual(ipcArgs.requestFramePort([nonce]), { ok: true, value: nonce });
  for (const check of [
    ipcArgs.requestFramePort,
    ipcArgs.setConfig,
    ipcArgs.feedCommand,
    ipcArgs.sessionCommand,
    ipcArgs.inspectSession,
    ipcArgs.revealExport,
  ]) {
    for (const args of [[], [nonce, nonce]]) {
      const r = check(args);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.errors[0]!, /takes one argument/);
    }
  }
});

test('argument schemas accept the values the page sends and refuse everything else, with reasons', () => {
  assert.equal(ipcArgs.requestFramePort(['short']).ok, false);
  assert.deepEqual(ipcArgs.setConfig([DEFAULT_CONFIG]), { ok: true, value: DEFAULT_CONFIG });
  const badConfig = ipcArgs.setConfig([{ version: 1, feeds: 'all', extra: true }]);
  assert.equal(badConfig.ok, false);
  assert.ok(!badConfig.ok && badConfig.errors.length >= 2, 'every problem of the config is named');
  assert.deepEqual(ipcArgs.feedCommand([{ feedId: 2, command: 'roll' }]), {
    ok: true,
    value: { feedId: 2, command: 'roll' },
  });
  for (const bad of [
    { feedId: 0, command: 'roll' },
    { feedId: 2, command: 'rm -rf' },
    { feedId: 2 },
    'roll',
  ]) {
    assert.equal(ipcArgs.feedCommand([bad]).ok, false, JSON.stringify(bad));
  }
  assert.deepEqual(ipcArgs.sessionCommand([{ action: 'record' }]), { ok: true, value: { action: 'record' } });
  assert.equal(ipcArgs.sessionCommand([{ action: 'record', path: '/etc' }]).ok, false);
  assert.deepEqual(ipcArgs.inspectSession(['session-2026-01-01T00-00-00']), {
    ok: true,
    value: 'session-2026-01-01T00-00-00',
  });
  for (const bad of ['../secret', '/etc/passwd', 'a/b', '..', 'CON', 'x.', '', 42, null]) {
    assert.equal(ipcArgs.inspectSession([bad]).ok, false, JSON.stringify(bad));
  }
  assert.deepEqual(ipcArgs.revealExport([{ name: 'day-1', format: 'csv' }]), {
    ok: true,
    value: { name: 'day-1', format: 'csv' },
  });
  for (const bad of [
    { name: 'day-1', format: 'exe' },
    { name: '../day-1', format: 'csv' },
    { name: 'day-1', format: 'csv', path: '/tmp' },
    { name: 'day-1' },
    ['day-1', 'csv'],
    'day-1.csv',
  ]) {
    assert.equal(ipcArgs.revealExport([bad]).ok, false, JSON.stringify(bad));
  }
});
