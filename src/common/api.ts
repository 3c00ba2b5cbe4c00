/**
 * The contract between the Electron main process, the preload and the page: IPC channel names and
 * the one API the preload exposes on `window.tickscope`. The page never sees ipcRenderer; it gets
 * this object, and the frame stream arrives as a MessagePort posted to the window.
 */
import type { RecordingSettings, TickscopeConfig } from './config.ts';
import { quoteValue } from './quote-value.ts';

/** IPC channels, all prefixed so the main process can refuse anything else. */
export const IpcChannel = {
  /** renderer → main (invoke): ask for a frame port; main answers by posting the port. */
  requestFramePort: 'tickscope:request-frame-port',
  /** main → renderer: carries the MessagePort with frames. */
  framePort: 'tickscope:frame-port',
  /** renderer → main (invoke): app and engine facts for the About line. */
  appInfo: 'tickscope:app-info',
  /** renderer → main (invoke): the configuration in force. */
  getConfig: 'tickscope:get-config',
  /** renderer → main (invoke): validate, apply and save a configuration; answers a ConfigReply. */
  setConfig: 'tickscope:set-config',
  /** renderer → main (invoke): a command to one feed's connection (FeedCommand). */
  feedCommand: 'tickscope:feed-command',
  /** renderer → main (invoke): the recording's status and the sessions folder's list. */
  sessions: 'tickscope:sessions',
  /** renderer → main (invoke): record, stop, rename, delete, replay, live (SessionCommand). */
  sessionCommand: 'tickscope:session-command',
  /** renderer → main (invoke): read one session's blocks and count what it holds. */
  inspectSession: 'tickscope:inspect-session',
  /** renderer → main (invoke): show a finished export in the system's file manager. */
  revealExport: 'tickscope:reveal-export',
} as const;

/**
 * Commands the UI may send a feed; the feed's worker applies them on its socket, in order:
 * `reconnect` drops the connection (it reconnects with backoff), `roll` opens the next connection
 * before closing the current one (nothing is missed), `resync` asks for fresh book snapshots.
 */
export const FEED_COMMANDS = ['reconnect', 'roll', 'resync'] as const;
export type FeedCommand = (typeof FEED_COMMANDS)[number];

export type FeedCommandReply = { ok: true } | { ok: false; error: string };

/** Validates an untrusted feed command (IPC or HTTP). */
export function parseFeedCommand(
  input: unknown,
): { ok: true; feedId: number; command: FeedCommand } | { ok: false; error: string } {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    return { ok: false, error: 'a feed command must be an object {feedId, command}' };
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'feedId' && k !== 'command') return { ok: false, error: `unknown key ${quoteValue(k)}` };
  if (typeof o.feedId !== 'number' || !Number.isInteger(o.feedId) || o.feedId < 1 || o.feedId > 0xffff)
    return { ok: false, error: 'feedId must be an integer 1 … 65535' };
  if (typeof o.command !== 'string' || !(FEED_COMMANDS as readonly string[]).includes(o.command))
    return { ok: false, error: `command must be one of ${FEED_COMMANDS.join(', ')}` };
  return { ok: true, feedId: o.feedId, command: o.command as FeedCommand };
}

export const IPC_PREFIX = 'tickscope:';

/** `window.postMessage` type the preload uses to hand the port to the page's main world. */
export const FRAME_PORT_MESSAGE = 'tickscope:frame-port';

export interface AppInfo {
  version: string;
  electron: string;
  chrome: string;
  node: string;
  platform: string;
  source: string;
}

/** The answer to a configuration change: applied (and saved), or refused with the reasons. */
export type ConfigReply =
  | { ok: true; config: TickscopeConfig; savedTo: string | null }
  | { ok: false; errors: string[] };

/** What `window.tickscope` offers the page, and nothing more. */
export interface TickscopeApi {
  /** Which transport the page runs on; 'electron' whenever this API exists. */
  readonly transport: 'electron';
  /**
   * Asks the main process for a frame port. The port arrives as a window message
   * `{ type: FRAME_PORT_MESSAGE, nonce }` with the port in `event.ports[0]`.
   */
  requestFramePort(nonce: string): Promise<void>;
  appInfo(): Promise<AppInfo>;
  getConfig(): Promise<TickscopeConfig>;
  /** The main process validates everything (parseConfig); the page's own checks are a courtesy. */
  setConfig(config: TickscopeConfig): Promise<ConfigReply>;
  feedCommand(feedId: number, command: FeedCommand): Promise<FeedCommandReply>;
  sessions(): Promise<SessionsState>;
  sessionCommand(command: SessionCommand): Promise<SessionReply>;
  inspectSession(name: string): Promise<InspectReply>;
  /** Shows `<sessions>/exports/<name>.<format>` in the file manager (the desktop's download). */
  revealExport(name: string, format: ExportFormat): Promise<SessionReply>;
}

