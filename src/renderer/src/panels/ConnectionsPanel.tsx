/**
 * Connections: one row per feed — venue, stream, state (coloured as the header's chips), uptime,
 * reconnects, last-message age, messages/s, and the integrity counters. The rows come from the
 * feeds' status in the app store; messages/s is the newest metrics row of the series store (the
 * Throughput panel's per-feed column); the last-message age is worked out here, from when a
 * feed's message count last went up. React renders it when the feeds' status or the metrics
 * interval changes (a few times a second), never per frame. A click on a row opens the feed's
 * details, as a click on its chip in the header does.
 */
import { useCallback, useRef, useState } from 'react';
import { FeedCounter, type FeedStatus } from '../../../common/feed-model.ts';
import { FEED_STATE_NAMES, FeedState, venueNameOf } from '../feed-names.ts';
import { fmtDuration, fmtInt, fmtRate, fmtSpan } from '../format.ts';
import { FeedDetails } from '../header/FeedDetails.tsx';
import { stateTone } from '../header/Header.tsx';
import { PanelActions } from '../layout/PanelActions.tsx';
import { Col, MAX_FEED_SLOTS } from '../series/series-layout.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { useAppStore } from '../store/app-store.ts';
import { C, FEED_COLOURS } from './palette.ts';

/** A live feed silent for longer than this is worth a second look (shown in amber). */
const QUIET_MS = 5_000;

/** Problems first when sorted by state, descending: closed/idle, stale/backoff, connecting, live. */
function stateRank(state: number): number {
  if (state === FeedState.live) return 0;
  if (state === FeedState.connecting || state === FeedState.subscribing) return 1;
  if (state === FeedState.stale || state === FeedState.backoff) return 2;
  return 3;
}

interface Row {
  feed: FeedStatus;
  /** Position in the engine's feed list: its slot in the series store, and the default order. */
  index: number;
  venue: string;
  state: string;
  /** ms in the current state (engine clock). */
  inState: number;
  /** inState while live, NaN otherwise. */
  uptime: number;
  age: number;
  rate: number;
}

interface Column {
  key: string;
  label: string;
  /** The label when the panel is narrow (beside the Market column). */
  short?: string;
  title: string;
  numeric: boolean;
  value(r: Row): number | string;
}

const count = (r: Row, c: number): number => r.feed.counters[c] ?? 0;

const COLUMNS: readonly Column[] = [
  {
    key: 'venue',
    label: 'venue',
    title: 'The venue the feed connects to',
    numeric: false,
    value: (r) => r.venue,
  },
  {
    key: 'stream',
    label: 'stream',
    title: 'The feed: one connection to the venue (in its colour on the Throughput chart)',
    numeric: false,
    value: (r) => r.feed.name,
  },
  {
    key: 'state',
    label: 'state',
    title: 'Connection state: live, connecting/subscribing, stale/backoff, or idle/closed',
    numeric: false,
    value: (r) => stateRank(r.feed.state) * 100 + r.feed.state,
  },
  {
    key: 'uptime',
    label: 'uptime',
    title: 'Time live since the feed last became live (— while it is not live)',
    numeric: true,
    value: (r) => r.uptime,
  },
  {
    key: 'reconnects',
    label: 'recon',
    title: 'Reconnects: times the connection was lost and opened again since the engine started',
    numeric: true,
    value: (r) => r.feed.reconnects,
  },
  {
    key: 'age',
    label: 'last msg',
    short: 'last',
    title:
      'Time since the last message: since the feed’s message count last went up (to the nearest metrics interval)',
    numeric: true,
    value: (r) => r.age,
  },
  {
    key: 'rate',
    label: 'msg/s',
    title:
      'Messages per second over the newest metrics interval; under it, messages since the engine started',
    numeric: true,
    value: (r) => r.rate,
  },
  {
    key: 'gaps',
    label: 'gaps',
    title: 'Gaps: messages missing by the venue’s sequence numbers or a book checksum',
    numeric: true,
    value: (r) => count(r, FeedCounter.gaps),
  },
  {
    key: 'resyncs',
    label: 'resyncs',
    short: 'rsync',
    title: 'Order books fetched afresh (snapshot) after a gap or a checksum error',
    numeric: true,
    value: (r) => count(r, FeedCounter.resyncs),
  },
  {
    key: 'checksum',
    label: 'cksum',
    title: 'Checksum errors: the local order book disagreed with the venue’s checksum',
    numeric: true,
    value: (r) => count(r, FeedCounter.checksumErrors),
  },
];

interface Sort {
  key: string;
  desc: boolean;
}

/**
 * When each feed last received a message, on the engine's clock: the newest time its message
 * count was seen higher than before, or a metrics interval counted messages for it. Updating it
 * twice with the same inputs changes nothing, so a render may do it (StrictMode renders twice).
 */
