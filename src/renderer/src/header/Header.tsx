/**
 * The header. First row: each feed's connection state as a pill, with its name, venue (when the
 * name does not already say it), URL, reconnect count and — when not zero — its gaps, resyncs
 * and checksum errors; a click opens the feed's details (every counter, time in each state).
 * Then the recording control (REC, or the recording's figures and Stop), Sessions and Settings. Second row: a strip of the market —
 * last price and change since the first trade of the session, per instrument, grouped by venue —
 * and the transport the page runs on with the frames received.
 */
import { type CSSProperties, useCallback, useLayoutEffect, useRef, useState } from 'react';
import { FeedCounter, type FeedStatus, type InstrumentInfo } from '../../../common/feed-model.ts';
import type { MarketTick } from '../../../common/frame.ts';
import { FEED_STATE_NAMES, FeedState, venueNameOf } from '../feed-names.ts';
import { fmtDuration, fmtInt, fmtPrice, fmtUrl } from '../format.ts';
import { useAppStore } from '../store/app-store.ts';
import { FeedDetails } from './FeedDetails.tsx';
import { RecordingControl, SessionsButton } from './RecordingControl.tsx';

export function stateTone(state: number): string {
  if (state === FeedState.live) return 'good';
  if (state === FeedState.connecting || state === FeedState.subscribing) return 'warn';
  if (state === FeedState.stale || state === FeedState.backoff) return 'alert';
  return 'bad';
}

/** What matters at a glance: integrity counters, shown only when they are not zero. */
const FLAGS = [
  { counter: FeedCounter.gaps, label: 'gaps', short: 'gap', mini: 'G', tone: 'alert', testId: 'feed-gaps' },
  {
    counter: FeedCounter.resyncs,
    label: 'resyncs',
    short: 'rsync',
    mini: 'R',
    tone: 'warn',
    testId: 'feed-resyncs',
  },
  {
    counter: FeedCounter.checksumErrors,
    label: 'checksum errors',
    short: 'cksum',
    mini: 'C',
    tone: 'bad',
    testId: 'feed-checksum',
  },
] as const;

/**
 * When the chips do not fit on the row, they give up detail step by step, least useful first:
 * 1 — integrity flags as letters (G 3 · R 2 · C 1); 2 — time in state on live feeds; 3 — names
 * may be cut short. The details popover and the title always have everything.
 */
const MAX_SQUEEZE = 3;

/** Five chips side by side: the two long transient states abbreviated (the title says them). */
const SHORT_STATE: Record<string, string> = { connecting: 'conn', subscribing: 'subs' };

function FeedChip(props: {
  feed: FeedStatus;
  density: string;
  squeeze: number;
  clock: number;
  open: boolean;
  onToggle(el: HTMLButtonElement): void;
}) {
  const { feed: f, density, squeeze, clock, open } = props;
  const venue = venueNameOf(f.venue);
  const state = FEED_STATE_NAMES[f.state] ?? 'unknown';
  const flags = FLAGS.filter((x) => (f.counters[x.counter] ?? 0) > 0);
  const summary = flags.map((x) => `${fmtInt(f.counters[x.counter] ?? 0)} ${x.label}`).join(', ');
  // A replayed session stands in for a feed: named `replay <session>`, no venue, a folder for a URL.
  const replay = f.venue === 0 && f.name.startsWith('replay ');
  return (
    <button
      type="button"
      className={`feed feed-${density}`}
      data-squeeze={squeeze || undefined}
      data-testid="feed-status"
      data-state={state}
      data-flagged={flags.length > 0 ? '' : undefined}
      data-replay={replay ? '' : undefined}
      aria-haspopup="dialog"
      aria-expanded={open}
      title={`${f.name} (${replay ? f.url : venue}) · ${state}${summary ? ` · ${summary}` : ''} — click for counters and state timing`}
      onClick={(e) => props.onToggle(e.currentTarget)}
    >
      <span className={`pill pill-${stateTone(f.state)}`}>
        {density === 'tight' ? (SHORT_STATE[state] ?? state) : state}
      </span>
      {!(squeeze >= 2 && f.state === FeedState.live) && (
        <span className="feed-since" data-testid="feed-since">
          {clock > 0 ? fmtDuration(clock - f.since) : ''}
        </span>
      )}
      <span className="feed-name">{f.name}</span>
      {f.venue !== 0 && !f.name.toLowerCase().includes(venue) && <span className="feed-venue">{venue}</span>}
      {!replay && <span className="feed-url">{fmtUrl(f.url)}</span>}
      {flags.map((x) => (
        <span className="feed-flag" data-tone={x.tone} data-testid={x.testId} key={x.counter}>
          {squeeze >= 1 ? x.mini : density === 'roomy' ? x.label : x.short}{' '}
          <b>{fmtInt(f.counters[x.counter] ?? 0)}</b>
        </span>
      ))}
      <span className="feed-reconnects" data-tone={f.reconnects > 0 ? 'warn' : ''}>
        ↻ {fmtInt(f.reconnects)}
      </span>
    </button>
  );
}

