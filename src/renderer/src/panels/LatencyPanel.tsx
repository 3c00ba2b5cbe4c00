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
import { C } from './palette.ts';
import { baseAxis, type ChartSpec, timeAxis } from './SeriesChart.tsx';

const P50 = 0;
const P99 = 2;
const P999 = 3;
const MAX = 4;

export function LatencyPanel({ store, windowSec }: { store: SeriesStore; windowSec: number }) {
  const spec = useMemo<ChartSpec>(
    () => ({
      columns: [
        Col.time,
        Col.wire + P50,
        Col.wire + P99,
        Col.wire + P999,
        Col.wire + MAX,
        Col.pipe + P50,
        Col.pipe + P99,
        Col.pipe + MAX,
      ],
      series: [
        { label: 'wire p50', scale: 'ms', stroke: C.teal, width: 1.5, points: { show: false } },
        { label: 'p99', scale: 'ms', stroke: C.amber, width: 1.25, points: { show: false } },
        { label: 'p99.9', scale: 'ms', stroke: C.orange, width: 1, points: { show: false } },
        { label: 'max', scale: 'ms', stroke: C.red, width: 1, dash: [3, 3], points: { show: false } },
        { label: 'pipeline p50', scale: 'ms', stroke: C.blue, width: 1.5, points: { show: false } },
        { label: 'p99', scale: 'ms', stroke: C.violet, width: 1.25, points: { show: false } },
        { label: 'max', scale: 'ms', stroke: C.pink, width: 1, dash: [3, 3], points: { show: false } },
      ],
      windowSec,
      scales: { ms: { distr: 3, log: 10 } },
      // Below 1 µs is below the histograms' resolution; 0 (e.g. clock skew clamped) sits there.
      floor: 0.001,
      axes: [
        timeAxis(),
        baseAxis({ scale: 'ms', size: 64, values: (_u, splits) => splits.map(fmtLatencyTick) }),
      ],
    }),
    [windowSec],
  );
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
      subtitle="per 250 ms · wire: exchange → receive · pipeline: receive → reader"
      store={store}
      spec={spec}
      figures={figures}
    />
  );
}
