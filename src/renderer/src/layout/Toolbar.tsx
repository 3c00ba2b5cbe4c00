/**
 * The toolbar under the header: the time window every time chart shows (1 min … 1 h), whether the
 * view follows the newest data, is paused (and how many intervals arrived since) or is zoomed to a
 * range (and how to get back), the Panels menu (show or hide each panel) and the shortcuts help.
 * Everything here acts on the view store; the charts follow it on their next frame.
 */
import { useEffect, useRef, useState } from 'react';
import { fmtClock, fmtInt } from '../format.ts';
import { Col } from '../series/series-layout.ts';
import type { SeriesStore } from '../series/series-store.ts';
import { useViewStore, WINDOWS, type WindowSec } from '../store/view-store.ts';
import { useAppState } from './AppStates.tsx';
import { PANELS } from './panel-registry.ts';

const WINDOW_LABEL: Record<WindowSec, string> = { 60: '1m', 300: '5m', 900: '15m', 3600: '1h' };
const WINDOW_NAME: Record<WindowSec, string> = {
  60: '1 minute',
  300: '5 minutes',
  900: '15 minutes',
  3600: '1 hour',
};

/** Pauses at the newest row the charts show (or resumes). */
export function togglePause(store: SeriesStore | null): void {
  const newest = store ? store.latest(Col.time) : Number.NaN;
  const v = useViewStore.getState();
  if (v.pausedAt === null && !Number.isFinite(newest)) return; // nothing on screen to hold
  v.togglePause(newest * 1000);
}

/** Intervals newer than the pause, counted a few times a second while paused. */
function useNewIntervals(store: SeriesStore | null, pausedAt: number | null): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    if (pausedAt === null || !store) {
      setN(0);
      return;
    }
    const count = (): void => setN(store.countAfter(pausedAt / 1000));
    count();
    const t = setInterval(count, 250);
    return () => clearInterval(t);
  }, [store, pausedAt]);
  return n;
}

