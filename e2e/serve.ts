/**
 * Starting `tickscope serve` as a real child process and launching Debian's Chromium the way
 * this machine allows (no sandbox as root, no background networking). Shared by the e2e fixtures
 * and the README screenshot script.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from '@playwright/test';

export const root = fileURLToPath(new URL('..', import.meta.url));
const node24 = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--font-render-hinting=none',
];

export function launchChromium(
  executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/**
 * Starts `tickscope serve --port 0 …` and resolves with the URL it prints. Without `--sessions`
 * in `args`, the host records into a throwaway folder (removed when it exits), never into the
 * user's own sessions folder.
 */
export async function startServe(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const own = args.includes('--sessions') ? null : mkdtempSync(join(tmpdir(), 'tickscope-sessions-'));
  const child = spawn(
    node24,
    ['bin/tickscope.mjs', 'serve', '--port', '0', ...args, ...(own ? ['--sessions', own] : [])],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (own) child.once('exit', () => rmSync(own, { recursive: true, force: true }));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tickscope serve printed no URL in 60 s\n${stderr}`)),
      60_000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/^http:\/\/127\.0\.0\.1:\d+\/$/.test(line)) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tickscope serve exited with ${code}\n${stderr}`));
    });
  });
  return { url, child };
}

export async function stopServe(child: ChildProcess): Promise<void> {
  // A child ended by a signal has no exit code, only a signal code: both mean it is gone, and
  // waiting for an 'exit' that already happened would hang the test.
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  // An engine that does not finish its shutdown in 10 s is killed, not waited for.
  const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(kill);
}