/** What the Recording and Sessions panels show. */
export interface SessionsState {
  recording: RecordingStatus;
  sessions: SessionSummary[];
  /** The session being replayed, or null when live. */
  replaying: {
    name: string;
    speed: number | 'max';
    paused: boolean;
    /** Recorded time of the last record replayed, and the session's span (epoch ms). */
    position: number | null;
    start: number | null;
    end: number | null;
    done: boolean;
  } | null;
  root: string;
  /** Why the sessions folder could not be listed (it is not a folder, no permission…), or null. */
  listError: string | null;
  /** The policy the next recording will use (the configuration's; null where nothing records). */
  nextPolicy: RecordingSettings | null;
  /** Exports from the app, running and finished, newest first (the last few). */
  exports: ExportStatus[];
}

export const EXPORT_FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One export of a session to `<sessions root>/exports/<name>.<format>`. */
export interface ExportStatus {
  name: string;
  format: ExportFormat;
  state: 'running' | 'done' | 'failed';
  /** The file it writes (complete only once done: it is written beside it and renamed). */
  path: string;
  /** Rows and text bytes written so far (final once done). */
  records: number;
  bytes: number;
  /** Segment bytes read out of the session's total: the progress. */
  read: number;
  total: number;
  /** Corrupt or torn spans skipped. */
  damaged: number;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
}

/** The headless host's WebSocket path for frames. */
export const STREAM_PATH = '/stream';

/** The headless host's configuration endpoint: GET the config, POST (JSON) a new one. */
export const CONFIG_PATH = '/api/config';

/** A recording in progress (or the last one), for the Recording panel. */
export interface RecordingStatus {
  active: boolean;
  name: string | null;
  dir: string | null;
  startedAt: number | null;
  records: number;
  blocks: number;
  bytes: number;
  rawBytes: number;
  compressionRatio: number | null;
  /** Blocks stored uncompressed (codec none, or no compressor idle when the block was cut). */
  rawBlocks: number;
  /** The segment file being written (the last one written, once stopped). */
  segment: string | null;
  /** The policy this recording runs with (the next one's when none has run). */
  policy: RecordingSettings | null;
  /** Why recording stopped early (disk full, IO error), if it did. */
  error: string | null;
  /** Free space where sessions are written (statfs of the sessions folder, or its nearest parent). */
  freeBytes: number | null;
  /** When the engine made this status (epoch ms): rates are worked out between two of them. */
  at: number;
}

/** No recording yet. */
export const IDLE_RECORDING: RecordingStatus = {
  active: false,
  name: null,
  dir: null,
  startedAt: null,
  records: 0,
  blocks: 0,
  bytes: 0,
  rawBytes: 0,
  compressionRatio: null,
  rawBlocks: 0,
  segment: null,
  policy: null,
  error: null,
  freeBytes: null,
  at: 0,
};

/** Where nothing can record (deterministic sessions): an idle recorder, no sessions. */
export const IDLE_SESSIONS: SessionsState = {
  recording: IDLE_RECORDING,
  sessions: [],
  replaying: null,
  root: '',
  listError: null,
  nextPolicy: null,
  exports: [],
};

/** One recorded session in the sessions folder. */
export interface SessionSummary {
  name: string;
  dir: string;
  start: number | null;
  end: number | null;
  records: number;
  bytes: number;
  venues: string[];
  closed: boolean;
  error: string | null;
}

/** What a session holds, read from its blocks (the Sessions panel's details). */
export interface SessionInspection {
  records: number;
  byKind: Record<string, number>;
  byVenue: Record<string, number>;
  byInstrument: Record<string, number>;
  gaps: number;
  missing: number;
  blocks: number;
  corruptBlocks: number;
  truncatedBytes: number;
  bytes: number;
  compressionRatio: number;
  start: number | null;
  end: number | null;
}

export type InspectReply = { ok: true; inspection: SessionInspection } | { ok: false; error: string };

