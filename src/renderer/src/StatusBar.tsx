/**
 * The status line: every count of something lost or refused — dropped at the ring, malformed
 * from the venue, skipped by lossy readers, returned to the sender, frames that failed to decode
 * or went missing — and wire latencies that came out negative (an exchange clock ahead of ours),
 * always visible, so nothing is silent. Plus the engine clock of the newest data.
 */
import { fmtDateTime, fmtInt } from './format.ts';
import { useAppStore } from './store/app-store.ts';

function Count(props: { label: string; value: number | undefined; testId: string; title?: string }) {
  const { label, value, testId } = props;
  const v = value ?? Number.NaN;
  return (
    <span className="count" data-testid={testId} data-tone={v > 0 ? 'bad' : ''} title={props.title}>
      {label} <b>{fmtInt(v)}</b>
    </span>
  );
}

export function StatusBar() {
  const p = useAppStore((s) => s.pipeline);
  const t = useAppStore((s) => s.transport);
  const isolated = globalThis.crossOriginIsolated === true;
  return (
    <footer className="status-bar">
      <Count label="dropped" value={p?.dropped} testId="count-dropped" />
      <Count label="malformed" value={p?.malformed} testId="count-malformed" />
      <Count label="skipped" value={p?.skipped} testId="count-skipped" />
      <Count label="returned" value={p?.ringReturns} testId="count-returned" />
      <Count label="laps" value={p?.ringLaps} testId="count-laps" />
      <Count label="detached" value={p?.readersDetached} testId="count-detached" />
      <Count label="clock skew" value={p?.negativeWire} testId="count-clock-skew" />
      <Count
        label="bad frames"
        value={t?.decodeErrors}
        testId="count-bad-frames"
        title={t?.lastError ? `last: ${t.lastError}` : undefined}
      />
      <Count label="missed frames" value={t?.seqGaps} testId="count-missed-frames" />
      <span className="spacer" />
      <span className="count">
        ring <b>{fmtInt(p?.ringCapacity ?? Number.NaN)}</b> records
      </span>
      <span className="count count-frames" data-testid="count-frames">
        frames <b>{fmtInt(t?.frames ?? Number.NaN)}</b>
      </span>
      <span className="count" data-testid="isolation" data-tone={isolated ? '' : 'bad'}>
        {isolated ? 'cross-origin isolated' : 'NOT isolated'}
      </span>
      <span className="count clock" data-testid="engine-clock">
        {fmtDateTime(p?.time)}
      </span>
    </footer>
  );
}
