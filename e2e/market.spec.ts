/**
 * The Market panel on the live simulator: every instrument of every feed in the picker, a book in
 * sync with bid below ask and a depth ladder on both sides, trades on the tape and in the chart —
 * for the first instrument and for another one picked from the list.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

async function expectLiveBook(page: Page): Promise<void> {
  const panel = page.getByTestId('panel-market');
  await expect(panel).toHaveAttribute('data-book', 'synced', { timeout: 20_000 });
  await expect
    .poll(async () => {
      const bid = Number(await panel.getAttribute('data-bid'));
      const ask = Number(await panel.getAttribute('data-ask'));
      return bid > 0 && ask > 0 && bid < ask;
    })
    .toBe(true);
  await expect
    .poll(() => panel.locator('[data-testid="ladder-row"][data-side="bid"]').count())
    .toBeGreaterThan(2);
  await expect
    .poll(() => panel.locator('[data-testid="ladder-row"][data-side="ask"]').count())
    .toBeGreaterThan(2);
  // Trades: on the tape (fixed rows, filled newest first) and as dots in the chart.
  await expect(panel.locator('[data-testid="tape-row"]').first()).toHaveAttribute(
    'data-side',
    /^(buy|sell)$/,
    {
      timeout: 20_000,
    },
  );
  await expect
    .poll(async () => Number(await page.getByTestId('market-chart').getAttribute('data-trades')), {
      timeout: 20_000,
    })
    .toBeGreaterThan(0);
  // The ladder agrees with the top of book: a book in sync gives both, so the best bid row is the bid shown.
  const bestBid = panel.locator('[data-testid="ladder-row"][data-side="bid"] .ladder-px').first();
  await expect
    .poll(async () => (await bestBid.textContent()) === (await page.getByTestId('market-bid').textContent()))
    .toBe(true);
}

test('the Market panel shows a live book and trades, and follows the instrument picker', async ({
  dashboard,
}) => {
  const { page, errors } = dashboard;
  const panel = page.getByTestId('panel-market');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText('Market');
  const picker = page.getByTestId('market-picker');
  // All instruments of all feeds, labelled with the venue.
  await expect.poll(() => picker.locator('option').count(), { timeout: 20_000 }).toBeGreaterThan(1);
  const labels = await picker.locator('option').allTextContents();
  for (const l of labels) expect(l).toMatch(/^(binance|coinbase|kraken|bybit|okx) · \S+$/);
  await expectLiveBook(page);

  const first = await panel.getAttribute('data-instrument');
  const other = (await picker
    .locator('option')
    .nth(labels.length - 1)
    .getAttribute('value'))!;
  expect(other).not.toBe(first);
  await picker.selectOption(other);
  await expect(panel).toHaveAttribute('data-instrument', other);
  await expectLiveBook(page);
  expect(errors).toEqual([]);
});
