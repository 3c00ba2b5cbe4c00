/**
 * The view store's persisted layout: what readLayout accepts from localStorage (a saved layout
 * comes back field by field; anything malformed falls back to the default for that field, never
 * failing the page), that a change of the layout is written and a pause or zoom is not, and the
 * range every time chart shows (live, paused, zoomed). Also the dashboard's state, from its inputs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeedState, type FeedStatus } from '../../src/common/feed-model.ts';
import { appState, type TransportLike } from '../../src/renderer/src/layout/app-state.ts';
import { viewRange } from '../../src/renderer/src/series/view-range.ts';

// A localStorage before the store module loads, as in the page.
const saved = new Map<string, string>();
Object.defineProperty(globalThis, 'localStorage', {
  configurable: true,
  value: {
    getItem: (k: string) => saved.get(k) ?? null,
    setItem: (k: string, v: string) => void saved.set(k, v),
    removeItem: (k: string) => void saved.delete(k),
  },
});
saved.set(
  'tickscope.layout.v1',
  JSON.stringify({ windowSec: 900, hidden: ['panel-market'], maximized: 'panel-latency', prefs: { a: 'b' } }),
);
const { readLayout, useViewStore, LAYOUT_KEY, DEFAULT_WINDOW } = await import(
  '../../src/renderer/src/store/view-store.ts'
);

test('a saved layout comes back as it was left', () => {
  const s = useViewStore.getState();
  assert.equal(s.windowSec, 900);
  assert.deepEqual(s.hidden, ['panel-market']);
  assert.equal(s.maximized, 'panel-latency');
  assert.deepEqual(s.prefs, { a: 'b' });
  assert.equal(s.pausedAt, null);
  assert.equal(s.zoom, null);
});

test('readLayout: missing, broken or hostile input falls back field by field', () => {
  const def = { windowSec: DEFAULT_WINDOW, hidden: [], maximized: null, prefs: {} };
  assert.deepEqual(readLayout(null), def);
  assert.deepEqual(readLayout(''), def);
  assert.deepEqual(readLayout('{not json'), def);
  assert.deepEqual(readLayout('42'), def);
  assert.deepEqual(readLayout('null'), def);
  assert.deepEqual(readLayout('[1,2]'), def);
  // A window that is not one of the offered ones, hidden ids that are not strings, prefs too long.
  const r = readLayout(
    JSON.stringify({
      windowSec: 120,
      hidden: ['panel-latency', 3, null, 'panel-market'],
      maximized: 7,
      prefs: { ok: 'wire', long: 'x'.repeat(201), num: 3 },
    }),
  );
  assert.deepEqual(r, { ...def, hidden: ['panel-latency', 'panel-market'], prefs: { ok: 'wire' } });
  assert.equal(readLayout(JSON.stringify({ windowSec: 3600 })).windowSec, 3600);
  // Bounded: a huge saved list cannot blow up the page.
  const many = readLayout(JSON.stringify({ hidden: Array.from({ length: 1000 }, (_, i) => `p${i}`) }));
  assert.equal(many.hidden.length, 32);
});

test('the layout is written on change; pause and zoom are moments, not saved', () => {
  const v = useViewStore.getState();
  saved.delete(LAYOUT_KEY);
  v.togglePause(1_700_000_000_000);
  v.setZoom([1, 2]);
  assert.equal(saved.has(LAYOUT_KEY), false);
  v.setWindow(60);
  v.setHidden('panel-recording', true);
  v.setMaximized(null);
  v.setPref('distribution.stage', 'ui');
  const back = readLayout(saved.get(LAYOUT_KEY) ?? null);
  assert.deepEqual(back, {
    windowSec: 60,
    hidden: ['panel-market', 'panel-recording'],
    maximized: null,
    prefs: { a: 'b', 'distribution.stage': 'ui' },
  });
  // setWindow drops the zoom; resuming drops the pause (and any zoom).
  assert.equal(useViewStore.getState().zoom, null);
  useViewStore.getState().setZoom([1, 2]);
  useViewStore.getState().togglePause(0);
  assert.equal(useViewStore.getState().pausedAt, null);
  assert.equal(useViewStore.getState().zoom, null);
  useViewStore.getState().setHidden('panel-recording', false);
  assert.deepEqual(useViewStore.getState().hidden, ['panel-market']);
});

test('the range every time chart shows: live, paused, zoomed', () => {
  const live = { windowSec: 300, pausedAt: null, zoom: null };
  assert.deepEqual(viewRange(1000, live), [700, 1000]);
  // The full window even when the data is shorter: the axis reads the same in every chart.
  assert.deepEqual(viewRange(20, { ...live, windowSec: 60 }), [-40, 20]);
  assert.deepEqual(viewRange(Number.NaN, live), [0, 300]);
  assert.deepEqual(viewRange(1000, { ...live, pausedAt: 900_000 }), [600, 900]);
  // A pause after the newest row (a new session began earlier) holds at the newest row.
  assert.deepEqual(viewRange(500, { ...live, pausedAt: 900_000 }), [200, 500]);
  assert.deepEqual(viewRange(1000, { ...live, pausedAt: 900_000, zoom: [850_000, 870_000] }), [850, 870]);
});

function transport(state: TransportLike['state'], frames: number): TransportLike {
  return { state, frames };
}

function feed(state: number, messages: number): FeedStatus {
  return {
    feedId: 1,
    venue: 1,
    state,
    reconnects: 0,
    transitions: 0,
    since: 0,
    messages,
    name: 'binance',
    url: 'ws://x',
    counters: [],
  };
}

test('the dashboard state: error, connecting, disconnected, empty, replay, live', () => {
  const base = {
    isolated: true,
    fatal: null,
    transport: transport('open', 10),
    hasData: true,
    feeds: [feed(FeedState.live, 100)],
    replaying: false,
  };
  assert.deepEqual(appState(base), { kind: 'live' });
  assert.equal(appState({ ...base, isolated: false }).kind, 'error');
  assert.equal(appState({ ...base, fatal: 'frame receiver failed' }).kind, 'error');
  assert.deepEqual(appState({ ...base, transport: null }), { kind: 'connecting', phase: 'engine' });
  assert.deepEqual(appState({ ...base, transport: transport('connecting', 0) }), {
    kind: 'connecting',
    phase: 'engine',
  });
  // Never reached (closed before any frame): still connecting, not "disconnected".
  assert.equal(appState({ ...base, transport: transport('closed', 0) }).kind, 'connecting');
  assert.equal(appState({ ...base, transport: transport('closed', 10) }).kind, 'disconnected');
  assert.equal(appState({ ...base, transport: transport('connecting', 10) }).kind, 'disconnected');
  assert.deepEqual(appState({ ...base, hasData: false }), { kind: 'connecting', phase: 'engine' });
  assert.deepEqual(appState({ ...base, feeds: [] }), { kind: 'empty', reason: 'no-feeds' });
  assert.deepEqual(appState({ ...base, feeds: [feed(FeedState.connecting, 0)] }), {
    kind: 'connecting',
    phase: 'feeds',
  });
  assert.deepEqual(appState({ ...base, feeds: [feed(FeedState.live, 0)] }), {
    kind: 'empty',
    reason: 'no-data',
  });
  assert.equal(appState({ ...base, replaying: true }).kind, 'replay');
  // Lost while replaying: the loss is what matters.
  assert.equal(
    appState({ ...base, replaying: true, transport: transport('closed', 5) }).kind,
    'disconnected',
  );
});
