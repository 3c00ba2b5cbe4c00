// `npm start` (and `npm run dev`, which passes --dev): the desktop app. When the Electron binary is
// missing, the electron package's own installer runs first, with its progress on the terminal;
// then the app is built and its window opened (dev: electron-vite's dev server and the window).
// Only when the installer fails does the same dashboard come from the headless host instead,
// after a message quoting the installer's error and the ways to install later. Arguments after
// the script's own go to `tickscope serve` in that case.
// TICKSCOPE_SKIP_BUILD=1 launches what out/ already holds (the tests' stand-in binary needs no build).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { electronBinary, installElectron, installHelp } from './electron-binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Each child runs under this Node (npm puts the project's Node 24 first on the PATH) from its
// JavaScript entry, so no .bin shim is needed and Windows runs the same way.
const electronVite = fileURLToPath(
  new URL('../node_modules/electron-vite/bin/electron-vite.js', import.meta.url),
);
const tickscope = fileURLToPath(new URL('../bin/tickscope.mjs', import.meta.url));
const dev = process.argv[2] === '--dev';
const serveArgs = process.argv.slice(dev ? 3 : 2);

/** Runs the child to its end and exits with its status (a signal death is a failure). */
function become(child) {
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    console.error(`tickscope: could not start ${child.spawnfile}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** { binary } when Electron is (now) installed, else { error } saying why not. */
function ensureElectron() {
  const found = electronBinary();
  if (found) return { binary: found };
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    // The installer unpacks into the package, never into someone else's dist: nothing to run.
    return { error: `ELECTRON_OVERRIDE_DIST_PATH is ${override}, and there is no Electron executable in it` };
  }
  console.log(
    "tickscope: the Electron binary is not installed yet; running the electron package's installer (npx install-electron --no)…",
  );
  const r = installElectron();
  if (!r.ok) return { error: r.error };
  const installed = electronBinary();
  return installed
    ? { binary: installed }
    : { error: 'the installer finished, but there is no Electron executable where it says it put one' };
}

const electron = ensureElectron();
if (electron.binary) {
  if (dev) {
    // electron-vite finds the binary through ELECTRON_EXEC_PATH before it looks in the package.
    become(
      spawn(process.execPath, [electronVite, 'dev'], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, ELECTRON_EXEC_PATH: electron.binary },
      }),
    );
  } else {
    if (!process.env.TICKSCOPE_SKIP_BUILD) {
      const build = spawnSync(process.execPath, [electronVite, 'build'], { cwd: root, stdio: 'inherit' });
      if (build.status !== 0) process.exit(build.status ?? 1);
    }
    become(spawn(electron.binary, ['.'], { cwd: root, stdio: 'inherit' }));
  }
} else {
  // The installer's own words, without the stack frames under them (those are on the terminal).
  const quoted = electron.error
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .map((line) => `    ${line}`)
    .join('\n');
  console.error(
    `tickscope: no desktop window: the Electron binary could not be installed.\n${quoted}\n${installHelp()}\n` +
      'Meanwhile, the same dashboard from the headless host:',
  );
  become(spawn(process.execPath, [tickscope, 'serve', ...serveArgs], { cwd: root, stdio: 'inherit' }));
}
