/**
 * Sessions: the recorded sessions in the sessions folder, newest first, in a drawer like the
 * settings (opened from the header, closed with Esc). Per session: when it started, how long it
 * ran, records, size, venues, whether it was closed cleanly, its error; and Replay (1×, 4×, 16×,
 * max), Export (CSV or JSON lines, written by the engine in the background into the sessions
 * folder's exports/: progress, then the file's path — and a download link on the headless host),
 * Rename (inline; the engine validates the name), Delete (after a confirmation) and Inspect (what
 * the session holds, read from its blocks, inline under the row). On top,
 * what the engine does now: live, recording, or replaying. The engine's refusals show on the row
 * they concern, in its own words.
 */
import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import './recording.css';
import {
  EXPORT_FORMATS,
  type ExportStatus,
  exportDownloadPath,
  type InspectReply,
  type SessionSummary,
  type SessionsState,
} from '../../../common/api.ts';
import { fmtBytes, fmtDateTime, fmtInt, fmtRatio, fmtSpan, fmtSpeed, fmtStopwatch } from '../format.ts';
import { Drawer } from '../layout/Drawer.tsx';
import { useAppStore } from '../store/app-store.ts';
import { refreshSessions, sendSessionCommand, useSessionsStore } from '../store/sessions-store.ts';
import { inspectSession, revealExport } from '../transport/config-client.ts';

const SPEEDS: readonly (number | 'max')[] = [1, 4, 16, 'max'];

/** The headless host serves finished exports for download; in Electron the file is on this disk. */
const CAN_DOWNLOAD = typeof window !== 'undefined' && !window.tickscope;

const FORMAT_TITLES: Record<string, string> = {
  csv: 'CSV with a header row: one row per record (kind, venue, symbol, prices, times, ids…)',
  jsonl: 'JSON lines: one object per record, the same fields as the CSV columns',
  parquet:
    'Parquet (zstd, written by DuckDB): typed columns — times as timestamps, kind/venue/side as enums, flags as booleans — for DuckDB, pandas, polars',
};

