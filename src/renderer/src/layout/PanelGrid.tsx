/**
 * Where the panels go. The panels of the registry's main column sit two to a row in registry
 * order (an odd one out takes the full row), Market takes the column at the right, the full height.
 * Hidden panels are not mounted (they cost nothing); a maximised panel is the only one mounted and
 * fills the grid. A double-click on a panel's title maximises it or brings the grid back.
 *
 * Each panel is given as `<Slot id="panel-…">`; the slot wraps it in the grid cell, so a panel's
 * own classes never decide its place.
 */
import { Children, isValidElement, type MouseEvent, type ReactElement, type ReactNode } from 'react';
import { useViewStore } from '../store/view-store.ts';
import { PANELS, panelInfo } from './panel-registry.ts';

interface SlotProps {
  /** The panel's id: its section's data-testid, as in the registry. */
  id: string;
  children: ReactNode;
}

/** Marks one panel for the grid (rendered by PanelGrid, not on its own). */
export function Slot(props: SlotProps) {
  return <>{props.children}</>;
}

function order(id: string): number {
  const i = PANELS.findIndex((p) => p.id === id);
  return i < 0 ? PANELS.length : i;
}

export function PanelGrid(props: { children: ReactNode }) {
  const hidden = useViewStore((s) => s.hidden);
  const maximized = useViewStore((s) => s.maximized);
  const setMaximized = useViewStore((s) => s.setMaximized);
  const setHidden = useViewStore((s) => s.setHidden);
  const slots = Children.toArray(props.children).filter(
    (c): c is ReactElement<SlotProps> => isValidElement(c) && typeof (c.props as SlotProps).id === 'string',
  );
  slots.sort((a, b) => order(a.props.id) - order(b.props.id));
  const max = maximized && slots.some((s) => s.props.id === maximized) ? maximized : null;
  const visible = slots.filter((s) => (max ? s.props.id === max : !hidden.includes(s.props.id)));
  const main = visible.filter((s) => !panelInfo(s.props.id)?.side);
  const side = visible.filter((s) => panelInfo(s.props.id)?.side);

  const onDoubleClick = (e: MouseEvent<HTMLElement>): void => {
    const t = e.target as Element;
    if (!t.closest('.panel-title h2')) return;
    const id = t.closest<HTMLElement>('.slot')?.dataset.slot;
    if (id) setMaximized(max === id ? null : id);
  };
  const cell = (s: ReactElement<SlotProps>) => (
    <div className="slot" data-slot={s.props.id} key={s.props.id}>
      {s.props.children}
    </div>
  );
  return (
    <main
      className="panels"
      data-testid="panels"
      data-maximized={max ?? undefined}
      data-count={visible.length}
      onDoubleClick={onDoubleClick}
    >
      {main.length > 0 && <div className="panels-main">{main.map(cell)}</div>}
      {side.length > 0 && <div className="panels-side">{side.map(cell)}</div>}
      {visible.length === 0 && (
        <div className="panels-none" data-testid="panels-none">
          <p>Every panel is hidden.</p>
          <button
            type="button"
            className="tb-button"
            onClick={() => {
              for (const s of slots) setHidden(s.props.id, false);
            }}
          >
            Show all panels
          </button>
        </div>
      )}
    </main>
  );
}
