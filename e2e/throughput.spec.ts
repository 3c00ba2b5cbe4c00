/**
 * Throughput and Buffer reuse on the live simulator (five venues). Throughput: by venue ↔ by
 * stream, msg/s ↔ MB/s, lines ↔ stacked each change the legend and the data drawn; stacked, the
 * hover read-out shows each series' own value (not where it is stacked); the choices survive a
 * reload. Buffer reuse: the pool view has buffers in use and the high-water mark as series, the
 * rings view fill, laps and returns; the table lists the frame pool and every ring; every figure
 * says what it measures. Screenshots of both panels in each mode go to the test's output folder.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const FEEDS = ['binance-sim', 'coinbase-sim', 'kraken-sim', 'bybit-sim', 'okx-sim'];
const STREAMS = ['trades', 'top of book', 'book', 'other'];

/** "1,172" · "12.3k" · "0.712" (MB) → a number (NaN for "—"). */
function num(text: string): number {
  const m = /^([\d.,]+)\s*([kM]?)/.exec(text.trim());
  if (!m) return Number.NaN;
  return Number(m[1]!.replace(/,/g, '')) * (m[2] === 'M' ? 1e6 : m[2] === 'k' ? 1e3 : 1);
}

const legend = (panel: Locator): Promise<string[]> => panel.locator('.legend-label').allTextContents();

async function choose(panel: Locator, control: string, label: string): Promise<void> {
  const button = panel.getByTestId(control).getByRole('button', { name: label, exact: true });
  await button.click();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
}

/** Hovers near the right of the panel's chart and returns the read-out: label → value text. */
async function readout(page: Page, panel: Locator): Promise<Map<string, string>> {
  const over = panel.locator('.u-over');
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.85, box.y + box.height * 0.5);
  const tip = panel.locator('.chart-tip');
  await expect(tip).toBeVisible();
  const rows = await tip
    .locator('.chart-tip-row')
    .evaluateAll((els) =>
      els.map((e) => [
        e.querySelector('.chart-tip-label')?.textContent ?? '',
        e.querySelector('.chart-tip-value')?.textContent ?? '',
      ]),
    );
  await page.mouse.move(0, 0);
  return new Map(rows as [string, string][]);
}

/** A fresh layout with a one-minute window, so a few seconds of data fill the charts. */
async function freshLayout(page: Page): Promise<void> {
  await page.evaluate(() => localStorage.setItem('tickscope.layout.v1', JSON.stringify({ windowSec: 60 })));
  await page.reload();
}

async function shot(panel: Locator, name: string): Promise<void> {
  if (process.env.SHOTS_DIR) {
    // Maximised as well, to see the drawing in detail.
    await panel.getByRole('button', { name: 'Maximise this panel' }).click();
    await panel.page().waitForTimeout(400);
    await panel.screenshot({ path: `${process.env.SHOTS_DIR}/${name}-max.png` });
    await panel.page().keyboard.press('Escape');
    await panel.page().waitForTimeout(300);
  }
  // Beside the test's output (and in SHOTS_DIR when set, to look at them).
  await panel.screenshot({ path: test.info().outputPath(`${name}.png`) });
  if (process.env.SHOTS_DIR) await panel.screenshot({ path: `${process.env.SHOTS_DIR}/${name}.png` });
}

/** Waits for a redraw after a change (the chart's rows count again), or for `rows` rows. */
async function drawn(panel: Locator, rows = 4): Promise<void> {
  await expect
    .poll(async () => Number(await panel.getAttribute('data-points')), { timeout: 30_000 })
    .toBeGreaterThan(rows);
}