function PanelsMenu() {
  const hidden = useViewStore((s) => s.hidden);
  const setHidden = useViewStore((s) => s.setHidden);
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent): void => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      setOpen(false);
      wrap.current?.querySelector<HTMLButtonElement>('.tb-menu-button')?.focus();
    };
    document.addEventListener('pointerdown', onDown, true);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown, true);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  const shown = PANELS.filter((p) => !hidden.includes(p.id)).length;
  return (
    <div className="tb-menu-wrap" ref={wrap}>
      <button
        type="button"
        className="tb-button tb-menu-button"
        data-testid="panels-menu-button"
        aria-haspopup="true"
        aria-expanded={open}
        data-tip="Show or hide panels; the layout is kept across restarts"
        onClick={() => setOpen(!open)}
      >
        Panels
        <span className="tb-count">
          {shown}/{PANELS.length}
        </span>
        <svg viewBox="0 0 10 6" width="8" height="5" aria-hidden="true">
          <path d="M1 1l4 4 4-4" fill="none" stroke="currentColor" strokeWidth="1.4" />
        </svg>
      </button>
      {open && (
        <div className="tb-menu" data-testid="panels-menu">
          {PANELS.map((p) => (
            <label className="tb-menu-item" key={p.id} data-testid={`panels-menu-${p.id}`}>
              <input
                type="checkbox"
                checked={!hidden.includes(p.id)}
                onChange={(e) => setHidden(p.id, !e.target.checked)}
              />
              <span className="tb-menu-title">{p.title}</span>
              <span className="tb-menu-help">{p.help}</span>
            </label>
          ))}
          <div className="tb-menu-foot">
            <button
              type="button"
              className="tb-link"
              disabled={hidden.length === 0}
              onClick={() => {
                for (const p of PANELS) setHidden(p.id, false);
              }}
            >
              Show all
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

export function Toolbar({ store }: { store: SeriesStore | null }) {
  const windowSec = useViewStore((s) => s.windowSec);
  const pausedAt = useViewStore((s) => s.pausedAt);
  const zoom = useViewStore((s) => s.zoom);
  const setWindow = useViewStore((s) => s.setWindow);
  const setZoom = useViewStore((s) => s.setZoom);
  const setHelpOpen = useViewStore((s) => s.setHelpOpen);
  const fresh = useNewIntervals(store, pausedAt);
  const app = useAppState().kind;
  const follow = zoom ? 'zoomed' : pausedAt !== null ? 'paused' : 'live';
  return (
    <div className="toolbar" data-testid="toolbar" data-follow={follow}>
      <div className="tb-group">
        <span className="tb-label">Window</span>
        <div className="tb-segmented">
          {WINDOWS.map((w, i) => (
            <button
              type="button"
              key={w}
              className="tb-seg"
              data-testid={`window-${w}`}
              aria-pressed={w === windowSec}
              data-tip={`Every chart shows the last ${WINDOW_NAME[w]} (key ${i + 1})`}
              onClick={() => setWindow(w)}
            >
              {WINDOW_LABEL[w]}
            </button>
          ))}
        </div>
      </div>
      <span className="tb-divider" aria-hidden="true" />
      <button
        type="button"
        className="tb-button tb-pause"
        data-testid="pause-toggle"
        aria-pressed={pausedAt !== null}
        data-tip={
          pausedAt === null
            ? 'Freeze the charts here; data keeps arriving (Space)'
            : 'Back to the newest data (Space)'
        }
        onClick={() => togglePause(store)}
      >
        {pausedAt === null ? (
          <svg viewBox="0 0 10 10" width="9" height="9" aria-hidden="true">
            <path d="M2 1h2v8H2zM6 1h2v8H6z" fill="currentColor" />
          </svg>
        ) : (
          <svg viewBox="0 0 10 10" width="9" height="9" aria-hidden="true">
            <path d="M2 1l7 4-7 4z" fill="currentColor" />
          </svg>
        )}
        {pausedAt === null ? 'Pause' : 'Resume'}
      </button>
      <span className="tb-follow" data-testid="follow-state" data-state={follow} role="status">
        {follow === 'live' && (
          <span data-tip="The charts follow the newest data" data-app={app}>
            <span className="tb-dot" aria-hidden="true" />
            {app === 'replay'
              ? 'following the replay'
              : app === 'disconnected'
                ? 'live · engine lost'
                : app === 'live'
                  ? 'live'
                  : 'live · no data yet'}
          </span>
        )}
        {follow === 'paused' && (
          <span data-tip="Frozen at the moment of the pause; new intervals are kept and shown on resume">
            <span className="tb-dot" aria-hidden="true" />
            paused at {fmtClock((pausedAt ?? 0) / 1000)} · <b data-testid="new-intervals">{fmtInt(fresh)}</b>{' '}
            new {fresh === 1 ? 'interval' : 'intervals'}
          </span>
        )}
        {follow === 'zoomed' && zoom && (
          <span data-tip="Every time chart shows this range; double-click a chart or press Esc to go back">
            <span className="tb-dot" aria-hidden="true" />
            zoomed <b data-testid="zoom-range">{`${fmtClock(zoom[0] / 1000)}–${fmtClock(zoom[1] / 1000)}`}</b>
          </span>
        )}
      </span>
      {follow === 'zoomed' && (
        <button
          type="button"
          className="tb-link"
          data-testid="zoom-reset"
          data-tip="Back to the time window (Esc)"
          onClick={() => setZoom(null)}
        >
          reset
        </button>
      )}
      {follow !== 'zoomed' && <span className="tb-hint">drag across a chart to zoom</span>}
      <span className="tb-spacer" />
      <PanelsMenu />
      <button
        type="button"
        className="tb-button tb-help"
        data-testid="help-button"
        aria-label="Keyboard shortcuts"
        data-tip="Keyboard shortcuts (?)"
        onClick={() => setHelpOpen(true)}
      >
        ?
      </button>
    </div>
  );
}
