// Runs after `npm install` in the repository: builds the app once so `npx tickscope serve` and
// `npm start` work straight away. Skipped when installed as a dependency or when asked to.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../node_modules/.bin/electron-vite', import.meta.url));
if (process.env.TICKSCOPE_SKIP_BUILD || !existsSync(bin) || !existsSync(`${root}src/renderer/index.html`)) {
  process.exit(0);
}
const r = spawnSync(bin, ['build'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
