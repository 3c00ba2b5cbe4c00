/**
 * Distribution: for one latency stage (picked with chips, persisted in the view store's prefs) and
 * the time range on screen (the window ending now, the zoomed range when zoomed; a pause freezes
 * it), the latency histogram — samples per bucket, log–log, µs to seconds — beside the percentile
 * distribution the way HdrHistogram publishes results (x = 1 / (1 − p): 50 %, 90 %, 99 %, 99.9 % …
 * evenly spaced; y = latency), with the sample count and p50 / p99 / p99.9 / max.
 *
 * The bucket counts come from the shared histogram store. A check at requestAnimationFrame
 * recomputes at most once a second, and only when the store moved or the choice of stage or range
 * changed; the figures are written straight into the DOM and the charts get setData: no React
 * render and no allocation per frame.
 */
import './distribution.css';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { BUCKETS } from '../../../common/latency-buckets.ts';
import { fmtInt, fmtLatency, fmtLatencyTick } from '../format.ts';
import { PanelActions } from '../layout/PanelActions.tsx';
import {
  COUNT_FLOOR,
  computeDistribution,
  createDistribution,
  type Distribution,
  percentileLabel,
} from '../series/distribution.ts';
import { claimDraw, onAnimationFrame } from '../series/frame-loop.ts';
import { HistogramStore, type RangeSum } from '../series/histogram-store.ts';
import { useAppStore } from '../store/app-store.ts';
import { useSessionsStore } from '../store/sessions-store.ts';
import { useViewStore, type ViewState } from '../store/view-store.ts';
import { STAGES, type StageInfo, type StageKey, stageInfo } from './latency-stages.ts';
import { baseAxis, logGridFilter } from './SeriesChart.tsx';
import { StageChips } from './StageChips.tsx';

export const DISTRIBUTION_STAGE_PREF = 'distribution.stage';
const RECOMPUTE_MS = 1000;
const GRID = '#1a2130';

const FIGURES = [
  {
    key: 'count',
    label: 'samples',
    help: 'Samples of the stage in the range shown (one per trade; disk: one per record).',
  },
  { key: 'p50', label: 'p50', help: 'Median latency of the range: half of the samples were faster.' },
  { key: 'p99', label: 'p99', help: 'One sample in a hundred was slower than this.' },
  { key: 'p999', label: 'p99.9', help: 'One sample in a thousand was slower than this.' },
  { key: 'max', label: 'max', help: 'The slowest sample of the range (exact, not bucketed).' },
] as const;
type FigureKey = (typeof FIGURES)[number]['key'];

/** The range shown, engine seconds: zoom, else the window ending at the newest second or the pause. */
function rangeOf(newest: number, v: ViewState, out: { from: number; to: number }): void {
  if (v.zoom) {
    out.from = Math.floor(v.zoom[0] / 1000);
    out.to = Math.floor(v.zoom[1] / 1000);
    return;
  }
  const end = v.pausedAt === null ? newest : Math.min(newest, Math.floor(v.pausedAt / 1000));
  out.from = end - v.windowSec + 1;
  out.to = end;
}

const MARKS: readonly [string, 'p50' | 'p99' | 'p999'][] = [
  ['p50', 'p50'],
  ['p99', 'p99'],
  ['p99.9', 'p999'],
];

/** Dashed markers at p50 / p99 / p99.9 on the histogram, drawn after the series. */
function markerPlugin(dist: Distribution, colour: () => string): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        if (dist.count === 0) return;
        const ctx = u.ctx;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio]);
        ctx.lineWidth = devicePixelRatio;
        ctx.font = `${10 * devicePixelRatio}px "JetBrains Mono", monospace`;
        ctx.textBaseline = 'top';
        const right = u.bbox.left + u.bbox.width;
        const row = 11 * devicePixelRatio;
        for (let i = 0; i < MARKS.length; i++) {
          const [label, key] = MARKS[i]!;
          const v = dist[key];
          if (!(v > 0)) continue;
          const x = Math.round(u.valToPos(v, 'x', true));
          const w = ctx.measureText(label).width;
          // One row a label, so p99 and p99.9 close together stay legible; flipped at the edge.
          const tx =
            x + 3 * devicePixelRatio + w > right ? x - 3 * devicePixelRatio - w : x + 3 * devicePixelRatio;
          ctx.strokeStyle = colour();
          ctx.globalAlpha = 0.55;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.globalAlpha = 0.9;
          ctx.fillStyle = colour();
          ctx.fillText(label, tx, top + 2 * devicePixelRatio + i * row);
        }
        ctx.restore();
      },
    },
  };
}

