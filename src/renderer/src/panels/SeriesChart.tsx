/**
 * A uPlot chart bound to columns of the series store. It reads at requestAnimationFrame and calls
 * setData only when the store's version moved; React renders it once (and again only if its
 * series change), never per frame. The x axis always shows the newest `windowSec` seconds of
 * engine time, so what is drawn depends only on the frames received. The legend is the panel's
 * (static, in the DOM); the chart reports the hovered row so the panel can show a read-out.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { fmtClock } from '../format.ts';
import { onAnimationFrame } from '../series/frame-loop.ts';
import type { SeriesStore } from '../series/series-store.ts';

export const AXIS_FONT = '11px "JetBrains Mono", monospace';
const GRID = '#1a2130';
const AXIS = '#7d889b';

/** One line of a chart and of its legend. */
export interface SeriesDef {
  /** Legend label, read after its group: "p99" under "wire". */
  label: string;
  /** Legend group heading; consecutive series with the same group share it. */
  group?: string;
  /** Legend position (then series order); lets a series drawn first be listed last. */
  legendOrder?: number;
  scale: string;
  stroke: string;
  width?: number;
  dash?: number[];
  fill?: string;
  /** Formats a value of this series for the hover read-out. */
  fmt(v: number): string;
}

export interface ChartSpec {
  /** Store columns: the first is time, then one per series. */
  columns: number[];
  series: SeriesDef[];
  scales?: uPlot.Scales;
  /** The y axes (the time axis is added). */
  axes: uPlot.Axis[];
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

/** Time axis labels as a trader reads them: HH:MM:SS, 24-hour, local time. */
export function timeAxis(): uPlot.Axis {
  return baseAxis({
    space: 84,
    size: 26,
    gap: 4,
    // No labels before the first row: an empty chart has no time to show.
    values: (u, splits) => (u.data[0].length === 0 ? splits.map(() => '') : splits.map(fmtClock)),
  });
}

export function baseAxis(extra: uPlot.Axis = {}): uPlot.Axis {
  return {
    stroke: AXIS,
    font: AXIS_FONT,
    gap: 6,
    grid: { stroke: GRID, width: 1 },
    ticks: { stroke: GRID, width: 1, size: 4 },
    ...extra,
  };
}

/** Grid lines of a log-10 axis only at 1, 2 and 5 × 10^k, so the chart does not turn into a comb. */
export function logGridFilter(_u: uPlot, splits: number[]): (number | null)[] {
  return splits.map((v) => {
    if (!(v > 0)) return null;
    const m = Math.round((v / 10 ** Math.floor(Math.log10(v) + 1e-9)) * 1000) / 1000;
    return m === 1 || m === 2 || m === 5 ? v : null;
  });
}

function toUplotSeries(s: SeriesDef): uPlot.Series {
  return {
    label: s.group ? `${s.group} ${s.label}` : s.label,
    scale: s.scale,
    stroke: s.stroke,
    width: s.width ?? 1,
    ...(s.dash ? { dash: s.dash } : {}),
    ...(s.fill ? { fill: s.fill } : {}),
    points: { show: false },
    spanGaps: false,
  };
}

export function SeriesChart(props: {
  store: SeriesStore;
  spec: ChartSpec;
  /** Called after each redraw with the row count (for headline numbers and the data-points attribute). */
  onDraw(rows: number): void;
  /** Called when the hovered row changes: its index, or null when the cursor left the plot. */
  onCursor(u: uPlot, idx: number | null): void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const { store, spec } = props;
  const onDrawRef = useRef(props.onDraw);
  onDrawRef.current = props.onDraw;
  const onCursorRef = useRef(props.onCursor);
  onCursorRef.current = props.onCursor;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const scratch: (number | null)[][] = spec.columns.map(() => []);
    const win = spec.windowSec;
    const hasRightAxis = spec.axes.some((a) => a.side === 1);
    const opts: uPlot.Options = {
      ...size(el),
      pxAlign: 0,
      // Room for half of the last time label when no right axis sits there.
      padding: [10, hasRightAxis ? 0 : 30, 0, 0],
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 5 } },
      legend: { show: false },
      scales: {
        x: { time: true, range: (_u, min, max) => timeWindow(min, max, win) },
        ...spec.scales,
      },
      axes: [timeAxis(), ...spec.axes],
      series: [{}, ...spec.series.map(toUplotSeries)],
      hooks: {
        setCursor: [(u) => onCursorRef.current(u, u.cursor.idx ?? null)],
      },
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
    const ro = new ResizeObserver(() => u.setSize(size(el)));
    ro.observe(el);
    return () => {
      stop();
      ro.disconnect();
      u.destroy();
    };
  }, [store, spec]);

  return <div className="chart" ref={host} />;
}

function size(el: HTMLElement): { width: number; height: number } {
  return { width: Math.max(100, el.clientWidth), height: Math.max(60, el.clientHeight) };
}
