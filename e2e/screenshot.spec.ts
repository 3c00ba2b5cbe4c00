/**
 * Screenshot baselines. On deterministic data — a seeded five-venue session with order books and
 * a scripted outage, computed on a virtual clock, so every run draws the same pixels — the whole
 * dashboard, every panel on its own, and the interactions that change what is drawn: the time
 * window, a zoom shared by every chart, Throughput by stream stacked, a feed's disconnect and its
 * recovery, the settings, the shortcuts. On the live simulator (headless host: it records into a
 * throwaway folder) the recording, session and settings interactions, with every figure that
 * moves masked. `npm run screenshots` refreshes every baseline and the README's pictures.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { drag } from './gestures.ts';

/** 300 s of virtual time at 250 ms intervals: the rows every time chart holds once delivered. */
const ROWS = '1200';
const PANELS = [
  'panel-throughput',
  'panel-connections',
  'panel-latency',
  'panel-distribution',
  'panel-buffer-reuse',
  'panel-recording',
  'panel-market',
];

/** Waits until the whole session is drawn and the fonts are in. */
async function settled(page: Page): Promise<void> {
  for (const id of ['panel-throughput', 'panel-latency', 'panel-buffer-reuse'])
    await expect(page.getByTestId(id)).toHaveAttribute('data-points', ROWS, { timeout: 30_000 });
  await page.evaluate(() => document.fonts.ready);
  // The Distribution recomputes at most once a second: let it catch the last rows.
  await page.waitForTimeout(1200);
}

/** What ticks on the page's own wall clock, not the session's: the transport and frame counters. */
const wallClock = (page: Page): Locator[] => [
  page.getByTestId('transport'),
  page.getByTestId('count-frames'),
];

test.describe('deterministic session', () => {
  test.use({ mode: 'deterministic' });

  test('the dashboard and every panel match their baselines', async ({ dashboard }) => {
    const { page, errors } = dashboard;
    await settled(page);
    await expect(page).toHaveScreenshot('dashboard.png', { mask: wallClock(page) });
    for (const id of PANELS) {
      await expect(page.getByTestId(id), id).toHaveScreenshot(`${id}.png`);
    }
    expect(errors).toEqual([]);
  });

  test('time window, shared zoom, Throughput by stream stacked, shortcuts', async ({ dashboard }) => {
    const { page, errors } = dashboard;
    await settled(page);
    // 1 min: the charts hold the rows of the last minute, both ends included.
    await page.keyboard.press('1');
    await expect(page.getByTestId('panel-throughput')).toHaveAttribute('data-points', '241');
    await page.waitForTimeout(1200);
    await expect(page).toHaveScreenshot('window-1m.png', { mask: wallClock(page) });

    // Back to 5 min, then a drag on Latency zooms every time chart to the same range.
    await page.keyboard.press('2');
    await expect(page.getByTestId('panel-throughput')).toHaveAttribute('data-points', ROWS);
    await drag(page.getByTestId('panel-latency').locator('.u-over'), 0.55, 0.7);
    await expect(page.getByTestId('follow-state')).toHaveAttribute('data-state', 'zoomed');
    await page.mouse.move(5, 5);
    await page.waitForTimeout(1200);
    await expect(page).toHaveScreenshot('zoomed.png', { mask: wallClock(page) });
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('follow-state')).not.toHaveAttribute('data-state', 'zoomed');

    const throughput = page.getByTestId('panel-throughput');
    await throughput
      .getByTestId('throughput-group')
      .getByRole('button', { name: 'by stream', exact: true })
      .click();
    await throughput
      .getByTestId('throughput-layout')
      .getByRole('button', { name: 'stacked', exact: true })
      .click();
    await expect(throughput).toHaveScreenshot('throughput-by-stream-stacked.png');

    await page.keyboard.press('?');
    await expect(page.getByTestId('help-overlay')).toBeVisible();
    await expect(page.getByTestId('help-overlay')).toHaveScreenshot('shortcuts.png');
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
  });

  test("a feed's disconnect and recovery: the outage in Connections and the feed's details", async ({
    dashboard,
  }) => {
    const { page, errors } = dashboard;
    await settled(page);
    const row = page.locator('[data-testid="connection-row"][data-feed="kraken-sim"]');
    await expect(row).toBeVisible();
    await row.click();
    const details = page.getByTestId('feed-details');
    await expect(details).toBeVisible();
    // Stale → backoff → connecting → subscribing → live: one reconnect, three books resynced.
    await expect(details.getByTestId('fd-reconnects')).toContainText('1');
    await expect(details.getByTestId('fd-resyncs')).toContainText('3');
    await expect(details).toHaveScreenshot('feed-recovered-details.png');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('panel-connections')).toHaveScreenshot('feed-recovered-connections.png');
    expect(errors).toEqual([]);
  });

  test('the settings drawer', async ({ dashboard }) => {
    const { page, errors } = dashboard;
    await settled(page);
    await page.getByTestId('open-settings').click();
    const drawer = page.getByTestId('settings-panel');
    await expect(drawer).toBeVisible();
    await page.waitForTimeout(400); // the drawer's slide-in
    await expect(drawer).toHaveScreenshot('settings.png');
    expect(errors).toEqual([]);
  });
});