function histogramOptions(el: HTMLElement, dist: Distribution, colour: () => string): uPlot.Options {
  return {
    ...size(el),
    pxAlign: 0,
    padding: [8, 22, 0, 0],
    legend: { show: false },
    cursor: { drag: { x: false, y: false, setScale: false }, points: { show: false }, y: false },
    scales: {
      x: { time: false, distr: 3, log: 10 },
      n: { distr: 3, log: 10, range: (_u, _min, max) => [COUNT_FLOOR, Math.max(10, (max || 1) * 1.6)] },
    },
    axes: [
      baseAxis({
        size: 24,
        space: 44,
        values: (_u, splits) => splits.map(fmtLatencyTick),
        grid: { stroke: GRID, width: 1, filter: logGridFilter },
        ticks: { stroke: GRID, width: 1, size: 4, filter: logGridFilter },
      }),
      baseAxis({
        scale: 'n',
        size: 46,
        values: (_u, splits) => splits.map((v) => (v >= 1 ? compact(v) : '')),
        grid: { stroke: GRID, width: 1, filter: logGridFilter },
        ticks: { stroke: GRID, width: 1, size: 4, filter: logGridFilter },
      }),
    ],
    series: [
      {},
      {
        label: 'samples',
        scale: 'n',
        stroke: () => colour(),
        fill: () => `${colour()}33`,
        width: 1.25,
        paths: uPlot.paths.stepped!({ align: 1 }),
        fillTo: COUNT_FLOOR,
        points: { show: false },
      },
    ],
    plugins: [markerPlugin(dist, colour)],
  };
}

function curveOptions(el: HTMLElement, colour: () => string): uPlot.Options {
  return {
    ...size(el),
    pxAlign: 0,
    padding: [8, 14, 0, 0],
    legend: { show: false },
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 5 } },
    scales: {
      x: { time: false, distr: 3, log: 10, range: (_u, _min, max) => [1, Math.max(100, max || 100)] },
      ms: { distr: 3, log: 10 },
    },
    axes: [
      baseAxis({
        size: 24,
        space: 40,
        // 50 %, 90 %, 99 %, 99.9 % … : one tick a nine (and 0 % when there is room before 50 %).
        // Labels are ~45 px wide: with many nines in a narrow chart, every second or third one.
        splits: (u, _i, min, max) => {
          const perDecade = u.bbox.width / devicePixelRatio / Math.max(1, Math.log10(max / min));
          const out = perDecade > 120 ? [1, 2] : perDecade > 60 ? [2] : [];
          const stride = Math.max(1, Math.ceil(48 / perDecade));
          for (let k = 1, x = 10; x <= max * 1.0001; k++, x *= 10) if ((k - 1) % stride === 0) out.push(x);
          return out;
        },
        // Every split is a label (a log axis would otherwise thin them out, passing null).
        filter: (_u, splits) => splits,
        values: (_u, splits) => splits.map((x) => (x == null ? '' : percentileLabel(x))),
        grid: { stroke: GRID, width: 1 },
        ticks: { stroke: GRID, width: 1, size: 4 },
      }),
      baseAxis({
        scale: 'ms',
        size: 58,
        values: (_u, splits) => splits.map(fmtLatencyTick),
        grid: { stroke: GRID, width: 1, filter: logGridFilter },
        ticks: { stroke: GRID, width: 1, size: 4, filter: logGridFilter },
      }),
    ],
    series: [
      {},
      { label: 'latency', scale: 'ms', stroke: () => colour(), width: 1.75, points: { show: false } },
    ],
  };
}

/** 1.23M, 187k, 950: counts in little room (axis labels, the samples read-out). */
function compact(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(Math.round(v));
}

function size(el: HTMLElement): { width: number; height: number } {
  return { width: Math.max(120, el.clientWidth), height: Math.max(80, el.clientHeight) };
}

/** Why a stage has no samples in the range. */
function emptyText(s: StageInfo, storeRows: number): string {
  if (storeRows === 0) return 'waiting for data…';
  if (s.key === 'disk' && useSessionsStore.getState().state?.recording.active !== true)
    return 'not recording — the disk stage is measured while a recording runs';
  if (s.key === 'ui' && (window.__tickscopeUi?.skipped ?? 0) > 0 && (window.__tickscopeUi?.count ?? 0) === 0)
    return 'not measured: this session runs on a virtual clock';
  return 'no samples in this range';
}

