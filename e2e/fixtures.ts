/**
 * The `dashboard` fixture: a page showing Tickscope, whichever way it runs here. In the browser
 * target it starts `tickscope serve --port 0` as a real child process and opens the printed URL
 * in Chromium; in the Electron target it launches the built app. Console errors and page errors
 * are collected so every spec can assert there were none.
 */
import { _electron, type Browser, test as base, type ElectronApplication, type Page } from '@playwright/test';
import { IDLE_SESSIONS } from '../src/common/api.ts';
import { launchChromium, root, startServe, stopServe } from './serve.ts';
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
        // A packaged app loads its own app.asar; the built repository is the app folder otherwise.
        args: target.packaged ? [] : [root],
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
      browser = await launchChromium(target.chromium);
      const context = await browser.newContext({
        viewport: { width: 1440, height: 900 },
        deviceScaleFactor: 1,
        timezoneId: 'UTC',
        locale: 'en-US',
      });
      if (mode === 'deterministic') {
        // `serve --deterministic` has no recorder and answers /api/sessions with a 404 (which
        // Chromium logs as an error); Electron's deterministic mode answers an idle recorder.
        // Answer the same here, so the header shows the same idle REC on both targets.
        await context.route('**/api/sessions', (route) =>
          route.request().method() === 'GET'
            ? route.fulfill({ json: IDLE_SESSIONS })
            : route.fulfill({ json: { ok: false, error: 'a deterministic session cannot record' } }),
        );
      }
      const page = await context.newPage();
      watchErrors(page, errors);
      await page.goto(url);
      await use({ page, url, target: 'chromium-host', errors });
    } finally {
      await browser?.close();
      await stopServe(child);
    }
  },
});

export { expect } from '@playwright/test';
