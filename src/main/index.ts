/**
 * Electron main process: the shell around the engine. It registers the app:// protocol, hardens
 * sessions, starts the engine (feeds in worker threads, metrics and publisher here), wires the
 * page's one IPC API and opens the window. Everything else lives in the engine, which runs the
 * same under plain Node.
 */
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { APP_ORIGIN, APP_URL, handleAppProtocol, registerAppScheme } from './electron/app-protocol.ts';
import { hardenSessions } from './electron/hardening.ts';
import { registerIpc } from './electron/ipc.ts';
import { originOf } from './electron/ipc-rules.ts';
import { createMainWindow } from './electron/window.ts';
import { Engine } from './engine/engine.ts';
import { VirtualSession } from './engine/virtual-session.ts';

const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const pageUrl = devUrl ?? APP_URL;
const allowedOrigins = devUrl ? [originOf(devUrl) ?? ''] : [APP_ORIGIN];
const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

registerAppScheme();
app.enableSandbox();

let engine: Engine | null = null;

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
    });
  } else {
    const e = await Engine.start({
      feedWorkerUrl: new URL('./feedWorker.js', import.meta.url),
      simWorkerUrl: new URL('./simWorker.js', import.meta.url),
      log: console.log,
    });
    engine = e;
    registerIpc({
      allowedOrigins,
      addSink: (sink) => e.addSink(sink),
      source: e.sim ? `simulator ${e.sim.url}` : e.feeds.map((f) => f.url).join(', '),
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
  if (quitting || !engine) return;
  quitting = true;
  event.preventDefault();
  void engine.stop().finally(() => app.quit());
});
