/**
 * Recording and sessions from the page: the header's REC control starts a recording and shows it
 * running (time, records, size, rate, ratio, free disk), Stop closes it and the Sessions drawer
 * lists it with its records; it is renamed (a bad name refused in the engine's words), replayed at
 * 4× under a REPLAY banner with the feed chip named `replay <session>`, back to live, deleted
 * after a confirmation. In the browser target the host records into a throwaway --sessions
 * folder; in Electron (the user's own folder) only what writes nothing runs.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { SessionsState } from '../src/common/api.ts';
import { expect, test } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'tickscope-e2e-'));
const configFile = join(dir, 'config.json');
const sessionsDir = join(dir, 'sessions');
test.use({ serveArgs: ['--config', configFile, '--sessions', sessionsDir] });

/** The engine's refusals come back as HTTP 409, which Chromium logs as a failed load: expected. */
const unexpected = (errors: string[]): string[] =>
  errors.filter((e) => !/status of 409 \(Conflict\)/.test(e));

const num = async (page: Page, testId: string): Promise<number> =>
  Number((await page.getByTestId(testId).first().textContent())?.replace(/\D/g, '') || '0');

async function openSessions(page: Page) {
  await page.getByTestId('open-sessions').click();
  const panel = page.getByTestId('sessions-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText('Sessions');
  return panel;
}

test('the header has the REC control; the Sessions drawer opens and closes with Esc', async ({
  dashboard,
}) => {
  const { page, errors } = dashboard;
  await expect(page.getByTestId('feed-status').first()).toHaveAttribute('data-state', 'live', {
    timeout: 20_000,
  });
  const rec = page.getByTestId('rec-start');
  await expect(rec).toHaveText('REC');
  await expect(rec).toBeEnabled();
  const panel = await openSessions(page);
  await expect(panel.getByTestId('sessions-now')).toHaveAttribute('data-mode', 'live');
  await expect(panel.getByTestId('sessions-now')).toContainText('not recording');
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(page.getByTestId('open-sessions')).toBeFocused();
  expect(unexpected(errors)).toEqual([]);
});

test('record, stop, rename, replay at 4×, back to live, delete', async ({ dashboard }) => {
  const { page, errors, target } = dashboard;
  test.skip(target !== 'chromium-host', 'records into a throwaway --sessions folder of the headless host');
  test.setTimeout(90_000);
  const chips = page.getByTestId('feed-status');
  await expect(chips.first()).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
  const liveChips = await chips.count();

  // Record: the control shows the recording running.
  await page.getByTestId('rec-start').click();
  const status = page.getByTestId('rec-status');
  await expect(status).toHaveAttribute('data-state', 'recording');
  await expect.poll(() => num(page, 'rec-records'), { timeout: 10_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('rec-elapsed')).toHaveText(/^0:0[1-9]$/, { timeout: 5_000 });
  await expect(page.getByTestId('rec-bytes')).toHaveText(/\d( KB| MB| B)/);
  await expect(page.getByTestId('rec-rate')).toHaveText(/^[\d,.]+k?\/s$/);
  await expect(page.getByTestId('rec-ratio')).toHaveText(/^[\d.]+×ratio$/);
  await expect(page.getByTestId('rec-free')).toHaveText(/GB|MB/);

  // The session being recorded is listed; replaying it is refused, in the engine's words.
  let panel = await openSessions(page);
  await expect(panel.getByTestId('sessions-now')).toHaveAttribute('data-mode', 'recording');
  const recording = panel.locator('[data-testid="session-row"][data-recording]');
  await expect(recording).toHaveCount(1);
  await expect(recording.getByTestId('session-status')).toHaveText('recording');
  await recording.getByRole('button', { name: /at max$/ }).click();
  await expect(recording.getByTestId('session-refusal')).toHaveText('Not replayed: stop the recording first');
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();

  // About two seconds of data, then Stop.
  await page.waitForTimeout(2000);
  await page.getByTestId('rec-stop').click();
  await expect(page.getByTestId('rec-start')).toHaveText('REC');
  await expect(status).toBeHidden();

  // Listed, closed, with its records.
  panel = await openSessions(page);
  const rows = panel.getByTestId('session-row');
  await expect(rows).toHaveCount(1);
  const row = rows.first();
  const name = await row.getAttribute('data-name');
  expect(name).toMatch(/^session-/);
  await expect(row.getByTestId('session-status')).toHaveText('closed');
  expect(await num(page, 'session-records')).toBeGreaterThan(0);
  await expect(row.getByTestId('session-duration')).toHaveText(/^\d+(\.\d)? s$/);
  await expect(row.getByTestId('session-venues')).not.toBeEmpty();

  // Inspect: read from its blocks, the same records as the row, its venues, intact; then closed.
  const inspect = row.getByRole('button', { name: `Inspect ${name}` });
  await expect(inspect).toHaveAttribute('data-tip', /^Inspect/);
  await inspect.click();
  await expect(inspect).toHaveAttribute('aria-expanded', 'true');
  const inspection = row.getByTestId('session-inspection');
  await expect(inspection).toHaveAttribute('data-state', 'ready');
  expect(await num(page, 'inspect-records')).toBe(await num(page, 'session-records'));
  await expect(inspection.getByTestId('inspect-damage')).toContainText('intact');
  await expect(inspection.getByTestId('inspect-damage')).toHaveAttribute('data-tone', 'good');
  await expect(inspection.getByTestId('inspect-duration')).toHaveText(/^\d+(\.\d)? s$/);
  await expect(inspection.getByTestId('inspect-span')).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d – /);
  await expect(inspection.getByTestId('inspect-ratio')).toHaveText(/^[\d.]+× compression$/);
  expect(await num(page, 'inspect-blocks')).toBeGreaterThan(0);
  const venues = await row.getByTestId('session-venues').locator('.ss-venue').allTextContents();
  const byVenue = inspection.getByTestId('inspect-by-venue');
  for (const v of venues) await expect(byVenue.locator(`[data-key="${v}"]`)).toHaveCount(1);
  await expect(inspection.getByTestId('inspect-by-kind').locator('.ss-ins-item').first()).toBeVisible();
  const instruments = inspection.getByTestId('inspect-by-instrument').locator('.ss-ins-item');
  expect(await instruments.count()).toBeGreaterThan(0);
  expect(await instruments.count()).toBeLessThanOrEqual(9);
  await inspect.click();
  await expect(inspection).toBeHidden();
  await expect(inspect).toHaveAttribute('aria-expanded', 'false');

  // Rename: a name the engine refuses, then a good one.
  await row.getByRole('button', { name: `Rename ${name}` }).click();
  const input = row.getByTestId('session-rename-input');
  await expect(input).toBeFocused();
  await input.fill('bad/name');
  await input.press('Enter');
  await expect(row.getByTestId('session-refusal')).toContainText("'bad/name' is not a session name");
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await input.fill('e2e run');
  await input.press('Enter');
  const renamed = panel.locator('[data-testid="session-row"][data-name="e2e run"]');
  await expect(renamed).toBeVisible();
  await expect(renamed.getByTestId('session-name')).toHaveText('e2e run');
  expect(existsSync(join(sessionsDir, 'e2e run'))).toBe(true);

  // Replay at 4×: the drawer closes, the banner says so, the feed chip is the replay.
  await renamed.getByRole('button', { name: 'Replay e2e run at 4×' }).click();
  await expect(panel).toBeHidden();
  const banner = page.getByTestId('replay-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('REPLAY');
  await expect(banner.getByTestId('replay-name')).toHaveText('e2e run');
  await expect(banner.getByTestId('replay-speed')).toHaveText('4×');
  await expect(banner.getByTestId('replay-position')).toHaveText(
    /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|finished|starting…)$/,
  );
  await expect(chips).toHaveCount(1);
  await expect(chips.first()).toContainText('replay e2e run');
  await expect(page.getByTestId('rec-start')).toBeDisabled();
  const state = await page.evaluate(
    async () => (await (await fetch('/api/sessions')).json()) as SessionsState,
  );
  expect(state.replaying).toMatchObject({ name: 'e2e run', speed: 4 });

  // Back to live.
  await page.getByTestId('back-to-live').click();
  await expect(banner).toBeHidden();
  await expect(chips).toHaveCount(liveChips, { timeout: 30_000 });
  await expect(chips.first()).not.toContainText('replay');
  await expect(chips.first()).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
  await expect(page.getByTestId('rec-start')).toBeEnabled();

  // Delete, after a confirmation.
  panel = await openSessions(page);
  const row2 = panel.locator('[data-testid="session-row"][data-name="e2e run"]');
  await row2.getByRole('button', { name: 'Delete e2e run' }).click();
  const confirm = row2.getByTestId('session-confirm-delete');
  await expect(confirm).toContainText('Delete e2e run?');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(panel.getByTestId('session-row')).toHaveCount(0);
  await expect(panel.getByTestId('sessions-empty')).toBeVisible();
  expect(existsSync(join(sessionsDir, 'e2e run'))).toBe(false);
  expect(unexpected(errors)).toEqual([]);
});

test('a refused REC says why, under the control', async ({ dashboard }) => {
  const { page, errors, target } = dashboard;
  test.skip(target !== 'chromium-host', 'the refusal is stubbed on the HTTP route');
  await page.route('**/api/sessions', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({ json: { ok: false, error: 'a replay is running: go back to live to record' } })
      : route.continue(),
  );
  await expect(page.getByTestId('rec-start')).toBeEnabled({ timeout: 20_000 });
  await page.getByTestId('rec-start').click();
  await expect(page.getByTestId('rec-refusal')).toHaveText(
    'Not recording · a replay is running: go back to live to record',
  );
  await page.getByTestId('rec-refusal').getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('rec-refusal')).toBeHidden();
  expect(errors).toEqual([]);
});

