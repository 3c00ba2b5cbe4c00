/**
 * The Throughput chart for each way of looking at it: grouped by venue (one series per feed) or
 * by stream (trades, top of book, book, other — all feeds summed), in messages/s or MB/s, as
 * stacked areas (the top of the stack is the total) or as individual lines. Pure: choices and
 * feed names in, a ChartSpec out; the panel keeps the choices in the view store.
 */
import { STREAM_NAMES } from '../../../common/feed-model.ts';
import { fmtRate, fmtRateTick } from '../format.ts';
import { Col, MAX_FEED_SLOTS, STREAM_SLOTS } from '../series/series-layout.ts';
import { C, FEED_COLOURS } from './palette.ts';
import { baseAxis, type ChartSpec, type SeriesDef } from './SeriesChart.tsx';

export type Group = 'venue' | 'stream';
export type Unit = 'msgs' | 'bytes';
export type Layout = 'stacked' | 'lines';

export interface ThroughputChoice {
  group: Group;
  unit: Unit;
  layout: Layout;
}

/** View-store keys of the three choices, and their defaults. */
export const PREF = {
  group: 'throughput.group',
  unit: 'throughput.unit',
  layout: 'throughput.layout',
} as const;
export const DEFAULT_CHOICE: ThroughputChoice = { group: 'venue', unit: 'msgs', layout: 'lines' };

/** The choices from the saved prefs; anything unknown falls back to the default. */
export function choiceOf(prefs: Readonly<Record<string, string>>): ThroughputChoice {
  return {
    group: prefs[PREF.group] === 'stream' ? 'stream' : 'venue',
    unit: prefs[PREF.unit] === 'bytes' ? 'bytes' : 'msgs',
    layout: prefs[PREF.layout] === 'stacked' ? 'stacked' : 'lines',
  };
}

/** Streams in the order of common/frame.ts Stream, each with its colour and what it holds. */
export const STREAMS = [
  { name: STREAM_NAMES[0], colour: C.amber, holds: 'trade messages (one may carry several trades)' },
  { name: STREAM_NAMES[1], colour: C.violet, holds: 'best bid/ask updates' },
  { name: STREAM_NAMES[2], colour: C.sky, holds: 'L2 order book snapshots and deltas' },
  {
    name: STREAM_NAMES[3],
    colour: C.slate,
    holds: 'heartbeats, pongs, subscription acks, errors, notices and malformed frames',
  },
] as const;

const MB = 1e6;

/** Megabytes per second from bytes per second: 0.712 · 12.4 · 105. */
export function fmtMB(bytesPerSec: number): string {
  if (!Number.isFinite(bytesPerSec)) return '—';
  const v = bytesPerSec / MB;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** A translucent fill of a #rrggbb colour. */
function tint(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export function throughputSpec(choice: ThroughputChoice, feedNames: readonly string[]): ChartSpec {
  const { group, unit, layout } = choice;
  const stacked = layout === 'stacked';
  const bytes = unit === 'bytes';
  const what = bytes ? 'wire bytes per second, in MB (10⁶ bytes)' : 'wire messages per second';
  const fmt = bytes ? (v: number) => `${fmtMB(v)} MB/s` : (v: number) => `${fmtRate(v)}/s`;
  // No legend heading: the unit is the toolbar's (and every read-out value carries it).
  const line = (label: string, colour: string, help: string): SeriesDef => ({
    label,
    scale: 'y',
    stroke: colour,
    width: stacked ? 1 : 1.5,
    ...(stacked ? { fill: tint(colour, 0.3) } : {}),
    fmt,
    help,
  });
  let columns: number[];
  let series: SeriesDef[];
  if (group === 'venue') {
    const feeds = (feedNames.length > 0 ? feedNames : ['feed']).slice(0, MAX_FEED_SLOTS);
    columns = feeds.map((_, i) => (bytes ? Col.feedBytes : Col.msgs) + i);
    series = feeds.map((name, i) => line(name, FEED_COLOURS[i]!, `${name}: ${what}`));
  } else {
    columns = STREAMS.slice(0, STREAM_SLOTS).map((_, k) => (bytes ? Col.streamBytes : Col.streamMsgs) + k);
    series = STREAMS.map((s) => line(s.name, s.colour, `${s.name} — ${s.holds} — all feeds: ${what}`));
  }
  const floor = bytes ? 1000 : 10;
  return {
    columns: [Col.time, ...columns],
    series,
    stacked,
    scales: {
      y: { range: (_u, _min, max) => [0, Math.max(floor, max * 1.1)] },
    },
    axes: [
      baseAxis({
        scale: 'y',
        size: 52,
        values: (_u, splits) => splits.map((v) => (bytes ? fmtRateTick(v / MB) : fmtRateTick(v))),
      }),
    ],
  };
}
