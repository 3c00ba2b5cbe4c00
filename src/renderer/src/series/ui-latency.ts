/**
 * The UI stage: engine receive → painted. At the start of each animation frame the trades in the
 * shared market store are noted; once every chart has drawn that frame (the browser paints right
 * after), each trade that arrived since the previous frame gives one sample, now − its engine
 * receive time. Samples go into the shared UI histogram (the frame receiver drains it into each
 * metrics row and the histogram store) and into a ring for the `bench ui` harness
 * (window.__tickscopeUi) and anyone curious in the console. Nothing is allocated per frame.
 *
 * Engine and page stamp time from the same wall clock (performance.timeOrigin + now) on the
 * same machine. A session on a virtual clock (deterministic mode, or an engine whose clock is
 * unrelated) yields differences that are negative or absurdly large: those are skipped and
 * counted, never drawn.
 */
import { SharedHistogram } from '../../../common/shared-histogram.ts';
import { onFrameEdges } from './frame-loop.ts';
import { MARKET_SLOTS, type MarketStore, TRADE_CAP } from './market-store.ts';

/** Samples kept for the bench (a minute at the default simulator rate). */
const N = 65_536;
/** A receive → painted latency beyond this is not a latency but two unrelated clocks. */
export const UI_PLAUSIBLE_MS = 60_000;

export interface UiLatencyStats {
  /** The last N latencies (ms), a ring; `count` says how many were ever taken. */
  samples: Float64Array;
  count: number;
  /** Trades whose receive time could not be compared with the page's clock (virtual clock). */
  skipped: number;
  /** Trades that arrived faster than a frame could note them (overwritten in the store first). */
  missed: number;
}

declare global {
  interface Window {
    __tickscopeUi?: UiLatencyStats;
  }
}

export function measureUiLatency(market: MarketStore, uiHistogram: SharedArrayBuffer): () => void {
  const hist = new SharedHistogram(uiHistogram);
  const stats: UiLatencyStats = { samples: new Float64Array(N), count: 0, skipped: 0, missed: 0 };
  window.__tickscopeUi = stats;
  const cursor = new Float64Array(MARKET_SLOTS);
  const snap = new Float64Array(MARKET_SLOTS);
  let slots = 0;
  let noted = false;

  const start = (): void => {
    noted = false;
    const v = market.version;
    if (v & 1) return; // a frame's trades are being written: note them next frame
    slots = market.slots;
    for (let s = 0; s < slots; s++) snap[s] = market.tradesWritten(s);
    noted = market.version === v;
  };

  const end = (): void => {
    if (!noted) return;
    const now = performance.timeOrigin + performance.now();
    for (let s = 0; s < slots; s++) {
      const total = snap[s]!;
      let k = cursor[s]!;
      if (k > total) k = total; // the store was reset (a new session)
      if (total - k > TRADE_CAP) {
        stats.missed += total - k - TRADE_CAP;
        k = total - TRADE_CAP;
      }
      for (; k < total; k++) {
        const ms = now - market.tradeReceiveTime(s, k);
        if (!(ms >= 0 && ms < UI_PLAUSIBLE_MS)) {
          stats.skipped++;
          continue;
        }
        hist.record((ms * 1000 + 0.5) | 0);
        stats.samples[stats.count++ % N] = ms;
      }
      cursor[s] = total;
    }
    for (let s = slots; s < MARKET_SLOTS; s++) cursor[s] = 0;
  };

  return onFrameEdges(start, end);
}