class LastMessage {
  private readonly seen = new Map<number, { messages: number; at: number }>();
  private clock = 0;

  update(feeds: readonly FeedStatus[], clock: number, rates: readonly number[]): void {
    if (clock < this.clock) this.seen.clear(); // a new session: its clock started again
    this.clock = clock;
    feeds.forEach((f, i) => {
      const prev = this.seen.get(f.feedId);
      if (!prev || f.messages < prev.messages) {
        // First sight (or the engine restarted): a feed with messages has had one "now" at best.
        this.seen.set(f.feedId, { messages: f.messages, at: f.messages > 0 ? clock : Number.NaN });
        return;
      }
      if (f.messages > prev.messages || (rates[i] ?? 0) > 0) prev.at = Math.max(prev.at || 0, clock);
      prev.messages = Math.max(prev.messages, f.messages);
    });
  }

  /** ms since the feed's last message (NaN: none seen yet). */
  age(feedId: number): number {
    const s = this.seen.get(feedId);
    return s && Number.isFinite(s.at) ? Math.max(0, this.clock - s.at) : Number.NaN;
  }
}

function fmtAge(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 1000 ? '< 1 s' : fmtSpan(ms);
}

/** The two long transient states abbreviated, as on the header's chips (the title says them). */
const SHORT_STATE: Record<string, string> = { connecting: 'conn', subscribing: 'subs' };

function Cell(props: { col: string; value: string; tone?: string; title?: string }) {
  return (
    <td className="conn-cell" data-col={props.col} data-tone={props.tone || undefined} title={props.title}>
      {props.value}
    </td>
  );
}

function ConnectionRow(props: { row: Row; open: boolean; onOpen(el: HTMLElement): void }) {
  const { row: r, open, onOpen } = props;
  const f = r.feed;
  const live = f.state === FeedState.live;
  const gaps = count(r, FeedCounter.gaps);
  const resyncs = count(r, FeedCounter.resyncs);
  const checksum = count(r, FeedCounter.checksumErrors);
  const quiet = live && r.age > QUIET_MS;
  return (
    <tr
      className="conn-row"
      data-testid="connection-row"
      data-feed={f.name}
      data-state={r.state}
      data-open={open ? '' : undefined}
      tabIndex={0}
      aria-haspopup="dialog"
      aria-expanded={open}
      title={`${f.name} · ${f.url} — click for counters and state timing`}
      onClick={(e) => onOpen(e.currentTarget)}
      onKeyDown={(e) => {
        if (e.key !== 'Enter' && e.key !== ' ') return;
        e.preventDefault();
        onOpen(e.currentTarget);
      }}
    >
      <Cell col="venue" value={r.venue} />
      <td className="conn-cell" data-col="stream">
        <span className="conn-swatch" style={{ background: FEED_COLOURS[r.index] ?? C.slate }} />
        <span className="conn-name">{f.name}</span>
        <span className="conn-sub conn-venue">{r.venue}</span>
      </td>
      <td className="conn-cell" data-col="state">
        <span className={`pill pill-${stateTone(f.state)}`} title={r.state}>
          {SHORT_STATE[r.state] ?? r.state}
        </span>
        {!live && Number.isFinite(r.inState) && <span className="conn-for">{fmtDuration(r.inState)}</span>}
      </td>
      <Cell
        col="uptime"
        value={Number.isFinite(r.uptime) ? fmtDuration(r.uptime) : '—'}
        tone={live ? '' : 'zero'}
      />
      <Cell col="reconnects" value={fmtInt(f.reconnects)} tone={f.reconnects > 0 ? 'alert' : 'zero'} />
      <Cell col="age" value={fmtAge(r.age)} tone={quiet ? 'warn' : ''} />
      <td className="conn-cell" data-col="rate" data-tone={r.rate > 0 ? undefined : 'zero'}>
        <span className="conn-rate" data-testid="connection-rate">
          {fmtRate(r.rate)}
        </span>
        <span className="conn-sub">{fmtInt(f.messages)}</span>
      </td>
      <Cell col="gaps" value={fmtInt(gaps)} tone={gaps > 0 ? 'alert' : 'zero'} />
      <Cell col="resyncs" value={fmtInt(resyncs)} tone={resyncs > 0 ? 'warn' : 'zero'} />
      <Cell col="checksum" value={fmtInt(checksum)} tone={checksum > 0 ? 'bad' : 'zero'} />
    </tr>
  );
}

