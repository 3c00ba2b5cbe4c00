/**
 * Recording: the recorder's state and figures as a panel (the header keeps a compact indicator).
 */
import { useSessionsStore } from '../store/sessions-store.ts';

export function RecordingPanel() {
  const r = useSessionsStore((s) => s.state?.recording);
  return (
    <section className="panel panel-recording" data-testid="panel-recording">
      <header className="panel-head">
        <div className="panel-title">
          <h2>Recording</h2>
          <span className="panel-subtitle">{r?.active ? 'recording' : 'stopped'}</span>
        </div>
      </header>
    </section>
  );
}
