/**
 * A uPlot chart bound to columns of the series store. It reads at requestAnimationFrame and calls
 * setData only when something drawn would change (a new row in a live view, another window, a
 * pause, a zoom, a resize); React renders it once (and again only if its series change), never
 * per frame. Every time chart shows the same range (series/view-range.ts, from the view store),
 * reads only the rows in it, folded to about one point per pixel (SeriesStore.read), and shares
 * its cursor with the others; dragging across a chart zooms them all, a double-click resets. The
 * legend is the panel's (static, in the DOM); the chart reports the hovered row so the panel can
 * show a read-out.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { fmtClock } from '../format.ts';
import { claimDraw, onAnimationFrame } from '../series/frame-loop.ts';
import { Col } from '../series/series-layout.ts';
import type { ReadView, SeriesStore } from '../series/series-store.ts';
import { viewRange } from '../series/view-range.ts';
import { useViewStore, type ViewState } from '../store/view-store.ts';
import { stackBands, stackInPlace } from './stack.ts';

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
  /** What the series measures, for the legend's tooltip. */
  help?: string;
}

export interface ChartSpec {
  /** Store columns: the first is time, then one per series. */
  columns: number[];
  series: SeriesDef[];
  scales?: uPlot.Scales;
  /** The y axes (the time axis is added). */
  axes: uPlot.Axis[];
  /** Ignored: the view store's window applies to every time chart (kept for existing callers). */
  windowSec?: number;
  /** Values below this are drawn at it (log scales: a 0 µs latency is drawn at the floor). */
  floor?: number;
  /** Series drawn as stacked areas (stack.ts): each on top of the ones before it. */
  stacked?: boolean;
}

/** Charts whose cursors move together (by time) and whose drag-selection zooms them all. */
export const TIME_SYNC_KEY = 'tickscope-time';
/** A drag narrower than this (CSS px) is a click, not a zoom. */
const MIN_ZOOM_PX = 5;

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

/** A faint hatch for the part of the range before the oldest row: no data there, not zeros. */
let noDataPattern: CanvasPattern | null = null;
function hatch(ctx: CanvasRenderingContext2D): CanvasPattern | null {
  if (noDataPattern) return noDataPattern;
  const c = document.createElement('canvas');
  c.width = 8;
  c.height = 8;
  const g = c.getContext('2d');
  if (!g) return null;
  g.strokeStyle = 'rgba(125, 136, 155, 0.09)';
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(0, 8);
  g.lineTo(8, 0);
  g.stroke();
  noDataPattern = ctx.createPattern(c, 'repeat');
  return noDataPattern;
}