test('a recording that failed (disk full) is impossible to miss', async ({ dashboard }) => {
  const { page, errors, target } = dashboard;
  test.skip(target !== 'chromium-host', 'the failure is stubbed on the HTTP route');
  const failed: SessionsState = {
    recording: {
      active: true,
      name: 'session-2026-07-15T14-32-00',
      dir: join(sessionsDir, 'session-2026-07-15T14-32-00'),
      startedAt: Date.now() - 65_000,
      records: 1_234_567,
      blocks: 310,
      bytes: 18_400_000,
      rawBytes: 79_000_000,
      compressionRatio: 4.29,
      rawBlocks: 0,
      segment: join(sessionsDir, 'session-2026-07-15T14-32-00', 'segment-000001.tsb'),
      policy: { fsyncMs: 1000, compressors: 2, codec: 'columnar', segmentMiB: 256 },
      error: 'ENOSPC: no space left on device, write',
      freeBytes: 0,
      at: Date.now(),
    },
    sessions: [],
    replaying: null,
    root: sessionsDir,
    listError: null,
    nextPolicy: { fsyncMs: 1000, compressors: 2, codec: 'columnar', segmentMiB: 256 },
    exports: [],
  };
  await page.route('**/api/sessions', (route) =>
    route.request().method() === 'GET' ? route.fulfill({ json: failed }) : route.continue(),
  );
  const status = page.getByTestId('rec-status');
  await expect(status).toHaveAttribute('data-state', 'failed');
  await expect(status.getByTestId('rec-error')).toHaveText('ENOSPC: no space left on device, write');
  const banner = page.getByTestId('rec-error-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('Recording failed');
  await expect(banner).toContainText('1,234,567 records');
  await expect(banner.getByRole('button', { name: 'Close the session' })).toBeVisible();
  expect(errors).toEqual([]);
});
