/**
 * Electron's security checklist, applied once for every window and session: deny every permission,
 * refuse navigation away from the app's origin, refuse new windows and webviews. Nothing is ever
 * opened externally; there is no shell.openExternal in this app.
 */
import { app, session } from 'electron';
import { isAllowedOrigin } from './ipc-rules.ts';

export function hardenSessions(allowedOrigins: readonly string[]): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedOrigin(url, allowedOrigins)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAllowedOrigin(url, allowedOrigins)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