export function SeriesChart(props: {
  store: SeriesStore;
  spec: ChartSpec;
  /** Called after each redraw with the rows in view (for headline numbers and the data-points attribute). */
  onDraw(rows: number): void;
  /**
   * Called when the hovered row changes: its index, or null when the cursor left the plot; `own`
   * is false when the cursor is another chart's, mirrored here.
   */
  onCursor(u: uPlot, idx: number | null, own: boolean): void;
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
    const hasRightAxis = spec.axes.some((a) => a.side === 1);
    const read: ReadView = { from: 0, to: 60, maxPoints: 100, floor: spec.floor };
    let view: ViewState = useViewStore.getState();
    let hovered = false;
    /** A drag began on this chart (it may end outside it, where it no longer is hovered). */
    let pressed = false;
    /** The oldest row when last drawn: the hatch ends there. */
    let oldest = Number.NaN;
    const opts: uPlot.Options = {
      ...size(el),
      pxAlign: 0,
      // Room for half of the last time label when no right axis sits there.
      padding: [10, hasRightAxis ? 0 : 30, 0, 0],
      cursor: {
        sync: { key: TIME_SYNC_KEY, setSeries: false },
        drag: { x: true, y: false, setScale: false, dist: MIN_ZOOM_PX },
        points: { size: 5 },
        bind: {
          // A double-click goes back to following the window (uPlot's own would re-fit the data).
          dblclick: () => () => {
            useViewStore.getState().setZoom(null);
            return null;
          },
        },
      },
      legend: { show: false },
      scales: {
        x: { time: true, range: () => [read.from, read.to] },
        ...spec.scales,
      },
      axes: [timeAxis(), ...spec.axes],
      series: [{}, ...spec.series.map(toUplotSeries)],
      ...(spec.stacked ? { bands: stackBands(spec.series.length) } : {}),
      hooks: {
        setCursor: [(u) => onCursorRef.current(u, u.cursor.idx ?? null, hovered)],
        // A drag across the plot zooms every time chart to it (only the chart dragged on acts:
        // the others see the same selection through the cursor sync).
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            if ((hovered || pressed) && width >= MIN_ZOOM_PX && u.data[0].length > 0) {
              const a = u.posToVal(left, 'x');
              const b = u.posToVal(left + width, 'x');
              useViewStore.getState().setZoom([a * 1000, b * 1000]);
            }
            if (width > 0) u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        drawAxes: [
          (u) => {
            if (!(oldest > read.from)) return;
            const x = Math.min(u.bbox.left + u.bbox.width, u.valToPos(oldest, 'x', true));
            const pattern = hatch(u.ctx);
            if (x <= u.bbox.left || !pattern) return;
            u.ctx.save();
            u.ctx.fillStyle = pattern;
            u.ctx.fillRect(u.bbox.left, u.bbox.top, x - u.bbox.left, u.bbox.height);
            u.ctx.restore();
          },
        ],
      },
    };
    const empty: uPlot.AlignedData = [[], ...spec.series.map(() => [])];
    const u = new uPlot(opts, empty, el);
    const enter = (): void => {
      hovered = true;
    };
    const leave = (): void => {
      hovered = false;
    };
    const down = (): void => {
      pressed = true;
    };
    // After uPlot's own mouseup (which reports the selection), whichever runs first.
    const up = (): void => {
      setTimeout(() => {
        pressed = false;
      }, 0);
    };
    u.over.addEventListener('mouseenter', enter);
    u.over.addEventListener('mouseleave', leave);
    u.over.addEventListener('mousedown', down);
    document.addEventListener('mouseup', up);
    let plotWidth = u.over.clientWidth;
    let version = -1;
    let dirty = true;
    const stopView = useViewStore.subscribe((s) => {
      if (s.windowSec === view.windowSec && s.pausedAt === view.pausedAt && s.zoom === view.zoom) return;
      view = s;
      dirty = true;
    });
    const stop = onAnimationFrame(() => {
      const v = store.version;
      const live = view.pausedAt === null && view.zoom === null;
      // A frozen view (paused or zoomed) redraws only when its rows could have changed: the
      // oldest row moved (the ring wrapped over it, or a new session began).
      if (!dirty && (v === version || (!live && store.oldest() === oldest))) return;
      if (!claimDraw()) return;
      const [from, to] = viewRange(store.latest(Col.time), view);
      read.from = from;
      read.to = to;
      read.maxPoints = Math.max(50, plotWidth);
      const rows = store.read(spec.columns, scratch, read);
      if (rows < 0) return;
      if (spec.stacked) stackInPlace(scratch);
      version = v;
      dirty = false;
      oldest = store.oldest();
      u.setData(scratch as uPlot.AlignedData);
      el.dataset.from = String(Math.round(from * 1000));
      el.dataset.to = String(Math.round(to * 1000));
      onDrawRef.current(rows);
    });
    const ro = new ResizeObserver(() => {
      u.setSize(size(el));
      plotWidth = u.over.clientWidth;
      dirty = true;
    });
    ro.observe(el);
    return () => {
      stop();
      stopView();
      ro.disconnect();
      u.over.removeEventListener('mouseenter', enter);
      u.over.removeEventListener('mouseleave', leave);
      u.over.removeEventListener('mousedown', down);
      document.removeEventListener('mouseup', up);
      u.destroy();
    };
  }, [store, spec]);

  return <div className="chart" ref={host} />;
}

function size(el: HTMLElement): { width: number; height: number } {
  return { width: Math.max(100, el.clientWidth), height: Math.max(60, el.clientHeight) };
}
