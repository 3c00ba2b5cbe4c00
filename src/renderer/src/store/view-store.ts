/**
 * How the user looks at the data, as opposed to the data itself: the time window, whether the live
 * view is paused, the zoomed time range shared by every chart, and the layout (panels hidden or
 * maximised, per-panel choices such as the Distribution's stage or the Throughput's grouping).
 * Persisted in localStorage (userData in Electron), so a restart opens the dashboard as it was
 * left. Chart data never passes through here.
 */
import { create } from 'zustand';

/** Time windows the toolbar offers, in seconds: 1 min … 1 h. */
export const WINDOWS = [60, 300, 900, 3600] as const;
export type WindowSec = (typeof WINDOWS)[number];
export const DEFAULT_WINDOW: WindowSec = 300;

export const LAYOUT_KEY = 'tickscope.layout.v1';

export interface ViewState {
  windowSec: WindowSec;
  /**
   * The live view is frozen at `pausedAt` (engine time, epoch ms) while the series store keeps
   * filling; null when live.
   */
  pausedAt: number | null;
  /** A zoomed time range (engine epoch ms) shared by every time chart; null follows the window. */
  zoom: readonly [number, number] | null;
  /** Panel ids (their data-testid) the user hid. */
  hidden: readonly string[];
  /** The panel shown alone, full size; null for the grid. */
  maximized: string | null;
  /** Small per-panel choices, by key (e.g. 'distribution.stage' → 'wire'). */
  prefs: Readonly<Record<string, string>>;
  /** The keyboard shortcuts overlay is open (not persisted). */
  helpOpen: boolean;
  setWindow(w: WindowSec): void;
  /** Pauses at `at` (the newest engine time on screen) or resumes when already paused. */
  togglePause(at: number): void;
  resume(): void;
  setZoom(z: readonly [number, number] | null): void;
  setHidden(id: string, hidden: boolean): void;
  setMaximized(id: string | null): void;
  setPref(key: string, value: string): void;
  setHelpOpen(open: boolean): void;
}

interface Persisted {
  windowSec: WindowSec;
  hidden: string[];
  maximized: string | null;
  prefs: Record<string, string>;
}

function isWindow(v: unknown): v is WindowSec {
  return WINDOWS.includes(v as WindowSec);
}

/** Reads the saved layout; anything malformed falls back to the default, field by field. */
export function readLayout(raw: string | null): Persisted {
  const out: Persisted = { windowSec: DEFAULT_WINDOW, hidden: [], maximized: null, prefs: {} };
  if (!raw) return out;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return out;
  }
  if (typeof v !== 'object' || v === null) return out;
  const o = v as Record<string, unknown>;
  if (isWindow(o.windowSec)) out.windowSec = o.windowSec;
  if (Array.isArray(o.hidden))
    out.hidden = o.hidden.filter((x): x is string => typeof x === 'string').slice(0, 32);
  if (typeof o.maximized === 'string') out.maximized = o.maximized;
  if (typeof o.prefs === 'object' && o.prefs !== null) {
    for (const [k, x] of Object.entries(o.prefs as Record<string, unknown>).slice(0, 64)) {
      if (typeof x === 'string' && x.length <= 200) out.prefs[k] = x;
    }
  }
  return out;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled: the layout simply does not persist
  }
}

const saved = readLayout(storage()?.getItem(LAYOUT_KEY) ?? null);

export const useViewStore = create<ViewState>()((set) => ({
  windowSec: saved.windowSec,
  pausedAt: null,
  zoom: null,
  hidden: saved.hidden,
  maximized: saved.maximized,
  prefs: saved.prefs,
  helpOpen: false,
  setWindow: (windowSec) => set({ windowSec, zoom: null }),
  togglePause: (at) => set((s) => (s.pausedAt === null ? { pausedAt: at } : { pausedAt: null, zoom: null })),
  resume: () => set({ pausedAt: null, zoom: null }),
  setZoom: (zoom) => set({ zoom }),
  setHidden: (id, hidden) =>
    set((s) => ({ hidden: hidden ? [...new Set([...s.hidden, id])] : s.hidden.filter((x) => x !== id) })),
  setMaximized: (maximized) => set({ maximized }),
  setPref: (key, value) => set((s) => ({ prefs: { ...s.prefs, [key]: value } })),
  setHelpOpen: (helpOpen) => set({ helpOpen }),
}));

// Only the layout persists; pause and zoom are moments, not preferences.
useViewStore.subscribe((s, prev) => {
  if (
    s.windowSec === prev.windowSec &&
    s.hidden === prev.hidden &&
    s.maximized === prev.maximized &&
    s.prefs === prev.prefs
  )
    return;
  const p: Persisted = {
    windowSec: s.windowSec,
    hidden: [...s.hidden],
    maximized: s.maximized,
    prefs: { ...s.prefs },
  };
  try {
    storage()?.setItem(LAYOUT_KEY, JSON.stringify(p));
  } catch {
    // quota or disabled storage: keep working, unpersisted
  }
});
