/**
 * A uPlot chart bound to columns of the series store. It reads at requestAnimationFrame and calls
 * setData only when the store's version moved; React renders it once (and again only if its
 * series change), never per frame. The x axis always shows the newest `windowSec` seconds of
 * engine time, so what is drawn depends only on the frames received.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { onAnimationFrame } from '../series/frame-loop.ts';
import type { SeriesStore } from '../series/series-store.ts';

export const AXIS_FONT = '11px "JetBrains Mono", monospace';
const GRID = '#1b2230';
const AXIS = '#7d889b';

export interface ChartSpec {
  /** Store columns: the first is time, then one per series. */
  columns: number[];
  series: uPlot.Series[];
  scales?: uPlot.Scales;
  axes?: uPlot.Axis[];
  windowSec: number;
  /** Values below this are drawn at it (log scales: a 0 µs latency is drawn at the floor). */
  floor?: number;
}

/**
 * The newest `win` seconds; while less data exists, what there is, at least 10 s wide, so a
 * fresh session fills the chart instead of hugging its right edge.
 */
export function timeWindow(min: number, max: number, win: number): uPlot.Range.MinMax {
  if (!Number.isFinite(max)) return [0, win];
  if (max - min >= win) return [max - win, max];
  return [min, Math.max(max, min + 10)];
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Time axis labels as a trader reads them: HH:MM:SS, 24-hour, local time. */
export function timeAxis(): uPlot.Axis {
  return baseAxis({
    space: 70,
    values: (_u, splits) =>
      splits.map((s) => {
        const d = new Date(s * 1000);
        return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
      }),
  });
}

export function baseAxis(extra: uPlot.Axis = {}): uPlot.Axis {
  return {
    stroke: AXIS,
    font: AXIS_FONT,
    grid: { stroke: GRID, width: 1 },
    ticks: { stroke: GRID, width: 1, size: 4 },
    ...extra,
  };
}

export function SeriesChart(props: {
  store: SeriesStore;
  spec: ChartSpec;
  /** Called after each redraw with the row count (for headline numbers and the data-points attribute). */
  onDraw(rows: number): void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const { store, spec, onDraw } = props;
  const onDrawRef = useRef(onDraw);
  onDrawRef.current = onDraw;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const scratch: (number | null)[][] = spec.columns.map(() => []);
    const win = spec.windowSec;
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height: chartHeight(el),
      pxAlign: 0,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { show: true, live: false },
      scales: {
        x: { time: true, range: (_u, min, max) => timeWindow(min, max, win) },
        ...spec.scales,
      },
      axes: spec.axes ?? [timeAxis(), baseAxis()],
      series: [{}, ...spec.series],
    };
    const empty: uPlot.AlignedData = [[], ...spec.series.map(() => [])];
    const u = new uPlot(opts, empty, el);
    let version = -1;
    const stop = onAnimationFrame(() => {
      const v = store.version;
      if (v === version) return;
      if (!store.read(spec.columns, scratch, spec.floor)) return;
      version = v;
      u.setData(scratch as uPlot.AlignedData);
      onDrawRef.current(scratch[0]!.length);
    });
    const ro = new ResizeObserver(() => {
      u.setSize({ width: Math.max(100, el.clientWidth), height: chartHeight(el) });
    });
    ro.observe(el);
    return () => {
      stop();
      ro.disconnect();
      u.destroy();
    };
  }, [store, spec]);

  return <div className="chart" ref={host} />;
}

/** uPlot's height excludes its legend row, which sits below the plot inside the same box. */
const LEGEND_PX = 26;

function chartHeight(el: HTMLElement): number {
  return Math.max(80, el.clientHeight - LEGEND_PX);
}