test('Throughput: by venue / by stream, msg/s / MB/s, lines / stacked — legend, data and read-out follow; choices persist', async ({
  dashboard,
}) => {
  test.setTimeout(process.env.SHOTS_DIR ? 120_000 : 60_000);
  const { page, errors } = dashboard;
  await freshLayout(page);
  const panel = page.getByTestId('panel-throughput');
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText('Throughput');
  await drawn(panel, 48); // 12 s of 250 ms intervals: enough to see in the screenshots

  // Headline totals, each saying what it measures.
  const figures = panel.locator('.figure');
  await expect(figures.locator('dt')).toHaveText(['msg/s', 'MB/s']);
  for (const tip of await figures.evaluateAll((fs) => fs.map((f) => f.getAttribute('data-tip') ?? '')))
    expect(tip).toMatch(/per second/);
  await expect
    .poll(async () => num((await figures.nth(0).locator('dd').textContent()) ?? ''))
    .toBeGreaterThan(50);
  await expect
    .poll(async () => num((await figures.nth(1).locator('dd').textContent()) ?? ''))
    .toBeGreaterThan(0);

  // Default: one line per venue, in messages/s.
  await expect(
    panel.getByTestId('throughput-group').getByRole('button', { name: 'by venue' }),
  ).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => legend(panel), { timeout: 20_000 }).toEqual(FEEDS);
  const venues = await readout(page, panel);
  expect([...venues.keys()]).toEqual(FEEDS);
  for (const v of venues.values()) expect(v).toMatch(/\/s$/);
  await shot(panel, 'throughput-venue-msgs-lines');

  // By stream: trades, top of book, book, other.
  await choose(panel, 'throughput-group', 'by stream');
  await expect.poll(() => legend(panel)).toEqual(STREAMS);
  await drawn(panel);
  const streams = await readout(page, panel);
  expect([...streams.keys()]).toEqual(STREAMS);
  for (const v of streams.values()) expect(v).toMatch(/\/s$/);
  const lines = STREAMS.map((s) => num(streams.get(s)!));
  expect(lines[0]).toBeGreaterThan(0); // trades
  expect(lines[2]).toBeGreaterThan(lines[3]!); // the books outnumber heartbeats and acks
  for (const tip of await panel
    .locator('.legend-item')
    .evaluateAll((is) => is.map((i) => i.getAttribute('data-tip') ?? '')))
    expect(tip.length).toBeGreaterThan(20);
  await shot(panel, 'throughput-stream-msgs-lines');

  // Stacked: areas with fills; the read-out still shows each stream's own rate — the stream on
  // top (other, the smallest) would read as the total if the cumulative values leaked into it.
  await choose(panel, 'throughput-layout', 'stacked');
  await drawn(panel);
  await expect(panel.locator('.legend .swatch rect')).toHaveCount(STREAMS.length);
  const stacked = await readout(page, panel);
  const own = STREAMS.map((s) => num(stacked.get(s)!));
  expect(own[3]).toBeLessThan(own[2]!);
  expect(own[3]).toBeLessThan(own.reduce((a, b) => a + b, 0) / 4);
  await shot(panel, 'throughput-stream-msgs-stacked');

  // MB/s: the unit in the legend and the read-out.
  await choose(panel, 'throughput-unit', 'MB/s');
  await drawn(panel);
  const mb = await readout(page, panel);
  expect([...mb.keys()]).toEqual(STREAMS);
  for (const v of mb.values()) expect(v).toMatch(/ MB\/s$/);
  expect(num(mb.get('book')!)).toBeGreaterThan(0);
  await shot(panel, 'throughput-stream-bytes-stacked');

  await choose(panel, 'throughput-group', 'by venue');
  await expect.poll(() => legend(panel)).toEqual(FEEDS);
  await drawn(panel);
  await shot(panel, 'throughput-venue-bytes-stacked');

  // The choices are the user's layout: they survive a reload.
  await page.reload();
  const again = page.getByTestId('panel-throughput');
  await expect(again.getByTestId('throughput-unit').getByRole('button', { name: 'MB/s' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(
    again.getByTestId('throughput-layout').getByRole('button', { name: 'stacked' }),
  ).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => legend(again), { timeout: 20_000 }).toEqual(FEEDS);
  expect(errors).toEqual([]);
});

test('Buffer reuse: pools with buffers in use and high-water over time, rings with fill, laps and returns; every figure explained', async ({
  dashboard,
}) => {
  const { page, errors } = dashboard;
  await freshLayout(page);
  const panel = page.getByTestId('panel-buffer-reuse');
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText('Buffer reuse');
  await drawn(panel, 48);

  const figures = panel.locator('.figure');
  await expect(figures.locator('dt')).toHaveText(['reuse', 'in use', 'high-water', 'ring fill']);
  for (const tip of await figures.evaluateAll((fs) => fs.map((f) => f.getAttribute('data-tip') ?? '')))
    expect(tip.length).toBeGreaterThan(20);
  await expect
    .poll(async () => num((await figures.nth(2).locator('dd').textContent()) ?? ''))
    .toBeGreaterThanOrEqual(1);

  // Pools (the default): in use and high-water are series over time, next to misses and reuse.
  await expect(panel.getByTestId('buffers-view').getByRole('button', { name: 'pools' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect.poll(() => legend(panel)).toEqual(['in use', 'high-water', 'misses/s', 'reuse %']);
  if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/page.png` });
  const pools = await readout(page, panel);
  expect(num(pools.get('high-water')!)).toBeGreaterThanOrEqual(1);
  expect(pools.get('in use')).toMatch(/^\d+ buffers?$/);
  expect(pools.get('reuse %')).toMatch(/%$/);

  // The table: the frame pool and one ring per feed, every title and figure with a tooltip.
  const table = panel.getByTestId('components');
  await expect(table.locator('tr[data-kind="pool"] th')).toHaveText(['frame pool']);
  const untipped = (cells: Locator): Promise<number> =>
    cells.evaluateAll((cs) => cs.filter((c) => !(c.getAttribute('data-tip') ?? '')).length);
  expect(await untipped(table.locator('th, td'))).toBe(0);
  await shot(panel, 'buffers-pools');

  await choose(panel, 'buffers-view', 'rings');
  await expect.poll(() => legend(panel)).toEqual(['fill %', 'laps/s', 'returned/s', 'dropped/s']);
  await drawn(panel);
  // Rings: one row per feed's ring, with its fill, laps and returns.
  await expect(table.locator('tr[data-kind="ring"] th')).toHaveText(FEEDS);
  await expect(table.locator('tr.components-head th')).toHaveText([
    'ring',
    'fill',
    'laps',
    'returned',
    'skipped',
    'readers',
  ]);
  expect(await untipped(table.locator('th, td'))).toBe(0);
  const rings = await readout(page, panel);
  expect(rings.get('fill %')).toMatch(/%$/);
  expect(rings.get('returned/s')).toMatch(/\/s$/);
  await shot(panel, 'buffers-rings');
  expect(errors).toEqual([]);
});
