/**
 * What `npm start` (scripts/start.mjs) decides, run as a real child process against a stand-in
 * electron package (TICKSCOPE_ELECTRON_PACKAGE): its install.js is a stand-in installer that
 * either "downloads" (writes a stand-in binary where the real installer puts one) or fails as
 * the real one does offline; the stand-in binary is a small script that records its arguments.
 * The real download cannot run here; every decision around it can.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const start = fileURLToPath(new URL('../../scripts/start.mjs', import.meta.url));
const VERSION = '45.4.1';
const posix = process.platform !== 'win32';
const skip = posix ? false : 'the stand-in binary is a POSIX script';
const binaryName = process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';

const scratch = mkdtempSync(join(tmpdir(), 'tickscope-start-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

// The stand-in binary: records argv, cwd and ELECTRON_EXEC_PATH, then exits with STANDIN_EXIT.
const binarySource = `#!${process.execPath}
require('node:fs').writeFileSync(process.env.STANDIN_LOG, JSON.stringify({
  argv: process.argv.slice(2), cwd: process.cwd(), execPath: process.env.ELECTRON_EXEC_PATH ?? null,
}));
process.exit(Number(process.env.STANDIN_EXIT ?? 0));
`;

// The stand-in installer, in the shape of electron's install.js: on success it writes dist/,
// dist/version and path.txt; on failure it reports through console.error and exits 1.
const installerSource = `
const fs = require('node:fs');
const path = require('node:path');
fs.appendFileSync(process.env.STANDIN_LOG + '.installer', 'ran\\n');
if (process.env.STANDIN_INSTALL === 'fail') {
  console.error('HTTPError: Response code 404 (Not Found) for https://github.com/electron/electron/releases/download/v${VERSION}/electron-v${VERSION}-linux-x64.zip\\n    at FetchDownloader.download (stand-in.js:1:1)');
  process.exit(1);
}
process.stderr.write('Downloading electron-v${VERSION}-stand-in.zip: [====] 100%\\n');
const bin = path.join(__dirname, 'dist', ${JSON.stringify(binaryName)});
fs.mkdirSync(path.dirname(bin), { recursive: true });
fs.writeFileSync(bin, ${JSON.stringify(binarySource)}, { mode: 0o755 });
fs.writeFileSync(path.join(__dirname, 'dist', 'version'), '${VERSION}');
fs.writeFileSync(path.join(__dirname, 'path.txt'), ${JSON.stringify(binaryName)});
`;

let n = 0;
function standInPackage(opts: { installed: boolean }): { dir: string; log: string } {
  const dir = join(scratch, `electron-${n++}`);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: VERSION }));
  writeFileSync(join(dir, 'install.js'), installerSource);
  if (opts.installed) {
    const bin = join(dir, 'dist', binaryName);
    mkdirSync(join(bin, '..'), { recursive: true });
    writeFileSync(bin, binarySource);
    chmodSync(bin, 0o755);
    writeFileSync(join(dir, 'dist', 'version'), `v${VERSION}`);
    writeFileSync(join(dir, 'path.txt'), binaryName);
  }
  return { dir, log: join(dir, 'launch.json') };
}

interface Run {
  child: ChildProcess;
  out: string[];
  err: string[];
  exit: Promise<number | null>;
}

function run(args: string[], env: Record<string, string>): Run {
  const clean = { ...process.env };
  delete clean.ELECTRON_OVERRIDE_DIST_PATH;
  delete clean.ELECTRON_EXEC_PATH;
  const child = spawn(process.execPath, [start, ...args], {
    cwd: root,
    env: { ...clean, TICKSCOPE_SKIP_BUILD: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => out.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => err.push(l));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out, err, exit };
}

const launched = (log: string) => JSON.parse(readFileSync(log, 'utf8'));
const installerRuns = (log: string) =>
  existsSync(`${log}.installer`) ? readFileSync(`${log}.installer`, 'utf8').split('\n').length - 1 : 0;

test('npm start: a binary already installed is launched on the app folder; the installer does not run', {
  skip,
  timeout: 120_000,
}, async () => {
  const pkg = standInPackage({ installed: true });
  const r = run([], { TICKSCOPE_ELECTRON_PACKAGE: pkg.dir, STANDIN_LOG: pkg.log, STANDIN_INSTALL: 'fail' });
  assert.equal(await r.exit, 0, r.err.join('\n'));
  assert.deepEqual(launched(pkg.log).argv, ['.']);
  assert.equal(launched(pkg.log).cwd, root.replace(/\/$/, ''));
  assert.equal(installerRuns(pkg.log), 0);
  assert.ok(!r.out.join('\n').includes('installer'), r.out.join('\n'));
});

test('npm start: a missing binary is installed by the package installer (its progress shown), then launched; the window exit code is the exit code', {
  skip,
  timeout: 120_000,
}, async () => {
  const pkg = standInPackage({ installed: false });
  const r = run([], { TICKSCOPE_ELECTRON_PACKAGE: pkg.dir, STANDIN_LOG: pkg.log, STANDIN_EXIT: '3' });
  assert.equal(await r.exit, 3);
  assert.equal(installerRuns(pkg.log), 1);
  assert.match(r.out.join('\n'), /not installed yet; running the electron package's installer/);
  // Its stderr is the terminal's: the progress line reaches the user unchanged.
  assert.match(r.err.join('\n'), /Downloading electron-v45\.4\.1-stand-in\.zip: \[====\] 100%/);
  assert.deepEqual(launched(pkg.log).argv, ['.']);
  assert.ok(!r.err.join('\n').includes('headless host'));
});

test('npm start: a binary of another electron version counts as missing and is reinstalled', {
  skip,
  timeout: 120_000,
}, async () => {
  const pkg = standInPackage({ installed: true });
  writeFileSync(join(pkg.dir, 'dist', 'version'), 'v44.0.0');
  const r = run([], { TICKSCOPE_ELECTRON_PACKAGE: pkg.dir, STANDIN_LOG: pkg.log });
  assert.equal(await r.exit, 0, r.err.join('\n'));
  assert.equal(installerRuns(pkg.log), 1);
  assert.deepEqual(launched(pkg.log).argv, ['.']);
});

test('npm start: when the installer fails it quotes the installer, says how to install later and serves the dashboard', {
  skip,
  timeout: 120_000,
}, async () => {
  const pkg = standInPackage({ installed: false });
  const r = run(['--port', '0'], {
    TICKSCOPE_ELECTRON_PACKAGE: pkg.dir,
    STANDIN_LOG: pkg.log,
    STANDIN_INSTALL: 'fail',
    electron_config_cache: join(scratch, 'cache'),
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no URL in 90 s\n${r.err.join('\n')}`)), 90_000);
      const look = setInterval(() => {
        const line = r.out.find((l) => /^http:\/\/127\.0\.0\.1:\d+\/$/.test(l));
        if (line) {
          clearTimeout(t);
          clearInterval(look);
          resolve(line);
        }
      }, 50);
      r.exit.then((code) => {
        clearTimeout(t);
        clearInterval(look);
        reject(new Error(`exited ${code}\n${r.err.join('\n')}`));
      });
    });
    const said = r.err.join('\n');
    // The installer's own words, once from the installer itself and once quoted, without its stack.
    assert.match(
      said,
      /the Electron binary could not be installed\.\n {4}HTTPError: Response code 404 \(Not Found\)/,
    );
    assert.ok(!/^ {4}\s*at FetchDownloader/m.test(said.split('could not be installed.')[1]!));
    assert.match(said, /npx install-electron --no/);
    assert.match(said, /ELECTRON_MIRROR=/);
    // The exact folder @electron/get looks in for electron-v45.4.1-<platform>-<arch>.zip.
    assert.match(said, new RegExp(`electron-v${VERSION}-${process.platform}-${process.arch}\\.zip`));
    assert.ok(
      said.includes(
        join(scratch, 'cache', '63946acb59adc73ff164033f7dbb473beec0a930781be3b30181d4eb34ef3c3c'),
      ),
      said,
    );
    assert.match(said, /the same dashboard from the headless host/);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<div id="root">/);
    assert.ok(!existsSync(pkg.log), 'no binary was launched');
  } finally {
    r.child.kill('SIGTERM');
    await r.exit;
  }
});

test('npm start: ELECTRON_OVERRIDE_DIST_PATH without an executable falls back at once, naming it; no installer', {
  skip,
  timeout: 120_000,
}, async () => {
  const pkg = standInPackage({ installed: false });
  const empty = join(scratch, 'empty-dist');
  mkdirSync(empty, { recursive: true });
  const r = run(['--port', '0', '--duration', '1'], {
    TICKSCOPE_ELECTRON_PACKAGE: pkg.dir,
    STANDIN_LOG: pkg.log,
    ELECTRON_OVERRIDE_DIST_PATH: empty,
  });
  assert.equal(await r.exit, 0, r.err.join('\n'));
  assert.equal(installerRuns(pkg.log), 0);
  assert.ok(r.err.join('\n').includes(`ELECTRON_OVERRIDE_DIST_PATH is ${empty}`));
  assert.ok(r.out.some((l) => /^http:\/\/127\.0\.0\.1:\d+\/$/.test(l)));
});

test('npm run dev: the installed binary is handed to electron-vite dev (ELECTRON_EXEC_PATH), which launches it', {
  skip,
  timeout: 120_000,
}, async () => {
  const pkg = standInPackage({ installed: true });
  const r = run(['--dev'], { TICKSCOPE_ELECTRON_PACKAGE: pkg.dir, STANDIN_LOG: pkg.log });
  assert.equal(await r.exit, 0, `${r.out.join('\n')}\n${r.err.join('\n')}`);
  const l = launched(pkg.log);
  assert.equal(l.execPath, join(pkg.dir, 'dist', binaryName));
  assert.equal(l.argv[0], '.');
});
