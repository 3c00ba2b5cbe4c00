/**
 * Preload (sandboxed, context-isolated): exposes the one typed API on `window.tickscope` and hands
 * the main process's frame port to the page with window.postMessage, the documented pattern for
 * context-isolated pages. The page never sees ipcRenderer or an IPC event object.
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  type AppInfo,
  type ConfigReply,
  type ExportFormat,
  type FeedCommand,
  type FeedCommandReply,
  FRAME_PORT_MESSAGE,
  type InspectReply,
  IpcChannel,
  type SessionCommand,
  type SessionReply,
  type SessionsState,
  type TickscopeApi,
} from '../common/api.ts';
import type { TickscopeConfig } from '../common/config.ts';

ipcRenderer.on(IpcChannel.framePort, (event, message: { nonce?: unknown }) => {
  const nonce = typeof message?.nonce === 'string' ? message.nonce : '';
  window.postMessage({ type: FRAME_PORT_MESSAGE, nonce }, '*', event.ports);
});

const api: TickscopeApi = {
  transport: 'electron',
  async requestFramePort(nonce: string): Promise<void> {
    if (typeof nonce !== 'string') throw new TypeError('nonce must be a string');
    await ipcRenderer.invoke(IpcChannel.requestFramePort, nonce);
  },
  appInfo(): Promise<AppInfo> {
    return ipcRenderer.invoke(IpcChannel.appInfo) as Promise<AppInfo>;
  },
  getConfig(): Promise<TickscopeConfig> {
    return ipcRenderer.invoke(IpcChannel.getConfig) as Promise<TickscopeConfig>;
  },
  setConfig(config: TickscopeConfig): Promise<ConfigReply> {
    // Validated in the main process; only a plain object crosses.
    if (config === null || typeof config !== 'object') throw new TypeError('config must be an object');
    return ipcRenderer.invoke(IpcChannel.setConfig, config) as Promise<ConfigReply>;
  },
  feedCommand(feedId: number, command: FeedCommand): Promise<FeedCommandReply> {
    return ipcRenderer.invoke(IpcChannel.feedCommand, { feedId, command }) as Promise<FeedCommandReply>;
  },
  sessions(): Promise<SessionsState> {
    return ipcRenderer.invoke(IpcChannel.sessions) as Promise<SessionsState>;
  },
  sessionCommand(command: SessionCommand): Promise<SessionReply> {
    return ipcRenderer.invoke(IpcChannel.sessionCommand, command) as Promise<SessionReply>;
  },
  inspectSession(name: string): Promise<InspectReply> {
    return ipcRenderer.invoke(IpcChannel.inspectSession, name) as Promise<InspectReply>;
  },
  revealExport(name: string, format: ExportFormat): Promise<SessionReply> {
    return ipcRenderer.invoke(IpcChannel.revealExport, { name, format }) as Promise<SessionReply>;
  },
};

contextBridge.exposeInMainWorld('tickscope', api);
