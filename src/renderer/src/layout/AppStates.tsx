/**
 * The dashboard's designed states, each saying what is happening and what to do: a card over the
 * panels while connecting, when empty and on a fatal error; a banner under the toolbar while the
 * engine is lost (the charts stay, dimmed, with their last data). The state itself is decided in
 * app-state.ts; this only shows it. Every node carries data-testid and data-state for the tests.
 */
import { type ReactNode, useEffect, useState } from 'react';
import { FEED_STATE_NAMES, type FeedStatus } from '../../../common/feed-model.ts';
import { fmtClock, fmtDuration, fmtUrl } from '../format.ts';
import { useAppStore } from '../store/app-store.ts';
import { useSessionsStore } from '../store/sessions-store.ts';
import { NOT_ISOLATED } from '../worker/messages.ts';
import { type AppState, appState } from './app-state.ts';

/** The dashboard's state, re-derived when any of its inputs changes (a few times a second at most). */
export function useAppState(): AppState {
  const fatal = useAppStore((s) => s.fatal);
  const transport = useAppStore((s) => s.transport);
  const hasData = useAppStore((s) => s.pipeline !== null);
  const feeds = useAppStore((s) => s.feeds);
  const replaying = useSessionsStore((s) => !!s.state?.replaying);
  return appState({
    isolated: globalThis.crossOriginIsolated === true,
    fatal,
    transport,
    hasData,
    feeds,
    replaying,
  });
}

/** Re-renders once a second while `on` (countdowns, "ago"). */
function useSecond(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}

function retryText(retryAt: number, now: number): string {
  if (!retryAt) return 'not retrying';
  const s = Math.ceil((retryAt - now) / 1000);
  return s > 0 ? `retrying in ${s} s` : 'reconnecting…';
}

function openSettings(): void {
  useSessionsStore.getState().setSessionsOpen(false);
  useAppStore.getState().setSettingsOpen(true);
}

function Spinner() {
  return <span className="state-spinner" aria-hidden="true" />;
}

function FeedLine({ f }: { f: FeedStatus }) {
  const state = FEED_STATE_NAMES[f.state] ?? 'unknown';
  return (
    <li className="state-feed" data-state={state}>
      <span className="state-feed-name">{f.name}</span>
      <span className="state-feed-url">{fmtUrl(f.url)}</span>
      <span className="state-feed-state">
        {state}
        {f.reconnects > 0 ? ` · ${f.reconnects} ${f.reconnects === 1 ? 'retry' : 'retries'}` : ''}
      </span>
    </li>
  );
}