function Feeds() {
  const feeds = useAppStore((s) => s.feeds);
  const frames = useAppStore((s) => s.transport?.frames ?? 0);
  // Time in state on the engine's clock (newest metrics interval), so a replay shows replay time.
  // (Every hook before the early return: React needs the same hooks on every render.)
  const clock = useAppStore((s) => s.pipeline?.time ?? 0);
  const [open, setOpen] = useState<{ feedId: number; anchor: HTMLButtonElement } | null>(null);
  const close = useCallback(() => setOpen(null), []);
  const row = useRef<HTMLDivElement>(null);
  const [squeeze, setSqueeze] = useState(0);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = row.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // What changes the chips' natural width: start from full detail again whenever it changes…
  const fit = feeds
    .map(
      (f) =>
        `${f.feedId}:${f.state}:${f.reconnects > 0}:${FLAGS.map((x) => fmtInt(f.counters[x.counter] ?? 0)).join()}:${clock > 0 ? fmtDuration(clock - f.since).length : 0}`,
    )
    .join('|');
  useLayoutEffect(() => {
    if (fit || width) setSqueeze(0);
  }, [fit, width]);
  // …and give detail up, before the row is painted, until it fits. Measured only when something
  // that moves the chips' width changed: reading scrollWidth forces a layout, and the chips render
  // with every metrics interval.
  // biome-ignore lint/correctness/useExhaustiveDependencies: fit and width are the triggers, not inputs
  useLayoutEffect(() => {
    const el = row.current;
    if (el && squeeze < MAX_SQUEEZE && el.scrollWidth > el.clientWidth + 1) setSqueeze(squeeze + 1);
  }, [fit, width, squeeze]);
  const density = feeds.length <= 2 ? 'roomy' : feeds.length <= 3 ? 'compact' : 'tight';
  return (
    <div className="feeds" ref={row} data-squeeze={squeeze}>
      {feeds.length === 0 && (
        <div className="feed feed-waiting" data-testid="waiting">
          {frames === 0 ? 'waiting for the engine…' : 'no feeds configured'}
        </div>
      )}
      {feeds.map((f) => (
        <FeedChip
          key={f.feedId}
          feed={f}
          density={density}
          squeeze={squeeze}
          clock={clock}
          open={open?.feedId === f.feedId}
          onToggle={(anchor) => setOpen(open?.feedId === f.feedId ? null : { feedId: f.feedId, anchor })}
        />
      ))}
      {open && feeds.some((f) => f.feedId === open.feedId) && (
        <FeedDetails feedId={open.feedId} anchor={open.anchor} onClose={close} />
      )}
    </div>
  );
}

