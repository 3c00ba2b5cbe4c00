/**
 * The contract between the Electron main process, the preload and the page: IPC channel names and
 * the one API the preload exposes on `window.tickscope`. The page never sees ipcRenderer; it gets
 * this object, and the frame stream arrives as a MessagePort posted to the window.
 */
import type { TickscopeConfig } from './config.ts';

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
    if (k !== 'feedId' && k !== 'command') return { ok: false, error: `unknown key '${k}'` };
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
}

/** The headless host's WebSocket path for frames. */
export const STREAM_PATH = '/stream';

/** The headless host's configuration endpoint: GET the config, POST (JSON) a new one. */
export const CONFIG_PATH = '/api/config';

/** The headless host's feed command endpoint: POST (JSON) {feedId, command}. */
export const FEED_COMMAND_PATH = '/api/feed-command';
