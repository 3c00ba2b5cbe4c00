/**
 * A feed's details, in a popover under its chip: what arrived, what the book sync found, the
 * connection's history and the time its state machine spent in each state (the current state
 * counted up to the engine's clock). Live: it reads the feed from the store on every update.
 * At the foot, commands to the feed's connection: reconnect, roll over, resync its books.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { FeedCommand } from '../../../common/api.ts';
import { FEED_COUNTER_COUNT, FeedCounter } from '../../../common/feed-model.ts';
import { FEED_STATE_NAMES, venueNameOf } from '../feed-names.ts';
import { fmtDuration, fmtInt, fmtSpan } from '../format.ts';
import { useAppStore } from '../store/app-store.ts';
import { feedCommand } from '../transport/config-client.ts';

/** One colour per FeedState (idle … closed), for the chip's state pill and the timing bar. */
export const STATE_COLORS = ['#566072', '#fbbf24', '#60a5fa', '#34d399', '#fb923c', '#c084fc', '#f87171'];

const c = (counters: number[], i: number): number => counters[i] ?? 0;

/** ms spent in each state, the current one counted up to `clock`. */
export function timeInStates(counters: number[], state: number, since: number, clock: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < FEED_STATE_NAMES.length; s++) out.push(c(counters, FeedCounter.timeIn + s));
  if (clock > since && since > 0 && state < out.length) out[state]! += clock - since;
  return out;
}

function Row(props: { label: string; value: string; tone?: 'warn' | 'alert' | 'bad' | ''; testId?: string }) {
  return (
    <div className="fd-row" data-testid={props.testId}>
      <dt>{props.label}</dt>
      <dd data-tone={props.tone || undefined}>{props.value}</dd>
    </div>
  );
}

const COMMANDS: readonly { command: FeedCommand; label: string; title: string }[] = [
  {
    command: 'reconnect',
    label: 'Reconnect',
    title: 'Drop the connection now: it comes back on its own, with backoff',
  },
  {
    command: 'roll',
    label: 'Roll over',
    title: 'Open a new connection before closing the current one: nothing is missed',
  },
  {
    command: 'resync',
    label: 'Resync books',
    title: 'Ask the venue for fresh order-book snapshots',
  },
];

type CommandResult = { command: FeedCommand; ok: true } | { command: FeedCommand; ok: false; error: string };

/** The three commands, and what became of the last one sent ("sent" or the reason it was not). */
function FeedCommands(props: { feedId: number }) {
  const { feedId } = props;
  const [pending, setPending] = useState<FeedCommand | null>(null);
  const [result, setResult] = useState<CommandResult | null>(null);
  const send = async (command: FeedCommand): Promise<void> => {
    setPending(command);
    setResult(null);
    try {
      const reply = await feedCommand(feedId, command);
      setResult(reply.ok ? { command, ok: true } : { command, ok: false, error: reply.error });
    } catch (e) {
      setResult({ command, ok: false, error: e instanceof Error ? e.message : String(e) });
    } finally {
      setPending(null);
    }
  };
  const label = (command: FeedCommand): string =>
    COMMANDS.find((x) => x.command === command)?.label.toLowerCase() ?? command;
  return (
    <section className="fd-commands">
      <div className="fd-buttons">
        {COMMANDS.map((x) => (
          <button
            type="button"
            key={x.command}
            className="fd-button"
            title={x.title}
            disabled={pending !== null}
            data-pending={pending === x.command ? '' : undefined}
            onClick={() => void send(x.command)}
          >
            {x.label}
          </button>
        ))}
      </div>
      <span
        className="fd-result"
        role="status"
        data-testid="fd-command-result"
        data-ok={result ? String(result.ok) : undefined}
        title={result ? `${label(result.command)}: ${result.ok ? 'sent' : result.error}` : undefined}
      >
        {pending ? 'sending…' : result ? (result.ok ? 'sent' : result.error) : ''}
      </span>
    </section>
  );
}

