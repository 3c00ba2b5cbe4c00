/**
 * The header. First row: each feed's connection state as a pill, with its name, venue (when the
 * name does not already say it), URL and reconnect count. Second row: a strip of the market —
 * last price and change since the first trade of the session, per instrument — and the
 * transport the page runs on with the frames received.
 */
import { FEED_STATE_NAMES, FeedState, venueNameOf } from '../feed-names.ts';
import { fmtDuration, fmtInt, fmtPrice, fmtUrl } from '../format.ts';
import { useAppStore } from '../store/app-store.ts';

function stateTone(state: number): string {
  if (state === FeedState.live) return 'good';
  if (state === FeedState.connecting || state === FeedState.subscribing) return 'warn';
  if (state === FeedState.stale || state === FeedState.backoff) return 'alert';
  return 'bad';
}

function Feeds() {
  const feeds = useAppStore((s) => s.feeds);
  const frames = useAppStore((s) => s.transport?.frames ?? 0);
  // Time in state on the engine's clock (newest metrics interval), so a replay shows replay time.
  // (Every hook before the early return: React needs the same hooks on every render.)
  const clock = useAppStore((s) => s.pipeline?.time ?? 0);
  if (feeds.length === 0) {
    return (
      <div className="feed feed-waiting" data-testid="waiting">
        {frames === 0 ? 'waiting for the engine…' : 'no feeds configured'}
      </div>
    );
  }
  const density = feeds.length <= 2 ? 'roomy' : feeds.length <= 4 ? 'compact' : 'tight';
  return (
    <>
      {feeds.map((f) => {
        const venue = venueNameOf(f.venue);
        const state = FEED_STATE_NAMES[f.state] ?? 'unknown';
        return (
          <div
            className={`feed feed-${density}`}
            key={f.feedId}
            data-testid="feed-status"
            data-state={state}
            title={`${f.name} (${venue}) · ${f.url} · ${state} for ${fmtDuration(clock - f.since)} · ${f.transitions} state change${f.transitions === 1 ? '' : 's'} · ${f.reconnects} reconnect${f.reconnects === 1 ? '' : 's'}`}
          >
            <span className={`pill pill-${stateTone(f.state)}`}>{state}</span>
            <span className="feed-since" data-testid="feed-since">
              {clock > 0 ? fmtDuration(clock - f.since) : ''}
            </span>
            <span className="feed-name">{f.name}</span>
            {!f.name.toLowerCase().includes(venue) && <span className="feed-venue">{venue}</span>}
            <span className="feed-url">{fmtUrl(f.url)}</span>
            <span className="feed-reconnects" data-tone={f.reconnects > 0 ? 'warn' : ''}>
              ↻ {fmtInt(f.reconnects)}
            </span>
          </div>
        );
      })}
    </>
  );
}

function Market() {
  const market = useAppStore((s) => s.market);
  const instruments = useAppStore((s) => s.instruments);
  return (
    <div className="market" data-testid="market-strip">
      {market.length === 0 && <span className="market-empty">no trades yet</span>}
      {market.map((t) => {
        const info = instruments.get(t.instrumentId);
        const change = t.open > 0 ? ((t.last - t.open) / t.open) * 100 : 0;
        const dir = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
        return (
          <div className="ticker" key={t.instrumentId} data-testid="ticker">
            <span className="ticker-symbol">{info?.symbol ?? `#${t.instrumentId}`}</span>
            <span className="ticker-last">{fmtPrice(t.last)}</span>
            <span className={`ticker-change ${dir}`}>
              {dir === 'up' ? '▲' : dir === 'down' ? '▼' : '■'} {Math.abs(change).toFixed(2)}%
            </span>
          </div>
        );
      })}
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
        <div className="feeds">
          <Feeds />
        </div>
      </div>
      <div className="header-row header-market">
        <Market />
        <Transport />
      </div>
    </header>
  );
}
