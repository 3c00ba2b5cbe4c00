/**
 * The live dashboard on the simulator: cross-origin isolated, three panels titled Throughput,
 * Latency and Buffer reuse, each drawing more points as frames arrive, the feed shown live, and no
 * error in the console.
 */
import { expect, test } from './fixtures.ts';

const PANELS = [
  { id: 'panel-throughput', title: 'Throughput' },
  { id: 'panel-latency', title: 'Latency' },
  { id: 'panel-buffer-reuse', title: 'Buffer reuse' },
];

async function points(page: import('@playwright/test').Page, id: string): Promise<number> {
  return Number((await page.getByTestId(id).getAttribute('data-points')) ?? '0');
}

test('the page is cross-origin isolated and has SharedArrayBuffer', async ({ dashboard }) => {
  const { page } = dashboard;
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
});

test('three live panels fill with data and keep moving', async ({ dashboard }) => {
  const { page } = dashboard;
  for (const p of PANELS) {
    const panel = page.getByTestId(p.id);
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText(p.title);
    await expect(panel.locator('canvas').first()).toBeVisible();
  }
  for (const p of PANELS) await expect.poll(() => points(page, p.id), { timeout: 20_000 }).toBeGreaterThan(4);
  const before = await Promise.all(PANELS.map((p) => points(page, p.id)));
  await page.waitForTimeout(2500);
  const after = await Promise.all(PANELS.map((p) => points(page, p.id)));
  for (let i = 0; i < PANELS.length; i++)
    expect(after[i]!, `${PANELS[i]!.title} keeps moving`).toBeGreaterThan(before[i]!);
});

test('the header shows the feed live on the simulator', async ({ dashboard }) => {
  const { page } = dashboard;
  const feed = page.getByTestId('feed-status').first();
  await expect(feed).toBeVisible();
  await expect(feed).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
  await expect(feed).toContainText('binance');
});

test('no errors in the console', async ({ dashboard }) => {
  const { page, errors } = dashboard;
  await expect.poll(() => points(page, 'panel-throughput'), { timeout: 20_000 }).toBeGreaterThan(4);
  await page.waitForTimeout(1000);
  expect(errors).toEqual([]);
});
