import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const builder = JSON.parse(readFileSync(new URL('electron-builder.json', root), 'utf8'));

test('packaging: Electron fuses turn off what the app never uses (RunAsNode, NODE_OPTIONS, --inspect)', () => {
  const f = builder.electronFuses;
  assert.equal(f.runAsNode, false);
  assert.equal(f.enableNodeOptionsEnvironmentVariable, false);
  assert.equal(f.enableNodeCliInspectArguments, false);
  assert.equal(f.onlyLoadAppFromAsar, true);
  assert.equal(f.enableEmbeddedAsarIntegrityValidation, true);
  assert.equal(f.grantFileProtocolExtraPrivileges, false);
  assert.equal(builder.asar, true);
});

test('packaging: Linux AppImage and deb, macOS dmg, Windows nsis, with the icon from resources', () => {
  assert.deepEqual(builder.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(builder.mac.target, ['dmg']);
  assert.deepEqual(builder.win.target, ['nsis']);
  for (const os of ['linux', 'mac', 'win']) {
    assert.equal(builder[os].icon, 'resources/icon.png');
    assert.ok(existsSync(new URL(builder[os].icon, root)), `${os} icon exists`);
  }
  // Only the built app goes in: no sources, tests or source maps.
  assert.deepEqual(builder.files, ['out/**', 'package.json', '!**/*.map']);
});
