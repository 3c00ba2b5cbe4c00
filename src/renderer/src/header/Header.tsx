/**
 * The header: each feed's connection state as a pill (with its URL and reconnect count), the
 * transport the page runs on, and a strip of the market — last price and change since the first
 * trade of the session per instrument.
 */
import { FEED_STATE_NAMES, FeedState, venueNameOf } from '../feed-names.ts';
import { fmtInt, fmtPrice } from '../format.ts';
import { useAppStore } from '../store/app-store.ts';

function stateTone(state: number): string {
  if (state === FeedState.live) return 'good';
  if (state === FeedState.connecting || state === FeedState.subscribing) return 'warn';
  if (state === FeedState.stale || state === FeedState.backoff) return 'alert';
  return 'bad';
}

function Feeds() {
  const feeds = useAppStore((s) => s.feeds);
  if (feeds.length === 0) return <div className="feed feed-waiting">waiting for the engine…</div>;
  return (
    <>
      {feeds.map((f) => (
        <div
          className="feed"
          key={f.feedId}
          data-testid="feed-status"
          data-state={FEED_STATE_NAMES[f.state]}
          title={f.url}
        >
          <span className={`pill pill-${stateTone(f.state)}`}>{FEED_STATE_NAMES[f.state] ?? 'unknown'}</span>
          <span className="feed-name">{f.name}</span>
          <span className="feed-meta">
            {venueNameOf(f.venue)} · {fmtInt(f.reconnects)} reconnect{f.reconnects === 1 ? '' : 's'}
          </span>
        </div>
      ))}
    </>
  );
}

function Market() {
  const market = useAppStore((s) => s.market);
  const instruments = useAppStore((s) => s.instruments);
  return (
    <div className="market" data-testid="market-strip">
      {market.map((t) => {
        const info = instruments.get(t.instrumentId);
        const change = t.open > 0 ? ((t.last - t.open) / t.open) * 100 : 0;
        const dir = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
        return (
          <div className="ticker" key={t.instrumentId}>
            <span className="ticker-symbol">{info?.symbol ?? `#${t.instrumentId}`}</span>
            <span className="ticker-last">{fmtPrice(t.last)}</span>
            <span className={`ticker-change ${dir}`}>
              {change >= 0 ? '+' : ''}
              {change.toFixed(2)}%
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
    <div className="transport" data-testid="transport" data-state={state}>
      <span className={`dot dot-${state}`} />
      <span>{label}</span>
      <span className="transport-fps">{t ? `${t.framesPerSec} fps` : ''}</span>
    </div>
  );
}

export function Header() {
  return (
    <header className="app-header">
      <div className="brand">
        <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
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
      <Market />
      <Transport />
    </header>
  );
}
