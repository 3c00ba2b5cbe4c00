/**
 * The header's recording control and the Sessions button. Idle: a compact "● REC" that starts
 * recording the live feeds. Recording: a red pulsing dot, the time it has run, records, size on
 * disk, rate, compression ratio and free disk, and Stop. A recording that failed (disk full, IO
 * error) turns the control solid red and puts a banner under the header until dismissed. A
 * refusal from the engine ("a replay is running…") shows in a bubble under the control.
 */

import { useEffect } from 'react';
import { fmtBytes, fmtInt, fmtRate, fmtRatio, fmtStopwatch } from '../format.ts';
import {
  DISK_LOW_BYTES,
  recordingErrorKey,
  sendSessionCommand,
  useSessionsStore,
} from '../store/sessions-store.ts';
import { useTick } from '../use-tick.ts';

function RecDot(props: { state: 'idle' | 'on' | 'failed' }) {
  return <span className={`rec-dot rec-dot-${props.state}`} aria-hidden="true" />;
}

/** One figure; in the control they go two to a column (records over size, rate over ratio). */
function Figure(props: {
  value: string;
  label?: string;
  title: string;
  testId: string;
  tone?: 'warn' | '';
  /** Its label under it, over both rows. */
  stacked?: boolean;
}) {
  return (
    <span
      className="rec-fig"
      data-testid={props.testId}
      data-tone={props.tone || undefined}
      data-stacked={props.stacked ? '' : undefined}
      title={props.title}
    >
      <b className="rec-fig-value">{props.value}</b>
      {props.label && <span className="rec-fig-label">{props.label}</span>}
    </span>
  );
}

export function RecordingControl() {
  const state = useSessionsStore((s) => s.state);
  const unavailable = useSessionsStore((s) => s.unavailable);
  const rate = useSessionsStore((s) => s.rate);
  const pending = useSessionsStore((s) => s.pending);
  const refusal = useSessionsStore((s) => s.refusal);
  const clearRefusal = useSessionsStore((s) => s.clearRefusal);
  const r = state?.recording;
  const active = !!r?.active;
  const failed = !!r?.error && active;
  const now = useTick(active && !failed, 250);
  const busy = pending?.action === 'record' || pending?.action === 'stop';
  // A refusal of record or stop belongs here; the panel shows the others on their rows.
  const mine = refusal && (refusal.action === 'record' || refusal.action === 'stop') ? refusal : null;
  useEffect(() => {
    if (!mine) return;
    const t = setTimeout(clearRefusal, 8000);
    return () => clearTimeout(t);
  }, [mine, clearRefusal]);

  const bubble = mine && (
    <div className="rec-refusal" role="alert" data-testid="rec-refusal">
      <span>
        <b className="rec-refusal-what">{mine.action === 'record' ? 'Not recording' : 'Not stopped'}</b> ·{' '}
        {mine.error}
      </span>
      <button type="button" className="rec-refusal-close" aria-label="Dismiss" onClick={clearRefusal}>
        <svg viewBox="0 0 12 12" width="8" height="8" aria-hidden="true">
          <path d="M2 2l8 8M10 2l-8 8" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
      </button>
    </div>
  );

  if (!active || !r) {
    const replaying = state?.replaying;
    const disabled = !!unavailable || !state || !!replaying || busy;
    const free = r?.freeBytes;
    const title = unavailable
      ? `Recording: ${unavailable}`
      : replaying
        ? 'Recording reads the live feeds: go back to live to record'
        : `Record the live feeds to ${state?.root || 'the sessions folder'}${free != null ? ` · ${fmtBytes(free)} free` : ''}`;
    return (
      <div className="rec-wrap">
        <button
          type="button"
          className="header-button rec-button"
          data-testid="rec-start"
          data-state="idle"
          disabled={disabled}
          title={title}
          onClick={() => void sendSessionCommand({ action: 'record' })}
        >
          <RecDot state="idle" />
          {busy ? 'Starting…' : 'REC'}
        </button>
        {bubble}
      </div>
    );
  }

  const elapsed = (failed ? 0 : now) - (r.startedAt ?? now);
  const lowDisk = r.freeBytes != null && r.freeBytes < DISK_LOW_BYTES;
  return (
    <div className="rec-wrap">
      <div
        className={`rec-live${failed ? ' rec-failed' : ''}`}
        data-testid="rec-status"
        data-state={failed ? 'failed' : 'recording'}
        role="status"
        title={`Recording to ${r.dir ?? r.name ?? ''}${failed ? ` — stopped: ${r.error}` : ''}`}
      >
        <RecDot state={failed ? 'failed' : 'on'} />
        {failed ? (
          <>
            <span className="rec-label">REC FAILED</span>
            <span className="rec-error" data-testid="rec-error">
              {r.error}
            </span>
          </>
        ) : (
          <>
            <span className="rec-label">REC</span>
            <span className="rec-time" data-testid="rec-elapsed">
              {fmtStopwatch(elapsed)}
            </span>
            <span className="rec-figs">
              <Figure value={fmtInt(r.records)} label="rec" title="records written" testId="rec-records" />
              <Figure
                value={fmtBytes(r.bytes)}
                title={`on disk (${fmtBytes(r.rawBytes)} before compression)`}
                testId="rec-bytes"
              />
              <Figure
                value={rate === null ? '—' : fmtRate(rate)}
                label="/s"
                title="records per second, over the last few seconds"
                testId="rec-rate"
              />
              <Figure
                value={fmtRatio(r.compressionRatio)}
                label="ratio"
                title="compression ratio: bytes recorded / bytes on disk"
                testId="rec-ratio"
              />
              {r.freeBytes != null && (
                <Figure
                  value={fmtBytes(r.freeBytes)}
                  label="free"
                  stacked
                  title={`free disk space${lowDisk ? ' — running low' : ''}`}
                  testId="rec-free"
                  tone={lowDisk ? 'warn' : ''}
                />
              )}
            </span>
          </>
        )}
        <button
          type="button"
          className="rec-stop"
          data-testid="rec-stop"
          disabled={busy}
          title={failed ? 'Close the session: keep what was written' : 'Stop recording and close the session'}
          onClick={() => void sendSessionCommand({ action: 'stop' })}
        >
          <span className="rec-stop-square" aria-hidden="true" />
          {busy ? 'Stopping…' : 'Stop'}
        </button>
      </div>
      {bubble}
    </div>
  );
}

