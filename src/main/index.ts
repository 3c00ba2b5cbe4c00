/**
 * Electron main process: the shell around the engine. It registers the app:// protocol, hardens
 * sessions, starts the engine (feeds in worker threads, metrics and publisher here), wires the
 * page's one IPC API and opens the window. Everything else lives in the engine, which runs the
 * same under plain Node.
 */

import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, shell } from 'electron';
import { IDLE_SESSIONS } from '../common/api.ts';
import { DEFAULT_CONFIG } from '../common/config.ts';
import { loadConfig } from './config/config-file.ts';
import { APP_ORIGIN, APP_URL, handleAppProtocol, registerAppScheme } from './electron/app-protocol.ts';
import { hardenSessions } from './electron/hardening.ts';
import { registerIpc } from './electron/ipc.ts';
import { originOf } from './electron/ipc-rules.ts';
import { failureLog, startupFailure } from './electron/startup-failure.ts';
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
      // Packaged, the icon is an extra resource beside app.asar (electron-builder.json).
      icon: app.isPackaged ? join(process.resourcesPath, 'icon.png') : here('../../resources/icon.png'),
      url: pageUrl,
    });
  };
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
}

/** Appends one entry to the log file; returns the file, or null when it could not be written. */
function appendLog(file: string, entry: string): string | null {
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${new Date().toISOString()} ${entry}\n`);
    return file;
  } catch {
    return null;
  }
}

/** Anything that stops the first window: logged (stderr and a file), one dialog, a non-zero exit. */
function failStartup(err: unknown): void {
  const entry = failureLog(err, app.getVersion());
  console.error(entry);
  const failure = startupFailure(err, appendLog(join(app.getPath('logs'), 'startup-error.log'), entry));
  dialog.showErrorBox(failure.title, failure.message);
  app.exit(failure.exitCode);
}

// A throw inside ready() is caught too (a rejection handler beside it would not see it).
app.whenReady().then(ready).catch(failStartup);

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
