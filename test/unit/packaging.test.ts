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
  // The window icon is packed beside app.asar, where index.ts looks for it when packaged.
  assert.deepEqual(builder.extraResources, [{ from: 'resources/icon.png', to: 'icon.png' }]);
  const main = readFileSync(new URL('src/main/index.ts', root), 'utf8');
  assert.match(main, /app\.isPackaged \? join\(process\.resourcesPath, 'icon\.png'\)/);
});

test('packaging: the GitHub workflow installs the binary, lets the sandbox run, and drives the packaged app', () => {
  // It cannot run here (no Electron download): its steps are checked for what each must do, in order.
  const wf = readFileSync(new URL('.github/workflows/ci.yml', root), 'utf8');
  const job = wf.slice(wf.indexOf('linux-electron:'), wf.indexOf('\n  unit:'));
  const at = (s: string): number => {
    const i = job.indexOf(s);
    assert.ok(i >= 0, `linux-electron job: ${s}`);
    return i;
  };
  const order = [
    'npm ci',
    'npx install-electron --no',
    'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
    'npm run test:e2e',
    'TICKSCOPE_E2E: electron',
    'npm run dist',
    'EnableNodeCliInspectArguments=on',
    'npx playwright test e2e/dashboard.spec.ts',
  ].map(at);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    'install → sandbox → e2e → dist → smoke, in that order',
  );
  // The smoke test launches the executable electron-builder writes.
  assert.equal(builder.linux.executableName, 'tickscope');
  assert.match(job, /TICKSCOPE_E2E_APP: \$\{\{ github\.workspace \}\}\/dist\/smoke\/tickscope/);
  const commands = job
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');
  assert.ok(!/--no-sandbox|NO_SANDBOX/.test(commands), 'the sandbox stays on');
  const main = readFileSync(new URL('src/main/index.ts', root), 'utf8');
  assert.match(main, /^app\.enableSandbox\(\);$/m);
});
