/**
 * Electron's security checklist, applied to every session and every web contents the app ever
 * has: every permission, device chooser, screen capture and download refused; navigation away
 * from the app's origin, new windows and webviews refused. Each refusal is counted and logged.
 * Nothing is ever opened externally: there is no shell.openExternal in this app (a static test
 * keeps it that way).
 */
import { app, type Session, session, type WebContents } from 'electron';
import { isAllowedOrigin } from './ipc-rules.ts';

/** Refusals by kind, so a page that keeps trying shows up in the log. */
const refused = { permission: 0, device: 0, navigation: 0, window: 0, webview: 0, download: 0 };
export function hardeningRefusals(): Readonly<typeof refused> {
  return { ...refused };
}

function refuse(kind: keyof typeof refused, what: string): void {
  refused[kind]++;
  console.warn(`tickscope: refused ${what} (${refused[kind]} ${kind} refusals so far)`);
}

const hardened = new WeakSet<Session>();

/** Permissions, devices, screen capture and downloads: the dashboard needs none of them. */
function hardenSession(ses: Session): void {
  if (hardened.has(ses)) return;
  hardened.add(ses);
  ses.setPermissionRequestHandler((_wc, permission, callback) => {
    refuse('permission', `permission request '${permission}'`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => {
    refuse('permission', 'screen capture');
    callback(null);
  });
  ses.setBluetoothPairingHandler((_details, callback) => {
    refuse('device', 'Bluetooth pairing');
    callback({ confirmed: false });
  });
  // Device choosers: handled (preventDefault) and answered with no device, which cancels.
  ses.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    refuse('device', 'HID device');
    callback();
  });
  ses.on('select-serial-port', (event, _ports, _wc, callback) => {
    event.preventDefault();
    refuse('device', 'serial port');
    callback('');
  });
  ses.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    refuse('device', 'USB device');
    callback();
  });
  // Exports are shown in the file manager from the main process; the page never downloads.
  ses.on('will-download', (event, item) => {
    event.preventDefault();
    refuse('download', `download of ${item.getURL()}`);
  });
}

/** Navigation only within the app's origin, no new windows, no webviews, no Bluetooth chooser. */
function hardenContents(contents: WebContents, allowedOrigins: readonly string[]): void {
  // The event's own details carry the URL; the positional url argument is deprecated.
  contents.on('will-navigate', (details) => {
    if (isAllowedOrigin(details.url, allowedOrigins)) return;
    details.preventDefault();
    refuse('navigation', `navigation to ${details.url}`);
  });
  // Any frame: the page has no subframes (CSP default-src 'none'), so no subframe may navigate.
  contents.on('will-frame-navigate', (details) => {
    if (details.isMainFrame && isAllowedOrigin(details.url, allowedOrigins)) return;
    details.preventDefault();
    refuse('navigation', `frame navigation to ${details.url}`);
  });
  contents.on('will-redirect', (details) => {
    if (isAllowedOrigin(details.url, allowedOrigins)) return;
    details.preventDefault();
    refuse('navigation', `redirect to ${details.url}`);
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    refuse('webview', 'a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    refuse('window', `new window for ${url}`);
    return { action: 'deny' };
  });
  contents.on('select-bluetooth-device', (event, _devices, callback) => {
    event.preventDefault();
    refuse('device', 'Bluetooth device');
    callback('');
  });
}

/** Call once, after ready and before the first window: covers sessions and contents made later too. */
export function hardenSessions(allowedOrigins: readonly string[]): void {
  hardenSession(session.defaultSession);
  app.on('session-created', hardenSession);
  app.on('web-contents-created', (_event, contents) => {
    hardenSession(contents.session);
    hardenContents(contents, allowedOrigins);
  });
}
