// Regenerates the README's screenshots in Debian's Chromium: the live dashboard on the simulator
// (docs/screenshot.png, after 30 s) and the deterministic session (docs/screenshot-deterministic.png).
// Run with `npm run screenshots`, which also refreshes the e2e baselines.
import { launchChromium, root, startServe, stopServe } from '../e2e/serve.ts';

async function shoot(args: string[], file: string, waitMs: number): Promise<void> {
  const { url, child } = await startServe(args);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(url);
    await page.waitForTimeout(waitMs);
    await page.screenshot({ path: `${root}docs/${file}` });
    console.log(`wrote docs/${file}`);
  } finally {
    await browser.close();
    await stopServe(child);
  }
}

await shoot([], 'screenshot.png', 30_000);
await shoot(['--deterministic'], 'screenshot-deterministic.png', 8_000);
