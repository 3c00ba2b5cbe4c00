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
} as const;

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
}

/** The headless host's WebSocket path for frames. */
export const STREAM_PATH = '/stream';

/** The headless host's configuration endpoint: GET the config, POST (JSON) a new one. */
export const CONFIG_PATH = '/api/config';
