/**
 * The status line: every count of something lost or refused — dropped at the ring, malformed
 * from the venue, skipped by lossy readers, returned to the sender, frames that failed to decode
 * or went missing — and wire latencies that came out negative (an exchange clock ahead of ours),
 * always visible, so nothing is silent. Plus the engine clock of the newest data. Each count says
 * what it counts in the page's tooltip (keyboard-focusable, like every metric's).
 */
import { fmtDateTime, fmtInt } from './format.ts';
import { TipSpan } from './layout/Tooltip.tsx';
import { useAppStore } from './store/app-store.ts';

function Count(props: { label: string; value: number | undefined; testId: string; help: string }) {
  const { label, value, testId } = props;
  const v = value ?? Number.NaN;
  return (
    <TipSpan className="count" testId={testId} data-tone={v > 0 ? 'bad' : ''} tip={props.help}>
      {label} <b>{fmtInt(v)}</b>
    </TipSpan>
  );
}

export function StatusBar() {
  const p = useAppStore((s) => s.pipeline);
  const t = useAppStore((s) => s.transport);
  const isolated = globalThis.crossOriginIsolated === true;
  return (
    <footer className="status-bar">
      <Count
        label="dropped"
        value={p?.dropped}
        testId="count-dropped"
        help="Records lost at a full ring (returned to the sender and carried in gap records), since start"
      />
      <Count
        label="malformed"
        value={p?.malformed}
        testId="count-malformed"
        help="Venue messages that could not be decoded (bad JSON, unknown shape, oversized), since start"
      />
      <Count
        label="skipped"
        value={p?.skipped}
        testId="count-skipped"
        help="Records the lossy readers (metrics, UI) skipped because the writer lapped them, since start"
      />
      <Count
        label="returned"
        value={p?.ringReturns}
        testId="count-returned"
        help="Writes a full ring returned to the sender because a lossless reader (the recorder) was behind"
      />
      <Count
        label="laps"
        value={p?.ringLaps}
        testId="count-laps"
        help="Times a lossy reader was lapped (the writer a whole ring ahead), all rings, since start"
      />
      <Count
        label="detached"
        value={p?.readersDetached}
        testId="count-detached"
        help="Lossless readers detached by the stall policy (a recorder too far behind), since start"
      />
      <Count
        label="clock skew"
        value={p?.negativeWire}
        testId="count-clock-skew"
        help="Wire latencies below zero (the exchange's clock ahead of ours), recorded as 0, since start"
      />
      <Count
        label="bad frames"
        value={t?.decodeErrors}
        testId="count-bad-frames"
        help={`Frames from the engine this page could not decode${t?.lastError ? ` · last: ${t.lastError}` : ''}`}
      />
      <Count
        label="missed frames"
        value={t?.seqGaps}
        testId="count-missed-frames"
        help="Frames lost between the engine and this page (gaps in their sequence numbers)"
      />
      <span className="spacer" />
      <TipSpan className="count" tip="Capacity of the feed rings, in 64-byte records">
        ring <b>{fmtInt(p?.ringCapacity ?? Number.NaN)}</b> records
      </TipSpan>
      <TipSpan
        className="count count-frames"
        testId="count-frames"
        tip="Frames received from the engine since this page opened"
      >
        frames <b>{fmtInt(t?.frames ?? Number.NaN)}</b>
      </TipSpan>
      <TipSpan
        className="count"
        testId="isolation"
        data-tone={isolated ? '' : 'bad'}
        tip="Cross-origin isolation (COOP/COEP) gives the page SharedArrayBuffer, which the live charts read"
      >
        {isolated ? 'cross-origin isolated' : 'NOT isolated'}
      </TipSpan>
      <TipSpan
        className="count clock"
        testId="engine-clock"
        tip="The engine's clock at the newest metrics interval"
      >
        {fmtDateTime(p?.time)}
      </TipSpan>
    </footer>
  );
}
