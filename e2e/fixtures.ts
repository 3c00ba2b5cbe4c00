/**
 * The `dashboard` fixture: a page showing Tickscope, whichever way it runs here. In the browser
 * target it starts `tickscope serve --port 0` as a real child process and opens the printed URL
 * in Chromium; in the Electron target it launches the built app. Console errors and page errors
 * are collected so every spec can assert there were none.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  _electron,
  type Browser,
  test as base,
  chromium,
  type ElectronApplication,
  type Page,
} from '@playwright/test';
import { e2eTarget } from './target.ts';

export interface Dashboard {
  page: Page;
  /** http://127.0.0.1:PORT/ for the headless host, app://tickscope/ in Electron. */
  url: string;
  target: 'electron' | 'chromium-host';
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
}

export interface DashboardOptions {
  /** 'live': the simulator at full speed; 'deterministic': a seeded session on a virtual clock. */
  mode: 'live' | 'deterministic';
  serveArgs: string[];
}

const root = fileURLToPath(new URL('..', import.meta.url));
const node24 = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--font-render-hinting=none',
];

export async function startServe(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(node24, ['bin/tickscope.mjs', 'serve', '--port', '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tickscope serve printed no URL in 60 s\n${stderr}`)),
      60_000,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
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

function watchErrors(page: Page, errors: string[]): void {
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
}

export const test = base.extend<{ dashboard: Dashboard } & DashboardOptions>({
  mode: ['live', { option: true }],
  serveArgs: [[], { option: true }],
  dashboard: async ({ mode, serveArgs }, use) => {
    const target = e2eTarget();
    const errors: string[] = [];
    if (target.electron) {
      const app: ElectronApplication = await _electron.launch({
        executablePath: target.electron,
        args: [root],
        cwd: root,
        env: {
          ...process.env,
          TZ: 'UTC',
          ...(mode === 'deterministic' ? { TICKSCOPE_DETERMINISTIC: '1' } : {}),
        },
      });
      const page = await app.firstWindow();
      watchErrors(page, errors);
      await page.setViewportSize({ width: 1440, height: 900 });
      await use({ page, url: page.url(), target: 'electron', errors });
      await app.close();
      return;
    }
    const { url, child } = await startServe(
      mode === 'deterministic' ? ['--deterministic', ...serveArgs] : serveArgs,
    );
    let browser: Browser | null = null;
    try {
      browser = await chromium.launch({ executablePath: target.chromium, args: CHROMIUM_ARGS });
      const context = await browser.newContext({
        viewport: { width: 1440, height: 900 },
        deviceScaleFactor: 1,
      });
      const page = await context.newPage();
      watchErrors(page, errors);
      await page.goto(url);
      await use({ page, url, target: 'chromium-host', errors });
    } finally {
      await browser?.close();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  },
});

export { expect } from '@playwright/test';
