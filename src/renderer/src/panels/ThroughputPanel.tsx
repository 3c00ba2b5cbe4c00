/**
 * Throughput: what arrives on the wire, per second — by venue (one series per feed) or by stream
 * (trades, top of book, book, other, all feeds summed), in messages/s or MB/s, stacked (the top
 * of the stack is the total) or as individual lines. The three choices sit in the panel's toolbar
 * and persist in the view store; the headline figures are always the totals.
 */
import { useMemo } from 'react';
import { fmtInt, fmtRate } from '../format.ts';
import { Col, MAX_FEED_SLOTS } from '../series/series-layout.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { useAppStore } from '../store/app-store.ts';
import { useViewStore } from '../store/view-store.ts';
import { type Figure, Panel } from './Panel.tsx';
import { Segmented, type SegmentOption } from './Segmented.tsx';
import {
  choiceOf,
  fmtMB,
  type Group,
  type Layout,
  PREF,
  throughputSpec,
  type Unit,
} from './throughput-spec.ts';

const GROUPS: readonly SegmentOption<Group>[] = [
  { value: 'venue', label: 'by venue', help: 'One series per feed (venue connection)' },
  {
    value: 'stream',
    label: 'by stream',
    help: 'One series per stream — trades, top of book, book, other — all feeds summed',
  },
];
const UNITS: readonly SegmentOption<Unit>[] = [
  { value: 'msgs', label: 'msg/s', help: 'Wire messages (WebSocket frames) per second' },
  { value: 'bytes', label: 'MB/s', help: 'Wire bytes per second, in MB (10⁶ bytes)' },
];
const LAYOUTS: readonly SegmentOption<Layout>[] = [
  { value: 'stacked', label: 'stacked', help: 'Areas stacked: the top of the stack is the total' },
  { value: 'lines', label: 'lines', help: 'One line each, from zero: compare the series' },
];

/** Messages/s of every feed in the newest row (the feeds' own totals). */
function totalRate(store: SeriesStore): number {
  if (store.count === 0) return Number.NaN;
  let sum = 0;
  const n = Math.max(1, Math.min(store.feedCount, MAX_FEED_SLOTS));
  for (let i = 0; i < n; i++) {
    const v = store.latest(Col.msgs + i);
    if (Number.isFinite(v)) sum += v;
  }
  return sum;
}

const FIGURES: Figure[] = [
  {
    label: 'msg/s',
    help: 'Wire messages received per second, all feeds, over the newest metrics interval',
    value: (s) => fmtRate(totalRate(s)),
  },
  {
    label: 'MB/s',
    help: 'Wire bytes received per second, all feeds, in MB (10⁶ bytes), over the newest metrics interval',
    value: (s) => fmtMB(s.count === 0 ? Number.NaN : s.latest(Col.bytes)),
  },
];

export function ThroughputPanel({ store, windowSec }: { store: SeriesStore; windowSec?: number }) {
  const names = useAppStore((s) => s.feeds.map((f) => f.name).join('\n'));
  const totalMessages = useAppStore((s) => s.pipeline?.totalMessages ?? Number.NaN);
  const prefs = useViewStore((s) => s.prefs);
  const setPref = useViewStore((s) => s.setPref);
  const choice = choiceOf(prefs);
  const { group, unit, layout } = choice;
  const spec = useMemo(
    () => ({
      ...throughputSpec({ group, unit, layout }, names ? names.split('\n') : []),
      ...(windowSec ? { windowSec } : {}),
    }),
    [group, unit, layout, names, windowSec],
  );
  const toolbar = (
    <>
      <Segmented
        label="Group by"
        options={GROUPS}
        value={group}
        onChange={(v) => setPref(PREF.group, v)}
        testId="throughput-group"
      />
      <Segmented
        label="Unit"
        options={UNITS}
        value={unit}
        onChange={(v) => setPref(PREF.unit, v)}
        testId="throughput-unit"
      />
      <Segmented
        label="Layout"
        options={LAYOUTS}
        value={layout}
        onChange={(v) => setPref(PREF.layout, v)}
        testId="throughput-layout"
      />
    </>
  );
  return (
    <Panel
      testId="panel-throughput"
      title="Throughput"
      subtitle={`${group === 'venue' ? 'per venue' : 'per stream, all venues'} · ${fmtInt(totalMessages)} messages in total`}
      store={store}
      spec={spec}
      figures={FIGURES}
      toolbar={toolbar}
      className="panel-wide"
    />
  );
}
