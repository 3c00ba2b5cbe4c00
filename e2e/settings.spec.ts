/**
 * The settings panel: it opens from the header (and with ','), shows the configuration in force,
 * refuses a bad symbol on the spot with the reason on the field, shows the engine's own refusal
 * on the fields it names, and applies a change — the simulator cut to two venues — after which
 * the header shows two feeds while the page keeps running. In the browser target the host runs
 * with a throwaway --config file, so applying never touches the user's configuration.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { VENUE_NAMES } from '../src/common/config.ts';
import { expect, test } from './fixtures.ts';

const configFile = join(mkdtempSync(join(tmpdir(), 'tickscope-e2e-')), 'config.json');
test.use({ serveArgs: ['--config', configFile] });

interface SimConfig {
  simulator: { venues: string[]; symbols: string[]; rate: number | 'max'; seed: number; faults: string };
  feeds: { enabled?: boolean }[];
}

type ConfigApi = { getConfig(): Promise<SimConfig>; setConfig(c: SimConfig): Promise<unknown> };

/** The configuration in force, asked the way the page asks it (IPC in Electron, HTTP otherwise). */
function configInForce(page: Page): Promise<SimConfig> {
  return page.evaluate(async () => {
    const api = (window as unknown as { tickscope?: ConfigApi }).tickscope;
    if (api) return api.getConfig();
    return (await fetch('/api/config')).json() as Promise<SimConfig>;
  });
}

async function openSettings(page: Page) {
  await expect(page.getByTestId('feed-status').first()).toBeVisible({ timeout: 20_000 });
  await page.getByTestId('open-settings').click();
  const panel = page.getByTestId('settings-panel');
  await expect(panel).toBeVisible();
  await expect(page.locator('#sim-symbols')).toBeVisible();
  return panel;
}

