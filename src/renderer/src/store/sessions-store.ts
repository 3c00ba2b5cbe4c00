/**
 * Recording and sessions: what the engine says about them, polled about once a second through the
 * config client (IPC in Electron, GET /api/sessions on the headless host), and the commands sent
 * to it. Separate from the app store: it changes once a second, not with every frame.
 *
 * The recording's rate is worked out here from the records counted between polls (the engine only
 * gives the total). A host that cannot record (404: a deterministic or multi-worker `serve`) is
 * asked once and then left alone; a host that stops answering is asked again, less often.
 */
import { create } from 'zustand';
import type { SessionCommand, SessionReply, SessionsState } from '../../../common/api.ts';
import { getSessions, sessionCommand } from '../transport/config-client.ts';

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
}

export interface SessionsStore {
  state: SessionsState | null;
  /** When `state` arrived (page clock, ms). */
  polledAt: number;
  /** Why the engine cannot be asked (host without recording, or not answering). */
  unavailable: string | null;
  /** Records per second while recording (null until two polls of the same recording). */
  rate: number | null;
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

function rateOf(s: SessionsState, now: number): number | null {
  const r = s.recording;
  if (!r.active || r.error) {
    samples = [];
    samplesOf = null;
    return null;
  }
  if (samplesOf !== r.name) {
    samples = [];
    samplesOf = r.name;
  }
  samples.push({ t: now, records: r.records });
  while (samples.length > 2 && now - samples[1]!.t >= RATE_WINDOW_MS) samples.shift();
  const first = samples[0]!;
  const dt = now - first.t;
  return dt >= 500 ? ((r.records - first.records) * 1000) / dt : null;
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
      useSessionsStore.setState({ state, polledAt: now, unavailable: null, rate: rateOf(state, now) });
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