function SettingsButton() {
  const open = useAppStore((s) => s.settingsOpen);
  const dirty = useAppStore((s) => s.settingsDirty);
  const setOpen = useAppStore((s) => s.setSettingsOpen);
  return (
    <button
      type="button"
      className="header-button"
      data-testid="open-settings"
      aria-haspopup="dialog"
      aria-expanded={open}
      aria-keyshortcuts=","
      title={`Settings — what Tickscope connects to (,)${dirty ? ' · edits not applied' : ''}`}
      onClick={() => setOpen(!open)}
    >
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
        <path
          d="M2 4h7M13 4h1M2 12h1M7 12h7M9 2v4M5 10v4"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
          strokeLinecap="round"
        />
        <circle cx="11" cy="4" r="2" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <circle cx="5" cy="12" r="2" fill="none" stroke="currentColor" strokeWidth="1.5" />
      </svg>
      Settings
      {dirty && <span className="dirty-dot" title="edits not applied" />}
    </button>
  );
}

interface MarketItem {
  tick: MarketTick;
  symbol: string;
}

interface VenueGroup {
  /** The feed the instruments come from (-1: not known yet). */
  feedId: number;
  /** The venue's name, or the feed's when two feeds are on the same venue. */
  label: string;
  title: string;
  items: MarketItem[];
}

/**
 * The market's instruments by feed, feeds in the header's order; within a feed, symbols in the
 * order they first appear over all feeds, so a board's rows line up (BTC with BTC) across venues.
 */
function groupByVenue(
  market: readonly MarketTick[],
  instruments: ReadonlyMap<number, InstrumentInfo>,
  feeds: readonly FeedStatus[],
): VenueGroup[] {
  const rank = new Map<string, number>();
  for (const i of [...instruments.values()].sort((a, b) => a.instrumentId - b.instrumentId))
    if (!rank.has(i.symbol)) rank.set(i.symbol, rank.size);
  const byFeed = new Map<number, { venue: number; items: MarketItem[] }>();
  for (const tick of market) {
    const info = instruments.get(tick.instrumentId);
    const feedId = info?.feedId ?? -1;
    let g = byFeed.get(feedId);
    if (!g) {
      g = { venue: info?.venue ?? 0, items: [] };
      byFeed.set(feedId, g);
    }
    g.items.push({ tick, symbol: info?.symbol ?? `#${tick.instrumentId}` });
  }
  const order = (feedId: number): number => {
    const i = feeds.findIndex((f) => f.feedId === feedId);
    return i < 0 ? feeds.length + feedId : i;
  };
  const venues = [...byFeed.values()].map((g) => g.venue);
  return [...byFeed.entries()]
    .sort(([a], [b]) => order(a) - order(b))
    .map(([feedId, g]) => {
      const feed = feeds.find((f) => f.feedId === feedId);
      const venue = venueNameOf(g.venue);
      const shared = venues.filter((v) => v === g.venue).length > 1;
      g.items.sort(
        (a, b) =>
          (rank.get(a.symbol) ?? 1e9) - (rank.get(b.symbol) ?? 1e9) ||
          a.tick.instrumentId - b.tick.instrumentId,
      );
      return {
        feedId,
        label: shared && feed ? feed.name : g.venue ? venue : '',
        title: feed ? `${venue} · feed ${feed.name}` : venue,
        items: g.items,
      };
    });
}

/** Change since the session's first trade, in %. */
const tickChange = (t: MarketTick): number => (t.open > 0 ? ((t.last - t.open) / t.open) * 100 : 0);

/** A ticker's figures as drawn: what its width follows. */
const tickerText = (t: MarketTick): string => `${fmtPrice(t.last)} ${Math.abs(tickChange(t)).toFixed(2)}`;

/** A board's rows at most: past that, a venue's instruments go on in a further column. */
const BOARD_ROWS = 3;

/**
 * The market strip, grouped by venue. On one row while it fits (the venue's name before its
 * instruments); when it does not, a board: one column per venue, its name on top, up to
 * BOARD_ROWS instruments under it, prices aligned. What still does not fit fades out at the right.
 */
