/**
 * A dashboard panel: a titled section with a row of headline figures, a legend and one chart.
 * The figures are written straight into their DOM nodes on each redraw (a few times a second),
 * and the section's `data-points` attribute carries the number of rows drawn, which tests read.
 * The legend is static; while the cursor is over the chart a tooltip shows the hovered values.
 * Each figure and legend item says what it measures in the page's tooltip (`data-tip`,
 * layout/Tooltip.tsx); the header ends with the maximise and hide buttons.
 */

import { type ReactNode, useCallback, useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import { setText } from '../dom-text.ts';
import { fmtClock } from '../format.ts';
import { PanelActions } from '../layout/PanelActions.tsx';
import type { SeriesStore } from '../series/series-store.ts';
import { type ChartSpec, SeriesChart, type SeriesDef } from './SeriesChart.tsx';
import { ownValue } from './stack.ts';

const FIGURE_INTERVAL_MS = 250;

export interface Figure {
  label: string;
  /** What the figure measures (its tooltip). */
  help?: string;
  /** Formats the figure from the store's newest row. */
  value(store: SeriesStore): string;
  tone?: (store: SeriesStore) => 'good' | 'warn' | 'bad' | undefined;
}

interface LegendGroup {
  name: string | undefined;
  items: { def: SeriesDef; index: number }[];
}

function legendGroups(series: SeriesDef[]): LegendGroup[] {
  const groups: LegendGroup[] = [];
  const ordered = series.map((def, index) => ({ def, index }));
  ordered.sort((a, b) => (a.def.legendOrder ?? 0) - (b.def.legendOrder ?? 0) || a.index - b.index);
  ordered.forEach(({ def, index }) => {
    const last = groups[groups.length - 1];
    if (last && last.name === def.group) last.items.push({ def, index });
    else groups.push({ name: def.group, items: [{ def, index }] });
  });
  return groups;
}

/** The line sample in the legend: an SVG stroke in the series' colour and dash. */
export function Swatch({ def }: { def: SeriesDef }) {
  return (
    <svg className="swatch" width="16" height="8" viewBox="0 0 16 8" aria-hidden="true">
      {def.fill && <rect x="0" y="4" width="16" height="4" fill={def.fill} />}
      <line
        x1="0"
        y1="4"
        x2="16"
        y2="4"
        stroke={def.stroke}
        strokeWidth={Math.max(1.5, (def.width ?? 1) + 0.5)}
        strokeDasharray={def.dash?.join(' ')}
      />
    </svg>
  );
}

export function Panel(props: {
  testId: string;
  title: string;
  subtitle: string;
  store: SeriesStore;
  spec: ChartSpec;
  figures: Figure[];
  className?: string;
  /** Controls of the panel's own (grouping, units…), at the start of the legend's row. */
  toolbar?: ReactNode;
  /** Replaces the legend built from the series (a panel whose toolbar already names the groups). */
  legend?: ReactNode;
  children?: ReactNode;
}) {
  const { testId, title, subtitle, store, spec, figures } = props;
  const section = useRef<HTMLElement>(null);
  const waiting = useRef<HTMLDivElement>(null);
  const values = useRef<(HTMLSpanElement | null)[]>([]);
  const box = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  const tipTime = useRef<HTMLDivElement>(null);
  const readouts = useRef<(HTMLSpanElement | null)[]>([]);

  // Figures and data-points follow the chart at most 4 times a second (a replay at full speed
  // redraws every display frame), always with a trailing update so the last row is shown.
  const throttle = useRef({ last: Number.NEGATIVE_INFINITY, rows: 0, timer: 0 });
  const writeRef = useRef<() => void>(() => {});
  const writeFigures = useCallback(() => {
    const t = throttle.current;
    t.last = performance.now();
    t.timer = 0;
    section.current?.setAttribute('data-points', String(t.rows));
    const w = waiting.current;
    if (w) {
      w.hidden = t.rows > 0;
      // Rows elsewhere but none in this range (zoomed or paused beyond them) is not "waiting".
      const text = store.count > 0 ? 'no data in this range' : 'waiting for data…';
      if (!w.hidden) setText(w, text);
    }
    figures.forEach((f, i) => {
      const el = values.current[i];
      if (!el) return;
      const text = f.value(store);
      setText(el, text);
      const tone = f.tone?.(store) ?? '';
      if (el.dataset.tone !== tone) el.dataset.tone = tone;
    });
  }, [figures, store]);
  writeRef.current = writeFigures;
  const onDraw = useCallback(
    (rows: number) => {
      const t = throttle.current;
      t.rows = rows;
      if (t.timer) return;
      const wait = t.last + FIGURE_INTERVAL_MS - performance.now();
      if (wait <= 0) writeFigures();
      // The latest figures when the timer fires: the list may have changed meanwhile (a stage hidden).
      else t.timer = window.setTimeout(() => writeRef.current(), wait);
    },
    [writeFigures],
  );
  useEffect(() => () => clearTimeout(throttle.current.timer), []);

  // Hover read-out: a tooltip over the chart (it never moves the layout), hidden at rest.
  const onCursor = useCallback(
    (u: uPlot, idx: number | null, own: boolean) => {
      const el = tip.current;
      const host = box.current;
      if (!el || !host) return;
      const left = u.cursor.left ?? -1;
      // Another chart's cursor mirrored here draws the crosshair only: one read-out at a time.
      if (idx == null || left < 0 || !own) {
        el.hidden = true;
        return;
      }
      if (tipTime.current) setText(tipTime.current, fmtClock(u.data[0][idx] ?? Number.NaN));
      spec.series.forEach((def, i) => {
        const out = readouts.current[i];
        const v = ownValue(u.data, i + 1, idx, spec.stacked === true);
        if (out) setText(out, v == null ? '—' : def.fmt(v));
      });
      el.hidden = false;
      const over = u.over.getBoundingClientRect();
      const origin = host.getBoundingClientRect();
      const x = over.left - origin.left + left;
      const flip = x + 16 + el.offsetWidth > origin.width;
      el.style.left = `${flip ? x - 16 - el.offsetWidth : x + 16}px`;
      el.style.top = `${over.top - origin.top + 8}px`;
    },
    [spec],
  );

  return (
    <section className={`panel ${props.className ?? ''}`} data-testid={testId} data-points="0" ref={section}>
      <header className="panel-head">
        <div className="panel-title">
          <h2>{title}</h2>
          <span className="panel-subtitle">{subtitle}</span>
        </div>
        <dl className="figures">
          {figures.map((f, i) => (
            <div className="figure" key={f.label} data-tip={f.help} tabIndex={f.help ? 0 : undefined}>
              <dt>{f.label}</dt>
              <dd>
                <span
                  ref={(el) => {
                    values.current[i] = el;
                  }}
                >
                  —
                </span>
              </dd>
            </div>
          ))}
        </dl>
        <PanelActions id={testId} />
      </header>
      <div className="legend" data-testid={`${testId}-legend`}>
        {props.toolbar && <div className="panel-toolbar">{props.toolbar}</div>}
        {props.legend ??
          legendGroups(spec.series).map((g) => (
            <span className="legend-group" key={`${g.name ?? ''}:${g.items[0]!.index}`}>
              {g.name && <span className="legend-group-name">{g.name}</span>}
              {g.items.map(({ def, index }) => (
                <span
                  className="legend-item"
                  key={index}
                  data-tip={def.help}
                  tabIndex={def.help ? 0 : undefined}
                >
                  <Swatch def={def} />
                  <span className="legend-label">{def.label}</span>
                </span>
              ))}
            </span>
          ))}
      </div>
      <div className="chart-box" ref={box}>
        <SeriesChart store={store} spec={spec} onDraw={onDraw} onCursor={onCursor} />
        <div className="chart-waiting" ref={waiting}>
          waiting for data…
        </div>
        <div className="chart-tip" ref={tip} hidden>
          <div className="chart-tip-time" ref={tipTime} />
          {legendGroups(spec.series).flatMap((g) =>
            g.items.map(({ def, index }) => (
              <div className="chart-tip-row" key={index}>
                <Swatch def={def} />
                <span className="chart-tip-label">{def.group ? `${def.group} ${def.label}` : def.label}</span>
                <span
                  className="chart-tip-value"
                  ref={(el) => {
                    readouts.current[index] = el;
                  }}
                />
              </div>
            )),
          )}
        </div>
      </div>
      {props.children}
    </section>
  );
}
