/**
 * The UI stage: from the moment the frame receiver wrote a metrics row into the series store to the
 * animation frame that draws it (the browser paints right after that frame's callbacks). Measured
 * on every new row, kept in a small ring for the `bench ui` harness (window.__tickscopeUi) and for
 * anyone curious in the console; no allocation per frame.
 */
import { onAnimationFrame } from './frame-loop.ts';
import type { SeriesStore } from './series-store.ts';

const N = 4096;

export interface UiLatencyStats {
  /** The last N latencies (ms), a ring; `count` says how many were ever taken. */
  samples: Float64Array;
  count: number;
}

declare global {
  interface Window {
    __tickscopeUi?: UiLatencyStats;
  }
}

export function measureUiLatency(store: SeriesStore): () => void {
  const stats: UiLatencyStats = { samples: new Float64Array(N), count: 0 };
  window.__tickscopeUi = stats;
  let seen = store.version;
  return onAnimationFrame(() => {
    const v = store.version;
    if (v === seen || v & 1) return;
    seen = v;
    const at = store.lastWrittenAt;
    if (at > 0) stats.samples[stats.count++ % N] = performance.timeOrigin + performance.now() - at;
  });
}
