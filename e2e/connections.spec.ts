/**
 * The Connections panel on the simulator: one row per feed, the five simulated feeds live with
 * messages flowing, a tooltip on every column, sorting by a column, and a row's click opening the
 * feed's details.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const FEEDS = ['binance-sim', 'coinbase-sim', 'kraken-sim', 'bybit-sim', 'okx-sim'];

/** The rows' feeds and messages/s, read in one go (the table may render between two reads). */
function table(page: Page): Promise<{ feed: string; state: string; rate: string }[]> {
  return page.getByTestId('connection-row').evaluateAll((rows) =>
    rows.map((r) => ({
      feed: r.getAttribute('data-feed') ?? '',
      state: r.getAttribute('data-state') ?? '',
      rate: r.querySelector('[data-testid="connection-rate"]')?.textContent ?? '',
    })),
  );
}

/** "1,172" · "12.3k" · "1.25M" → a number (NaN for "—"). */
function rate(text: string): number {
  const m = /^([\d.,]+)([kM]?)$/.exec(text.trim());
  if (!m) return Number.NaN;
  return Number(m[1]!.replace(/,/g, '')) * (m[2] === 'M' ? 1e6 : m[2] === 'k' ? 1e3 : 1);
}

test('the Connections panel shows the five simulated feeds live, with messages flowing', async ({
  dashboard,
}) => {
  const { page, errors } = dashboard;
  const panel = page.getByTestId('panel-connections');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText('Connections');
  await expect(page.getByTestId('connection-row')).toHaveCount(FEEDS.length, { timeout: 20_000 });
  await expect
    .poll(
      async () => {
        const rows = await table(page);
        return rows.every((r) => r.state === 'live' && rate(r.rate) > 0) ? rows.map((r) => r.feed) : rows;
      },
      { timeout: 20_000 },
    )
    .toEqual(FEEDS);
  await expect(panel).toHaveAttribute('data-live', String(FEEDS.length));
  // Every column says what it measures.
  const heads = panel.locator('thead th button');
  await expect(heads).toHaveCount(10);
  for (const title of await heads.evaluateAll((bs) => bs.map((b) => b.getAttribute('title') ?? '')))
    expect(title.length).toBeGreaterThan(10);
  expect(errors).toEqual([]);
});

test('Connections sorts by a column and opens a feed’s details from its row', async ({ dashboard }) => {
  const { page, errors } = dashboard;
  const panel = page.getByTestId('panel-connections');
  await expect(page.getByTestId('connection-row')).toHaveCount(FEEDS.length, { timeout: 20_000 });

  // Sorted by messages/s: the fastest first (numbers descend first), then ascending, then as the engine lists them.
  const rateHead = panel.locator('th[data-col="rate"]');
  await rateHead.getByRole('button').click();
  await expect(rateHead).toHaveAttribute('aria-sort', 'descending');
  const rates = (await table(page)).map((r) => rate(r.rate));
  expect(rates).toEqual([...rates].sort((a, b) => b - a));
  await rateHead.getByRole('button').click();
  await expect(rateHead).toHaveAttribute('aria-sort', 'ascending');
  await rateHead.getByRole('button').click();
  await expect(rateHead).not.toHaveAttribute('aria-sort');
  expect((await table(page)).map((r) => r.feed)).toEqual(FEEDS);

  // By stream name: alphabetical.
  const streamHead = panel.locator('th[data-col="stream"]');
  await streamHead.getByRole('button').click();
  await expect(streamHead).toHaveAttribute('aria-sort', 'ascending');
  expect((await table(page)).map((r) => r.feed)).toEqual([...FEEDS].sort());

  // A row opens that feed's details (inside the window); Escape closes them.
  await page.locator('[data-testid="connection-row"][data-feed="kraken-sim"]').click();
  const details = page.getByTestId('feed-details');
  await expect(details).toBeVisible();
  await expect(details).toContainText('kraken-sim');
  const box = await details.boundingBox();
  const viewport = page.viewportSize();
  expect(box && viewport && box.y >= 0 && box.y + box.height <= viewport.height).toBe(true);
  await page.keyboard.press('Escape');
  await expect(details).toBeHidden();
  expect(errors).toEqual([]);
});
