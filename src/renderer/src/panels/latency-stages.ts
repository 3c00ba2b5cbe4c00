/**
 * The four latency stages as the panels present them: name, what each measures (the tooltips),
 * its series columns and colour family. One list, so the Latency and Distribution panels and
 * their chips agree.
 */
import { Stage } from '../../../common/feed-model.ts';
import { Col } from '../series/series-layout.ts';
import { LATENCY } from './palette.ts';

export type StageKey = 'wire' | 'pipeline' | 'ui' | 'disk';

export interface StageInfo {
  key: StageKey;
  stage: number;
  label: string;
  /** Short form for headline figures. */
  short: string;
  /** From → to, for subtitles. */
  span: string;
  help: string;
  /** First series column (p50; then p90, p99, p99.9, max). */
  base: number;
  colours: (typeof LATENCY)[keyof typeof LATENCY];
}

export const STAGES: readonly StageInfo[] = [
  {
    key: 'wire',
    stage: Stage.wire,
    label: 'wire',
    short: 'wire',
    span: 'venue → receive',
    help: "Wire: the venue's trade time to the moment the feed worker received the message. Includes the venue's own delay and any clock difference between it and this machine.",
    base: Col.wire,
    colours: LATENCY.wire,
  },
  {
    key: 'pipeline',
    stage: Stage.pipeline,
    label: 'pipeline',
    short: 'pipe',
    span: 'receive → reader',
    help: "Pipeline: the feed worker's receive time to the moment the engine's metrics reader took the record off the ring (decode, ring hand-off, thread wake-up).",
    base: Col.pipe,
    colours: LATENCY.pipe,
  },
  {
    key: 'ui',
    stage: Stage.ui,
    label: 'UI',
    short: 'UI',
    span: 'receive → painted',
    help: "UI: the engine's receive time to the animation frame that painted the trade in this page (frame publishing, transport, decode, drawing). Not measured for sessions on a virtual clock.",
    base: Col.ui,
    colours: LATENCY.ui,
  },
  {
    key: 'disk',
    stage: Stage.disk,
    label: 'disk',
    short: 'disk',
    span: 'receive → durable',
    help: "Disk: the engine's receive time to the moment the record is durable on disk (its block written and fsync'ed, per the recording's fsync policy). Only while recording.",
    base: Col.disk,
    colours: LATENCY.disk,
  },
];

export function stageInfo(key: string | undefined): StageInfo | undefined {
  return STAGES.find((s) => s.key === key);
}

/** What each percentile line means, for the legend's tooltips. */
export const PERCENTILE_HELP = {
  p50: 'p50: half of the interval’s samples were faster (the median).',
  p90: 'p90: 90 % of the interval’s samples were faster.',
  p99: 'p99: 99 % of the interval’s samples were faster; one in a hundred was slower.',
  p999: 'p99.9: one sample in a thousand was slower.',
  max: 'max: the slowest sample of the interval.',
} as const;
