/**
 * The dashboard: header, the toolbar (time window, pause, zoom, Panels menu, help), the replay,
 * recording and disconnection banners when there is something to say, the panels (layout/
 * PanelGrid.tsx places them: two to a row, Market in a column at the right; hidden or maximised as
 * the user left them), the status line, and the settings and sessions drawers over them. The
 * dashboard's state (connecting, empty, disconnected, error, replay, live) is on the root's
 * data-state and shown by layout/AppStates.tsx. The series store arrives from the frame receiver
 * once; from then on the charts read it at requestAnimationFrame without React.
 */
import { useEffect, useRef, useState } from 'react';
import { Header } from './header/Header.tsx';
import { RecordingErrorBanner } from './header/RecordingControl.tsx';
import { ReplayBanner } from './header/ReplayBanner.tsx';
import { DisconnectedBanner, StateNotice, useAppState } from './layout/AppStates.tsx';
import { HelpOverlay } from './layout/HelpOverlay.tsx';
import { PanelGrid, Slot } from './layout/PanelGrid.tsx';
import { installShortcuts } from './layout/shortcuts.ts';
import { Toolbar } from './layout/Toolbar.tsx';
import { TooltipLayer } from './layout/Tooltip.tsx';
import './layout/layout.css';
import { BufferReusePanel } from './panels/BufferReusePanel.tsx';
import { ConnectionsPanel } from './panels/ConnectionsPanel.tsx';
import { DistributionPanel } from './panels/DistributionPanel.tsx';
import { LatencyPanel } from './panels/LatencyPanel.tsx';
import { MarketPanel } from './panels/MarketPanel.tsx';
import { RecordingPanel } from './panels/RecordingPanel.tsx';
import { SessionsPanel } from './panels/SessionsPanel.tsx';
import { SettingsPanel } from './panels/SettingsPanel.tsx';
import { ThroughputPanel } from './panels/ThroughputPanel.tsx';
import { StatusBar } from './StatusBar.tsx';
import { SeriesStore } from './series/series-store.ts';
import { pollSessions } from './store/sessions-store.ts';
import { connectFrames } from './transport/connect.ts';

/** Unused by the charts, which all follow the view store's window; kept for the panels' props. */
const WINDOW_SEC = 300;

export function App() {
  const [store, setStore] = useState<SeriesStore | null>(null);
  const storeRef = useRef(store);
  storeRef.current = store;
  useEffect(() => connectFrames((sab) => setStore(new SeriesStore(sab))), []);
  // The recording's status and the sessions: asked about once a second (frames come on their own).
  useEffect(() => pollSessions(), []);
  useEffect(() => installShortcuts(() => storeRef.current), []);
  const state = useAppState();
  return (
    <div className="app" data-testid="app" data-state={state.kind}>
      <Header />
      <Toolbar store={store} />
      <ReplayBanner />
      <RecordingErrorBanner />
      <DisconnectedBanner state={state} />
      <div className="panels-area">
        {store ? (
          <PanelGrid>
            <Slot id="panel-throughput">
              <ThroughputPanel store={store} windowSec={WINDOW_SEC} />
            </Slot>
            <Slot id="panel-connections">
              <ConnectionsPanel store={store} />
            </Slot>
            <Slot id="panel-latency">
              <LatencyPanel store={store} windowSec={WINDOW_SEC} />
            </Slot>
            <Slot id="panel-distribution">
              <DistributionPanel />
            </Slot>
            <Slot id="panel-buffer-reuse">
              <BufferReusePanel store={store} windowSec={WINDOW_SEC} />
            </Slot>
            <Slot id="panel-recording">
              <RecordingPanel />
            </Slot>
            <Slot id="panel-market">
              <MarketPanel />
            </Slot>
          </PanelGrid>
        ) : (
          <main className="panels" data-testid="panels" />
        )}
        <StateNotice state={state} />
      </div>
      <StatusBar />
      <SettingsPanel />
      <SessionsPanel />
      <HelpOverlay />
      <TooltipLayer />
    </div>
  );
}
