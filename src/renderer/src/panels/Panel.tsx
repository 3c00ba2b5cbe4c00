/**
 * A dashboard panel: a titled section with a row of headline figures, a legend and one chart.
 * The figures are written straight into their DOM nodes on each redraw (a few times a second),
 * and the section's `data-points` attribute carries the number of rows drawn, which tests read.
 * The legend is static; while the cursor is over the chart it also shows the hovered values.
 */
import { type ReactNode, useCallback, useRef } from 'react';
import type uPlot from 'uplot';
import { fmtClock } from '../format.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { type ChartSpec, SeriesChart, type SeriesDef } from './SeriesChart.tsx';

export interface Figure {
  label: string;
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
  series.forEach((def, index) => {
    const last = groups[groups.length - 1];
    if (last && last.name === def.group) last.items.push({ def, index });
    else groups.push({ name: def.group, items: [{ def, index }] });
  });
  return groups;
}

/** The line sample in the legend: an SVG stroke in the series' colour and dash. */
function Swatch({ def }: { def: SeriesDef }) {
  return (
    <svg className="swatch" width="16" height="8" viewBox="0 0 16 8" aria-hidden="true">
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
  children?: ReactNode;
}) {
  const { testId, title, subtitle, store, spec, figures } = props;
  const section = useRef<HTMLElement>(null);
  const waiting = useRef<HTMLDivElement>(null);
  const values = useRef<(HTMLSpanElement | null)[]>([]);
  const readouts = useRef<(HTMLSpanElement | null)[]>([]);
  const hoverTime = useRef<HTMLSpanElement>(null);

  const onDraw = useCallback(
    (rows: number) => {
      section.current?.setAttribute('data-points', String(rows));
      if (waiting.current) waiting.current.hidden = rows > 0;
      figures.forEach((f, i) => {
        const el = values.current[i];
        if (!el) return;
        const text = f.value(store);
        if (el.textContent !== text) el.textContent = text;
        const tone = f.tone?.(store) ?? '';
        if (el.dataset.tone !== tone) el.dataset.tone = tone;
      });
    },
    [figures, store],
  );

  const onCursor = useCallback(
    (u: uPlot, idx: number | null) => {
      const t = idx == null ? undefined : u.data[0][idx];
      if (hoverTime.current) hoverTime.current.textContent = t == null ? '' : fmtClock(t);
      spec.series.forEach((def, i) => {
        const el = readouts.current[i];
        if (!el) return;
        const v = idx == null ? undefined : u.data[i + 1]?.[idx];
        el.textContent = idx == null ? '' : v == null ? '—' : def.fmt(v);
      });
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
            <div className="figure" key={f.label}>
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
      </header>
      <div className="legend" data-testid={`${testId}-legend`}>
        {legendGroups(spec.series).map((g) => (
          <span className="legend-group" key={`${g.name ?? ''}:${g.items[0]!.index}`}>
            {g.name && <span className="legend-group-name">{g.name}</span>}
            {g.items.map(({ def, index }) => (
              <span className="legend-item" key={index}>
                <Swatch def={def} />
                <span className="legend-label">{def.label}</span>
                <span
                  className="legend-value"
                  ref={(el) => {
                    readouts.current[index] = el;
                  }}
                />
              </span>
            ))}
          </span>
        ))}
        <span className="legend-time" ref={hoverTime} />
      </div>
      <div className="chart-box">
        <SeriesChart store={store} spec={spec} onDraw={onDraw} onCursor={onCursor} />
        <div className="chart-waiting" ref={waiting}>
          waiting for the engine…
        </div>
      </div>
      {props.children}
    </section>
  );
}
