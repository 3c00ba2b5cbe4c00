/**
 * Latency: per metrics interval, p50 / p99 / p99.9 / max of the wire stage (exchange time →
 * receive) and the pipeline stage (receive → reader), on a log scale so microseconds and
 * milliseconds read on one chart. Intervals without a sample are gaps, not zeros.
 */
import { useMemo } from 'react';
import { fmtLatency, fmtLatencyTick } from '../format.ts';
import { Col } from '../series/series-layout.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { type Figure, Panel } from './Panel.tsx';
import { LATENCY } from './palette.ts';
import { baseAxis, type ChartSpec, logGridFilter, type SeriesDef } from './SeriesChart.tsx';

const P50 = 0;
const P99 = 2;
const P999 = 3;
const MAX = 4;

function stage(
  group: 'wire' | 'pipeline',
  base: number,
  colours: Record<'p50' | 'p99' | 'p999' | 'max', string>,
) {
  const line = (label: string, stroke: string, width: number, dash?: number[]): SeriesDef => ({
    label,
    group,
    scale: 'ms',
    stroke,
    width,
    ...(dash ? { dash } : {}),
    fmt: fmtLatency,
  });
  return {
    columns: [base + P50, base + P99, base + P999, base + MAX],
    series: [
      line('p50', colours.p50, 1.75),
      line('p99', colours.p99, 1.25),
      line('p99.9', colours.p999, 1),
      line('max', colours.max, 1, [2, 3]),
    ],
  };
}

export function LatencyPanel({ store, windowSec }: { store: SeriesStore; windowSec: number }) {
  const spec = useMemo<ChartSpec>(() => {
    const wire = stage('wire', Col.wire, LATENCY.wire);
    const pipe = stage('pipeline', Col.pipe, LATENCY.pipe);
    return {
      columns: [Col.time, ...wire.columns, ...pipe.columns],
      series: [...wire.series, ...pipe.series],
      windowSec,
      scales: { ms: { distr: 3, log: 10 } },
      // Below 1 µs is below the histograms' resolution; 0 (e.g. clock skew clamped) sits there.
      floor: 0.001,
      axes: [
        baseAxis({
          scale: 'ms',
          size: 58,
          values: (_u, splits) => splits.map(fmtLatencyTick),
          grid: { stroke: '#1a2130', width: 1, filter: logGridFilter },
          ticks: { stroke: '#1a2130', width: 1, size: 4, filter: logGridFilter },
        }),
      ],
    };
  }, [windowSec]);
  const figures = useMemo<Figure[]>(
    () => [
      { label: 'wire p50', value: (s: SeriesStore) => fmtLatency(s.latest(Col.wire + P50)) },
      { label: 'wire p99', value: (s: SeriesStore) => fmtLatency(s.latest(Col.wire + P99)) },
      { label: 'pipe p50', value: (s: SeriesStore) => fmtLatency(s.latest(Col.pipe + P50)) },
      { label: 'pipe p99', value: (s: SeriesStore) => fmtLatency(s.latest(Col.pipe + P99)) },
    ],
    [],
  );
  return (
    <Panel
      testId="panel-latency"
      title="Latency"
      subtitle="log scale · wire: venue → receive · pipeline: receive → reader"
      store={store}
      spec={spec}
      figures={figures}
    />
  );
}
