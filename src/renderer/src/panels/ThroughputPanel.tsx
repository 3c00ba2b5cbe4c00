/** Throughput: messages per second per feed (left axis) and bytes per second in total (right). */
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { fmtBytes, fmtInt, fmtRate } from '../format.ts';
import { Col, MAX_FEED_SLOTS } from '../series/series-layout.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { useAppStore } from '../store/app-store.ts';
import { type Figure, Panel } from './Panel.tsx';
import { C, FEED_COLOURS } from './palette.ts';
import { baseAxis, type ChartSpec, timeAxis } from './SeriesChart.tsx';

function totalRate(store: SeriesStore): number {
  let sum = 0;
  const n = Math.max(1, Math.min(store.feedCount, MAX_FEED_SLOTS));
  for (let i = 0; i < n; i++) {
    const v = store.latest(Col.msgs + i);
    if (Number.isFinite(v)) sum += v;
  }
  return sum;
}

export function ThroughputPanel({ store, windowSec }: { store: SeriesStore; windowSec: number }) {
  const names = useAppStore((s) => s.feeds.map((f) => f.name).join('\n'));
  const totalMessages = useAppStore((s) => s.pipeline?.totalMessages ?? Number.NaN);
  const spec = useMemo<ChartSpec>(() => {
    const feeds = (names ? names.split('\n') : ['feed']).slice(0, MAX_FEED_SLOTS);
    const series: uPlot.Series[] = feeds.map((name, i) => ({
      label: `${name} msg/s`,
      scale: 'msgs',
      stroke: FEED_COLOURS[i],
      width: 1.5,
      fill: i === 0 ? 'rgba(45, 212, 191, 0.08)' : undefined,
      points: { show: false },
    }));
    series.push({
      label: 'bytes/s',
      scale: 'bytes',
      stroke: C.violet,
      width: 1,
      dash: [4, 3],
      points: { show: false },
    });
    return {
      columns: [Col.time, ...feeds.map((_, i) => Col.msgs + i), Col.bytes],
      series,
      windowSec,
      scales: {
        msgs: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] },
        bytes: { range: (_u, _min, max) => [0, Math.max(1024, max * 1.1)] },
      },
      axes: [
        timeAxis(),
        baseAxis({ scale: 'msgs', size: 64, values: (_u, splits) => splits.map(fmtRate) }),
        baseAxis({
          scale: 'bytes',
          side: 1,
          size: 72,
          grid: { show: false },
          values: (_u, splits) => splits.map((v) => fmtBytes(v)),
        }),
      ],
    };
  }, [names, windowSec]);
  const figures = useMemo<Figure[]>(
    () => [
      { label: 'msg/s', value: (s) => fmtRate(totalRate(s)) },
      { label: 'bytes/s', value: (s) => fmtBytes(s.latest(Col.bytes)) },
    ],
    [],
  );
  return (
    <Panel
      testId="panel-throughput"
      title="Throughput"
      subtitle={`messages and bytes per second · ${fmtInt(totalMessages)} messages in total`}
      store={store}
      spec={spec}
      figures={figures}
      className="panel-wide"
    />
  );
}
