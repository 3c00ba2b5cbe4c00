/**
 * Screenshot baselines on deterministic data: a seeded session computed on a virtual clock, so
 * every run draws the same pixels. `npm run screenshots` refreshes the baselines and the README
 * screenshot together.
 */
import { expect, test } from './fixtures.ts';

test.use({ mode: 'deterministic' });

test('dashboard on a deterministic session matches its baseline', async ({ dashboard }) => {
  const { page, errors } = dashboard;
  // 120 s of virtual time at 250 ms intervals = 480 points per series, all delivered at connect.
  for (const id of ['panel-throughput', 'panel-latency', 'panel-buffer-reuse']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-points', '480', { timeout: 20_000 });
  }
  await page.evaluate(() => document.fonts.ready);
  // Frame counters tick on the page's own wall clock; everything else derives from the session.
  await expect(page).toHaveScreenshot('dashboard.png', {
    mask: [page.getByTestId('transport'), page.getByTestId('count-frames')],
  });
  expect(errors).toEqual([]);
});
