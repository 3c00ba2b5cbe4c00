/**
 * The drawer over the right of the dashboard that Sessions and Settings open in: a modal dialog
 * with a title, a close button and a backdrop. Esc closes it wherever the focus is (unless
 * something inside used the key first), and Tab cycles inside it. Rendered only while open; what
 * gets the focus on opening is the panel's business.
 */
import type { KeyboardEvent, ReactNode, RefObject } from 'react';
import { useEffect } from 'react';

const FOCUSABLE = 'input, select, button, textarea, [tabindex="0"]';

export function CloseIcon() {
  return (
    <svg viewBox="0 0 12 12" width="10" height="10" aria-hidden="true">
      <path d="M2 2l8 8M10 2l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  );
}

/** Keeps Tab and Shift+Tab on the drawer's enabled, visible controls. */
function trapTab(e: KeyboardEvent<HTMLDivElement>, panel: HTMLElement): void {
  const items = [...panel.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !(el as HTMLButtonElement).disabled && el.offsetParent !== null,
  );
  const first = items[0];
  const last = items[items.length - 1];
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last?.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first?.focus();
  }
}

export function Drawer(props: {
  title: string;
  sub: string;
  /** The heading's id (the dialog is labelled by it). */
  titleId: string;
  testId: string;
  className?: string;
  closeLabel: string;
  onClose(): void;
  panelRef: RefObject<HTMLDivElement | null>;
  /** The panel's own keys (Settings: Ctrl/⌘+Enter applies); Tab is handled here. */
  onKeyDown?(e: KeyboardEvent<HTMLDivElement>): void;
  children: ReactNode;
}) {
  const { onClose, panelRef } = props;
  // On the document: after an action the focus may be nowhere (its button went disabled).
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent): void => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    props.onKeyDown?.(e);
    if (!e.defaultPrevented && e.key === 'Tab' && panelRef.current) trapTab(e, panelRef.current);
  };

  return (
    <div className="st-layer">
      <div className="st-backdrop" onPointerDown={onClose} aria-hidden="true" />
      <div
        className={props.className ? `st-drawer ${props.className}` : 'st-drawer'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={props.titleId}
        data-testid={props.testId}
        ref={panelRef}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <header className="st-head">
          <div className="st-head-title">
            <h2 id={props.titleId}>{props.title}</h2>
            <span className="st-sub">{props.sub}</span>
          </div>
          <button
            type="button"
            className="st-close"
            onClick={onClose}
            aria-label={props.closeLabel}
            title="Close (Esc)"
          >
            <kbd>Esc</kbd>
            <CloseIcon />
          </button>
        </header>
        {props.children}
      </div>
    </div>
  );
}
