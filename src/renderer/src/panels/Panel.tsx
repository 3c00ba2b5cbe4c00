/**
 * A dashboard panel: a titled section with a row of headline figures and one chart. The figures
 * are written straight into their DOM nodes on each redraw (a few times a second), and the
 * section's `data-points` attribute carries the number of rows drawn, which tests read.
 */
import { type ReactNode, useCallback, useRef } from 'react';
import type { SeriesStore } from '../series/series-store.ts';
import { type ChartSpec, SeriesChart } from './SeriesChart.tsx';

export interface Figure {
  label: string;
  /** Formats the figure from the store's newest row. */
  value(store: SeriesStore): string;
  tone?: (store: SeriesStore) => 'good' | 'warn' | 'bad' | undefined;
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
  const values = useRef<(HTMLSpanElement | null)[]>([]);
  const onDraw = useCallback(
    (rows: number) => {
      section.current?.setAttribute('data-points', String(rows));
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
      <SeriesChart store={store} spec={spec} onDraw={onDraw} />
      {props.children}
    </section>
  );
}
