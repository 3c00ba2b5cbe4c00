/**
 * Recording: the recorder as a panel (the header keeps the compact REC indicator; both send the
 * same commands). State — recording, stopped, or error with the engine's words — with Start/Stop;
 * where it writes (session, folder, current segment file); elapsed time, records and bytes
 * written; rates (records/s and MB/s over the last seconds, from successive statuses) with a
 * minute's sparkline; compression ratio and blocks stored raw; free disk where sessions are
 * written (amber when low, red when nearly full); and the policy in force (fsync interval,
 * compressors, codec, segment size), with a note when Settings hold a different one for the next
 * recording. Every figure has a title saying what it measures.
 *
 * It re-renders on each status (about once a second) and on a 250 ms stopwatch while recording:
 * nothing here follows the frame rate.
 */
import { useTick } from '../use-tick.ts';
import './recording.css';
import type { RecordingStatus } from '../../../common/api.ts';
import { fmtBytes, fmtInt, fmtRate, fmtRatio, fmtStopwatch } from '../format.ts';
import { PanelActions } from '../layout/PanelActions.tsx';
import {
  DISK_LOW_BYTES,
  DISK_NEARLY_FULL_BYTES,
  sendSessionCommand,
  useSessionsStore,
} from '../store/sessions-store.ts';
import { policySentence, policyText, samePolicy } from './settings-form.ts';

