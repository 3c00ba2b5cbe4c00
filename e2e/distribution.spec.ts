/**
 * The latency stages in the page, on the live simulator: the Distribution panel draws a non-empty
 * histogram and percentile curve for the wire stage, switching stage re-reads the histogram store
 * (and the choice survives a reload), the UI stage gets samples measured in this page (receive →
 * painted), the disk stage says it is not recording; the Latency panel's chips show and hide
 * stages. A screenshot of the panel is written for a human to look at (not a baseline).
 */
import { expect, test } from './fixtures.ts';

declare global {
  interface Window {
    /** The page's UI-stage samples (src/renderer/src/series/ui-latency.ts). */
    __tickscopeUi?: { samples: Float64Array; count: number; skipped: number };
  }
}

test('Distribution: live histogram and percentile curve per stage; UI stage measured; Latency chips', async ({
  dashboard,
}) => {
  const { page, errors } = dashboard;
  const panel = page.getByTestId('panel-distribution');
  await expect(panel).toBeVisible({ timeout: 30_000 });
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText('Distribution');
  await expect(panel).toHaveAttribute('data-stage', 'wire');

  // Wire: samples, a histogram of several buckets, the full percentile curve, ordered read-outs.
  await expect
    .poll(async () => Number(await panel.getAttribute('data-samples')), { timeout: 30_000 })
    .toBeGreaterThan(100);
  await expect.poll(async () => Number(await panel.getAttribute('data-buckets'))).toBeGreaterThan(3);
  expect(Number(await panel.getAttribute('data-curve'))).toBeGreaterThan(50);
  await expect(page.getByTestId('distribution-p99')).toHaveText(/\d+(\.\d+)? (µs|ms)/);
  await expect(page.getByTestId('distribution-max')).toHaveText(/\d+(\.\d+)? (µs|ms)/);
  const paths = panel.locator('[data-testid="distribution-histogram"] canvas');
  await expect(paths.first()).toBeVisible();
  // The percentile axis reads as HdrHistogram's: 50 %, 90 %, 99 % ….
  const wire = await panel.getAttribute('data-samples');
  expect(wire).not.toBeNull();

  // The UI stage: measured in this page (trades painted since the engine received them).
  await expect
    .poll(() => page.evaluate(() => window.__tickscopeUi?.count ?? 0), { timeout: 30_000 })
    .toBeGreaterThan(50);
  const ui = await page.evaluate(() => {
    const u = window.__tickscopeUi!;
    const n = Math.min(u.count, u.samples.length);
    const s = Array.from(u.samples.subarray(0, n)).sort((a, b) => a - b);
    return {
      count: u.count,
      skipped: u.skipped,
      p50: s[Math.floor(n * 0.5)]!,
      p99: s[Math.floor(n * 0.99)]!,
    };
  });
  console.log(
    `UI stage in the page: ${ui.count} samples, p50 ${ui.p50.toFixed(1)} ms, p99 ${ui.p99.toFixed(1)} ms`,
  );
  // Same machine, same wall clock: (almost) every trade compares; latencies are latencies, not
  // clock offsets (a loaded 2-core VM can reach seconds, never minutes).
  expect(ui.skipped).toBeLessThanOrEqual(ui.count / 100);
  expect(ui.p50).toBeGreaterThan(0);
  expect(ui.p99).toBeLessThan(10_000);

  await panel.locator('[data-testid="distribution-stage"] [data-stage="ui"]').click();
  await expect(panel).toHaveAttribute('data-stage', 'ui');
  await expect
    .poll(async () => Number(await panel.getAttribute('data-samples')), { timeout: 15_000 })
    .toBeGreaterThan(50);
  await expect(panel.locator('[data-testid="distribution-stage"] [data-stage="ui"]')).toHaveAttribute(
    'aria-pressed',
    'true',
  );

  // Disk: nothing records, so no samples, and the panel says why.
  await panel.locator('[data-testid="distribution-stage"] [data-stage="disk"]').click();
  await expect(panel).toHaveAttribute('data-stage', 'disk');
  await expect(panel).toHaveAttribute('data-samples', '0');
  await expect(panel.locator('.dist-empty')).toContainText('not recording');

  // Back to wire for the picture.
  await panel.locator('[data-testid="distribution-stage"] [data-stage="wire"]').click();
  await expect
    .poll(async () => Number(await panel.getAttribute('data-samples')), { timeout: 15_000 })
    .toBeGreaterThan(100);
  await page.waitForTimeout(1500);
  await panel.screenshot({ path: '/tmp/distribution-panel.png' });

  // Latency panel: chips show and hide stages (five lines each, named in the hover read-out).
  const latency = page.getByTestId('panel-latency');
  const chips = latency.locator('[data-testid="latency-stages"]');
  const lines = latency.locator('.chart-tip-label');
  await expect(chips.locator('[data-stage="ui"]')).toHaveAttribute('aria-pressed', 'true');
  await expect(lines).toHaveCount(15);
  await expect(lines.filter({ hasText: /^UI p99$/ })).toHaveCount(1);
  await chips.locator('[data-stage="disk"]').click();
  await expect(chips.locator('[data-stage="disk"]')).toHaveAttribute('aria-pressed', 'true');
  await expect(lines).toHaveCount(20);
  await expect(latency.locator('.figure', { hasText: 'disk p99' })).toContainText('not recording', {
    timeout: 10_000,
  });
  await chips.locator('[data-stage="pipeline"]').click();
  await expect(lines).toHaveCount(15);
  await expect(lines.filter({ hasText: /^pipeline/ })).toHaveCount(0);
  await expect
    .poll(async () => Number(await latency.getAttribute('data-points')), { timeout: 15_000 })
    .toBeGreaterThan(0);
  await latency.screenshot({ path: '/tmp/latency-panel.png' });

  // The stage choices persist across a reload.
  await panel.locator('[data-testid="distribution-stage"] [data-stage="ui"]').click();
  await page.reload();
  await expect(page.getByTestId('panel-distribution')).toHaveAttribute('data-stage', 'ui', {
    timeout: 30_000,
  });
  await expect(
    page.getByTestId('panel-latency').locator('[data-testid="latency-stages"] [data-stage="pipeline"]'),
  ).toHaveAttribute('aria-pressed', 'false');
  expect(errors).toEqual([]);
});

test.describe('on a virtual clock', () => {
  test.use({ mode: 'deterministic' });

  test('the engine stages are drawn; the UI stage is skipped, not nonsense', async ({ dashboard }) => {
    const { page, errors } = dashboard;
    const panel = page.getByTestId('panel-distribution');
    await expect
      .poll(async () => Number(await panel.getAttribute('data-samples')), { timeout: 30_000 })
      .toBeGreaterThan(100);
    // Frames stamped in July 2026, painted now: every comparison is skipped and counted.
    await expect
      .poll(() => page.evaluate(() => window.__tickscopeUi?.skipped ?? 0), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(await page.evaluate(() => window.__tickscopeUi?.count)).toBe(0);
    await panel.locator('[data-testid="distribution-stage"] [data-stage="ui"]').click();
    await expect(panel).toHaveAttribute('data-samples', '0');
    await expect(panel.locator('.dist-empty')).toContainText('virtual clock');
    expect(errors).toEqual([]);
  });
});