/** The card over the panels for connecting, empty and error; nothing otherwise. */
export function StateNotice({ state }: { state: AppState }) {
  const transport = useAppStore((s) => s.transport);
  const fatal = useAppStore((s) => s.fatal);
  const feeds = useAppStore((s) => s.feeds);
  const waitingForEngine = state.kind === 'connecting' && state.phase === 'engine';
  const now = useSecond(waitingForEngine && transport?.state === 'closed');
  if (state.kind !== 'connecting' && state.kind !== 'empty' && state.kind !== 'error') return null;

  let icon = <Spinner />;
  let title: string;
  let body: ReactNode;
  let action: ReactNode = null;
  if (state.kind === 'error') {
    const isolated = globalThis.crossOriginIsolated === true;
    icon = <span className="state-icon state-icon-error">!</span>;
    title = isolated ? 'The dashboard stopped' : 'Live charts cannot run here';
    body = (
      <>
        <p className="state-message" data-testid="state-message">
          {isolated ? fatal : NOT_ISOLATED}
        </p>
        {isolated ? (
          <p>Reload the page. If it happens again, restart the engine and look at its log.</p>
        ) : (
          <p>
            Open the dashboard from the Tickscope app or at the address <code>tickscope serve</code> prints:
            both send the headers. A proxy in between may be removing them.
          </p>
        )}
      </>
    );
    action = (
      <button type="button" className="state-button" onClick={() => location.reload()}>
        Reload
      </button>
    );
  } else if (state.kind === 'connecting' && state.phase === 'feeds') {
    title = 'Connecting to the feeds';
    body = (
      <>
        <p>
          The engine is up and connecting to {feeds.length === 1 ? 'its feed' : `its ${feeds.length} feeds`}.
        </p>
        <ul className="state-feeds">
          {feeds.slice(0, 8).map((f) => (
            <FeedLine key={f.feedId} f={f} />
          ))}
        </ul>
        <p className="state-dim">The charts start with the first message.</p>
      </>
    );
  } else if (state.kind === 'connecting') {
    const open = transport?.state === 'open';
    const closed = transport?.state === 'closed';
    title = open ? 'Waiting for the first data' : 'Connecting to the engine';
    body = open ? (
      <p>The engine answered; the first metrics interval is on its way.</p>
    ) : closed ? (
      <>
        <p>
          The engine does not answer yet
          {transport?.lastError ? <span className="state-dim"> ({transport.lastError})</span> : null}.
        </p>
        <p>
          <b data-testid="state-retry">{retryText(transport?.retryAt ?? 0, now)}</b> · is{' '}
          <code>tickscope serve</code> running?
        </p>
      </>
    ) : (
      <p>
        {transport?.kind === 'electron-port'
          ? 'Opening the frame port to the engine…'
          : `Opening the stream at ${location.host}…`}
      </p>
    );
  } else if (state.reason === 'no-feeds') {
    icon = <span className="state-icon">∅</span>;
    title = 'No feeds configured';
    body = (
      <p>
        The engine is running but reads no feed. Add a venue or turn the simulator on in Settings (
        <kbd>,</kbd>).
      </p>
    );
    action = (
      <button type="button" className="state-button" onClick={openSettings}>
        Open settings
      </button>
    );
  } else {
    icon = <span className="state-icon">…</span>;
    title = 'Connected, no message yet';
    body = (
      <>
        <p>
          {feeds.length === 1 ? 'The feed is' : `The ${feeds.length} feeds are`} subscribed, but nothing has
          arrived. A quiet market can take a while; check the instruments in Settings.
        </p>
        <ul className="state-feeds">
          {feeds.slice(0, 8).map((f) => (
            <FeedLine key={f.feedId} f={f} />
          ))}
        </ul>
      </>
    );
    action = (
      <button type="button" className="state-button" onClick={openSettings}>
        Open settings
      </button>
    );
  }
  return (
    <div className="state-layer" data-testid="state-notice" data-state={state.kind}>
      <div className="state-card" role={state.kind === 'error' ? 'alert' : 'status'}>
        <div className="state-head">
          {icon}
          <h2 className="state-title">{title}</h2>
        </div>
        <div className="state-body">{body}</div>
        {action && <div className="state-actions">{action}</div>}
      </div>
    </div>
  );
}

/** Under the toolbar while the engine is lost: what happened, the next attempt, the last data. */
export function DisconnectedBanner({ state }: { state: AppState }) {
  const transport = useAppStore((s) => s.transport);
  const lastData = useAppStore((s) => s.pipeline?.time ?? 0);
  const on = state.kind === 'disconnected';
  const now = useSecond(on);
  if (!on || !transport) return null;
  const port = transport.kind === 'electron-port';
  return (
    <div className="state-banner" role="alert" data-testid="state-banner" data-state="disconnected">
      <span className="state-tag">
        <span className="state-tag-dot" aria-hidden="true" />
        DISCONNECTED
      </span>
      <span className="state-banner-what">
        {port ? 'The engine closed the frame port' : 'Lost the engine'}
        {transport.lastError && !port ? <span className="state-dim"> · {transport.lastError}</span> : null}
      </span>
      <span className="state-sep">·</span>
      <b className="state-banner-retry" data-testid="state-retry">
        {port ? 'restart Tickscope to reconnect' : retryText(transport.retryAt, now)}
      </b>
      <span className="state-sep">·</span>
      <span data-testid="state-last-data">
        last data at <b>{lastData ? fmtClock(lastData / 1000) : '—'}</b>
        {lastData ? (
          <span className="state-dim"> ({fmtDuration(Math.max(0, now - lastData))} ago)</span>
        ) : null}
      </span>
      <span className="state-banner-note">the charts keep the last data</span>
    </div>
  );
}
