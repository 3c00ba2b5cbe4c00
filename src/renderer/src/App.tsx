/**
 * The dashboard: header, three live panels, status line. The series store arrives from the frame
 * receiver once; from then on the charts read it at requestAnimationFrame without React.
 */
import { useEffect, useState } from 'react';
import { Header } from './header/Header.tsx';
import { BufferReusePanel } from './panels/BufferReusePanel.tsx';
import { LatencyPanel } from './panels/LatencyPanel.tsx';
import { ThroughputPanel } from './panels/ThroughputPanel.tsx';
import { StatusBar } from './StatusBar.tsx';
import { SeriesStore } from './series/series-store.ts';
import { useAppStore } from './store/app-store.ts';
import { connectFrames } from './transport/connect.ts';

const WINDOW_SEC = 120;

export function App() {
  const [store, setStore] = useState<SeriesStore | null>(null);
  const fatal = useAppStore((s) => s.fatal);
  useEffect(() => connectFrames((sab) => setStore(new SeriesStore(sab))), []);
  const notIsolated = !globalThis.crossOriginIsolated;
  return (
    <div className="app">
      <Header />
      {(fatal || notIsolated) && (
        <div className="banner" role="alert">
          {fatal ??
            'This page is not cross-origin isolated (COOP/COEP headers missing): live charts need SharedArrayBuffer.'}
        </div>
      )}
      <main className="panels">
        {store ? (
          <>
            <ThroughputPanel store={store} windowSec={WINDOW_SEC} />
            <LatencyPanel store={store} windowSec={WINDOW_SEC} />
            <BufferReusePanel store={store} windowSec={WINDOW_SEC} />
          </>
        ) : (
          <div className="waiting">Connecting to the engine…</div>
        )}
      </main>
      <StatusBar />
    </div>
  );
}
