/**
 * The time range every time chart shows, from the view store and the series store's extent: the
 * zoomed range when zoomed; otherwise the chosen window ending at the newest row (live) or at the
 * moment of the pause. The window is always its full width, even when the data is shorter (a fresh
 * session), so that the axis reads the same in every chart and the choice of window is visible;
 * the charts shade the part before the oldest row. Seconds, the series store's time unit.
 */
export interface ViewInput {
  windowSec: number;
  /** Engine epoch ms, or null when live. */
  pausedAt: number | null;
  /** Engine epoch ms, or null when following the window. */
  zoom: readonly [number, number] | null;
}

export function viewRange(newest: number, v: ViewInput): [number, number] {
  if (v.zoom) return [v.zoom[0] / 1000, v.zoom[1] / 1000];
  if (!Number.isFinite(newest)) return [0, v.windowSec];
  const end = v.pausedAt === null ? newest : Math.min(newest, v.pausedAt / 1000);
  return [end - v.windowSec, end];
}
