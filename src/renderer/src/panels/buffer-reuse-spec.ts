/**
 * The Buffer reuse chart in its two views. Pools: for every buffer pool of the engine (the frame
 * pool first), buffers in use and the high-water mark (left axis, buffers) with misses — buffers
 * the pool had to allocate — per second on the same axis, and the reuse ratio (right axis, %).
 * Rings: the fill of the fullest ring for its slowest reader (left, %), and over all rings the
 * laps of lossy readers, writes returned to the sender and records dropped, per second (right). Pure: the view and pool names in, a ChartSpec out.
 */
import { fmtInt, fmtPct, fmtRate, fmtRateTick } from '../format.ts';
import { Col, MAX_POOL_SLOTS } from '../series/series-layout.ts';
import { C } from './palette.ts';
import { baseAxis, type ChartSpec, type SeriesDef } from './SeriesChart.tsx';

export type BufferView = 'pools' | 'rings';
export const VIEW_PREF = 'buffers.view';

export function viewOf(prefs: Readonly<Record<string, string>>): BufferView {
  return prefs[VIEW_PREF] === 'rings' ? 'rings' : 'pools';
}

/** A colour per pool slot: its in-use line, high-water (dashed) and reuse share it. */
const POOL_COLOURS = [C.teal, C.blue, C.pink, C.amber];

const perSec = (v: number): string => `${fmtRate(v)}/s`;
const buffers = (v: number): string => `${fmtInt(v)} buffer${v === 1 ? '' : 's'}`;

function poolSeries(pools: readonly string[]): { columns: number[]; series: SeriesDef[] } {
  const columns: number[] = [];
  const series: SeriesDef[] = [];
  const names = (pools.length > 0 ? pools : ['frame pool']).slice(0, MAX_POOL_SLOTS);
  const many = names.length > 1;
  names.forEach((name, p) => {
    const colour = POOL_COLOURS[p]!;
    const who = many ? `${name} ` : '';
    columns.push(Col.poolInUse + p, Col.poolHighWater + p);
    series.push(
      {
        label: `${who}in use`,
        scale: 'n',
        stroke: colour,
        width: 1.5,
        fmt: buffers,
        help: `${name}: buffers handed out and not yet returned, at the end of each interval`,
      },
      {
        label: `${who}high-water`,
        scale: 'n',
        stroke: colour,
        width: 1,
        dash: [4, 3],
        fmt: buffers,
        help: `${name}: the most buffers ever in use at once (since start)`,
      },
    );
  });
  names.forEach((name, p) => {
    columns.push(Col.poolMisses + p);
    series.push({
      label: `${many ? `${name} ` : ''}misses/s`,
      scale: 'n',
      stroke: many ? POOL_COLOURS[p]! : C.orange,
      width: 1,
      ...(many ? { dash: [1, 2] } : {}),
      fmt: perSec,
      help: `${name}: acquires the pool could not serve from its free buffers (a new buffer allocated), per second`,
    });
  });
  names.forEach((name, p) => {
    columns.push(Col.poolReuse + p);
    series.push({
      label: `${many ? `${name} ` : ''}reuse %`,
      scale: '%',
      stroke: many ? POOL_COLOURS[p]! : C.lime,
      width: 1.25,
      fmt: fmtPct,
      help: `${name}: acquires served by a reused buffer, % of all acquires in the interval`,
    });
  });
  return { columns, series };
}

function ringSeries(): { columns: number[]; series: SeriesDef[] } {
  const rate = (label: string, stroke: string, help: string): SeriesDef => ({
    label: `${label}/s`,
    scale: 'rate',
    stroke,
    width: 1,
    fmt: perSec,
    help,
  });
  return {
    // Skipped records follow laps (the table has them per ring, the status line in all).
    columns: [Col.fill, Col.laps, Col.returns, Col.dropped],
    series: [
      {
        label: 'fill %',
        scale: '%',
        stroke: C.blue,
        width: 1.5,
        fill: 'rgba(96, 165, 250, 0.10)',
        fmt: fmtPct,
        help: 'The fullest ring: its slowest reader’s backlog as % of the ring’s capacity',
      },
      rate(
        'laps',
        C.violet,
        'Times a lossy reader (metrics, UI) was overtaken by the writer, per second, all rings',
      ),
      rate(
        'returned',
        C.pink,
        'Writes returned to the sender because a lossless reader (the recorder) was a full ring behind, per second, all rings',
      ),
      rate(
        'dropped',
        C.red,
        'Records lost at the ring (returned writes, carried in gap records), per second, all feeds',
      ),
    ],
  };
}

export function bufferReuseSpec(view: BufferView, pools: readonly string[]): ChartSpec {
  const { columns, series } = view === 'pools' ? poolSeries(pools) : ringSeries();
  const pct = baseAxis({
    scale: '%',
    side: view === 'pools' ? 1 : 3,
    size: 46,
    // A fill of a few % gets ticks of its own scale; 100% never more than a few.
    incrs: [0.5, 1, 2, 2.5, 5, 10, 20, 25, 50],
    values: (_u, splits) => splits.map((v) => (v > 100 ? '' : `${v}%`)),
    ...(view === 'pools' ? { grid: { show: false } } : {}),
  });
  const counts = baseAxis({
    scale: view === 'pools' ? 'n' : 'rate',
    side: view === 'pools' ? 3 : 1,
    size: view === 'pools' ? 40 : 52,
    // Whole buffers only (and round rates).
    incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000],
    ...(view === 'pools' ? {} : { grid: { show: false } }),
    values: (_u, splits) => splits.map((v) => (view === 'pools' ? fmtRateTick(v) : `${fmtRateTick(v)}/s`)),
  });
  return {
    columns: [Col.time, ...columns],
    series,
    scales: {
      '%': { range: view === 'pools' ? [0, 105] : (_u, _min, max) => [0, Math.max(10, max * 1.2)] },
      n: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.25))] },
      rate: { range: (_u, _min, max) => [0, Math.max(10, max * 1.2)] },
    },
    axes: view === 'pools' ? [counts, pct] : [pct, counts],
  };
}
