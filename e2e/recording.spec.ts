/**
 * The Recording panel on the live simulator: idle it shows where sessions go, the free disk and
 * the policy; Record starts a recording whose records and bytes grow, with rates and the segment
 * file; Stop closes it, the Sessions drawer lists it, and exporting it as CSV shows the file's
 * rows (as many as the session's records) and path. A sessions folder that cannot be written
 * (its parent is a file) makes the start fail, and the panel says why. The host records into
 * throwaway folders, so these run on the headless host only. Screenshots of the panel (idle,
 * recording, error) go to test-results for a look; live figures move, so there is no baseline.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'tickscope-e2e-rec-'));
const sessionsDir = join(dir, 'sessions');

/** The engine's refusals come back as HTTP 409, which Chromium logs as a failed load: expected. */
const unexpected = (errors: string[]): string[] =>
  errors.filter((e) => !/status of 409 \(Conflict\)/.test(e));

const num = async (page: Page, testId: string): Promise<number> =>
  Number(
    (await page.getByTestId(testId).locator('.rp-fig-value').textContent())?.replace(/[^\d.]/g, '') || '0',
  );

/** The panel's picture, in the test's output (and in $TICKSCOPE_SHOTS when set, to keep). */
const shot = async (page: Page, name: string, testId = 'panel-recording'): Promise<void> => {
  const png = await page.getByTestId(testId).screenshot({ path: test.info().outputPath(`${name}.png`) });
  if (process.env.TICKSCOPE_SHOTS) writeFileSync(join(process.env.TICKSCOPE_SHOTS, `${name}.png`), png);
};