/** The folder part of a path, with its trailing separator. */
function dirOf(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** One export of this session: progress while it runs, then its file (or why it failed). */
function ExportLine({ e }: { e: ExportStatus }) {
  const pct = e.total > 0 ? Math.min(100, (e.read / e.total) * 100) : 0;
  const [revealError, setRevealError] = useState<string | null>(null);
  // The sessions folder gives way to the width; exports/NAME.FORMAT stays whole.
  const root = dirOf(dirOf(e.path).slice(0, -1));
  return (
    <div className="ss-exp" data-testid="session-export" data-state={e.state} data-format={e.format}>
      <span className="ss-exp-format">{e.format}</span>
      <div className="ss-exp-main">
        {e.state === 'running' ? (
          <>
            <span className="ss-exp-line" data-testid="session-export-progress">
              exporting… <b>{pct.toFixed(0)}%</b> · <b>{fmtInt(e.records)}</b> rows · {fmtBytes(e.bytes)}
            </span>
            <span className="ss-exp-bar" aria-hidden="true">
              <span style={{ width: `${pct}%` }} />
            </span>
          </>
        ) : e.state === 'done' ? (
          <>
            <span className="ss-exp-line" data-testid="session-export-result">
              <b>{fmtInt(e.records)}</b> rows · <b>{fmtBytes(e.bytes)}</b>
              {e.finishedAt ? ` · ${fmtSpan(e.finishedAt - e.startedAt)}` : ''}
              {e.damaged > 0 ? ` · ${e.damaged} damaged span${e.damaged === 1 ? '' : 's'} skipped` : ''}
            </span>
            <span className="ss-exp-path" data-testid="session-export-path" title={e.path}>
              <span className="ss-exp-dir">{root}</span>
              <span className="ss-exp-file">{e.path.slice(root.length)}</span>
            </span>
            {revealError && <span className="ss-exp-error">Cannot show it: {revealError}</span>}
          </>
        ) : (
          <span className="ss-exp-error" data-testid="session-export-error">
            Export failed: {e.error}
          </span>
        )}
      </div>
      {e.state === 'done' && CAN_DOWNLOAD ? (
        <a
          className="ss-exp-link"
          href={exportDownloadPath(e.name, e.format)}
          download={`${e.name}.${e.format}`}
          title={`Download ${e.name}.${e.format} (${fmtBytes(e.bytes)})`}
          data-testid="session-export-download"
        >
          Download
        </a>
      ) : e.state === 'done' ? (
        <button
          type="button"
          className="ss-exp-link"
          title={`Show ${e.name}.${e.format} in the file manager`}
          data-testid="session-export-reveal"
          onClick={() =>
            void revealExport(e.name, e.format).then((r) => setRevealError(r.ok ? null : r.error))
          }
        >
          Show in folder
        </button>
      ) : (
        <span />
      )}
    </div>
  );
}

/** How many names a breakdown lists before summing the rest as "+N more". */
const TOP = 8;

/** A breakdown's rows, largest first: the top few by name, then the rest summed. */
function topCounts(counts: Record<string, number>): { rows: [string, number][]; more: number; rest: number } {
  const all = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const rest = all.slice(TOP).reduce((a, [, n]) => a + n, 0);
  return { rows: all.slice(0, TOP), more: Math.max(0, all.length - TOP), rest };
}

/** One count breakdown (by kind, venue or instrument): name, count, and its share as a bar. */
function Breakdown(props: { title: string; counts: Record<string, number>; total: number; testId: string }) {
  const { rows, more, rest } = topCounts(props.counts);
  const share = (n: number): string => `${props.total > 0 ? Math.min(100, (n / props.total) * 100) : 0}%`;
  return (
    <div className="ss-ins-list" data-testid={props.testId}>
      <span className="ss-actions-label">{props.title}</span>
      {rows.length === 0 ? (
        <span className="ss-ins-none">none</span>
      ) : (
        rows.map(([k, n]) => (
          <span className="ss-ins-item" key={k} data-key={k}>
            <span className="ss-ins-key" title={k}>
              {k}
            </span>
            <b className="ss-ins-count">{fmtInt(n)}</b>
            <span className="ss-ins-bar" aria-hidden="true">
              <span className="ss-ins-fill" style={{ width: share(n) }} />
            </span>
          </span>
        ))
      )}
      {more > 0 && (
        <span className="ss-ins-item" data-testid="inspect-more">
          <span className="ss-ins-key ss-ins-rest">+{more} more</span>
          <b className="ss-ins-count ss-ins-rest">{fmtInt(rest)}</b>
          <span className="ss-ins-bar" aria-hidden="true">
            <span className="ss-ins-fill ss-ins-fill-rest" style={{ width: share(rest) }} />
          </span>
        </span>
      )}
    </div>
  );
}

/** The recorded span as start – end (the end's date only when it differs from the start's). */
function spanText(start: number | null, end: number | null): string {
  if (start === null || end === null) return '—';
  const a = fmtDateTime(start);
  const b = fmtDateTime(end);
  return `${a} – ${a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b}`;
}

/**
 * What a session holds, read from its blocks by the engine once when the block opens (no polling:
 * a closed session does not change, and one being recorded is shown as of the moment asked).
 */
function Inspection({ name }: { name: string }) {
  const [reply, setReply] = useState<InspectReply | null>(null);
  useEffect(() => {
    let current = true;
    setReply(null);
    inspectSession(name).then(
      (r) => current && setReply(r),
      (e: unknown) => current && setReply({ ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      current = false;
    };
  }, [name]);

  if (!reply) {
    return (
      <div className="ss-ins" data-testid="session-inspection" data-state="loading" aria-busy="true">
        <span className="ss-ins-loading" data-testid="inspect-loading">
          reading {name}…
        </span>
      </div>
    );
  }
  if (!reply.ok) {
    return (
      <div className="ss-ins" data-testid="session-inspection" data-state="error">
        <span className="ss-exp-error" role="alert" data-testid="inspect-error">
          Cannot inspect: {reply.error}
        </span>
      </div>
    );
  }
  const i = reply.inspection;
  const damaged = i.corruptBlocks > 0 || i.truncatedBytes > 0;
  const gapped = i.gaps > 0 || i.missing > 0;
  return (
    <div className="ss-ins" data-testid="session-inspection" data-state="ready">
      <div className="ss-ins-figures">
        <InsFig
          tip="Records read from the session's blocks"
          label="Records"
          value={fmtInt(i.records)}
          testId="inspect-records"
        />
        <InsFig
          tip="Time of the first and the last record, and the span between them"
          label="Span"
          value={i.start !== null && i.end !== null ? fmtSpan(i.end - i.start) : '—'}
          testId="inspect-duration"
          sub={spanText(i.start, i.end)}
          subTestId="inspect-span"
        />
        <InsFig
          tip="Bytes on disk, and the raw size over the compressed size"
          label="Size"
          value={fmtBytes(i.bytes)}
          testId="inspect-bytes"
          sub={`${fmtRatio(i.compressionRatio)} compression`}
          subTestId="inspect-ratio"
        />
        <InsFig
          tip="Blocks written: each one compressed and checksummed on its own"
          label="Blocks"
          value={fmtInt(i.blocks)}
          testId="inspect-blocks"
        />
      </div>
      <div className="ss-ins-checks">
        <span
          className="ss-ins-check"
          data-tone={damaged ? 'warn' : 'good'}
          data-testid="inspect-damage"
          data-tip="Blocks whose checksum or contents do not hold, and bytes cut off at the end of a segment: skipped when read"
        >
          <span className="ss-actions-label">Damage</span>
          {damaged
            ? `${fmtInt(i.corruptBlocks)} corrupt block${i.corruptBlocks === 1 ? '' : 's'} · ${fmtBytes(i.truncatedBytes)} truncated`
            : 'intact'}
        </span>
        <span
          className="ss-ins-check"
          data-tone={gapped ? 'warn' : 'good'}
          data-testid="inspect-gaps"
          data-tip="Gap records (sequence breaks the feeds saw while recording) and the events known missing"
        >
          <span className="ss-actions-label">Gaps</span>
          {gapped ? `${fmtInt(i.gaps)} gap${i.gaps === 1 ? '' : 's'} · ${fmtInt(i.missing)} missing` : 'none'}
        </span>
      </div>
      <div className="ss-ins-lists">
        <Breakdown title="By kind" counts={i.byKind} total={i.records} testId="inspect-by-kind" />
        <Breakdown title="By venue" counts={i.byVenue} total={i.records} testId="inspect-by-venue" />
        <Breakdown
          title="By instrument"
          counts={i.byInstrument}
          total={i.records}
          testId="inspect-by-instrument"
        />
      </div>
    </div>
  );
}

/** One figure of an inspection: label, value, and an optional line under it. */
function InsFig(props: {
  tip: string;
  label: string;
  value: string;
  testId: string;
  sub?: string;
  subTestId?: string;
}) {
  return (
    <span className="ss-ins-fig" data-tip={props.tip}>
      <span className="ss-actions-label">{props.label}</span>
      <b className="ss-ins-value" data-testid={props.testId}>
        {props.value}
      </b>
      {props.sub !== undefined && (
        <span className="ss-ins-sub" data-testid={props.subTestId}>
          {props.sub}
        </span>
      )}
    </span>
  );
}

/** The recorded span of a session, or — while it is being recorded — how long it has run. */
function durationOf(s: SessionSummary, recordingSince: number | null, now: number): string {
  if (recordingSince !== null) return fmtStopwatch(now - recordingSince);
  if (s.start !== null && s.end !== null && s.end >= s.start) return fmtSpan(s.end - s.start);
  return '—';
}

/** What the engine does now: live (and whether it can record), recording, or replaying. */
function Now(props: { state: SessionsState | null; unavailable: string | null }) {
  const { state, unavailable } = props;
  const pending = useSessionsStore((s) => s.pending);
  const r = state?.recording;
  const replay = state?.replaying;
  const busy = pending !== null;
  if (replay) {
    return (
      <div className="st-force ss-now" data-mode="replay" data-testid="sessions-now">
        <span className="ss-now-dot replay" />
        <div className="st-force-text">
          <div className="st-force-line">
            <span className="st-force-label">{replay.done ? 'Replayed' : 'Replaying'}</span>
            <span className="st-force-what">{replay.name}</span>
            <span className="ss-now-speed">{fmtSpeed(replay.speed)}</span>
          </div>
          <div className="st-force-detail">
            {replay.done
              ? 'at the end of the session'
              : `recorded time ${replay.position ? fmtDateTime(replay.position) : '—'}`}
          </div>
        </div>
        <button
          type="button"
          className="st-button"
          disabled={busy}
          onClick={() => void sendSessionCommand({ action: 'live' })}
        >
          Back to live
        </button>
      </div>
    );
  }
  if (r?.active) {
    return (
      <div className="st-force ss-now" data-mode="recording" data-testid="sessions-now">
        <span className="ss-now-dot recording" />
        <div className="st-force-text">
          <div className="st-force-line">
            <span className="st-force-label">Recording</span>
            <span className="st-force-what">{r.name}</span>
          </div>
          <div className="st-force-detail">
            {r.error
              ? `failed: ${r.error}`
              : `${fmtInt(r.records)} records · ${fmtBytes(r.bytes)} · ${r.dir ?? ''}`}
          </div>
        </div>
        <button
          type="button"
          className="st-button"
          disabled={busy}
          onClick={() => void sendSessionCommand({ action: 'stop' })}
        >
          Stop
        </button>
      </div>
    );
  }
  return (
    <div className="st-force ss-now" data-mode="live" data-testid="sessions-now">
      <span className="ss-now-dot live" />
      <div className="st-force-text">
        <div className="st-force-line">
          <span className="st-force-label">Live</span>
          <span className="st-force-what">{unavailable ? 'recording unavailable' : 'not recording'}</span>
        </div>
        <div className="st-force-detail">
          {unavailable ??
            (state
              ? `${state.root}${r?.freeBytes != null ? ` · ${fmtBytes(r.freeBytes)} free` : ''}`
              : 'asking the engine…')}
        </div>
      </div>
      <button
        type="button"
        className="st-button ss-record"
        disabled={busy || !!unavailable || !state}
        onClick={() => void sendSessionCommand({ action: 'record' })}
      >
        <span className="rec-dot rec-dot-idle" aria-hidden="true" />
        Record
      </button>
    </div>
  );
}

function SessionRow(props: {
  session: SessionSummary;
  recordingSince: number | null;
  replaying: boolean;
  now: number;
  exports: ExportStatus[];
  onReplayed(): void;
}) {
  const { session: s, recordingSince, replaying, now, exports } = props;
  const exporting = exports.some((e) => e.state === 'running');
  const pending = useSessionsStore((st) => st.pending);
  const refusal = useSessionsStore((st) => (st.refusal?.name === s.name ? st.refusal : null));
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [to, setTo] = useState(s.name);
  const [inspecting, setInspecting] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const busy = pending !== null;
  const mine = pending?.name === s.name ? pending.action : null;
  const recording = recordingSince !== null;

  useEffect(() => {
    if (mode === 'rename') input.current?.select();
  }, [mode]);

  const rename = async (): Promise<void> => {
    const name = to.trim();
    if (name === s.name) return setMode('view');
    const reply = await sendSessionCommand({ action: 'rename', name: s.name, to: name });
    if (reply.ok) setMode('view');
    else input.current?.focus();
  };
  const onRenameKey = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void rename();
    } else if (e.key === 'Escape') {
      e.preventDefault(); // the drawer stays open
      setTo(s.name);
      setMode('view');
      useSessionsStore.getState().clearRefusal();
    }
  };
  const replay = async (speed: number | 'max'): Promise<void> => {
    const reply = await sendSessionCommand({ action: 'replay', name: s.name, speed });
    if (reply.ok) props.onReplayed();
  };

  const status = recording
    ? { label: 'recording', tone: 'rec', title: 'being recorded now' }
    : s.closed
      ? { label: 'closed', tone: 'good', title: 'closed cleanly: every block and the manifest are on disk' }
      : {
          label: 'incomplete',
          tone: 'warn',
          title: 'not closed cleanly (the recorder stopped early): what was written can still be read',
        };

  return (
    <li
      className="ss-row"
      data-testid="session-row"
      data-name={s.name}
      data-replaying={replaying ? '' : undefined}
      data-recording={recording ? '' : undefined}
      data-mode={mode}
    >
      <div className="ss-line">
        {mode === 'rename' ? (
          <form
            className="ss-rename"
            onSubmit={(e) => {
              e.preventDefault();
              void rename();
            }}
          >
            <input
              ref={input}
              className="st-input mono ss-rename-input"
              aria-label={`New name for ${s.name}`}
              value={to}
              spellCheck={false}
              autoComplete="off"
              maxLength={100}
              onChange={(e) => setTo(e.target.value)}
              onKeyDown={onRenameKey}
              aria-invalid={refusal?.action === 'rename' ? true : undefined}
              data-testid="session-rename-input"
            />
            <button type="submit" className="fd-button ss-primary" disabled={busy || !to.trim()}>
              {mine === 'rename' ? 'Saving…' : 'Save'}
            </button>
            <button
              type="button"
              className="fd-button"
              onClick={() => {
                setTo(s.name);
                setMode('view');
                useSessionsStore.getState().clearRefusal();
              }}
            >
              Cancel
            </button>
          </form>
        ) : (
          <>
            <span className="ss-name" data-testid="session-name" title={s.dir}>
              {s.name}
            </span>
            <span
              className="ss-badge"
              data-tone={status.tone}
              title={status.title}
              data-testid="session-status"
            >
              {status.label}
            </span>
            {replaying && (
              <span className="ss-badge" data-tone="replay">
                replaying
              </span>
            )}
            <span className="ss-spacer" />
            <button
              type="button"
              className="st-icon ss-icon"
              aria-label={`Inspect ${s.name}`}
              aria-expanded={inspecting}
              data-tip={
                inspecting
                  ? 'Hide the details'
                  : 'Inspect: records, span, size, damage, gaps, and counts by kind, venue and instrument, read from its blocks'
              }
              data-active={inspecting ? '' : undefined}
              data-testid="session-inspect"
              onClick={() => setInspecting((v) => !v)}
            >
              <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                <circle cx="7" cy="7" r="4.2" fill="none" stroke="currentColor" strokeWidth="1.4" />
                <path d="M10.2 10.2L14 14" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
              </svg>
            </button>
            <button
              type="button"
              className="st-icon ss-icon"
              aria-label={`Rename ${s.name}`}
              title={
                recording
                  ? 'Being recorded: stop the recording first'
                  : exporting
                    ? 'Being exported: wait for the export to finish'
                    : 'Rename'
              }
              disabled={busy || recording || exporting}
              onClick={() => {
                useSessionsStore.getState().clearRefusal();
                setTo(s.name);
                setMode('rename');
              }}
            >
              <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                <path
                  d="M10.5 2.5l3 3L6 13H3v-3z M9 4l3 3"
                  fill="none"
                  stroke="currentColor"
                  strokeWidth="1.4"
                  strokeLinejoin="round"
                />
              </svg>
            </button>
            <button
              type="button"
              className="st-icon ss-icon ss-icon-delete"
              aria-label={`Delete ${s.name}`}
              title={
                recording
                  ? 'Being recorded: stop the recording first'
                  : exporting
                    ? 'Being exported: wait for the export to finish'
                    : 'Delete…'
              }
              disabled={busy || recording || exporting}
              onClick={() => {
                useSessionsStore.getState().clearRefusal();
                setMode(mode === 'delete' ? 'view' : 'delete');
              }}
            >
              <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                <path
                  d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 8.5h5.6l.7-8.5"
                  fill="none"
                  stroke="currentColor"
                  strokeWidth="1.4"
                  strokeLinejoin="round"
                  strokeLinecap="round"
                />
              </svg>
            </button>
          </>
        )}
      </div>

      <div className="ss-meta" data-testid="session-meta">
        <span title="when the recording started">{s.start !== null ? fmtDateTime(s.start) : '—'}</span>
        <span className="ss-dot">·</span>
        <span title="recorded span" data-testid="session-duration">
          {durationOf(s, recordingSince, now)}
        </span>
        <span className="ss-dot">·</span>
        <span data-testid="session-records">
          <b className="ss-value">{fmtInt(s.records)}</b> records
        </span>
        <span className="ss-dot">·</span>
        <span data-testid="session-bytes" title="on disk">
          <b className="ss-value">{fmtBytes(s.bytes)}</b>
        </span>
      </div>

      {s.error && !recording && (
        <div className="ss-error" data-testid="session-error">
          {s.error}
        </div>
      )}

      {mode === 'delete' ? (
        <div className="ss-confirm" data-testid="session-confirm-delete">
          <span className="ss-confirm-text">
            Delete <b className="ss-confirm-name">{s.name}</b>? Its {fmtInt(s.records)} records (
            {fmtBytes(s.bytes)}) are removed from disk.
          </span>
          <button type="button" className="fd-button" onClick={() => setMode('view')}>
            Cancel
          </button>
          <button
            type="button"
            className="fd-button ss-danger"
            disabled={busy}
            onClick={() => void sendSessionCommand({ action: 'delete', name: s.name })}
          >
            {mine === 'delete' ? 'Deleting…' : 'Delete'}
          </button>
        </div>
      ) : (
        mode === 'view' && (
          <div className="ss-actions">
            <span className="ss-venues" data-testid="session-venues">
              {s.venues.map((v) => (
                <span className="ss-venue" key={v}>
                  {v}
                </span>
              ))}
            </span>
            <span className="ss-spacer" />
            <span className="ss-group ss-export">
              <span className="ss-actions-label">Export</span>
              <fieldset className="ss-formats" aria-label={`Export ${s.name}`}>
                {EXPORT_FORMATS.map((f) => {
                  const running = exports.some((e) => e.format === f && e.state === 'running');
                  return (
                    <button
                      type="button"
                      key={f}
                      className="ss-format"
                      aria-label={`Export ${s.name} as ${f.toUpperCase()}`}
                      title={
                        recording
                          ? 'Being recorded: stop the recording first'
                          : running
                            ? `Being exported as ${f.toUpperCase()}`
                            : `${FORMAT_TITLES[f]} — written to exports/${s.name}.${f} in the sessions folder`
                      }
                      disabled={busy || recording || running}
                      data-testid={`session-export-${f}`}
                      onClick={() => void sendSessionCommand({ action: 'export', name: s.name, format: f })}
                    >
                      {f.toUpperCase()}
                    </button>
                  );
                })}
              </fieldset>
            </span>
            <span className="ss-group">
              {mine === 'replay' && <span className="ss-pending">starting the replay…</span>}
              <span className="ss-actions-label">Replay</span>
              <fieldset className="ss-speeds" aria-label={`Replay ${s.name}`}>
                {SPEEDS.map((v) => (
                  <button
                    type="button"
                    key={String(v)}
                    className="ss-speed"
                    aria-label={`Replay ${s.name} at ${fmtSpeed(v)}`}
                    title={
                      v === 'max'
                        ? 'As fast as it can be read'
                        : v === 1
                          ? 'At the pace it was recorded'
                          : `${v} times the pace it was recorded`
                    }
                    disabled={busy}
                    data-pending={mine === 'replay' ? '' : undefined}
                    onClick={() => void replay(v)}
                  >
                    {v === 1 && (
                      <svg viewBox="0 0 10 10" width="7" height="7" aria-hidden="true">
                        <path d="M2 1l7 4-7 4z" fill="currentColor" />
                      </svg>
                    )}
                    {fmtSpeed(v)}
                  </button>
                ))}
              </fieldset>
            </span>
          </div>
        )
      )}

      {inspecting && <Inspection name={s.name} />}

      {exports.length > 0 && (
        <div className="ss-exports">
          {exports.map((e) => (
            <ExportLine key={`${e.format}:${e.startedAt}`} e={e} />
          ))}
        </div>
      )}

      {refusal && (
        <div className="ss-refusal" role="alert" data-testid="session-refusal">
          {refusal.action === 'rename'
            ? 'Not renamed'
            : refusal.action === 'delete'
              ? 'Not deleted'
              : refusal.action === 'export'
                ? 'Not exported'
                : 'Not replayed'}
          : {refusal.error}
        </div>
      )}
    </li>
  );
}

/** This session's newest export of each format, newest first. */
function latestExports(all: ExportStatus[], name: string): ExportStatus[] {
  const seen = new Set<string>();
  return all.filter((e) => e.name === name && !seen.has(e.format) && seen.add(e.format));
}

export function SessionsPanel() {
  const open = useSessionsStore((s) => s.sessionsOpen);
  const setOpen = useSessionsStore((s) => s.setSessionsOpen);
  const close = useCallback(() => setOpen(false), [setOpen]);
  const state = useSessionsStore((s) => s.state);
  const unavailable = useSessionsStore((s) => s.unavailable);
  const polledAt = useSessionsStore((s) => s.polledAt);
  const panel = useRef<HTMLDivElement>(null);

  // Opening: ask at once, remember where the focus was, put it in the drawer.
  useEffect(() => {
    if (!open) return;
    useAppStore.getState().setSettingsOpen(false);
    const back = document.activeElement as HTMLElement | null;
    void refreshSessions();
    panel.current?.focus();
    return () => back?.focus?.();
  }, [open]);

  if (!open) return null;
  const sessions = state?.sessions ?? [];
  const rec = state?.recording;
  const now = Math.max(polledAt, Date.now());
  const total = sessions.reduce((a, s) => a + s.bytes, 0);

  return (
    <Drawer
      title="Sessions"
      sub="recorded market data · inspect, replay, export, rename, delete"
      titleId="ss-title"
      testId="sessions-panel"
      className="ss-drawer"
      closeLabel="Close sessions"
      onClose={close}
      panelRef={panel}
    >
      <Now state={state} unavailable={unavailable} />

      <div className="st-scroll ss-scroll">
        <div className="st-section-head ss-list-head">
          <h3>Recorded</h3>
          <span className="st-note" data-testid="sessions-count">
            {state
              ? sessions.length === 0
                ? 'none yet'
                : `${sessions.length} session${sessions.length === 1 ? '' : 's'} · ${fmtBytes(total)}`
              : ''}
          </span>
        </div>
        {state?.listError && (
          <p className="ss-error" role="alert" data-testid="sessions-list-error">
            Cannot read the sessions folder: {state.listError}
          </p>
        )}
        {state && !state.listError && sessions.length === 0 && (
          <p className="st-empty" data-testid="sessions-empty">
            No sessions yet. <b>● REC</b> in the header records the live feeds; each recording is a session
            here.
          </p>
        )}
        <ul className="ss-list" data-testid="sessions-list">
          {sessions.map((s) => (
            <SessionRow
              key={s.name}
              session={
                // The manifest of a session being recorded lags: its figures come from the recorder.
                rec?.active && rec.name === s.name ? { ...s, records: rec.records, bytes: rec.bytes } : s
              }
              now={now}
              recordingSince={rec?.active && rec.name === s.name ? (rec.startedAt ?? now) : null}
              replaying={state?.replaying?.name === s.name}
              exports={latestExports(state?.exports ?? [], s.name)}
              onReplayed={() => setOpen(false)}
            />
          ))}
        </ul>
      </div>

      <footer className="st-foot ss-foot">
        <span className="st-msg dim">
          A replay runs through the same pipeline as the live feeds, under a REPLAY banner
        </span>
      </footer>
    </Drawer>
  );
}
