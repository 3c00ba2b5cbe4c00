/**
 * What the app:// protocol answers, as a plain fetch-style function (no Electron import), so the
 * unit tests serve real files through it: the built renderer with COOP/COEP (the page is
 * cross-origin isolated and may use SharedArrayBuffer) and the strict CSP on every response,
 * GET/HEAD only, one host, no path outside the renderer folder.
 */
import { readFile } from 'node:fs/promises';
import { securityHeaders } from '../host/security-headers.ts';
import { contentType, resolveStaticPath } from '../host/static-files.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'tickscope';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** The privileges app:// is registered with: a secure standard origin, and nothing that relaxes CSP. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, codeCache: true };

export async function serveAppRequest(rendererDir: string, request: Request): Promise<Response> {
  const headers = securityHeaders({ dev: false });
  const url = new URL(request.url);
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST)
    return new Response('not found', { status: 404, headers });
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
}
