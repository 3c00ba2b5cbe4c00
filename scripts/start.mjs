// `npm start`: the desktop app where the Electron binary is installed; otherwise one clear line
// saying so, and the same dashboard from the headless host on the simulator.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const forward = (child) => {
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
};

const electron = electronBinary();
if (electron) {
  const build = spawnSync(bin('electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  forward(spawn(electron, ['.'], { cwd: root, stdio: 'inherit' }));
} else {
  console.log(
    'Electron binary not installed on this machine (it cannot be downloaded here) — serving the same dashboard from the headless host instead:',
  );
  forward(
    spawn(
      bin('node'),
      [fileURLToPath(new URL('../bin/tickscope.mjs', import.meta.url)), 'serve', ...process.argv.slice(2)],
      { cwd: root, stdio: 'inherit' },
    ),
  );
}
