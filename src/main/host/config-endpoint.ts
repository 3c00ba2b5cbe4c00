/**
 * The headless host's /api/config: GET answers the configuration in force; POST (JSON, from the
 * page's own origin only) validates, applies and saves a new one and answers a ConfigReply. A
 * cross-origin or non-JSON POST is refused before the body is read (no CSRF from another site), a
 * body over 64 KiB is refused, and malformed JSON gets a 400 with the reason.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConfigReply } from '../../common/api.ts';
import type { TickscopeConfig } from '../../common/config.ts';

export interface ConfigAccess {
  get(): TickscopeConfig;
  set(input: unknown): Promise<ConfigReply>;
}

const MAX_BODY = 64 * 1024;

function reply(res: ServerResponse, headers: Record<string, string>, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export async function handleConfig(
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
  access: ConfigAccess,
): Promise<void> {
  if (req.method === 'GET') return reply(res, headers, 200, access.get());
  if (req.method !== 'POST') {
    res.writeHead(405, { ...headers, Allow: 'GET, POST' });
    res.end();
    return;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`)
    return reply(res, headers, 403, { ok: false, errors: ['cross-origin requests are refused'] });
  if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json'))
    return reply(res, headers, 415, { ok: false, errors: ['Content-Type must be application/json'] });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      reply(res, { ...headers, Connection: 'close' }, 413, {
        ok: false,
        errors: [`body over ${MAX_BODY} bytes`],
      });
      req.destroy();
      return;
    }
    chunks.push(chunk as Buffer);
  }
  let input: unknown;
  try {
    input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    return reply(res, headers, 400, { ok: false, errors: [`malformed JSON: ${(err as Error).message}`] });
  }
  const r = await access.set(input);
  reply(res, headers, r.ok ? 200 : 422, r);
}
