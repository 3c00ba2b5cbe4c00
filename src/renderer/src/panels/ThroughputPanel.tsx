/** Throughput: messages per second per feed (left axis) and bytes per second in total (right). */
import { useMemo } from 'react';
import { fmtBytes, fmtBytesTick, fmtInt, fmtRate, fmtRateTick } from '../format.ts';
import { Col, MAX_FEED_SLOTS } from '../series/series-layout.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { useAppStore } from '../store/app-store.ts';
import { type Figure, Panel } from './Panel.tsx';
import { FEED_COLOURS } from './palette.ts';
import { baseAxis, type ChartSpec, type SeriesDef } from './SeriesChart.tsx';

function totalRate(store: SeriesStore): number {
  if (store.count === 0) return Number.NaN;
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
    // Bytes/s is an area drawn first, under the message lines: the two are nearly proportional,
    // and as two lines one would hide the other.
    const series: SeriesDef[] = [
      {
        label: 'all feeds',
        group: 'bytes/s',
        legendOrder: 1,
        scale: 'bytes',
        stroke: 'rgba(167, 139, 250, 0.6)',
        width: 1,
        fill: 'rgba(167, 139, 250, 0.13)',
        fmt: (v: number) => `${fmtBytes(v)}/s`,
      },
      ...feeds.map((name, i) => ({
        label: name,
        group: 'msg/s',
        scale: 'msgs',
        stroke: FEED_COLOURS[i]!,
        width: 1.5,
        fmt: (v: number) => `${fmtRate(v)}/s`,
      })),
    ];
    return {
      columns: [Col.time, Col.bytes, ...feeds.map((_, i) => Col.msgs + i)],
      series,
      windowSec,
      scales: {
        msgs: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] },
        bytes: { range: (_u, _min, max) => [0, Math.max(1000, max * 1.1)] },
      },
      axes: [
        baseAxis({ scale: 'msgs', size: 52, values: (_u, splits) => splits.map(fmtRateTick) }),
        baseAxis({
          scale: 'bytes',
          side: 1,
          size: 66,
          grid: { show: false },
          values: (_u, splits) => splits.map(fmtBytesTick),
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
      subtitle={`per feed, per second · ${fmtInt(totalMessages)} messages in total`}
      store={store}
      spec={spec}
      figures={figures}
      className="panel-wide"
    />
  );
}
