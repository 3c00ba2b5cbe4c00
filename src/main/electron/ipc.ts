/**
 * The main side of the page's one API. Every handler checks that the sender is the main frame of
 * our own window at our own origin, and validates its arguments, before it does anything. The
 * frame stream is a MessageChannelMain port handed to the page (Electron's message-ports pattern):
 * frames are cloned into it at 30–60 Hz, never sent one message per event.
 */
import { app, type IpcMainInvokeEvent, ipcMain, MessageChannelMain } from 'electron';
import {
  type AppInfo,
  type ConfigReply,
  type FeedCommand,
  type FeedCommandReply,
  type InspectReply,
  IpcChannel,
  parseFeedCommand,
  parseSessionCommand,
  type SessionCommand,
  type SessionReply,
  type SessionsState,
} from '../../common/api.ts';
import type { TickscopeConfig } from '../../common/config.ts';
import type { FrameSink } from '../publisher/frame-sink.ts';
import { isTrustedSender, isValidNonce } from './ipc-rules.ts';

export interface IpcDeps {
  allowedOrigins: readonly string[];
  addSink(sink: FrameSink): () => void;
  source: string;
  getConfig(): TickscopeConfig;
  /** Validates (parseConfig), applies and saves. */
  setConfig(input: unknown): Promise<ConfigReply>;
  feedCommand(feedId: number, command: FeedCommand): FeedCommandReply;
  sessions(): Promise<SessionsState>;
  sessionCommand(command: SessionCommand): Promise<SessionReply>;
  inspectSession(name: unknown): Promise<InspectReply>;
  /** Shows a finished export in the file manager; name and format are checked there. */
  revealExport(name: unknown, format: unknown): Promise<SessionReply>;
}

export class IpcError extends Error {
  override name = 'IpcError';
}

function validateSender(event: IpcMainInvokeEvent, allowedOrigins: readonly string[]): void {
  const frame = event.senderFrame;
  const facts = {
    frameUrl: frame ? frame.url : null,
    isMainFrame: frame !== null && frame === event.sender.mainFrame,
  };
  if (!isTrustedSender(facts, allowedOrigins))
    throw new IpcError('IPC refused: sender is not the app window');
}

export function registerIpc(deps: IpcDeps): void {
  ipcMain.handle(IpcChannel.requestFramePort, (event, nonce: unknown) => {
    validateSender(event, deps.allowedOrigins);
    if (!isValidNonce(nonce)) throw new IpcError('requestFramePort: bad nonce');
    const { port1, port2 } = new MessageChannelMain();
    const remove = deps.addSink({
      name: `port:${event.sender.id}`,
      send(frame, done) {
        port1.postMessage(frame);
        done();
      },
    });
    port1.on('close', remove);
    event.sender.once('destroyed', () => {
      remove();
      port1.close();
    });
    port1.start();
    event.sender.postMessage(IpcChannel.framePort, { nonce }, [port2]);
  });

  ipcMain.handle(IpcChannel.appInfo, (event): AppInfo => {
    validateSender(event, deps.allowedOrigins);
    return {
      version: app.getVersion(),
      electron: process.versions.electron ?? '',
      chrome: process.versions.chrome ?? '',
      node: process.versions.node,
      platform: process.platform,
      source: deps.source,
    };
  });

  ipcMain.handle(IpcChannel.getConfig, (event): TickscopeConfig => {
    validateSender(event, deps.allowedOrigins);
    return deps.getConfig();
  });

  ipcMain.handle(IpcChannel.setConfig, (event, input: unknown): Promise<ConfigReply> => {
    validateSender(event, deps.allowedOrigins);
    return deps.setConfig(input);
  });

  ipcMain.handle(IpcChannel.feedCommand, (event, input: unknown): FeedCommandReply => {
    validateSender(event, deps.allowedOrigins);
    const c = parseFeedCommand(input);
    if (!c.ok) return c;
    return deps.feedCommand(c.feedId, c.command);
  });

  ipcMain.handle(IpcChannel.sessions, (event): Promise<SessionsState> => {
    validateSender(event, deps.allowedOrigins);
    return deps.sessions();
  });

  ipcMain.handle(IpcChannel.sessionCommand, (event, input: unknown): Promise<SessionReply> => {
    validateSender(event, deps.allowedOrigins);
    const c = parseSessionCommand(input);
    if (!c.ok) return Promise.resolve(c);
    return deps.sessionCommand(c.command);
  });

  ipcMain.handle(IpcChannel.inspectSession, (event, name: unknown): Promise<InspectReply> => {
    validateSender(event, deps.allowedOrigins);
    // The name is checked against the sessions folder's naming rule before any path is built.
    return deps.inspectSession(name);
  });

  ipcMain.handle(IpcChannel.revealExport, (event, input: unknown): Promise<SessionReply> => {
    validateSender(event, deps.allowedOrigins);
    if (input === null || typeof input !== 'object' || Array.isArray(input))
      return Promise.resolve({ ok: false, error: 'revealExport needs {name, format}' });
    const { name, format, ...rest } = input as Record<string, unknown>;
    if (Object.keys(rest).length > 0) return Promise.resolve({ ok: false, error: 'unknown keys' });
    // Name and format are checked (naming rule, known format) before any path is built.
    return deps.revealExport(name, format);
  });
}
