/**
 * The checks every IPC call and navigation passes, as pure functions (no Electron import), so they
 * are unit-tested here even where the Electron binary cannot run: the sender rule, the navigation
 * rule and one argument schema per invoke channel.
 */
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type FeedCommand,
  parseFeedCommand,
  parseSessionCommand,
  type SessionCommand,
} from '../../common/api.ts';
import { parseConfig, type TickscopeConfig } from '../../common/config.ts';
import { checkSessionName } from '../recorder/sessions.ts';

/**
 * Exact origin comparison on the parsed URL (a prefix test would let app.attacker.com in). The
 * origin is built as scheme://host[:port] because Node's URL reports `origin === "null"` for
 * non-special schemes such as our app://, although Chromium treats it as a standard scheme.
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

export function isAllowedOrigin(url: string, allowedOrigins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== null && allowedOrigins.includes(origin);
}

const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

/** A frame-port request's nonce: a string of 16–64 URL-safe characters, nothing else. */
export function isValidNonce(nonce: unknown): nonce is string {
  return typeof nonce === 'string' && NONCE.test(nonce);
}

export interface SenderFacts {
  /** The sending frame's URL, or null if the frame is gone. */
  frameUrl: string | null;
  /** Whether the sending frame is the window's main frame (not an iframe). */
  isMainFrame: boolean;
}

/** Only the main frame of our own window, at our own origin, may call the API. */
export function isTrustedSender(sender: SenderFacts, allowedOrigins: readonly string[]): boolean {
  return sender.frameUrl !== null && sender.isMainFrame && isAllowedOrigin(sender.frameUrl, allowedOrigins);
}

/** A channel's arguments, checked: the typed values, or every reason they were refused. */
export type Args<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const ok = <T>(value: T): Args<T> => ({ ok: true, value });
const refuse = (error: string): { ok: false; errors: string[] } => ({ ok: false, errors: [error] });

/** A channel without arguments: anything the renderer adds is refused, not ignored. */
function none(channel: string) {
  return (args: readonly unknown[]): Args<null> =>
    args.length === 0 ? ok(null) : refuse(`${channel} takes no arguments, got ${args.length}`);
}

/** A channel with exactly one argument, checked by `parse`. */
function one<T>(channel: string, parse: (input: unknown) => Args<T>) {
  return (args: readonly unknown[]): Args<T> =>
    args.length === 1 ? parse(args[0]) : refuse(`${channel} takes one argument, got ${args.length}`);
}

function sessionName(input: unknown): Args<string> {
  try {
    return ok(checkSessionName(input));
  } catch (err) {
    return refuse((err as Error).message);
  }
}

function isPlainObject(input: unknown): input is Record<string, unknown> {
  return input !== null && typeof input === 'object' && !Array.isArray(input);
}

/**
 * The schema of every renderer → main invoke channel (keyed like IpcChannel), applied by the
 * main process before a handler does anything. Each one refuses extra or missing arguments,
 * unknown keys and out-of-range values; the engine's own checks behind it stay as a second line.
 */
export const ipcArgs = {
  requestFramePort: one('requestFramePort', (nonce) =>
    isValidNonce(nonce) ? ok(nonce) : refuse('requestFramePort: the nonce must be 16–64 URL-safe characters'),
  ),
  appInfo: none('appInfo'),
  getConfig: none('getConfig'),
  setConfig: one('setConfig', (input): Args<TickscopeConfig> => {
    const c = parseConfig(input);
    return c.ok ? ok(c.config) : { ok: false, errors: c.errors };
  }),
  feedCommand: one('feedCommand', (input): Args<{ feedId: number; command: FeedCommand }> => {
    const c = parseFeedCommand(input);
    return c.ok ? ok({ feedId: c.feedId, command: c.command }) : refuse(c.error);
  }),
  sessions: none('sessions'),
  sessionCommand: one('sessionCommand', (input): Args<SessionCommand> => {
    const c = parseSessionCommand(input);
    return c.ok ? ok(c.command) : refuse(c.error);
  }),
  inspectSession: one('inspectSession', sessionName),
  revealExport: one('revealExport', (input): Args<{ name: string; format: ExportFormat }> => {
    if (!isPlainObject(input)) return refuse('revealExport needs {name, format}');
    const extra = Object.keys(input).filter((k) => k !== 'name' && k !== 'format');
    if (extra.length > 0) return refuse(`revealExport: unknown key ${JSON.stringify(extra[0])}`);
    const name = sessionName(input.name);
    if (!name.ok) return name;
    if (typeof input.format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(input.format))
      return refuse(`revealExport: format must be one of ${EXPORT_FORMATS.join(', ')}`);
    return ok({ name: name.value, format: input.format as ExportFormat });
  }),
} as const;
