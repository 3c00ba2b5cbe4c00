/**
 * Across the top of the dashboard while a recorded session is replayed, so nobody takes it for
 * the live market: REPLAY · the session · the speed · the recorded time the replay is at, how far
 * into the session that is, and "Back to live".
 */
import { fmtClock, fmtDateTime, fmtSpeed, fmtStopwatch } from '../format.ts';
import { sendSessionCommand, useSessionsStore } from '../store/sessions-store.ts';

export function ReplayBanner() {
  const replay = useSessionsStore((s) => s.state?.replaying ?? null);
  const session = useSessionsStore((s) =>
    replay ? (s.state?.sessions.find((x) => x.name === replay.name) ?? null) : null,
  );
  const pending = useSessionsStore((s) => s.pending);
  const refusal = useSessionsStore((s) => (s.refusal?.action === 'live' ? s.refusal : null));
  if (!replay) return null;
  const start = session?.start ?? null;
  const end = session?.end ?? null;
  const pos = replay.done && end !== null ? end : replay.position;
  const span = start !== null && end !== null && end > start ? end - start : null;
  const into = pos !== null && start !== null ? Math.max(0, pos - start) : null;
  const fraction = span !== null && into !== null ? Math.min(1, into / span) : null;
  const leaving = pending?.action === 'live';
  return (
    <div
      className="replay-banner"
      role="status"
      aria-label="Replaying a recorded session"
      data-testid="replay-banner"
      data-done={replay.done ? '' : undefined}
    >
      <span className="replay-tag">
        <svg viewBox="0 0 10 10" width="9" height="9" aria-hidden="true">
          <path d="M2 1l7 4-7 4z" fill="currentColor" />
        </svg>
        REPLAY
      </span>
      <span className="replay-name" data-testid="replay-name">
        {replay.name}
      </span>
      <span className="replay-sep">·</span>
      <span className="replay-speed" data-testid="replay-speed">
        {fmtSpeed(replay.speed)}
      </span>
      <span className="replay-sep">·</span>
      <span
        className="replay-position"
        data-testid="replay-position"
        title={pos !== null ? `recorded at ${fmtDateTime(pos)}` : undefined}
      >
        {replay.done ? 'finished' : pos !== null ? fmtDateTime(pos) : 'starting…'}
      </span>
      {fraction !== null && (
        <span className="replay-progress" title={`${Math.round(fraction * 100)}% of the session`}>
          <span className="replay-bar" aria-hidden="true">
            <span className="replay-bar-fill" style={{ width: `${(fraction * 100).toFixed(2)}%` }} />
          </span>
          <span className="replay-into" data-testid="replay-into">
            {fmtStopwatch(into ?? 0)} / {fmtStopwatch(span ?? 0)}
          </span>
        </span>
      )}
      {replay.done && end !== null && (
        <span className="replay-note" data-testid="replay-note">
          ended at {fmtClock(end / 1000)} recorded time
        </span>
      )}
      <span className="replay-spacer" />
      {refusal && (
        <span className="replay-refusal" role="alert">
          {refusal.error}
        </span>
      )}
      <button
        type="button"
        className="replay-live"
        data-testid="back-to-live"
        disabled={leaving}
        onClick={() => void sendSessionCommand({ action: 'live' })}
      >
        <span className="replay-live-dot" aria-hidden="true" />
        {leaving ? 'Going live…' : 'Back to live'}
      </button>
    </div>
  );
}
