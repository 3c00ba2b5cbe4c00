/**
 * Recording and sessions: what the engine says about them, polled about once a second through the
 * config client (IPC in Electron, GET /api/sessions on the headless host), and the commands sent
 * to it. Separate from the app store: it changes once a second, not with every frame.
 *
 * The recording's rates (records/s, bytes/s) are worked out here from the totals of successive
 * statuses, over the engine's own timestamps (the engine only gives the totals); the last minute
 * of them is kept for the Recording panel's sparkline. A host that cannot record (404: a deterministic or multi-worker `serve`) is
 * asked once and then left alone; a host that stops answering is asked again, less often.
 */
import { create } from 'zustand';
import type { SessionCommand, SessionReply, SessionsState } from '../../../common/api.ts';
import { getSessions, sessionCommand } from '../transport/config-client.ts';

/** Free disk under this is shown amber (running low), under the second red (nearly full). */
export const DISK_LOW_BYTES = 2e9;
export const DISK_NEARLY_FULL_BYTES = 5e8;

const POLL_MS = 1000;
const RETRY_MS = 5000;
/** The rate is the records counted over about this long. */
const RATE_WINDOW_MS = 4000;

export type SessionAction = SessionCommand['action'];

/** A refusal (or failure) of the last command, shown where the command was given. */
export interface Refusal {
  action: SessionAction;
  /** The session it was about, for the panel's rows. */
  name: string | null;
  error: string;
  at: number;
}

interface Sample {
  t: number;
  records: number;
  bytes: number;
}

/** Rate samples kept for the sparkline: about a minute at one poll a second. */
export const RATE_HISTORY = 60;

export interface SessionsStore {
  state: SessionsState | null;
  /** When `state` arrived (page clock, ms). */
  polledAt: number;
  /** Why the engine cannot be asked (host without recording, or not answering). */
  unavailable: string | null;
  /** Records per second while recording (null until two polls of the same recording). */
  rate: number | null;
  /** Bytes on disk per second while recording (same window as `rate`). */
  byteRate: number | null;
  /** The last RATE_HISTORY records/s figures of this recording, oldest first. */
  rateHistory: number[];
  /** The command on its way, if any. */
  pending: { action: SessionAction; name: string | null } | null;
  refusal: Refusal | null;
  sessionsOpen: boolean;
  /** An error the user has acknowledged (recording name + error), so its banner stays closed. */
  dismissedError: string | null;
  setSessionsOpen(open: boolean): void;
  dismissError(key: string): void;
  clearRefusal(): void;
}

export const useSessionsStore = create<SessionsStore>()((set) => ({
  state: null,
  polledAt: 0,
  unavailable: null,
  rate: null,
  byteRate: null,
  rateHistory: [],
  pending: null,
  refusal: null,
  sessionsOpen: false,
  dismissedError: null,
  setSessionsOpen: (sessionsOpen) => set({ sessionsOpen }),
  dismissError: (dismissedError) => set({ dismissedError }),
  clearRefusal: () => set({ refusal: null }),
}));

/** The key under which a recording error is acknowledged. */
export function recordingErrorKey(s: SessionsState | null): string | null {
  const r = s?.recording;
  return r?.error ? `${r.name ?? ''}\u0000${r.error}` : null;
}

let samples: Sample[] = [];
let samplesOf: string | null = null;
let history: number[] = [];

interface Rates {
  rate: number | null;
  byteRate: number | null;
  rateHistory: number[];
}

const NO_RATES: Rates = { rate: null, byteRate: null, rateHistory: [] };

/** Rates over the last RATE_WINDOW_MS of statuses; `t` is the engine's time of the status. */
function ratesOf(s: SessionsState, now: number): Rates {
  const r = s.recording;
  if (!r.active || r.error) {
    samples = [];
    samplesOf = null;
    history = [];
    return NO_RATES;
  }
  if (samplesOf !== r.name) {
    samples = [];
    history = [];
    samplesOf = r.name;
  }
  const t = r.at || now;
  // The same status again (two polls between engine updates): the rates stand.
  if (samples.length > 0 && samples[samples.length - 1]!.t >= t) {
    const { rate, byteRate, rateHistory } = useSessionsStore.getState();
    return { rate, byteRate, rateHistory };
  }
  samples.push({ t, records: r.records, bytes: r.bytes });
  while (samples.length > 2 && t - samples[1]!.t >= RATE_WINDOW_MS) samples.shift();
  const first = samples[0]!;
  const dt = t - first.t;
  if (dt < 500) return { rate: null, byteRate: null, rateHistory: history };
  const rate = ((r.records - first.records) * 1000) / dt;
  history = [...history.slice(-(RATE_HISTORY - 1)), rate];
  return { rate, byteRate: ((r.bytes - first.bytes) * 1000) / dt, rateHistory: history };
}

let timer: ReturnType<typeof setTimeout> | null = null;
let running = false;
let inFlight: Promise<void> | null = null;

/**
 * Asks the engine now; resolves when the answer is in the store. `fresh`: a question asked before
 * this call does not count (after a command, the answer must come from after it).
 */
export async function refreshSessions(fresh = false): Promise<void> {
  if (inFlight) {
    if (!fresh) return inFlight;
    await inFlight;
    if (inFlight) return inFlight;
  }
  inFlight = (async () => {
    let next = POLL_MS;
    try {
      const state = await getSessions();
      const now = Date.now();
      useSessionsStore.setState({ state, polledAt: now, unavailable: null, ...ratesOf(state, now) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // 404: this host has no recording at all (the config client says `HTTP 404`). Do not ask again.
      const absent = /\bHTTP 404\b/.test(message);
      useSessionsStore.setState({
        unavailable: absent ? 'recording is not available on this host' : `no answer: ${message}`,
      });
      next = absent ? -1 : RETRY_MS;
    } finally {
      inFlight = null;
    }
    if (running) {
      if (timer) clearTimeout(timer);
      timer = next < 0 ? null : setTimeout(() => void refreshSessions(), next);
    }
  })();
  return inFlight;
}

/** Starts polling; the returned function stops it. */
export function pollSessions(): () => void {
  running = true;
  void refreshSessions();
  return () => {
    running = false;
    if (timer) clearTimeout(timer);
    timer = null;
  };
}

/**
 * Sends a command, then asks for the state at once so the page follows without waiting for the
 * next poll. A refusal is kept in the store (and returned) for whoever shows it.
 */
export async function sendSessionCommand(command: SessionCommand): Promise<SessionReply> {
  const name = 'name' in command ? command.name : null;
  useSessionsStore.setState({ pending: { action: command.action, name }, refusal: null });
  let reply: SessionReply;
  try {
    reply = await sessionCommand(command);
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  await refreshSessions(true).catch(() => {});
  useSessionsStore.setState({
    pending: null,
    refusal: reply.ok ? null : { action: command.action, name, error: reply.error, at: Date.now() },
  });
  return reply;
}
