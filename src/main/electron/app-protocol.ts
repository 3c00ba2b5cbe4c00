/**
 * The app:// protocol: serves the built renderer to the window with COOP/COEP (so the page is
 * cross-origin isolated and may use SharedArrayBuffer) and the strict CSP, instead of file://,
 * which cannot carry headers. GET/HEAD only, one host, no path outside the renderer folder.
 */
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { securityHeaders } from '../host/security-headers.ts';
import { contentType, resolveStaticPath } from '../host/static-files.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'tickscope';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Must run before the app's ready event. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
}

export function handleAppProtocol(rendererDir: string): void {
  const headers = securityHeaders({ dev: false });
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404, headers });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('method not allowed', { status: 405, headers: { ...headers, Allow: 'GET, HEAD' } });
    }
    const file = resolveStaticPath(rendererDir, url.pathname);
    const body = file ? await readFile(file).catch(() => null) : null;
    if (!file || !body) return new Response('not found', { status: 404, headers });
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: { ...headers, 'Content-Type': contentType(file) },
    });
  });
}
