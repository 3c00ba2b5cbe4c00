/**
 * The keyboard shortcuts, listed from the same table the handler uses (shortcuts.ts), over the
 * dashboard; Esc, ?, a click outside or the close button take it away.
 */
import { useEffect, useRef } from 'react';
import { useViewStore } from '../store/view-store.ts';
import { SHORTCUTS } from './shortcuts.ts';

export function HelpOverlay() {
  const open = useViewStore((s) => s.helpOpen);
  const setOpen = useViewStore((s) => s.setHelpOpen);
  const card = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const back = document.activeElement as HTMLElement | null;
    card.current?.focus();
    return () => back?.focus?.();
  }, [open]);
  if (!open) return null;
  return (
    <div className="help-layer" data-testid="help-overlay">
      <div className="help-backdrop" onClick={() => setOpen(false)} aria-hidden="true" />
      <div
        className="help-card"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        tabIndex={-1}
        ref={card}
      >
        <div className="help-head">
          <h2>Keyboard shortcuts</h2>
          <button type="button" className="st-close" aria-label="Close" onClick={() => setOpen(false)}>
            <svg viewBox="0 0 12 12" width="10" height="10" aria-hidden="true">
              <path
                d="M2.5 2.5l7 7M9.5 2.5l-7 7"
                stroke="currentColor"
                strokeWidth="1.5"
                strokeLinecap="round"
              />
            </svg>
          </button>
        </div>
        <dl className="help-list">
          {SHORTCUTS.map((s) => (
            <div className="help-row" key={s.what}>
              <dt>
                {s.keys.map((k) =>
                  k === 'drag' ? (
                    <span className="help-gesture" key={k}>
                      drag on a chart
                    </span>
                  ) : (
                    <kbd key={k}>{k}</kbd>
                  ),
                )}
              </dt>
              <dd>{s.what}</dd>
            </div>
          ))}
        </dl>
        <p className="help-note">Double-click a chart to reset its zoom, a panel's title to maximise it.</p>
      </div>
    </div>
  );
}
