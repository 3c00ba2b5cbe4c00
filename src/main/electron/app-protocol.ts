/**
 * The app:// protocol: the window loads the built renderer from here instead of file://, which
 * cannot carry headers (and would give the page the file system's origin). The answers
 * themselves — headers, methods, paths — are app-request.ts.
 */
import { protocol } from 'electron';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './app-request.ts';

export { APP_HOST, APP_ORIGIN, APP_SCHEME, APP_URL } from './app-request.ts';

/** Must run before the app's ready event. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
}

export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request));
}
