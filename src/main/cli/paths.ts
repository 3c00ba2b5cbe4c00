/**
 * Where things are when Tickscope runs from its repository or package: the built renderer and the
 * feed worker source. Resolved from this file's URL, so it works from any working directory.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const rendererRoot = fileURLToPath(new URL('../../../out/renderer/', import.meta.url));

/** The feed worker as TypeScript source: Node 24 strips the types when the worker starts. */
export function sourceFeedWorkerUrl(): URL {
  return new URL('../feeds/feed-worker.ts', import.meta.url);
}

/** The simulator's worker entry as TypeScript source. */
export function sourceSimWorkerUrl(): URL {
  return new URL('../sim/sim-worker.ts', import.meta.url);
}

/** Builds the renderer if it has not been built yet; returns an error message or null. */
export function ensureRendererBuilt(log: (line: string) => void): string | null {
  if (existsSync(`${rendererRoot}index.html`)) return null;
  log('tickscope: the dashboard is not built yet; building it once (electron-vite build)…');
  const bin = fileURLToPath(new URL('../../../node_modules/.bin/electron-vite', import.meta.url));
  if (!existsSync(bin)) return 'electron-vite is not installed: run `npm install` first';
  const r = spawnSync(bin, ['build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !existsSync(`${rendererRoot}index.html`))
    return 'building the dashboard failed (see above)';
  return null;
}

/** The recorder's worker entries as TypeScript source. */
export function sourceRecorderWorkerUrl(): URL {
  return new URL('../recorder/recorder-worker.ts', import.meta.url);
}

export function sourceCompressWorkerUrl(): URL {
  return new URL('../recorder/compress-worker.ts', import.meta.url);
}

export function sourceReplayWorkerUrl(): URL {
  return new URL('../recorder/replay-worker.ts', import.meta.url);
}

export function sourceExportWorkerUrl(): URL {
  return new URL('../recorder/export-worker.ts', import.meta.url);
}

/** Where sessions recorded from the dashboard go: $XDG_DATA_HOME/tickscope/sessions, else ~/.local/share/…. */
export function defaultSessionsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'tickscope', 'sessions');
}
