// Regenerates the README's screenshots: the live dashboard on the simulator (docs/screenshot.png)
// and the deterministic session (docs/screenshot-deterministic.png), in Debian's Chromium.
// Run with `npm run screenshots` (which also refreshes the e2e baselines).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));

async function serve(args) {
  const child = spawn(node, ['bin/tickscope.mjs', 'serve', '--port', '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (l) => /^http:\/\//.test(l) && resolve(l));
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  return { url, child };
}

async function shoot(args, file, waitMs) {
  const { url, child } = await serve(args);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(url);
    await page.waitForTimeout(waitMs);
    await page.screenshot({ path: `${root}docs/${file}` });
    console.log(`wrote docs/${file}`);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
  }
}

await shoot([], 'screenshot.png', 30_000);
await shoot(['--deterministic'], 'screenshot-deterministic.png', 3_000);
