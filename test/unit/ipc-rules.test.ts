import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAllowedOrigin, isTrustedSender, isValidNonce } from '../../src/main/electron/ipc-rules.ts';

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
