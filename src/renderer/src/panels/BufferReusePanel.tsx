/**
 * Buffer reuse: how often frame buffers come back from the pool instead of being allocated
 * (reuse %), how full the rings are for their slowest reader, and — on the right axis — pool
 * misses, ring laps, writes returned to the sender, records skipped by lossy readers and records
 * dropped, per second. Below the chart, one line per ring, pool and dispatcher.
 */
import { useMemo } from 'react';
import { ComponentKind } from '../../../common/frame.ts';
import { fmtInt, fmtPct, fmtRate, fmtRateTick } from '../format.ts';
import { Col } from '../series/series-layout.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { useAppStore } from '../store/app-store.ts';
import { type Figure, Panel } from './Panel.tsx';
import { C } from './palette.ts';
import { baseAxis, type ChartSpec, type SeriesDef } from './SeriesChart.tsx';

export function BufferReusePanel({ store, windowSec }: { store: SeriesStore; windowSec: number }) {
  const highWater = useAppStore((s) => s.pipeline?.poolHighWater ?? Number.NaN);
  const spec = useMemo<ChartSpec>(() => {
    const pct = (label: string, stroke: string, width: number): SeriesDef => ({
      label,
      group: '%',
      scale: '%',
      stroke,
      width,
      fmt: fmtPct,
    });
    const rate = (label: string, stroke: string): SeriesDef => ({
      label,
      group: 'per second',
      scale: 'rate',
      stroke,
      width: 1,
      fmt: (v: number) => `${fmtRate(v)}/s`,
    });
    return {
      columns: [Col.time, Col.reuse, Col.fill, Col.misses, Col.laps, Col.returns, Col.skipped, Col.dropped],
      series: [
        pct('pool reuse', C.teal, 1.75),
        pct('ring fill', C.blue, 1.25),
        rate('misses', C.lime),
        rate('laps', C.violet),
        rate('returned', C.pink),
        rate('skipped', C.orange),
        rate('dropped', C.red),
      ],
      windowSec,
      scales: {
        '%': { range: [0, 105] },
        rate: { range: (_u, _min, max) => [0, Math.max(10, max * 1.2)] },
      },
      axes: [
        baseAxis({
          scale: '%',
          size: 52,
          incrs: [10, 20, 25, 50],
          values: (_u, splits) => splits.map((v) => (v > 100 ? '' : `${v}%`)),
        }),
        baseAxis({
          scale: 'rate',
          side: 1,
          size: 56,
          grid: { show: false },
          values: (_u, splits) => splits.map((v) => `${fmtRateTick(v)}/s`),
        }),
      ],
    };
  }, [windowSec]);
  const figures = useMemo<Figure[]>(
    () => [
      {
        label: 'reuse',
        value: (s) => fmtPct(s.latest(Col.reuse)),
        tone: (s) => {
          const v = s.latest(Col.reuse);
          return Number.isNaN(v) ? undefined : v >= 99 ? 'good' : 'warn';
        },
      },
      {
        label: 'ring fill',
        value: (s) => fmtPct(s.latest(Col.fill)),
        tone: (s) => (s.latest(Col.fill) > 50 ? 'bad' : undefined),
      },
      { label: 'misses', value: (s) => fmtRate(s.latest(Col.misses)) },
    ],
    [],
  );
  return (
    <Panel
      testId="panel-buffer-reuse"
      title="Buffer reuse"
      subtitle={`pool high-water ${fmtInt(highWater)} buffer${highWater === 1 ? '' : 's'} · left: % · right: per second`}
      store={store}
      spec={spec}
      figures={figures}
    >
      <ComponentTable />
    </Panel>
  );
}

function ringRow(v: Float64Array): string {
  return `${fmtInt(v[0]!)} slots · fill ${fmtPct(v[1]! * 100)} · ${fmtInt(v[4]!)} readers · ${fmtInt(v[2]!)} writes · ${fmtInt(v[3]!)} returned · ${fmtInt(v[5]!)} laps · ${fmtInt(v[6]!)} skipped · ${fmtInt(v[7]!)} detached`;
}

function poolRow(v: Float64Array): string {
  const ratio = v[0]! > 0 ? (v[1]! / v[0]!) * 100 : 100;
  return `${fmtInt(v[0]!)} acquires · ${fmtPct(ratio)} reused · ${fmtInt(v[2]!)} misses · high-water ${fmtInt(v[3]!)} · ${fmtInt(v[4]!)} in use`;
}

function dispatcherRow(v: Float64Array): string {
  return `${fmtInt(v[0]!)} workers · ${fmtInt(v[1]!)} busy · ${fmtInt(v[2]!)} sent · ${fmtInt(v[3]!)} returned · ${fmtInt(v[5]!)} failed · start p99 ${fmtInt(v[6]!)} µs`;
}

function componentText(kind: number, v: Float64Array): string {
  if (kind === ComponentKind.ring) return ringRow(v);
  if (kind === ComponentKind.pool) return poolRow(v);
  return dispatcherRow(v);
}

function ComponentRow({ name, text }: { name: string; text: string }) {
  return (
    <tr>
      <th>{name}</th>
      <td title={text}>{text}</td>
    </tr>
  );
}

/** One line per ring, pool and dispatcher, from the COMPONENTS section (4 updates a second). */
function ComponentTable() {
  const components = useAppStore((s) => s.components);
  if (components.length === 0) return null;
  return (
    <table className="components" data-testid="components">
      <tbody>
        {components.map((c) => (
          <ComponentRow key={`${c.kind}:${c.name}`} name={c.name} text={componentText(c.kind, c.values)} />
        ))}
      </tbody>
    </table>
  );
}
