#!/usr/bin/env node
// Entry point of the `tickscope` command. The engine is TypeScript run directly by Node 24 (the
// Node that Electron 45 ships) with type stripping. If this Node is older, re-run under the
// Node 24 that the `node` devDependency installs, so `npx tickscope` works on any system Node.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  const node24 = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(node24)) {
    console.error(
      `tickscope needs Node 24 or newer (this is ${process.version}); run 'npm install' to get it.`,
    );
    process.exit(1);
  }
  const r = spawnSync(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') console.error(w);
});
const { main } = await import('../src/main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
