/**
 * The main side of the page's one API. Every handler checks that the sender is the main frame of
 * our own window at our own origin, and its whole argument list against the channel's schema
 * (ipc-rules.ts), before it does anything; each refusal is counted and logged. The
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
  type SessionCommand,
  type SessionReply,
  type SessionsState,
} from '../../common/api.ts';
import type { TickscopeConfig } from '../../common/config.ts';
import type { FrameSink } from '../publisher/frame-sink.ts';
import { type Args, ipcArgs, isTrustedSender } from './ipc-rules.ts';
import { bindPortLifetime } from './port-lifetime.ts';

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

/** Every refused call, by reason; the counts are logged with each refusal. */
const refused = { sender: 0, arguments: 0 };
export function ipcRefusals(): Readonly<typeof refused> {
  return { ...refused };
}

function validateSender(event: IpcMainInvokeEvent, allowedOrigins: readonly string[]): void {
  const frame = event.senderFrame;
  const facts = {
    frameUrl: frame ? frame.url : null,
    isMainFrame: frame !== null && frame === event.sender.mainFrame,
  };
  if (!isTrustedSender(facts, allowedOrigins)) {
    refused.sender++;
    console.warn(
      `tickscope: IPC refused from ${facts.frameUrl ?? 'a gone frame'} (${refused.sender} so far)`,
    );
    throw new IpcError('IPC refused: sender is not the app window');
  }
}

/** Counts and logs a refused argument list; the handler answers or throws with the reasons. */
function refuseArgs(channel: string, errors: readonly string[]): string {
  refused.arguments++;
  const reason = `${channel}: ${errors.slice(0, 5).join('; ')}`;
  console.warn(`tickscope: IPC arguments refused, ${reason} (${refused.arguments} so far)`);
  return reason;
}

/** For channels that answer data: a refused argument list rejects the renderer's invoke. */
function checked<T>(channel: string, a: Args<T>): T {
  if (!a.ok) throw new IpcError(refuseArgs(channel, a.errors));
  return a.value;
}

/**
 * Each handler takes `(event, ...args)`, checks the sender, then the whole argument list against
 * its channel's schema (ipcArgs), before it does anything; test/unit/electron-security.test.ts
 * holds every handler here to that shape.
 */
export function registerIpc(deps: IpcDeps): void {
  ipcMain.handle(IpcChannel.requestFramePort, (event, ...args: unknown[]): void => {
    validateSender(event, deps.allowedOrigins);
    const nonce = checked('requestFramePort', ipcArgs.requestFramePort(args));
    const { port1, port2 } = new MessageChannelMain();
    const remove = deps.addSink({
      name: `port:${event.sender.id}`,
      send(frame, done) {
        port1.postMessage(frame);
        done();
      },
    });
    bindPortLifetime(port1, event.sender, remove);
    port1.start();
    event.sender.postMessage(IpcChannel.framePort, { nonce }, [port2]);
  });

  ipcMain.handle(IpcChannel.appInfo, (event, ...args: unknown[]): AppInfo => {
    validateSender(event, deps.allowedOrigins);
    checked('appInfo', ipcArgs.appInfo(args));
    return {
      version: app.getVersion(),
      electron: process.versions.electron ?? '',
      chrome: process.versions.chrome ?? '',
      node: process.versions.node,
      platform: process.platform,
      source: deps.source,
    };
  });

  ipcMain.handle(IpcChannel.getConfig, (event, ...args: unknown[]): TickscopeConfig => {
    validateSender(event, deps.allowedOrigins);
    checked('getConfig', ipcArgs.getConfig(args));
    return deps.getConfig();
  });

  ipcMain.handle(IpcChannel.setConfig, (event, ...args: unknown[]): Promise<ConfigReply> => {
    validateSender(event, deps.allowedOrigins);
    const a = ipcArgs.setConfig(args);
    if (!a.ok) {
      refuseArgs('setConfig', a.errors);
      return Promise.resolve({ ok: false, errors: a.errors });
    }
    return deps.setConfig(a.value);
  });

  ipcMain.handle(IpcChannel.feedCommand, (event, ...args: unknown[]): FeedCommandReply => {
    validateSender(event, deps.allowedOrigins);
    const a = ipcArgs.feedCommand(args);
    if (!a.ok) return { ok: false, error: refuseArgs('feedCommand', a.errors) };
    return deps.feedCommand(a.value.feedId, a.value.command);
  });

  ipcMain.handle(IpcChannel.sessions, (event, ...args: unknown[]): Promise<SessionsState> => {
    validateSender(event, deps.allowedOrigins);
    checked('sessions', ipcArgs.sessions(args));
    return deps.sessions();
  });

  ipcMain.handle(IpcChannel.sessionCommand, (event, ...args: unknown[]): Promise<SessionReply> => {
    validateSender(event, deps.allowedOrigins);
    const a = ipcArgs.sessionCommand(args);
    if (!a.ok) return Promise.resolve({ ok: false, error: refuseArgs('sessionCommand', a.errors) });
    return deps.sessionCommand(a.value);
  });

  ipcMain.handle(IpcChannel.inspectSession, (event, ...args: unknown[]): Promise<InspectReply> => {
    validateSender(event, deps.allowedOrigins);
    const a = ipcArgs.inspectSession(args);
    if (!a.ok) return Promise.resolve({ ok: false, error: refuseArgs('inspectSession', a.errors) });
    return deps.inspectSession(a.value);
  });

  ipcMain.handle(IpcChannel.revealExport, (event, ...args: unknown[]): Promise<SessionReply> => {
    validateSender(event, deps.allowedOrigins);
    const a = ipcArgs.revealExport(args);
    if (!a.ok) return Promise.resolve({ ok: false, error: refuseArgs('revealExport', a.errors) });
    return deps.revealExport(a.value.name, a.value.format);
  });
}
