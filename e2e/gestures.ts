/**
 * Mouse gestures the specs share: a drag across a chart, the way a user zooms (uPlot selects on
 * mousedown → moves → mouseup, so the move is made in steps).
 */
import type { Locator } from '@playwright/test';

/** Drags across a chart's plot from fraction a to fraction b of its width. */
export async function drag(over: Locator, a: number, b: number): Promise<void> {
  const box = await over.boundingBox();
  if (!box) throw new Error('no plot');
  const page = over.page();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * a, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((a + b) / 2), y, { steps: 4 });
  await page.mouse.move(box.x + box.width * b, y, { steps: 4 });
  await page.mouse.up();
}
