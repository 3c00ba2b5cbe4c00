/**
 * The one window. Every security-relevant web preference is set explicitly, even where it is
 * Electron's default, so a reader (and electronegativity) can see it; test/unit/
 * electron-security.test.ts reads these values from this file's syntax tree.
 */
import { BrowserWindow } from 'electron';

export function createMainWindow(opts: { preload: string; icon: string; url: string }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#0b0e14',
    title: 'Tickscope',
    icon: opts.icon,
    autoHideMenuBar: true,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // Middle-click would ask for a new window (denied anyway by the window-open handler).
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // loadURL rejects when the page fails to load (did-fail-load): say so rather than drop it.
  win.loadURL(opts.url).catch((err: unknown) => {
    console.error(
      `tickscope: the window could not load ${opts.url}: ${err instanceof Error ? err.message : err}`,
    );
  });
  return win;
}