function Market() {
  const market = useAppStore((s) => s.market);
  const instruments = useAppStore((s) => s.instruments);
  const feeds = useAppStore((s) => s.feeds);
  const groups = groupByVenue(market, instruments, feeds);
  const strip = useRef<HTMLDivElement>(null);
  const [layout, setLayout] = useState<'row' | 'board'>('row');
  const [clipped, setClipped] = useState(false);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = strip.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // Start from one row whenever what is shown or the room for it changes…
  const fit = `${width}|${groups.map((g) => `${g.feedId}:${g.label}:${g.items.length}`).join('|')}`;
  useLayoutEffect(() => {
    if (fit) setLayout('row');
  }, [fit]);
  // …and, before the strip is painted, take the board if the row does not fit. Measured only when
  // the text's length changed (a forced layout on every update of the prices otherwise).
  const textKey = groups.map((g) => g.items.map((x) => tickerText(x.tick).length).join()).join('|');
  // biome-ignore lint/correctness/useExhaustiveDependencies: fit and textKey are the triggers, not inputs
  useLayoutEffect(() => {
    const el = strip.current;
    if (!el) return;
    const over = el.scrollWidth > el.clientWidth + 1;
    if (over && layout === 'row') setLayout('board');
    else if (over !== clipped) setClipped(over);
  }, [fit, textKey, layout, clipped]);
  const rows = Math.min(BOARD_ROWS, Math.max(1, ...groups.map((g) => g.items.length)));
  return (
    <div
      className="market"
      ref={strip}
      data-testid="market-strip"
      data-layout={layout}
      data-clipped={clipped ? '' : undefined}
      style={{ '--rows': rows } as CSSProperties}
    >
      {market.length === 0 && <span className="market-empty">no trades yet</span>}
      {groups.map((g) => (
        <div className="market-venue" key={g.feedId} data-testid="market-venue" title={g.title}>
          {g.label && <span className="market-venue-name">{g.label}</span>}
          <div className="market-tickers">
            {g.items.map(({ tick: t, symbol }, i) => {
              const change = tickChange(t);
              const dir = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
              return (
                <div
                  className="ticker"
                  key={t.instrumentId}
                  data-testid="ticker"
                  data-next-column={i >= rows ? '' : undefined}
                  title={`${symbol} · ${g.label || 'venue not known yet'} — last trade, change since the session's first`}
                >
                  <span className="ticker-symbol">{symbol}</span>
                  <span className="ticker-last">{fmtPrice(t.last)}</span>
                  <span className={`ticker-change ${dir}`}>
                    {dir === 'up' ? '▲' : dir === 'down' ? '▼' : '■'} {Math.abs(change).toFixed(2)}%
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      ))}
    </div>
  );
}

function Transport() {
  const t = useAppStore((s) => s.transport);
  const label = !t ? 'starting…' : t.kind === 'electron-port' ? 'Electron port' : 'WebSocket';
  const state = t?.state ?? 'connecting';
  return (
    <div
      className="transport"
      data-testid="transport"
      data-state={state}
      title={t?.lastError ? `last error: ${t.lastError}` : undefined}
    >
      <span className={`dot dot-${state}`} />
      <span className="transport-kind">{label}</span>
      <span className="transport-state">{state}</span>
      <span className="transport-figures">
        <b>{fmtInt(t?.frames ?? 0)}</b> frames · <b>{t ? t.framesPerSec : 0}</b>/s
      </span>
    </div>
  );
}

export function Header() {
  return (
    <header className="app-header">
      <div className="header-row">
        <div className="brand">
          <svg viewBox="0 0 32 32" width="20" height="20" aria-hidden="true">
            <path
              d="M3 22 L9 18 L13 20 L17 10 L21 15 L25 6 L29 12"
              fill="none"
              stroke="#2dd4bf"
              strokeWidth="3"
              strokeLinejoin="round"
              strokeLinecap="round"
            />
          </svg>
          <span>Tickscope</span>
        </div>
        <Feeds />
        <RecordingControl />
        <SessionsButton />
        <SettingsButton />
      </div>
      <div className="header-row header-market">
        <Market />
        <Transport />
      </div>
    </header>
  );
}
