/**
 * Commands from a feed's details popover: each button says what it does in its tooltip; "Resync
 * books" is sent to the engine, the popover says "sent", and the feed's resync count goes up
 * within seconds. A refusal is shown in the popover's own words. The host runs the simulator
 * without faults (a throwaway --config), so nothing but the command resyncs a book.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const configFile = join(mkdtempSync(join(tmpdir(), 'tickscope-e2e-')), 'config.json');
test.use({ serveArgs: ['--config', configFile] });

async function openDetails(page: Page, nth: number) {
  const chip = page.getByTestId('feed-status').nth(nth);
  await expect(chip).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
  await chip.click();
  const details = page.getByTestId('feed-details');
  await expect(details).toBeVisible();
  return details;
}

test("Resync books is sent and the feed's resync count goes up", async ({ dashboard }) => {
  const { page, errors } = dashboard;
  const details = await openDetails(page, 0);
  const tooltips: Record<string, RegExp> = {
    Reconnect: /drop the connection.*backoff/i,
    'Roll over': /new connection before closing.*nothing is missed/i,
    'Resync books': /fresh .*book snapshots/i,
  };
  for (const [name, title] of Object.entries(tooltips))
    await expect(details.getByRole('button', { name, exact: true })).toHaveAttribute('title', title);

  const resyncs = async (): Promise<number> =>
    Number((await details.getByTestId('fd-resyncs').locator('dd').textContent())?.replace(/\D/g, ''));
  const before = await resyncs();
  await details.getByRole('button', { name: 'Resync books' }).click();
  await expect(details.getByTestId('fd-command-result')).toHaveText('sent');
  await expect.poll(resyncs, { timeout: 5_000 }).toBeGreaterThan(before);
  // The chip says so too, among its integrity flags.
  await expect(page.getByTestId('feed-status').first().getByTestId('feed-resyncs')).toBeVisible();
  expect(errors).toEqual([]);
});

test("a refused command shows the engine's reason in the popover", async ({ dashboard }) => {
  const { page, errors, target } = dashboard;
  test.skip(target !== 'chromium-host', 'the refusal is stubbed on the HTTP route');
  await page.route('**/api/feed-command', (route) =>
    route.fulfill({ status: 400, json: { ok: false, error: 'no feed 2 is running' } }),
  );
  const details = await openDetails(page, 1);
  await details.getByRole('button', { name: 'Reconnect' }).click();
  const result = details.getByTestId('fd-command-result');
  await expect(result).toHaveText('no feed 2 is running');
  await expect(result).toHaveAttribute('data-ok', 'false');
  // Nothing was sent: the feed stays live, its reconnect count where it was.
  await expect(details.getByTestId('fd-reconnects').locator('dd')).toHaveText('0');
  expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
});