/** The file name at the end of a path (either separator: the engine may run on Windows). */
function baseName(path: string | null): string {
  if (!path) return '—';
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

function fmtMBps(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  const mb = v / 1e6;
  return mb >= 100 ? mb.toFixed(0) : mb >= 10 ? mb.toFixed(1) : mb.toFixed(2);
}

function Fig(props: {
  label: string;
  value: string;
  unit?: string;
  title: string;
  testId: string;
  tone?: 'warn' | 'bad' | 'dim' | undefined;
}) {
  return (
    <div className="rp-fig" title={props.title} data-testid={props.testId} data-tone={props.tone}>
      <span className="rp-fig-label">{props.label}</span>
      <span className="rp-fig-value">
        {props.value}
        {props.unit && <span className="rp-fig-unit">{props.unit}</span>}
      </span>
    </div>
  );
}

/** The records/s of the last minute as a line, scaled to its own maximum. */
function Sparkline(props: { values: number[]; active: boolean }) {
  const { values } = props;
  const w = 120;
  const h = 26;
  const max = Math.max(1, ...values);
  const step = w / 59;
  const x0 = w - (values.length - 1) * step;
  const pts = values.map(
    (v, i) => `${(x0 + i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`,
  );
  return (
    <svg
      className="rp-spark"
      viewBox={`0 0 ${w} ${h}`}
      preserveAspectRatio="none"
      data-points={values.length}
      aria-hidden="true"
    >
      <line x1="0" y1={h - 1.5} x2={w} y2={h - 1.5} className="rp-spark-base" />
      {values.length > 1 && (
        <>
          <polygon
            className="rp-spark-fill"
            points={`${pts[0]!.split(',')[0]},${h - 1.5} ${pts.join(' ')} ${w},${h - 1.5}`}
          />
          <polyline
            className="rp-spark-line"
            data-active={props.active ? '' : undefined}
            points={pts.join(' ')}
          />
        </>
      )}
    </svg>
  );
}

type Mode = 'recording' | 'stopped' | 'error' | 'unavailable';

function modeOf(r: RecordingStatus | undefined, unavailable: string | null, startError: string | null): Mode {
  if (r?.error || startError) return 'error';
  if (r?.active) return 'recording';
  if (unavailable) return 'unavailable';
  return 'stopped';
}

export function RecordingPanel() {
  const state = useSessionsStore((s) => s.state);
  const unavailable = useSessionsStore((s) => s.unavailable);
  const rate = useSessionsStore((s) => s.rate);
  const byteRate = useSessionsStore((s) => s.byteRate);
  const history = useSessionsStore((s) => s.rateHistory);
  const pending = useSessionsStore((s) => s.pending);
  const refusal = useSessionsStore((s) => s.refusal);
  const r = state?.recording;
  const active = !!r?.active;
  const failed = active && !!r?.error;
  const startError = refusal?.action === 'record' ? refusal.error : null;
  const mode = modeOf(r, unavailable, startError);
  const now = useTick(active && !failed, 250);
  const busy = pending?.action === 'record' || pending?.action === 'stop';
  const replaying = !!state?.replaying;

  // A recording that has run (or runs) shows its own figures; before any, they are blank.
  const ran = !!r?.name;
  const elapsed = r?.startedAt ? (active && !failed ? now : (r.at ?? now)) - r.startedAt : Number.NaN;
  const free = r?.freeBytes ?? null;
  const freeTone =
    free === null
      ? undefined
      : free < DISK_NEARLY_FULL_BYTES
        ? 'bad'
        : free < DISK_LOW_BYTES
          ? 'warn'
          : undefined;
  const policy = r?.policy ?? state?.nextPolicy ?? null;
  const next = state?.nextPolicy ?? null;
  const pendingChange = ran && !!policy && !!next && !samePolicy(policy, next);
  const error = r?.error ?? startError;

  const stateLabel =
    mode === 'recording'
      ? 'Recording'
      : mode === 'error'
        ? active
          ? 'Failed'
          : 'Error'
        : mode === 'unavailable'
          ? 'Unavailable'
          : 'Stopped';
  const stateTitle =
    mode === 'recording'
      ? 'Recording the live feeds: every record of every feed goes to disk, lossless'
      : mode === 'error'
        ? active
          ? 'The recording stopped on an error; what was written stays readable. Stop closes the session.'
          : startError
            ? 'The recording could not start'
            : 'The last recording stopped on an error; what was written stays readable'
        : mode === 'unavailable'
          ? `Recording is not available: ${unavailable}`
          : 'Not recording';

  const toggle = active ? (
    <button
      type="button"
      className="rp-toggle"
      data-action="stop"
      data-testid="rp-toggle"
      disabled={busy}
      title={failed ? 'Close the session: keep what was written' : 'Stop recording and close the session'}
      onClick={() => void sendSessionCommand({ action: 'stop' })}
    >
      <span className="rec-stop-square" aria-hidden="true" />
      {busy ? 'Stopping…' : 'Stop'}
    </button>
  ) : (
    <button
      type="button"
      className="rp-toggle"
      data-action="record"
      data-testid="rp-toggle"
      disabled={!!unavailable || !state || replaying || busy}
      title={
        unavailable
          ? `Recording: ${unavailable}`
          : replaying
            ? 'Recording reads the live feeds: go back to live to record'
            : `Record the live feeds into ${state?.root || 'the sessions folder'}`
      }
      onClick={() => void sendSessionCommand({ action: 'record' })}
    >
      <span className="rec-dot rec-dot-idle" aria-hidden="true" />
      {busy ? 'Starting…' : 'Record'}
    </button>
  );

  return (
    <section className="panel panel-recording" data-testid="panel-recording" data-state={mode}>
      <header className="panel-head">
        <div className="panel-title">
          <h2>Recording</h2>
          <span className="panel-subtitle">lossless, to the sessions folder</span>
        </div>
        <PanelActions id="panel-recording" />
        {toggle}
      </header>
      <div className="rp-body">
        <div className="rp-state-line">
          <span className="rp-state" data-tone={mode} data-testid="rp-state" title={stateTitle}>
            <span
              className={`rec-dot ${mode === 'recording' ? 'rec-dot-on' : mode === 'error' ? 'rec-dot-failed' : 'rec-dot-idle'}`}
              aria-hidden="true"
            />
            {stateLabel}
          </span>
          {ran && (
            <span
              className="rp-elapsed"
              data-testid="rp-elapsed"
              title={active ? 'Time since this recording started' : 'How long the last recording ran'}
            >
              {fmtStopwatch(elapsed)}
            </span>
          )}
          <span
            className="rp-name"
            data-testid="rp-name"
            title={r?.dir ?? 'The session folder, named after its start time'}
          >
            {r?.name ?? (mode === 'unavailable' ? '' : 'no recording yet')}
          </span>
        </div>

        {error && (
          <div className="rp-error" role="alert" data-testid="rp-error" title={error}>
            {startError && !r?.error ? 'Could not start: ' : active ? 'Stopped writing: ' : 'Stopped: '}
            {error}
          </div>
        )}

        <div className="rp-figs" data-dim={!active ? '' : undefined}>
          <Fig
            label="Records"
            value={ran ? fmtInt(r!.records) : '—'}
            title="Records written to the session (64 bytes each before compression)"
            testId="rp-records"
          />
          <Fig
            label="On disk"
            value={ran ? fmtBytes(r!.bytes) : '—'}
            title={
              ran
                ? `Bytes written to the segment files (${fmtBytes(r!.rawBytes)} before compression)`
                : 'Bytes written to the segment files'
            }
            testId="rp-bytes"
          />
          <Fig
            label="Rate"
            value={active && rate !== null ? fmtRate(rate) : '—'}
            unit="/s"
            title="Records written per second, over the last few seconds (from successive statuses)"
            testId="rp-rate"
          />
          <Fig
            label="Throughput"
            value={active ? fmtMBps(byteRate) : '—'}
            unit="MB/s"
            title="Megabytes (10^6) written to disk per second, after compression, over the last few seconds"
            testId="rp-byte-rate"
          />
          <Fig
            label="Ratio"
            value={ran ? fmtRatio(r!.compressionRatio) : '—'}
            title="Compression ratio: bytes recorded ÷ bytes on disk"
            testId="rp-ratio"
          />
          <Fig
            label="Raw blocks"
            value={ran ? `${fmtInt(r!.rawBlocks)}/${fmtInt(r!.blocks)}` : '—'}
            title="Blocks stored uncompressed (codec none, or no compressor was idle when the block was cut) out of all blocks written"
            testId="rp-raw-blocks"
            tone={ran && r!.rawBlocks > 0 && policy?.codec !== 'none' ? 'warn' : undefined}
          />
          <Fig
            label="Free disk"
            value={free === null ? '—' : fmtBytes(free)}
            title={`Free space on the disk that holds the sessions folder${freeTone === 'bad' ? ' — nearly full: recording stops when it is' : freeTone === 'warn' ? ' — running low' : ''}`}
            testId="rp-free"
            tone={freeTone}
          />
          <div
            className="rp-fig rp-fig-spark"
            title="Records written per second over the last minute"
            data-testid="rp-spark"
          >
            <span className="rp-fig-label">Last minute</span>
            <Sparkline values={active ? history : []} active={active && !failed} />
          </div>
        </div>

        <dl className="rp-where">
          <dt>Folder</dt>
          <dd data-testid="rp-folder" title={`Where sessions are written: ${state?.root ?? ''}`}>
            {state?.root || '—'}
          </dd>
          <dt>Segment</dt>
          <dd
            data-testid="rp-segment"
            title={
              r?.segment
                ? `The segment file ${active ? 'being written' : 'written last'}: ${r.segment}`
                : 'The segment file being written'
            }
          >
            {baseName(r?.segment ?? null)}
          </dd>
          <dt>Policy</dt>
          <dd
            data-testid="rp-policy"
            title={
              policy
                ? `${active ? 'This recording runs with' : ran ? 'The last recording ran with' : 'The next recording will use'}: ${policySentence(policy)}`
                : 'The recording policy (Settings)'
            }
          >
            {policy ? policyText(policy) : '—'}
          </dd>
        </dl>
        {pendingChange && next && (
          <div
            className="rp-next"
            data-testid="rp-next-policy"
            title="Settings changed the policy; a running recording keeps the one it started with"
          >
            Next recording: {policyText(next)}
          </div>
        )}
      </div>
    </section>
  );
}
