/**
 * The dashboard: header, the replay and recording banners when there is something to say, the
 * panels (Throughput and Connections — both per feed — side by side, Latency and Buffer reuse
 * under them, Market in a column at the right), status line, and the settings and sessions drawers over them. The series store
 * arrives from the frame receiver once; from then on the charts read it at requestAnimationFrame
 * without React.
 */
import { useEffect, useState } from 'react';
import { Header } from './header/Header.tsx';
import { RecordingErrorBanner } from './header/RecordingControl.tsx';
import { ReplayBanner } from './header/ReplayBanner.tsx';
import { BufferReusePanel } from './panels/BufferReusePanel.tsx';
import { ConnectionsPanel } from './panels/ConnectionsPanel.tsx';
import { LatencyPanel } from './panels/LatencyPanel.tsx';
import { MarketPanel } from './panels/MarketPanel.tsx';
import { RecordingPanel } from './panels/RecordingPanel.tsx';
import { SessionsPanel } from './panels/SessionsPanel.tsx';
import { SettingsPanel } from './panels/SettingsPanel.tsx';
import { ThroughputPanel } from './panels/ThroughputPanel.tsx';
import { StatusBar } from './StatusBar.tsx';
import { SeriesStore } from './series/series-store.ts';
import { useAppStore } from './store/app-store.ts';
import { pollSessions, useSessionsStore } from './store/sessions-store.ts';
import { connectFrames } from './transport/connect.ts';
import { NOT_ISOLATED } from './worker/messages.ts';

const WINDOW_SEC = 120;

export function App() {
  const [store, setStore] = useState<SeriesStore | null>(null);
  const fatal = useAppStore((s) => s.fatal);
  useEffect(() => connectFrames((sab) => setStore(new SeriesStore(sab))), []);
  // The recording's status and the sessions: asked about once a second (frames come on their own).
  useEffect(() => pollSessions(), []);
  useEffect(() => {
    // ',' opens the settings (as in most desktop apps), unless the user is typing somewhere.
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== ',' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t?.closest('input, textarea, select, [contenteditable="true"]')) return;
      e.preventDefault();
      useSessionsStore.getState().setSessionsOpen(false);
      useAppStore.getState().setSettingsOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const notIsolated = !globalThis.crossOriginIsolated;
  // The isolation message first: it explains every other failure that follows from it.
  const alert = notIsolated ? NOT_ISOLATED : fatal;
  return (
    <div className="app">
      <Header />
      <ReplayBanner />
      <RecordingErrorBanner />
      {alert && (
        <div className="banner" role="alert" data-testid="banner">
          {alert}
        </div>
      )}
      <main className="panels">
        {store ? (
          <>
            <div className="panel-pair">
              <ThroughputPanel store={store} windowSec={WINDOW_SEC} />
              <ConnectionsPanel store={store} />
            </div>
            <LatencyPanel store={store} windowSec={WINDOW_SEC} />
            <BufferReusePanel store={store} windowSec={WINDOW_SEC} />
            <RecordingPanel />
            <MarketPanel />
          </>
        ) : (
          <div className="waiting" data-testid="waiting-charts">
            {notIsolated
              ? 'Live charts are off: they need a cross-origin isolated page (SharedArrayBuffer).'
              : 'waiting for the engine…'}
          </div>
        )}
      </main>
      <StatusBar />
      <SettingsPanel />
      <SessionsPanel />
    </div>
  );
}