export function DistributionPanel() {
  const sab = useAppStore((s) => s.histogramSab);
  const pref = useViewStore((s) => s.prefs[DISTRIBUTION_STAGE_PREF]);
  const setPref = useViewStore((s) => s.setPref);
  const stage = stageInfo(pref) ?? STAGES[0]!;
  const section = useRef<HTMLElement>(null);
  const histEl = useRef<HTMLDivElement>(null);
  const curveEl = useRef<HTMLDivElement>(null);
  const emptyEl = useRef<HTMLDivElement>(null);
  const rangeEl = useRef<HTMLSpanElement>(null);
  const figs = useRef<Partial<Record<FigureKey, HTMLSpanElement | null>>>({});

  useEffect(() => {
    const h = histEl.current;
    const c = curveEl.current;
    if (!sab || !h || !c) return;
    const store = new HistogramStore(sab);
    const counts = new Float64Array(BUCKETS);
    const sum: RangeSum = { count: 0, max: 0, rows: 0 };
    const dist = createDistribution();
    const range = { from: 0, to: 0 };
    const colour = (): string => stage.colours.chip;
    const hist = new uPlot(histogramOptions(h, dist, colour), [[], []], h);
    const curve = new uPlot(curveOptions(c, colour), [[], []], c);
    let view = useViewStore.getState();
    let version = -1;
    let last = Number.NEGATIVE_INFINITY;
    let dirty = true;
    const unsubscribe = useViewStore.subscribe((v) => {
      if (v.windowSec !== view.windowSec || v.zoom !== view.zoom || v.pausedAt !== view.pausedAt)
        dirty = true;
      view = v;
    });

    const write = (key: FigureKey, text: string): void => {
      const el = figs.current[key];
      if (el && el.textContent !== text) el.textContent = text;
    };

    const recompute = (): boolean => {
      rangeOf(store.newestSecond(), view, range);
      if (!store.sumRange(stage.stage, range.from, range.to, counts, sum)) return false;
      computeDistribution(counts, sum.count, sum.max, dist);
      hist.setData([dist.histX, dist.histY]);
      curve.setData([dist.curveX, dist.curveY]);
      write('count', dist.count <= 0 ? '—' : dist.count < 100_000 ? fmtInt(dist.count) : compact(dist.count));
      write('p50', fmtLatency(dist.p50));
      write('p99', fmtLatency(dist.p99));
      write('p999', fmtLatency(dist.p999));
      write('max', fmtLatency(dist.max));
      const empty = emptyEl.current;
      if (empty) {
        empty.hidden = dist.count > 0;
        if (!empty.hidden) {
          const text = emptyText(stage, store.count);
          if (empty.textContent !== text) empty.textContent = text;
        }
      }
      const when = view.zoom
        ? 'zoomed range'
        : `last ${fmtWindow(view.windowSec)}${view.pausedAt ? ' · paused' : ''}`;
      const span = `${stage.span} · ${when}`;
      if (rangeEl.current && rangeEl.current.textContent !== span) rangeEl.current.textContent = span;
      const s = section.current;
      if (s) {
        s.dataset.samples = String(dist.count);
        s.dataset.buckets = String(Math.max(0, dist.histX.length - 1));
        s.dataset.curve = String(dist.curveX.length);
      }
      return true;
    };

    const stop = onAnimationFrame((now) => {
      const v = store.version;
      if (!dirty && (v === version || now - last < RECOMPUTE_MS)) return;
      if (v & 1 || !claimDraw()) return;
      if (recompute()) {
        version = v;
        last = now;
        dirty = false;
      }
    });
    const ro = new ResizeObserver(() => {
      hist.setSize(size(h));
      curve.setSize(size(c));
    });
    ro.observe(h);
    ro.observe(c);
    return () => {
      stop();
      unsubscribe();
      ro.disconnect();
      hist.destroy();
      curve.destroy();
    };
  }, [sab, stage]);

  return (
    <section
      className="panel panel-distribution"
      data-testid="panel-distribution"
      data-stage={stage.key}
      data-samples="0"
      ref={section}
    >
      <header className="panel-head">
        <div className="panel-title">
          <h2>Distribution</h2>
        </div>
        <dl className="figures">
          {FIGURES.map((f) => (
            <div className="figure" key={f.key} data-tip={`${stage.label} ${f.help}`}>
              <dt>{f.label}</dt>
              <dd>
                <span
                  data-testid={`distribution-${f.key}`}
                  ref={(el) => {
                    figs.current[f.key] = el;
                  }}
                >
                  —
                </span>
              </dd>
            </div>
          ))}
        </dl>
        <PanelActions id="panel-distribution" />
      </header>
      <div className="panel-toolbar dist-toolbar">
        <StageChips
          label="stage"
          single
          testId="distribution-stage"
          selected={[stage.key]}
          onChange={(next: StageKey[]) => setPref(DISTRIBUTION_STAGE_PREF, next[0] ?? 'wire')}
        />
        <span
          className="dist-range"
          ref={rangeEl}
          data-tip="The time range summed: the chosen window ending at the newest data (or at the pause), or the zoomed range."
        />
      </div>
      <div className="dist-body">
        <figure className="dist-chart">
          <figcaption data-tip="Samples per latency bucket (8 buckets per doubling), both axes log: the shape of the distribution, with p50, p99 and p99.9 marked.">
            histogram <span>samples per bucket</span>
          </figcaption>
          <div className="chart" ref={histEl} data-testid="distribution-histogram" />
        </figure>
        <figure className="dist-chart">
          <figcaption data-tip="Latency by percentile, as HdrHistogram plots it: x is 1/(1−p) on a log axis, so each further nine (90 %, 99 %, 99.9 % …) gets the same room and the tail is legible.">
            percentile distribution <span>latency at p</span>
          </figcaption>
          <div className="chart" ref={curveEl} data-testid="distribution-percentiles" />
        </figure>
        <div className="chart-waiting dist-empty" ref={emptyEl}>
          waiting for data…
        </div>
      </div>
    </section>
  );
}

function fmtWindow(sec: number): string {
  return sec >= 3600 ? `${sec / 3600} h` : `${sec / 60} min`;
}