test('the settings panel shows the configuration in force and closes with Esc', async ({ dashboard }) => {
  const { page, errors } = dashboard;
  const panel = await openSettings(page);
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText('Settings');
  const config = await configInForce(page);
  const sim = config.simulator;

  for (const v of VENUE_NAMES) {
    const box = panel.getByRole('checkbox', { name: v, exact: true });
    if (sim.venues.includes(v)) await expect(box).toBeChecked();
    else await expect(box).not.toBeChecked();
  }
  await expect(page.locator('#sim-symbols')).toHaveValue(sim.symbols.join(', '));
  if (sim.rate === 'max') await expect(panel.getByRole('checkbox', { name: 'max' })).toBeChecked();
  else await expect(page.locator('#sim-rate')).toHaveValue(String(sim.rate));
  await expect(page.locator('#sim-seed')).toHaveValue(String(sim.seed));
  await expect(page.locator('#sim-faults')).toHaveValue(sim.faults.split(',').filter(Boolean).join(', '));
  const live = config.feeds.filter((f) => f.enabled !== false).length;
  await expect(page.getByTestId('in-force-label')).toHaveText(
    live === 0 ? 'Simulator (no venue enabled)' : /^\d+ live venues?$/,
  );
  await expect(page.getByTestId('feed-row')).toHaveCount(config.feeds.length);
  // Nothing edited: nothing to apply or revert.
  await expect(panel.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await expect(panel.getByRole('button', { name: 'Revert' })).toBeDisabled();

  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(page.getByTestId('open-settings')).toBeFocused();
  await page.keyboard.press(',');
  await expect(panel).toBeVisible();
  expect(errors).toEqual([]);
});

test('a bad symbol is refused on the spot, with the reason on its field', async ({ dashboard }) => {
  const { page, errors } = dashboard;
  const panel = await openSettings(page);
  const before = await configInForce(page);
  const symbols = page.locator('#sim-symbols');
  await symbols.fill('BTC-USDT, ETH$USDT');
  await expect(symbols).toHaveAttribute('aria-invalid', 'true');
  await expect(panel.getByTestId('error-err-simulator-symbols')).toHaveText("'ETH$USDT' is not a symbol");
  await symbols.press('Enter');
  await expect(panel.getByTestId('settings-invalid')).toHaveText('1 problem to fix');
  await expect(symbols).toBeFocused();
  expect(await configInForce(page)).toEqual(before);

  await panel.getByRole('button', { name: 'Revert' }).click();
  await expect(symbols).toHaveValue(before.simulator.symbols.join(', '));
  await expect(panel.getByTestId('error-err-simulator-symbols')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the engine's refusal is shown on the fields it names", async ({ dashboard }) => {
  const { page, errors, target } = dashboard;
  test.skip(target !== 'chromium-host', 'the refusal is stubbed on the HTTP route');
  await page.route('**/api/config', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({
          json: {
            ok: false,
            errors: ['feeds[0].url: nothing listens there', 'could not start: no feed came up'],
          },
        })
      : route.continue(),
  );
  const panel = await openSettings(page);
  await panel.getByTestId('add-feed').click();
  await panel.getByLabel('Feed 1 WebSocket URL').fill('ws://127.0.0.1:9/');
  await page.keyboard.press('Control+Enter');
  await expect(panel.getByTestId('settings-refused')).toContainText('could not start: no feed came up');
  await expect(panel.getByTestId('error-err-feeds-0--url')).toHaveText('WS URL: nothing listens there');
  await expect(panel.getByLabel('Feed 1 WebSocket URL')).toHaveAttribute('aria-invalid', 'true');
  expect(errors).toEqual([]);
});

test('applying two simulator venues restarts the feeds: the header shows two', async ({ dashboard }) => {
  const { page, errors, target } = dashboard;
  const original = await configInForce(page);
  test.skip(
    original.feeds.some((f) => f.enabled !== false),
    'live venues are configured: the simulator is not in force',
  );
  const panel = await openSettings(page);
  const keep = VENUE_NAMES.slice(0, 2);
  for (const v of VENUE_NAMES) {
    const box = panel.getByRole('checkbox', { name: v, exact: true });
    if (keep.includes(v)) await box.check();
    else await box.uncheck();
  }
  await expect(panel.getByTestId('settings-status')).toContainText('Not applied');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel.getByTestId('settings-applied')).toContainText('Applied · ', { timeout: 30_000 });
  await expect(page.getByTestId('in-force-label')).toHaveText('Simulator (no venue enabled)');
  expect((await configInForce(page)).simulator.venues).toEqual(keep);
  if (target === 'chromium-host') {
    await expect(panel.getByTestId('settings-applied')).toHaveText(`Applied · saved to ${configFile}`);
    expect(JSON.parse(readFileSync(configFile, 'utf8')).simulator.venues).toEqual(keep);
  }

  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  const chips = page.getByTestId('feed-status');
  await expect(chips).toHaveCount(2, { timeout: 30_000 });
  for (const [i, v] of keep.entries()) {
    await expect(chips.nth(i)).toContainText(v);
    await expect(chips.nth(i)).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
  }
  // The page kept its transport: frames still arrive and the charts still move.
  const frames = async () =>
    Number((await page.getByTestId('count-frames').textContent())?.replace(/\D/g, ''));
  const f0 = await frames();
  await expect.poll(frames, { timeout: 10_000 }).toBeGreaterThan(f0);

  // Electron saves to the user's own config: put it back as it was.
  if (target === 'electron') {
    await page.evaluate(
      (c) => (window as unknown as { tickscope: ConfigApi }).tickscope.setConfig(c),
      original,
    );
  }
  expect(errors).toEqual([]);
});

test('the recording policy: a bad value is named on its field; applying saves it and restarts nothing', async ({
  dashboard,
}) => {
  const { page, errors, target } = dashboard;
  test.skip(target !== 'chromium-host', 'saves into a throwaway --config file of the headless host');
  const panel = await openSettings(page);
  const section = panel.getByTestId('settings-recording');
  await expect(section.getByRole('heading', { level: 3 })).toHaveText('Recording');
  await expect(section).toContainText('applies to the next recording');
  await expect(page.locator('#rec-fsync')).toHaveValue('1000');
  await expect(page.locator('#rec-codec')).toHaveValue('columnar');
  await expect(page.locator('#rec-compressors')).toHaveValue('2');
  await expect(page.locator('#rec-segment')).toHaveValue('256');

  // Refused on the spot, on the field, in the engine's words.
  await page.locator('#rec-segment').fill('0');
  await expect(page.locator('#rec-segment')).toHaveAttribute('aria-invalid', 'true');
  await expect(panel.getByTestId('error-err-recording-segmentMiB')).toHaveText(
    'must be an integer 1 … 4,096',
  );
  await page.locator('#rec-segment').fill('64');
  await expect(panel.getByTestId('error-err-recording-segmentMiB')).toHaveCount(0);

  // No compression: the compressor count does not apply.
  await page.locator('#rec-fsync').fill('250');
  await page.locator('#rec-codec').selectOption('none');
  await expect(page.locator('#rec-compressors')).toBeDisabled();
  await expect(panel.getByTestId('settings-status')).toContainText(
    'fsync 250 ms · uncompressed · 64 MiB segments · from the next recording',
  );
  // The feeds are not restarted: the simulator keeps its address.
  const url = await page.getByTestId('feed-status').first().locator('.feed-url').textContent();
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel.getByTestId('settings-applied')).toHaveText(`Applied · saved to ${configFile}`);
  expect(JSON.parse(readFileSync(configFile, 'utf8')).recording).toEqual({
    fsyncMs: 250,
    compressors: 2,
    codec: 'none',
    segmentMiB: 64,
  });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('panel-recording').getByTestId('rp-policy')).toHaveText(
    'fsync 250 ms · uncompressed · 64 MiB segments',
  );
  await expect(page.getByTestId('feed-status').first().locator('.feed-url')).toHaveText(url ?? '');
  await expect(page.getByTestId('feed-status').first()).toHaveAttribute('data-state', 'live');
  expect(errors).toEqual([]);
});

test("a feed chip opens the feed's details: counters and time in each state", async ({ dashboard }) => {
  const { page, errors } = dashboard;
  const chip = page.getByTestId('feed-status').first();
  await expect(chip).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
  await chip.click();
  const details = page.getByTestId('feed-details');
  await expect(details).toBeVisible();
  await expect(chip).toHaveAttribute('aria-expanded', 'true');
  for (const label of ['trades', 'book updates', 'gaps', 'resyncs', 'checksum errors', 'reconnects', 'rolls'])
    await expect(details.getByText(label, { exact: true })).toBeVisible();
  await expect(details.getByTestId('fd-connect')).toContainText(/\d+ ms|\d+(\.\d)? s/);
  const states = details.getByTestId('fd-states');
  await expect(states.locator('tr')).toHaveCount(7);
  await expect(states.locator('tr[data-current]')).toContainText('live');
  await page.keyboard.press('Escape');
  await expect(details).toBeHidden();
  await expect(chip).toBeFocused();
  expect(errors).toEqual([]);
});
