/**
 * Buffer reuse: how the engine's pre-allocated memory holds up. The chart shows either the buffer
 * pools (buffers in use, high-water mark, misses, reuse %) or the rings (fill of the fullest,
 * laps, returns to the sender, dropped records), chosen in the toolbar and kept in
 * the view store; under it, one row per pool (and dispatcher) or per ring with its own figures.
 */
import { useMemo } from 'react';
import { ComponentKind } from '../../../common/feed-model.ts';
import { fmtInt, fmtPct } from '../format.ts';
import { Col } from '../series/series-layout.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { useAppStore } from '../store/app-store.ts';
import { useViewStore } from '../store/view-store.ts';
import { type BufferView, bufferReuseSpec, VIEW_PREF, viewOf } from './buffer-reuse-spec.ts';
import { ComponentTable } from './ComponentTable.tsx';
import { type Figure, Panel } from './Panel.tsx';
import { Segmented, type SegmentOption } from './Segmented.tsx';

const VIEWS: readonly SegmentOption<BufferView>[] = [
  {
    value: 'pools',
    label: 'pools',
    help: 'Buffer pools: buffers in use, high-water mark, misses and reuse %',
  },
  {
    value: 'rings',
    label: 'rings',
    help: 'Rings: fill of the fullest ring, laps, returns to the sender and dropped records; per ring below',
  },
];

/** The table follows the view: pools (and the dispatchers, which hand buffers to workers) or rings. */
const POOL_KINDS = [ComponentKind.pool, ComponentKind.dispatcher];
const RING_KINDS = [ComponentKind.ring];

const latest = (s: SeriesStore, c: number): number => (s.count === 0 ? Number.NaN : s.latest(c));

/** The frame pool (pool slot 0) and the rings, newest interval. */
const FIGURES: Figure[] = [
  {
    label: 'reuse',
    help: 'Frame pool: acquires served by a reused buffer, % of all acquires in the newest interval',
    value: (s) => fmtPct(latest(s, Col.poolReuse)),
    tone: (s) => {
      const v = latest(s, Col.poolReuse);
      return Number.isNaN(v) ? undefined : v >= 99 ? 'good' : 'warn';
    },
  },
  {
    label: 'in use',
    help: 'Frame pool: buffers handed out and not yet returned, at the end of the newest interval',
    value: (s) => fmtInt(latest(s, Col.poolInUse)),
  },
  {
    label: 'high-water',
    help: 'Frame pool: the most buffers ever in use at once, since start',
    value: (s) => fmtInt(latest(s, Col.poolHighWater)),
  },
  {
    label: 'ring fill',
    help: 'The fullest ring: its slowest reader’s backlog as % of the ring’s capacity',
    value: (s) => fmtPct(latest(s, Col.fill)),
    tone: (s) => (latest(s, Col.fill) > 50 ? 'bad' : undefined),
  },
];

export function BufferReusePanel({ store, windowSec }: { store: SeriesStore; windowSec?: number }) {
  const pools = useAppStore((s) =>
    s.components
      .filter((c) => c.kind === ComponentKind.pool)
      .map((c) => c.name)
      .join('\n'),
  );
  const view = useViewStore((s) => viewOf(s.prefs));
  const setPref = useViewStore((s) => s.setPref);
  const spec = useMemo(
    () => ({
      ...bufferReuseSpec(view, pools ? pools.split('\n') : []),
      ...(windowSec ? { windowSec } : {}),
    }),
    [view, pools, windowSec],
  );
  return (
    <Panel
      testId="panel-buffer-reuse"
      title="Buffer reuse"
      subtitle={view === 'pools' ? 'buffer pools' : 'rings, slowest reader'}
      store={store}
      spec={spec}
      figures={FIGURES}
      toolbar={
        <Segmented
          label="Show"
          options={VIEWS}
          value={view}
          onChange={(v) => setPref(VIEW_PREF, v)}
          testId="buffers-view"
        />
      }
      className="panel-buffers"
    >
      <ComponentTable kinds={view === 'pools' ? POOL_KINDS : RING_KINDS} />
    </Panel>
  );
}
