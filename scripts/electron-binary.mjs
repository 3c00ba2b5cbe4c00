// The Electron binary, found and installed the way the electron package itself does it. Since
// electron 45 the package has no postinstall download: its `install-electron` command (install.js)
// downloads the binary, and requiring the package downloads it lazily. `npm start`, `npm run dev`
// and the e2e target decide from here, without ever triggering that lazy download.
// TICKSCOPE_ELECTRON_PACKAGE points at another electron package folder (the tests' stand-in).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function electronPackageDir() {
  return (
    process.env.TICKSCOPE_ELECTRON_PACKAGE ??
    fileURLToPath(new URL('../node_modules/electron/', import.meta.url))
  );
}

function packageVersion(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** The executable inside the package's dist folder, as install.js names it per platform. */
function platformPath(platform = process.platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

const read = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/**
 * The installed executable, or null. The same test as install.js's `isInstalled()`: the dist
 * holds this package's version and path.txt names this platform's executable, which exists — so
 * a binary left from another electron version counts as missing and the installer replaces it.
 * ELECTRON_OVERRIDE_DIST_PATH (the package's own variable) points at a dist elsewhere.
 */
export function electronBinary(dir = electronPackageDir()) {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const p = join(override, platformPath());
    return existsSync(p) ? p : null;
  }
  const version = packageVersion(dir);
  if (!version) return null;
  if (
    read(join(dir, 'dist', 'version'))
      ?.trim()
      .replace(/^v/, '') !== version
  )
    return null;
  if (read(join(dir, 'path.txt')) !== platformPath()) return null;
  const p = join(dir, 'dist', platformPath());
  return existsSync(p) ? p : null;
}

const preload = fileURLToPath(new URL('./electron-installer-errors.cjs', import.meta.url));

/**
 * Runs the package's own installer (the `install-electron` command) with the terminal as its
 * stdout and stderr, so @electron/get's progress bar draws; what it reports as an error also
 * comes back on fd 3 (electron-installer-errors.cjs), so a failure can be quoted.
 * Returns { ok: true } or { ok: false, error }.
 */
export function installElectron(dir = electronPackageDir()) {
  const installer = join(dir, 'install.js');
  if (!existsSync(installer)) {
    return { ok: false, error: `the electron package has no installer at ${installer}` };
  }
  const r = spawnSync(process.execPath, ['-r', preload, installer], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: process.env,
  });
  if (r.error) return { ok: false, error: r.error.message };
  const said = r.output?.[3]?.toString().trim() ?? '';
  if (r.status === 0) return { ok: true };
  const how = r.status === null ? `was killed by ${r.signal}` : `exited with code ${r.status}`;
  return { ok: false, error: said || `the installer ${how} (its output is above)` };
}

/** Where @electron/get looks for a pre-downloaded zip (its Cache: env-paths' cache folder). */
export function electronCacheFolder(version, env = process.env, platform = process.platform) {
  const root =
    env.electron_config_cache ??
    (platform === 'darwin'
      ? join(homedir(), 'Library', 'Caches', 'electron')
      : platform === 'win32'
        ? join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'electron', 'Cache')
        : join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'electron'));
  // @electron/get names each release's folder by the SHA-256 of the download URL's directory.
  const dir = `https://github.com/electron/electron/releases/download/v${version}`;
  return join(root, createHash('sha256').update(dir).digest('hex'));
}

/** The ways to install the binary later, for the message `npm start` prints when it falls back. */
export function installHelp(dir = electronPackageDir()) {
  const version = packageVersion(dir) ?? '<version>';
  const arch = process.env.npm_config_arch ?? process.arch;
  const zip = `electron-v${version}-${process.platform}-${arch}.zip`;
  return [
    'To get the desktop window, install the binary, then run npm start again:',
    '  - online:    npx install-electron --no',
    '  - a mirror:  ELECTRON_MIRROR=https://your-mirror/electron/ npx install-electron --no',
    '               (behind a proxy, also ELECTRON_GET_USE_PROXY=1 and HTTPS_PROXY=http://proxy:port)',
    `  - offline:   copy ${zip} (from https://github.com/electron/electron/releases/tag/v${version})`,
    `               into ${electronCacheFolder(version)}`,
    '               and run npx install-electron --no: it checks the zip against the checksums the',
    '               electron package ships and unpacks it without the network',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const p = electronBinary();
  console.log(p ?? 'not installed');
  process.exit(p ? 0 : 1);
}