test.describe('live simulator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickscope-e2e-shots-'));
  test.use({
    serveArgs: ['--config', join(dir, 'config.json'), '--sessions', join(dir, 'sessions'), '--rate', '200'],
  });

  /** Live figures move: compare the layout and the words, masking every number that ticks. */
  const LIVE = { maxDiffPixelRatio: 0.02 };

  test('record, stop, the session listed, replay it, back to live; a settings change taking effect', async ({
    dashboard,
  }) => {
    const { page, errors, target } = dashboard;
    test.skip(target !== 'chromium-host', 'records into a throwaway --sessions folder of the headless host');
    test.setTimeout(120_000);
    await expect(page.getByTestId('feed-status')).toHaveCount(5, { timeout: 20_000 });
    await page.evaluate(() => document.fonts.ready);

    // Recording.
    const rec = page.getByTestId('panel-recording');
    await rec.getByTestId('rp-toggle').click();
    await expect(rec).toHaveAttribute('data-state', 'recording');
    await expect(rec.getByTestId('rp-segment')).toHaveText('segment-000001.tsb', { timeout: 10_000 });
    await expect(rec.getByTestId('rp-ratio').locator('.rp-fig-value')).toHaveText(/×$/, { timeout: 10_000 });
    const recMask = [
      rec.locator('.rp-fig-value'),
      rec.getByTestId('rp-name'),
      rec.getByTestId('rp-elapsed'),
      rec.getByTestId('rp-folder'),
      rec.locator('.rp-spark'),
    ];
    await expect(rec).toHaveScreenshot('recording-active.png', { ...LIVE, mask: recMask });
    await page.waitForTimeout(1500);
    await rec.getByTestId('rp-toggle').click();
    await expect(rec).toHaveAttribute('data-state', 'stopped');

    // The session in the Sessions drawer.
    await page.getByTestId('open-sessions').click();
    const sessions = page.getByTestId('sessions-panel');
    const session = sessions.getByTestId('session-row').first();
    await expect(session).toBeVisible({ timeout: 10_000 });
    await expect(session.getByTestId('session-status')).toBeVisible();
    await page.waitForTimeout(400);
    const sessionMask = [
      sessions.getByTestId('session-name'),
      sessions.getByTestId('session-meta'),
      sessions.getByTestId('session-records'),
      sessions.getByTestId('session-bytes'),
      sessions.getByTestId('session-duration'),
      sessions.getByTestId('sessions-now'),
      sessions.getByTestId('sessions-count'),
    ];
    await expect(sessions).toHaveScreenshot('sessions-recorded.png', { ...LIVE, mask: sessionMask });

    // Replay it: the banner says what plays, and the feeds become the replay.
    await session
      .getByRole('button', { name: /^Replay/ })
      .first()
      .click();
    const banner = page.getByTestId('replay-banner');
    await expect(banner).toBeVisible({ timeout: 10_000 });
    await page.keyboard.press('Escape');
    // The finished replay is the banner's one stable state: playing, its progress bar and clock
    // move, and whether a moment falls before or after the session's span is known is timing.
    await expect(banner).toHaveAttribute('data-done', '', { timeout: 30_000 });
    await expect(banner.getByTestId('replay-note')).toBeVisible();
    await expect(banner).toHaveScreenshot('replay-banner.png', {
      ...LIVE,
      mask: [
        banner.getByTestId('replay-name'),
        banner.getByTestId('replay-into'),
        banner.getByTestId('replay-note'),
      ],
    });
    await banner.getByTestId('back-to-live').click();
    await expect(banner).toBeHidden({ timeout: 10_000 });
    await expect(page.getByTestId('feed-status')).toHaveCount(5, { timeout: 20_000 });

    // A settings change taking effect: two venues instead of five.
    await page.getByTestId('open-settings').click();
    const settings = page.getByTestId('settings-panel');
    const venues = settings.getByTestId('sim-venues');
    for (const v of ['kraken', 'bybit', 'okx'])
      await venues.getByRole('checkbox', { name: v, exact: true }).uncheck();
    await settings.getByRole('button', { name: /^Apply/ }).click();
    await expect(settings.getByTestId('settings-applied')).toBeVisible({ timeout: 20_000 });
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('feed-status')).toHaveCount(2, { timeout: 20_000 });
    await expect(page.getByTestId('connection-row')).toHaveCount(2);
    // Both feeds live and every instrument of both in the header's market strip: the strip grows a
    // row per ticker, and the panels below share what height is left, so until it is full the
    // panel's size depends on which trades came first.
    for (const chip of await page.getByTestId('feed-status').all())
      await expect(chip).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
    await expect(page.getByTestId('market-strip').getByTestId('ticker')).toHaveCount(6, { timeout: 20_000 });
    const conn = page.getByTestId('panel-connections');
    await expect(conn).toHaveScreenshot('settings-applied-connections.png', {
      ...LIVE,
      mask: [conn.locator('td:not([data-col="venue"]):not([data-col="stream"]):not([data-col="state"])')],
    });
    expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
  });
});
