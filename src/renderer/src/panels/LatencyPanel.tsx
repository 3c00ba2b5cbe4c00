/**
 * Latency: per metrics interval, p50 / p90 / p99 / p99.9 / max of each stage — wire (venue →
 * receive), pipeline (receive → reader), UI (receive → painted in this page) and disk (receive →
 * durable, while recording) — on one log scale so microseconds and milliseconds read together.
 * Twenty lines are too many to read at once: chips show and hide stages (persisted in the view
 * store's prefs), each stage has its own colour family, and the headline gives each shown stage's
 * p99. Intervals without a sample are gaps, not zeros (the disk stage is one long gap when
 * nothing records, and says so).
 */
import { useMemo } from 'react';
import { fmtLatency, fmtLatencyTick } from '../format.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { useSessionsStore } from '../store/sessions-store.ts';
import { useViewStore } from '../store/view-store.ts';
import { PERCENTILE_HELP, STAGES, type StageInfo, type StageKey } from './latency-stages.ts';
import { type Figure, Panel, Swatch } from './Panel.tsx';
import { baseAxis, type ChartSpec, logGridFilter, type SeriesDef } from './SeriesChart.tsx';
import { StageChips } from './StageChips.tsx';

export const LATENCY_STAGES_PREF = 'latency.stages';
/** Shown until the user chooses: the disk stage only matters while recording. */
const DEFAULT_STAGES: readonly StageKey[] = ['wire', 'pipeline', 'ui'];

const P50 = 0;
const P90 = 1;
const P99 = 2;
const P999 = 3;
const MAX = 4;

/** The stages a pref names, in display order; the default when it names none. */
export function parseStages(pref: string | undefined): StageKey[] {
  const want = new Set((pref ?? '').split(','));
  const list = STAGES.filter((s) => want.has(s.key)).map((s) => s.key);
  return list.length > 0 ? list : [...DEFAULT_STAGES];
}

function stageSeries(s: StageInfo): { columns: number[]; series: SeriesDef[] } {
  const c = s.colours;
  const line = (i: number, stroke: string): SeriesDef => ({
    label: STYLES[i]!.label,
    group: s.label,
    scale: 'ms',
    stroke,
    width: STYLES[i]!.width,
    ...(STYLES[i]!.dash ? { dash: STYLES[i]!.dash } : {}),
    fmt: fmtLatency,
    help: `${s.label} ${STYLES[i]!.help}`,
  });
  return {
    columns: [s.base + P50, s.base + P90, s.base + P99, s.base + P999, s.base + MAX],
    series: [line(P50, c.p50), line(P90, c.p90), line(P99, c.p99), line(P999, c.p999), line(MAX, c.max)],
  };
}

/** The line of each percentile (every stage draws them alike, in its own colours). */
const STYLES: readonly { label: string; width: number; dash?: number[]; help: string }[] = [
  { label: 'p50', width: 1.75, help: PERCENTILE_HELP.p50 },
  { label: 'p90', width: 1, dash: [4, 2], help: PERCENTILE_HELP.p90 },
  { label: 'p99', width: 1.5, help: PERCENTILE_HELP.p99 },
  { label: 'p99.9', width: 1, help: PERCENTILE_HELP.p999 },
  { label: 'max', width: 1, dash: [2, 3], help: PERCENTILE_HELP.max },
];

/** The legend: chips give each stage's colour, so the key only says which line is which percentile. */
function PercentileKey() {
  return (
    <span className="legend-group">
      {STYLES.map((s) => (
        <span className="legend-item" key={s.label} data-tip={s.help}>
          <Swatch
            def={{
              label: s.label,
              scale: 'ms',
              stroke: '#aab4c4',
              width: s.width,
              ...(s.dash ? { dash: s.dash } : {}),
              fmt: fmtLatency,
            }}
          />
          <span className="legend-label">{s.label}</span>
        </span>
      ))}
    </span>
  );
}

function recording(): boolean {
  return useSessionsStore.getState().state?.recording.active === true;
}

export function LatencyPanel({ store }: { store: SeriesStore; windowSec?: number }) {
  const pref = useViewStore((s) => s.prefs[LATENCY_STAGES_PREF]);
  const setPref = useViewStore((s) => s.setPref);
  const isRecording = useSessionsStore((s) => s.state?.recording.active === true);
  const shown = useMemo(() => parseStages(pref), [pref]);
  const key = shown.join(',');

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names the shown stages
  const spec = useMemo<ChartSpec>(() => {
    const parts = STAGES.filter((s) => shown.includes(s.key)).map(stageSeries);
    return {
      columns: [0, ...parts.flatMap((p) => p.columns)],
      series: parts.flatMap((p) => p.series),
      scales: { ms: { distr: 3, log: 10 } },
      // Below 1 µs is below the histograms' resolution; 0 (e.g. clock skew clamped) sits there.
      floor: 0.001,
      axes: [
        baseAxis({
          scale: 'ms',
          size: 58,
          values: (_u, splits) => splits.map(fmtLatencyTick),
          grid: { stroke: '#1a2130', width: 1, filter: logGridFilter },
          ticks: { stroke: '#1a2130', width: 1, size: 4, filter: logGridFilter },
        }),
      ],
    };
  }, [key]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names the shown stages
  const figures = useMemo<Figure[]>(
    () =>
      STAGES.filter((s) => shown.includes(s.key)).map((s) => ({
        label: `${s.short} p99`,
        help: `${s.help} The figure: p99 of the newest metrics interval.`,
        value: (st: SeriesStore) => {
          const v = st.latest(s.base + P99);
          if (s.key === 'disk' && Number.isNaN(v) && !recording()) return 'not recording';
          return fmtLatency(v);
        },
      })),
    [key],
  );

  return (
    <Panel
      testId="panel-latency"
      title="Latency"
      subtitle="log scale · p50 p90 p99 p99.9 max per stage"
      store={store}
      spec={spec}
      figures={figures}
      legend={<PercentileKey />}
      toolbar={
        <StageChips
          label="stages shown"
          testId="latency-stages"
          selected={shown}
          onChange={(next) => setPref(LATENCY_STAGES_PREF, next.join(','))}
          notes={isRecording ? {} : { disk: 'not recording' }}
        />
      }
    />
  );
}
