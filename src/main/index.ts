/**
 * Electron main process: the shell around the engine. It registers the app:// protocol, hardens
 * sessions, starts the engine (feeds in worker threads, metrics and publisher here), wires the
 * page's one IPC API and opens the window. Everything else lives in the engine, which runs the
 * same under plain Node.
 */

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, shell } from 'electron';
import { IDLE_SESSIONS } from '../common/api.ts';
import { DEFAULT_CONFIG } from '../common/config.ts';
import { loadConfig } from './config/config-file.ts';
import { APP_ORIGIN, APP_URL, handleAppProtocol, registerAppScheme } from './electron/app-protocol.ts';
import { hardenSessions } from './electron/hardening.ts';
import { registerIpc } from './electron/ipc.ts';
import { originOf } from './electron/ipc-rules.ts';
import { createMainWindow } from './electron/window.ts';
import { EngineRunner } from './engine/engine-runner.ts';
import { VirtualSession } from './engine/virtual-session.ts';

const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const pageUrl = devUrl ?? APP_URL;
const allowedOrigins = devUrl ? [originOf(devUrl) ?? ''] : [APP_ORIGIN];
const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

registerAppScheme();
app.enableSandbox();

let runner: EngineRunner | null = null;

async function ready(): Promise<void> {
  handleAppProtocol(here('../renderer/'));
  hardenSessions(allowedOrigins);
  // TICKSCOPE_DETERMINISTIC: a seeded session on a virtual clock, for the screenshot tests.
  if (process.env.TICKSCOPE_DETERMINISTIC) {
    const session = VirtualSession.create({});
    registerIpc({
      allowedOrigins,
      addSink: (sink) => session.addSink(sink),
      source: 'deterministic session',
      getConfig: () => DEFAULT_CONFIG,
      setConfig: async () => ({ ok: false, errors: ['a deterministic session cannot be reconfigured'] }),
      feedCommand: () => ({ ok: false, error: 'a deterministic session has no live feed' }),
      sessions: async () => IDLE_SESSIONS,
      sessionCommand: async () => ({ ok: false, error: 'a deterministic session cannot record' }),
      inspectSession: async () => ({ ok: false, error: 'a deterministic session has no sessions folder' }),
      revealExport: async () => ({ ok: false, error: 'a deterministic session has no sessions folder' }),
    });
  } else {
    // The settings live in the user's data folder; a bad file is reported and the defaults run.
    const configPath = join(app.getPath('userData'), 'config.json');
    const { config } = await loadConfig(configPath).catch((err: Error) => {
      console.error(`tickscope: ${err.message}; starting on the defaults`);
      return { config: DEFAULT_CONFIG };
    });
    const r = await EngineRunner.start(
      {
        feedWorkerUrl: new URL('./feedWorker.js', import.meta.url),
        simWorkerUrl: new URL('./simWorker.js', import.meta.url),
        log: console.log,
      },
      config,
      configPath,
      {
        root: join(app.getPath('userData'), 'sessions'),
        app: `tickscope ${app.getVersion()}`,
        recorderWorkerUrl: new URL('./recorderWorker.js', import.meta.url),
        compressWorkerUrl: new URL('./compressWorker.js', import.meta.url),
        replayWorkerUrl: new URL('./replayWorker.js', import.meta.url),
        exportWorkerUrl: new URL('./exportWorker.js', import.meta.url),
      },
    );
    runner = r;
    registerIpc({
      allowedOrigins,
      addSink: (sink) => r.addSink(sink),
      source: r.engine.sim
        ? `simulator ${r.engine.sim.url}`
        : r.engine.feeds.map((f) => f.config.url).join(', '),
      getConfig: () => r.config,
      setConfig: (input) => r.apply(input),
      feedCommand: (feedId, command) => r.feedCommand(feedId, command),
      sessions: () => r.sessions(),
      sessionCommand: (command) => r.sessionCommand(command),
      inspectSession: (name) => r.inspect(name),
      revealExport: async (name, format) => {
        const f = await r.exportedFile(name, format);
        if (!f.ok) return f;
        shell.showItemInFolder(f.path);
        return { ok: true };
      },
    });
  }
  const open = (): void => {
    createMainWindow({
      preload: here('../preload/index.cjs'),
      icon: here('../../resources/icon.png'),
      url: pageUrl,
    });
  };
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
}

app.whenReady().then(ready, (err: unknown) => {
  console.error('tickscope: failed to start', err);
  app.exit(1);
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !runner) return;
  quitting = true;
  event.preventDefault();
  void runner.stop().finally(() => app.quit());
});