export function FeedDetails(props: { feedId: number; anchor: HTMLElement; onClose(): void }) {
  const { feedId, anchor, onClose } = props;
  const feed = useAppStore((s) => s.feeds.find((f) => f.feedId === feedId));
  const clock = useAppStore((s) => s.pipeline?.time ?? 0);
  const box = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);

  // Under the chip (or the Connections row), kept inside the window: above it when there is no
  // room below.
  useLayoutEffect(() => {
    const place = (): void => {
      const r = anchor.getBoundingClientRect();
      const w = box.current?.offsetWidth ?? 360;
      const h = box.current?.offsetHeight ?? 0;
      const below = r.bottom + 6 + h <= window.innerHeight - 8;
      setPos({
        left: Math.max(8, Math.min(r.left, window.innerWidth - w - 8)),
        top: below ? r.bottom + 6 : Math.max(8, r.top - 6 - h),
      });
    };
    place();
    window.addEventListener('resize', place);
    return () => window.removeEventListener('resize', place);
  }, [anchor]);

  // Esc or a click elsewhere closes it (a click on the chip itself toggles, in the header).
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
        anchor.focus();
      }
    };
    const onDown = (e: PointerEvent): void => {
      const t = e.target as Node;
      if (!box.current?.contains(t) && !anchor.contains(t)) onClose();
    };
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('pointerdown', onDown, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('pointerdown', onDown, true);
    };
  }, [anchor, onClose]);

  if (!feed) return null;
  const k = feed.counters.length >= FEED_COUNTER_COUNT ? feed.counters : [];
  const state = FEED_STATE_NAMES[feed.state] ?? 'unknown';
  const times = timeInStates(k, feed.state, feed.since, clock);
  const total = times.reduce((a, b) => a + b, 0);
  const lastConnect = c(k, FeedCounter.lastConnectMs);
  const tone = (v: number, t: 'warn' | 'alert' | 'bad'): 'warn' | 'alert' | 'bad' | '' => (v > 0 ? t : '');

  // In document.body: the panels are layout and paint roots (contain: strict), which would make a
  // panel this popover's containing block and clip it.
  return createPortal(
    <div
      className="feed-details"
      ref={box}
      role="dialog"
      aria-label={`${feed.name} details`}
      data-testid="feed-details"
      style={pos ? { left: pos.left, top: pos.top } : { visibility: 'hidden' }}
    >
      <div className="fd-head">
        <div className="fd-title">
          <span className="fd-name">{feed.name}</span>
          <span className="fd-venue">{venueNameOf(feed.venue)}</span>
        </div>
        <span className="fd-state" style={{ color: STATE_COLORS[feed.state] }}>
          {state}
          {clock > feed.since && feed.since > 0 && (
            <span className="fd-state-for"> for {fmtDuration(clock - feed.since)}</span>
          )}
        </span>
      </div>
      <div className="fd-url" title={feed.url}>
        {feed.url}
      </div>

      <div className="fd-cols">
        <section>
          <h3>Data</h3>
          <dl>
            <Row label="messages" value={fmtInt(feed.messages)} />
            <Row label="trades" value={fmtInt(c(k, FeedCounter.trades))} testId="fd-trades" />
            <Row label="book updates" value={fmtInt(c(k, FeedCounter.bookUpdates))} />
            <Row label="top of book" value={fmtInt(c(k, FeedCounter.topOfBook))} />
            <Row label="heartbeats" value={fmtInt(c(k, FeedCounter.heartbeats))} />
          </dl>
        </section>
        <section>
          <h3>Integrity</h3>
          <dl>
            <Row
              label="gaps"
              value={fmtInt(c(k, FeedCounter.gaps))}
              tone={tone(c(k, FeedCounter.gaps), 'alert')}
              testId="fd-gaps"
            />
            <Row
              label="resyncs"
              value={fmtInt(c(k, FeedCounter.resyncs))}
              tone={tone(c(k, FeedCounter.resyncs), 'warn')}
              testId="fd-resyncs"
            />
            <Row
              label="checksum errors"
              value={fmtInt(c(k, FeedCounter.checksumErrors))}
              tone={tone(c(k, FeedCounter.checksumErrors), 'bad')}
            />
            <Row
              label="malformed"
              value={fmtInt(c(k, FeedCounter.malformed))}
              tone={tone(c(k, FeedCounter.malformed), 'bad')}
            />
            <Row
              label="dropped"
              value={fmtInt(c(k, FeedCounter.dropped))}
              tone={tone(c(k, FeedCounter.dropped), 'bad')}
            />
          </dl>
        </section>
      </div>

      <section className="fd-conn">
        <h3>Connection</h3>
        <dl className="fd-inline">
          <Row
            label="reconnects"
            value={fmtInt(feed.reconnects)}
            tone={tone(feed.reconnects, 'warn')}
            testId="fd-reconnects"
          />
          <Row label="rolls" value={fmtInt(c(k, FeedCounter.rolls))} />
          <Row label="state changes" value={fmtInt(feed.transitions)} />
          <Row
            label="last connect"
            value={lastConnect > 0 ? fmtSpan(lastConnect) : '—'}
            testId="fd-connect"
          />
        </dl>
      </section>

      <section className="fd-timing">
        <h3>Time in state</h3>
        <div className="fd-bar" aria-hidden="true">
          {times.map((t, s) =>
            t > 0 && total > 0 ? (
              <span
                // biome-ignore lint/suspicious/noArrayIndexKey: states are a fixed list
                key={s}
                style={{ flexGrow: t, background: STATE_COLORS[s] }}
              />
            ) : null,
          )}
        </div>
        <table className="fd-states" data-testid="fd-states">
          <tbody>
            {times.map((t, s) => (
              <tr
                // biome-ignore lint/suspicious/noArrayIndexKey: states are a fixed list
                key={s}
                data-zero={t === 0 ? '' : undefined}
                data-current={s === feed.state ? '' : undefined}
              >
                <td>
                  <span className="fd-swatch" style={{ background: STATE_COLORS[s] }} />
                  {FEED_STATE_NAMES[s]}
                </td>
                <td>{t > 0 ? fmtSpan(t) : '—'}</td>
                <td>{total > 0 && t > 0 ? `${((t / total) * 100).toFixed(1)}%` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <FeedCommands key={feedId} feedId={feedId} />
    </div>,
    document.body,
  );
}