export function ConnectionsPanel({ store }: { store: SeriesStore }) {
  const feeds = useAppStore((s) => s.feeds);
  // The engine's clock at the newest metrics interval: a new interval renders the table again.
  const clock = useAppStore((s) => s.pipeline?.time ?? 0);
  const [sort, setSort] = useState<Sort | null>(null);
  const [open, setOpen] = useState<{ feedId: number; anchor: HTMLElement } | null>(null);
  const close = useCallback(() => setOpen(null), []);
  const last = useRef(new LastMessage());

  const rates = feeds.map((_, i) =>
    i < MAX_FEED_SLOTS && store.count > 0 ? store.latest(Col.msgs + i) : Number.NaN,
  );
  last.current.update(feeds, clock, rates);
  const rows: Row[] = feeds.map((f, i) => ({
    feed: f,
    index: i,
    venue: venueNameOf(f.venue),
    state: FEED_STATE_NAMES[f.state] ?? 'unknown',
    inState: clock > 0 && f.since > 0 && clock >= f.since ? clock - f.since : Number.NaN,
    uptime:
      f.state === FeedState.live && clock > 0 && f.since > 0 && clock >= f.since
        ? clock - f.since
        : Number.NaN,
    age: last.current.age(f.feedId),
    rate: rates[i] ?? Number.NaN,
  }));
  const column = sort && COLUMNS.find((c) => c.key === sort.key);
  if (column && sort) {
    const sign = sort.desc ? -1 : 1;
    const key = (r: Row): number | string => {
      const v = column.value(r);
      return typeof v === 'number' && Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
    };
    rows.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sign * c || a.index - b.index;
    });
  }

  const live = feeds.filter((f) => f.state === FeedState.live).length;
  const reconnects = feeds.reduce((a, f) => a + f.reconnects, 0);
  const gaps = feeds.reduce((a, f) => a + (f.counters[FeedCounter.gaps] ?? 0), 0);
  const onSort = (c: Column): void =>
    setSort(
      sort?.key === c.key
        ? sort.desc === c.numeric
          ? { key: c.key, desc: !c.numeric }
          : null
        : { key: c.key, desc: c.numeric },
    );

  return (
    <section
      className="panel panel-connections"
      data-testid="panel-connections"
      data-feeds={feeds.length}
      data-live={live}
    >
      <header className="panel-head">
        <div className="panel-title">
          <h2>Connections</h2>
          <span className="panel-subtitle">per feed · click a row for details</span>
        </div>
        <dl className="figures">
          <div className="figure" data-tip="Feeds live out of all feeds">
            <dt>live</dt>
            <dd>
              <span
                data-tone={
                  feeds.length > 0 && live === feeds.length ? 'good' : live < feeds.length ? 'warn' : ''
                }
              >
                {feeds.length > 0 ? `${live}/${feeds.length}` : '—'}
              </span>
            </dd>
          </div>
          <div className="figure" data-tip="Reconnects of every feed since the engine started">
            <dt>reconnects</dt>
            <dd>
              <span data-tone={reconnects > 0 ? 'warn' : ''}>
                {feeds.length > 0 ? fmtInt(reconnects) : '—'}
              </span>
            </dd>
          </div>
          <div className="figure" data-tip="Gaps found in every feed since the engine started">
            <dt>gaps</dt>
            <dd>
              <span data-tone={gaps > 0 ? 'warn' : ''}>{feeds.length > 0 ? fmtInt(gaps) : '—'}</span>
            </dd>
          </div>
        </dl>
        <PanelActions id="panel-connections" />
      </header>
      <div className="conn-scroll">
        <table className="conn-table" data-testid="connections">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  className="conn-head"
                  key={c.key}
                  data-col={c.key}
                  scope="col"
                  aria-sort={sort?.key === c.key ? (sort.desc ? 'descending' : 'ascending') : undefined}
                >
                  <button type="button" className="conn-hb" title={c.title} onClick={() => onSort(c)}>
                    <span className="conn-label">
                      {c.short ? (
                        <>
                          <span className="conn-long">{c.label}</span>
                          <span className="conn-short">{c.short}</span>
                        </>
                      ) : (
                        c.label
                      )}
                      {sort?.key === c.key && (
                        <span className="conn-sort" aria-hidden="true">
                          {sort.desc ? '▼' : '▲'}
                        </span>
                      )}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <ConnectionRow
                key={r.feed.feedId}
                row={r}
                open={open?.feedId === r.feed.feedId}
                onOpen={(anchor) =>
                  setOpen(open?.feedId === r.feed.feedId ? null : { feedId: r.feed.feedId, anchor })
                }
              />
            ))}
          </tbody>
        </table>
        {feeds.length === 0 && <div className="conn-empty">waiting for the engine…</div>}
      </div>
      {open && feeds.some((f) => f.feedId === open.feedId) && (
        <FeedDetails feedId={open.feedId} anchor={open.anchor} onClose={close} />
      )}
    </section>
  );
}