test.describe('a writable sessions folder', () => {
  test.use({ serveArgs: ['--config', join(dir, 'config.json'), '--sessions', sessionsDir] });

  test('record from the panel, see it grow, stop, find it in Sessions, export it as CSV', async ({
    dashboard,
  }) => {
    const { page, errors, target } = dashboard;
    test.skip(target !== 'chromium-host', 'records into a throwaway --sessions folder of the headless host');
    test.setTimeout(90_000);
    await expect(page.getByTestId('feed-status').first()).toHaveAttribute('data-state', 'live', {
      timeout: 20_000,
    });
    const panel = page.getByTestId('panel-recording');
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText('Recording');

    // Idle: stopped, where it will write, the free disk and the policy the next recording takes.
    await expect(panel).toHaveAttribute('data-state', 'stopped');
    await expect(panel.getByTestId('rp-state')).toHaveText('Stopped');
    await expect(panel.getByTestId('rp-folder')).toHaveText(sessionsDir);
    await expect(panel.getByTestId('rp-free').locator('.rp-fig-value')).toHaveText(/\d+(\.\d+)? (GB|MB)/);
    await expect(panel.getByTestId('rp-policy')).toHaveText('fsync 1 s · v2 columnar ×2 · 256 MiB segments');
    for (const id of ['rp-records', 'rp-bytes', 'rp-rate', 'rp-byte-rate', 'rp-ratio', 'rp-free'])
      expect(await panel.getByTestId(id).getAttribute('title'), id).toBeTruthy();
    await shot(page, 'recording-idle');

    // Record: the figures grow.
    await panel.getByTestId('rp-toggle').click();
    await expect(panel).toHaveAttribute('data-state', 'recording');
    await expect(panel.getByTestId('rp-state')).toHaveText('Recording');
    await expect(page.getByTestId('rec-status')).toHaveAttribute('data-state', 'recording');
    await expect.poll(() => num(page, 'rp-records'), { timeout: 10_000 }).toBeGreaterThan(0);
    const r1 = await num(page, 'rp-records');
    await expect.poll(() => num(page, 'rp-records'), { timeout: 10_000 }).toBeGreaterThan(r1);
    await expect(panel.getByTestId('rp-bytes').locator('.rp-fig-value')).toHaveText(/\d+(\.\d+)? (B|KB|MB)/);
    await expect(panel.getByTestId('rp-rate').locator('.rp-fig-value')).toHaveText(/^[\d,.]+k?\/s$/, {
      timeout: 10_000,
    });
    await expect(panel.getByTestId('rp-byte-rate').locator('.rp-fig-value')).toHaveText(/^\d+\.\d+MB\/s$/);
    await expect(panel.getByTestId('rp-ratio').locator('.rp-fig-value')).toHaveText(/^[\d.]+×$/);
    await expect(panel.getByTestId('rp-segment')).toHaveText('segment-000001.tsb');
    await expect(panel.getByTestId('rp-elapsed')).toHaveText(/^0:0[2-9]$/, { timeout: 10_000 });
    const name = (await panel.getByTestId('rp-name').textContent()) ?? '';
    expect(name).toMatch(/^session-/);
    await expect(panel.getByTestId('rp-spark')).toHaveAttribute('title', /per second/);
    await expect
      .poll(async () => Number(await panel.locator('.rp-spark').getAttribute('data-points')), {
        timeout: 10_000,
      })
      .toBeGreaterThan(1);
    await shot(page, 'recording-on');

    // Stop: the figures stay, as the last recording's.
    await panel.getByTestId('rp-toggle').click();
    await expect(panel).toHaveAttribute('data-state', 'stopped');
    const records = await num(page, 'rp-records');
    expect(records).toBeGreaterThan(0);

    // The session is in the Sessions drawer; export it as CSV.
    await page.getByTestId('open-sessions').click();
    const drawer = page.getByTestId('sessions-panel');
    const row = drawer.locator(`[data-testid="session-row"][data-name="${name}"]`);
    await expect(row).toBeVisible();
    await expect(row.getByTestId('session-records')).toContainText(records.toLocaleString('en-US'));
    await row.getByTestId('session-export-csv').click();
    const done = row.locator('[data-testid="session-export"][data-format="csv"][data-state="done"]');
    await expect(done).toBeVisible({ timeout: 30_000 });
    await expect(done.getByTestId('session-export-result')).toContainText(
      `${records.toLocaleString('en-US')} rows`,
    );
    const path = join(sessionsDir, 'exports', `${name}.csv`);
    await expect(done.getByTestId('session-export-path')).toHaveText(path);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.length - 1).toBe(records);
    // The headless host offers it for download.
    const download = page.waitForEvent('download');
    await done.getByTestId('session-export-download').click();
    expect((await download).suggestedFilename()).toBe(`${name}.csv`);
    await shot(page, 'sessions-export', 'sessions-panel');
    expect(unexpected(errors)).toEqual([]);
  });
});

test.describe('a sessions folder that cannot be written', () => {
  // Its parent is a file: creating the session folder fails with ENOTDIR, even as root.
  const blocker = join(dir, 'not-a-folder');
  writeFileSync(blocker, 'a file where the sessions folder should be\n');
  test.use({ serveArgs: ['--config', join(dir, 'config-2.json'), '--sessions', join(blocker, 'sessions')] });

  test('the start fails and the panel says why', async ({ dashboard }) => {
    const { page, errors, target } = dashboard;
    test.skip(target !== 'chromium-host', 'needs the headless host with a broken --sessions folder');
    await expect(page.getByTestId('feed-status').first()).toHaveAttribute('data-state', 'live', {
      timeout: 20_000,
    });
    const panel = page.getByTestId('panel-recording');
    // Free disk is still known: asked of the nearest folder that exists.
    await expect(panel.getByTestId('rp-free').locator('.rp-fig-value')).toHaveText(/GB|MB/);
    await panel.getByTestId('rp-toggle').click();
    await expect(panel).toHaveAttribute('data-state', 'error');
    await expect(panel.getByTestId('rp-state')).toHaveText('Error');
    await expect(panel.getByTestId('rp-error')).toContainText(/Could not start: .*ENOTDIR/);
    await shot(page, 'recording-error');
    expect(unexpected(errors)).toEqual([]);
  });
});