/** Opens the Sessions drawer; says how many sessions there are, and when one is replaying. */
export function SessionsButton() {
  const open = useSessionsStore((s) => s.sessionsOpen);
  const setOpen = useSessionsStore((s) => s.setSessionsOpen);
  const count = useSessionsStore((s) => s.state?.sessions.length ?? null);
  const replaying = useSessionsStore((s) => !!s.state?.replaying);
  return (
    <button
      type="button"
      className="header-button"
      data-testid="open-sessions"
      data-replaying={replaying ? '' : undefined}
      aria-haspopup="dialog"
      aria-expanded={open}
      title="Sessions — recorded sessions: replay, rename, delete"
      onClick={() => setOpen(!open)}
    >
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
        <rect
          x="2"
          y="2.5"
          width="12"
          height="11"
          rx="2"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
        />
        <path d="M5 6h6M5 8.5h6M5 11h3.5" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
      </svg>
      Sessions
      {count !== null && count > 0 && <span className="header-count">{count}</span>}
    </button>
  );
}

/**
 * Under the header when a recording failed: what happened and what was kept, until dismissed
 * (a new recording clears it). Impossible to miss, by design.
 */
export function RecordingErrorBanner() {
  const state = useSessionsStore((s) => s.state);
  const dismissed = useSessionsStore((s) => s.dismissedError);
  const dismiss = useSessionsStore((s) => s.dismissError);
  const key = recordingErrorKey(state);
  const r = state?.recording;
  if (!r || !key || key === dismissed) return null;
  return (
    <div className="rec-banner" role="alert" data-testid="rec-error-banner">
      <RecDot state="failed" />
      <div className="rec-banner-text">
        <b className="rec-banner-title">{r.active ? 'Recording failed' : 'Recording stopped'}</b>
        <span className="rec-banner-error">{r.error}</span>
        <span className="rec-banner-kept">
          {r.name ?? 'the session'} keeps what was written: {fmtInt(r.records)} records, {fmtBytes(r.bytes)}
          {r.freeBytes != null ? ` · ${fmtBytes(r.freeBytes)} free on disk` : ''}
        </span>
      </div>
      {r.active ? (
        <button
          type="button"
          className="rec-banner-button"
          onClick={() => void sendSessionCommand({ action: 'stop' })}
        >
          Close the session
        </button>
      ) : (
        <button type="button" className="rec-banner-button" onClick={() => dismiss(key)}>
          Dismiss
        </button>
      )}
    </div>
  );
}
