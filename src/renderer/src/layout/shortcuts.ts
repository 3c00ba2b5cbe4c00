/**
 * Keyboard shortcuts, one table for both the handler and the help overlay, so the overlay cannot
 * list a key that does nothing. Never while typing in a field; Space also leaves a focused button
 * alone (it presses it). While a drawer is open only the keys that switch drawers act (the drawer
 * has Esc); while the help is open only Esc and ? (they close it).
 */
import type { SeriesStore } from '../series/series-store.ts';
import { useAppStore } from '../store/app-store.ts';
import { sendSessionCommand, useSessionsStore } from '../store/sessions-store.ts';
import { useViewStore, WINDOWS } from '../store/view-store.ts';
import { togglePause } from './Toolbar.tsx';

export interface Shortcut {
  keys: string[];
  what: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['Space'], what: 'Pause or resume the live view' },
  { keys: ['1', '2', '3', '4'], what: 'Time window: 1 min, 5 min, 15 min, 1 h' },
  { keys: ['drag'], what: 'Zoom every chart to a time range' },
  { keys: ['Esc'], what: 'Reset the zoom, restore the grid, close a drawer' },
  { keys: ['f'], what: 'Maximise the panel under the pointer (again: restore)' },
  { keys: ['r'], what: 'Start or stop recording' },
  { keys: ['s'], what: 'Sessions' },
  { keys: [','], what: 'Settings' },
  { keys: ['?'], what: 'This help' },
];

function typing(t: EventTarget | null): boolean {
  return t instanceof Element && !!t.closest('input, textarea, select, [contenteditable="true"]');
}

function onButton(t: EventTarget | null): boolean {
  return t instanceof Element && !!t.closest('button, a[href], summary, [role="button"], [role="menuitem"]');
}

function openSettings(): void {
  useSessionsStore.getState().setSessionsOpen(false);
  useAppStore.getState().setSettingsOpen(true);
}

function toggleSessions(): void {
  const s = useSessionsStore.getState();
  useAppStore.getState().setSettingsOpen(false);
  s.setSessionsOpen(!s.sessionsOpen);
}

/** What the header's REC control would do now, if it is enabled. */
function toggleRecording(): void {
  const s = useSessionsStore.getState();
  if (!s.state || s.unavailable || s.pending) return;
  if (s.state.recording.active) void sendSessionCommand({ action: 'stop' });
  else if (!s.state.replaying) void sendSessionCommand({ action: 'record' });
}

/** The panel under the pointer (or holding the focus). */
function hoveredPanel(): string | null {
  const el =
    document.querySelector<HTMLElement>('.slot:hover') ??
    document.activeElement?.closest<HTMLElement>('.slot');
  return el?.dataset.slot ?? null;
}

/** Handles one keydown; returns true if it was a shortcut (and took the key). */
export function handleShortcut(e: KeyboardEvent, store: SeriesStore | null): boolean {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return false;
  if (typing(e.target)) return false;
  const view = useViewStore.getState();
  const key = e.key;
  if (view.helpOpen) {
    if (key !== 'Escape' && key !== '?') return false;
    view.setHelpOpen(false);
    return true;
  }
  const drawer = useAppStore.getState().settingsOpen || useSessionsStore.getState().sessionsOpen;
  if (key === ',') {
    openSettings();
    return true;
  }
  if (key === 's') {
    toggleSessions();
    return true;
  }
  if (drawer) return false;
  switch (key) {
    case ' ':
      if (onButton(e.target)) return false;
      togglePause(store);
      return true;
    case '1':
    case '2':
    case '3':
    case '4':
      view.setWindow(WINDOWS[Number(key) - 1]!);
      return true;
    case 'Escape':
      if (view.zoom) view.setZoom(null);
      else if (view.maximized) view.setMaximized(null);
      else return false;
      return true;
    case 'f': {
      if (view.maximized) {
        view.setMaximized(null);
        return true;
      }
      const id = hoveredPanel();
      if (!id) return false;
      view.setMaximized(id);
      return true;
    }
    case 'r':
      toggleRecording();
      return true;
    case '?':
      view.setHelpOpen(true);
      return true;
    default:
      return false;
  }
}

/** Installs the shortcuts on the window; returns the uninstaller. */
export function installShortcuts(store: () => SeriesStore | null): () => void {
  const onKey = (e: KeyboardEvent): void => {
    if (handleShortcut(e, store())) e.preventDefault();
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
