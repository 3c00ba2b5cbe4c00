/**
 * Buffer reuse: how often frame buffers come back from the pool instead of being allocated
 * (reuse %), how full the ring is for its slowest reader, and — on the right axis — pool misses,
 * records the lossy readers skipped and records dropped at the ring, per second.
 */
import { useMemo } from 'react';
import { fmtInt, fmtPct, fmtRate } from '../format.ts';
import { Col } from '../series/series-layout.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { useAppStore } from '../store/app-store.ts';
import { type Figure, Panel } from './Panel.tsx';
import { C } from './palette.ts';
import { baseAxis, type ChartSpec, timeAxis } from './SeriesChart.tsx';

export function BufferReusePanel({ store, windowSec }: { store: SeriesStore; windowSec: number }) {
  const highWater = useAppStore((s) => s.pipeline?.poolHighWater ?? Number.NaN);
  const spec = useMemo<ChartSpec>(
    () => ({
      columns: [Col.time, Col.reuse, Col.fill, Col.misses, Col.skipped, Col.dropped],
      series: [
        { label: 'pool reuse %', scale: '%', stroke: C.teal, width: 1.5, points: { show: false } },
        { label: 'ring fill %', scale: '%', stroke: C.blue, width: 1.25, points: { show: false } },
        { label: 'misses/s', scale: 'rate', stroke: C.amber, width: 1, points: { show: false } },
        { label: 'skipped/s', scale: 'rate', stroke: C.orange, width: 1, points: { show: false } },
        { label: 'dropped/s', scale: 'rate', stroke: C.red, width: 1, points: { show: false } },
      ],
      windowSec,
      scales: {
        '%': { range: [0, 105] },
        rate: { range: (_u, _min, max) => [0, Math.max(10, max * 1.2)] },
      },
      axes: [
        timeAxis(),
        baseAxis({ scale: '%', size: 64, values: (_u, splits) => splits.map((v) => `${v}%`) }),
        baseAxis({
          scale: 'rate',
          side: 1,
          size: 56,
          grid: { show: false },
          values: (_u, splits) => splits.map(fmtRate),
        }),
      ],
    }),
    [windowSec],
  );
  const figures = useMemo<Figure[]>(
    () => [
      {
        label: 'reuse',
        value: (s) => fmtPct(s.latest(Col.reuse)),
        tone: (s) => (s.latest(Col.reuse) >= 99 ? 'good' : 'warn'),
      },
      {
        label: 'ring fill',
        value: (s) => fmtPct(s.latest(Col.fill)),
        tone: (s) => (s.latest(Col.fill) > 50 ? 'bad' : undefined),
      },
      { label: 'misses/s', value: (s) => fmtRate(s.latest(Col.misses)) },
    ],
    [],
  );
  return (
    <Panel
      testId="panel-buffer-reuse"
      title="Buffer reuse"
      subtitle={`frame pool and ring · pool high-water ${fmtInt(highWater)} buffer${highWater === 1 ? '' : 's'}`}
      store={store}
      spec={spec}
      figures={figures}
    />
  );
}
