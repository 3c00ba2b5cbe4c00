/**
 * The two buttons at the right of every panel's header: maximise (or restore) and hide. Both act
 * on the view store's layout, which persists; a hidden panel comes back from the toolbar's Panels
 * menu. Panels with their own header (Connections, Market, Recording) put this in it too.
 */
import { useViewStore } from '../store/view-store.ts';

export function PanelActions(props: { id: string }) {
  const { id } = props;
  const maximized = useViewStore((s) => s.maximized === id);
  const setMaximized = useViewStore((s) => s.setMaximized);
  const setHidden = useViewStore((s) => s.setHidden);
  return (
    <div className="panel-actions">
      <button
        type="button"
        className="panel-action"
        data-testid={`${id}-maximize`}
        aria-pressed={maximized}
        aria-label={maximized ? 'Restore the grid' : 'Maximise this panel'}
        data-tip={
          maximized ? 'Back to every panel (F, Esc)' : 'Show this panel alone (F, or double-click the title)'
        }
        onClick={() => setMaximized(maximized ? null : id)}
      >
        {maximized ? (
          <svg viewBox="0 0 12 12" width="11" height="11" aria-hidden="true">
            <path
              d="M5 1v4H1M7 11V7h4M5 5L1.5 1.5M7 7l3.5 3.5"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.3"
            />
          </svg>
        ) : (
          <svg viewBox="0 0 12 12" width="11" height="11" aria-hidden="true">
            <path
              d="M1 5V1h4M11 7v4H7M1 1l3.5 3.5M11 11L7.5 7.5"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.3"
            />
          </svg>
        )}
      </button>
      <button
        type="button"
        className="panel-action"
        data-testid={`${id}-hide`}
        aria-label="Hide this panel"
        data-tip="Hide this panel (bring it back from the Panels menu)"
        onClick={() => {
          if (maximized) setMaximized(null);
          setHidden(id, true);
        }}
      >
        <svg viewBox="0 0 12 12" width="10" height="10" aria-hidden="true">
          <path d="M2.5 2.5l7 7M9.5 2.5l-7 7" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
        </svg>
      </button>
    </div>
  );
}