/** Recording and sessions commands (validated by parseSessionCommand). */
export type SessionCommand =
  | { action: 'record' }
  | { action: 'stop' }
  | { action: 'rename'; name: string; to: string }
  | { action: 'delete'; name: string }
  | { action: 'replay'; name: string; speed: number | 'max' }
  /** Control of the replay in progress: pause, resume, a new speed, a jump to a recorded time. */
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'speed'; speed: number | 'max' }
  | { action: 'seek'; to: number }
  | { action: 'live' }
  /** Writes the session as text into `<sessions root>/exports/`, in the background. */
  | { action: 'export'; name: string; format: ExportFormat };

export type SessionReply = { ok: true } | { ok: false; error: string };

export function parseSessionCommand(
  input: unknown,
): { ok: true; command: SessionCommand } | { ok: false; error: string } {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    return { ok: false, error: 'a command must be an object with an action' };
  const o = input as Record<string, unknown>;
  // Names are checked against the sessions folder's naming rule where they are used; here only
  // their type and length, said in every refusal.
  const NAME_RULE = '(text of 1 to 100 characters)';
  const str = (k: string): string | null =>
    typeof o[k] === 'string' && (o[k] as string).length <= 100 ? (o[k] as string) : null;
  const only = (...keys: string[]): string | null => {
    for (const k of Object.keys(o))
      if (k !== 'action' && !keys.includes(k)) return `unknown key ${quoteValue(k)}`;
    return null;
  };
  switch (o.action) {
    case 'record':
    case 'stop':
    case 'pause':
    case 'resume':
    case 'live': {
      const bad = only();
      return bad ? { ok: false, error: bad } : { ok: true, command: { action: o.action } };
    }
    case 'rename': {
      const bad = only('name', 'to');
      const name = str('name');
      const to = str('to');
      if (bad || !name || !to) return { ok: false, error: bad ?? `rename needs name and to ${NAME_RULE}` };
      return { ok: true, command: { action: 'rename', name, to } };
    }
    case 'delete': {
      const bad = only('name');
      const name = str('name');
      if (bad || !name) return { ok: false, error: bad ?? `delete needs a name ${NAME_RULE}` };
      return { ok: true, command: { action: 'delete', name } };
    }
    case 'replay': {
      const bad = only('name', 'speed');
      const name = str('name');
      const speed = o.speed === undefined ? 1 : o.speed;
      if (bad || !name) return { ok: false, error: bad ?? `replay needs a name ${NAME_RULE}` };
      if (speed !== 'max' && !(typeof speed === 'number' && speed > 0 && speed <= 1_000_000))
        return { ok: false, error: "speed must be a positive number or 'max'" };
      return { ok: true, command: { action: 'replay', name, speed } };
    }
    case 'speed': {
      const bad = only('speed');
      if (bad) return { ok: false, error: bad };
      if (o.speed !== 'max' && !(typeof o.speed === 'number' && o.speed > 0 && o.speed <= 1_000_000))
        return { ok: false, error: "speed must be a positive number or 'max'" };
      return { ok: true, command: { action: 'speed', speed: o.speed } };
    }
    case 'seek': {
      const bad = only('to');
      if (bad) return { ok: false, error: bad };
      if (typeof o.to !== 'number' || !Number.isFinite(o.to) || o.to < 0)
        return { ok: false, error: 'seek needs to: a recorded time (epoch ms, 0 or more)' };
      return { ok: true, command: { action: 'seek', to: o.to } };
    }
    case 'export': {
      const bad = only('name', 'format');
      const name = str('name');
      if (bad || !name) return { ok: false, error: bad ?? `export needs a name ${NAME_RULE}` };
      if (typeof o.format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(o.format))
        return { ok: false, error: `format must be one of ${EXPORT_FORMATS.join(', ')}` };
      return { ok: true, command: { action: 'export', name, format: o.format as ExportFormat } };
    }
    default:
      return {
        ok: false,
        error: `unknown action ${quoteValue(o.action)} (record, stop, rename, delete, replay, pause, resume, speed, seek, live, export)`,
      };
  }
}

/**
 * The headless host's recording and sessions endpoint: GET {recording, sessions}, POST a
 * SessionCommand; GET `?inspect=NAME` one session's contents, GET `?download=NAME&format=csv|jsonl|parquet`
 * a finished export.
 */
export const SESSIONS_PATH = '/api/sessions';

/** The address of a finished export on the headless host (relative to the page). */
export function exportDownloadPath(name: string, format: ExportFormat): string {
  return `${SESSIONS_PATH.slice(1)}?download=${encodeURIComponent(name)}&format=${format}`;
}

/** The headless host's feed command endpoint: POST (JSON) {feedId, command}. */
export const FEED_COMMAND_PATH = '/api/feed-command';
