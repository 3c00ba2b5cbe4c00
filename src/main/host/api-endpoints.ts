/**
 * The headless host's small JSON API, for the settings panel and the feed chips:
 * - /api/config: GET answers the configuration in force; POST validates, applies and saves a new
 *   one and answers a ConfigReply;
 * - /api/feed-command: POST {feedId, command} (reconnect, roll, resync);
 * - /api/sessions: GET the recording's status and the sessions (`?inspect=NAME`: one session's
 *   contents; `?download=NAME&format=csv|jsonl|parquet`: a finished export, as an attachment — name and
 *   format are checked before any path is built); POST a command (record, stop, rename, delete,
 *   replay, pause, resume, speed, seek, live, export).
 * A POST from another origin or not JSON is refused before its body is read (no CSRF from another
 * site), a body over 64 KiB is refused (at once when its Content-Length says so), and malformed JSON
 * gets a 400 with the reason. Every refusal is counted through the context's `refuse`.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ConfigReply,
  type FeedCommand,
  type FeedCommandReply,
  type InspectReply,
  parseFeedCommand,
  parseSessionCommand,
  type SessionCommand,
  type SessionReply,
  type SessionsState,
} from '../../common/api.ts';
import type { TickscopeConfig } from '../../common/config.ts';
import type { RejectionKind } from './rejections.ts';

/** What the host can do to the engine behind it. */
export interface ConfigAccess {
  get(): TickscopeConfig;
  set(input: unknown): Promise<ConfigReply>;
  feedCommand(feedId: number, command: FeedCommand): FeedCommandReply;
  /** Recording and sessions (absent where the engine cannot record). */
  sessions?(): Promise<SessionsState>;
  sessionCommand?(command: SessionCommand): Promise<SessionReply>;
  inspectSession?(name: string): Promise<InspectReply>;
  /** A finished export's file, by session name and format (validated there). */
  exportedFile?(
    name: string,
    format: string,
  ): Promise<{ ok: true; path: string; size: number } | { ok: false; error: string }>;
}

/** What a handler needs from the host: the response headers, the engine, the refusal counter. */
export interface ApiContext {
  headers: Record<string, string>;
  access: ConfigAccess;
  refuse(kind: RejectionKind, detail: string): void;
}

const EXPORT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

export const MAX_BODY = 64 * 1024;

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

const NOTHING = Symbol('refused');

/**
 * Reads a same-origin JSON POST body; on any refusal answers it (with `fail` shaping the error
 * body), counts it and returns NOTHING.
 */
async function readJson(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ApiContext,
  fail: (message: string) => unknown,
): Promise<unknown> {
  const { headers } = ctx;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`) {
    ctx.refuse('forbiddenOrigin', `POST ${req.url} from origin ${origin}`);
    reply(res, headers, 403, fail('cross-origin requests are refused'));
    return NOTHING;
  }
  if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    ctx.refuse('badRequest', `POST ${req.url} with Content-Type ${req.headers['content-type'] ?? '(none)'}`);
    reply(res, headers, 415, fail('Content-Type must be application/json'));
    return NOTHING;
  }
  const tooBig = (): typeof NOTHING => {
    ctx.refuse('bodyTooLarge', `POST ${req.url} with a body over ${MAX_BODY} bytes`);
    reply(res, { ...headers, Connection: 'close' }, 413, fail(`body over ${MAX_BODY} bytes`));
    // Let the answer leave before the connection goes, so the client reads it.
    res.once('finish', () => setImmediate(() => req.destroy()));
    return NOTHING;
  };
  // Refused before a byte of the body is read when its declared length already says so.
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) return tooBig();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) return tooBig();
      chunks.push(chunk as Buffer);
    }
  } catch {
    // The client went away mid-body, or was cut off for being too slow (answered 408 and counted
    // by the host): nothing to apply, no one to answer.
    res.destroy();
    return NOTHING;
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    ctx.refuse('badRequest', `POST ${req.url} with malformed JSON`);
    reply(res, headers, 400, fail(`malformed JSON: ${(err as Error).message}`));
    return NOTHING;
  }
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, allow: string): void {
  ctx.refuse('badRequest', `${req.method} ${req.url}`);
  reply(res, { ...ctx.headers, Allow: allow }, 405, {
    ok: false,
    error: `${req.method} is not allowed here (${allow})`,
  });
}

export async function handleConfig(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ApiContext,
): Promise<void> {
  const { headers, access } = ctx;
  if (req.method === 'GET') return reply(res, headers, 200, access.get());
  if (req.method !== 'POST') return methodNotAllowed(req, res, ctx, 'GET, POST');
  const input = await readJson(req, res, ctx, (e) => ({ ok: false, errors: [e] }));
  if (input === NOTHING) return;
  const r = await access.set(input);
  if (!r.ok) ctx.refuse('invalid', `a configuration with ${r.errors.length} problem(s)`);
  reply(res, headers, r.ok ? 200 : 422, r);
}

export async function handleFeedCommand(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ApiContext,
): Promise<void> {
  const { headers, access } = ctx;
  if (req.method !== 'POST') return methodNotAllowed(req, res, ctx, 'POST');
  const input = await readJson(req, res, ctx, (error) => ({ ok: false, error }));
  if (input === NOTHING) return;
  const c = parseFeedCommand(input);
  if (!c.ok) {
    ctx.refuse('invalid', `feed command: ${c.error}`);
    return reply(res, headers, 422, c);
  }
  const r = access.feedCommand(c.feedId, c.command);
  reply(res, headers, r.ok ? 200 : 404, r);
}

export async function handleSessions(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ApiContext,
): Promise<void> {
  const { headers, access } = ctx;
  if (!access.sessions || !access.sessionCommand)
    return reply(res, headers, 404, { ok: false, error: 'recording is not available here' });
  if (req.method === 'GET') {
    const params = new URL(req.url ?? '/', 'http://host').searchParams;
    const download = params.get('download');
    if (download !== null) return serveExport(res, ctx, download, params.get('format') ?? '');
    const name = params.get('inspect');
    if (name === null) return reply(res, headers, 200, await access.sessions());
    if (!access.inspectSession)
      return reply(res, headers, 404, { ok: false, error: 'inspect is not available here' });
    const r = await access.inspectSession(name);
    return reply(res, headers, r.ok ? 200 : 404, r);
  }
  if (req.method !== 'POST') return methodNotAllowed(req, res, ctx, 'GET, POST');
  const input = await readJson(req, res, ctx, (error) => ({ ok: false, error }));
  if (input === NOTHING) return;
  const c = parseSessionCommand(input);
  if (!c.ok) {
    ctx.refuse('invalid', `session command: ${c.error}`);
    return reply(res, headers, 422, c);
  }
  const r = await access.sessionCommand(c.command);
  reply(res, headers, r.ok ? 200 : 409, r);
}

async function serveExport(
  res: ServerResponse,
  ctx: ApiContext,
  name: string,
  format: string,
): Promise<void> {
  const { headers, access } = ctx;
  if (!access.exportedFile) return reply(res, headers, 404, { ok: false, error: 'no exports here' });
  const f = await access.exportedFile(name, format);
  if (!f.ok) return reply(res, headers, 404, f);
  // The name passed the sessions folder's naming rule (letters, digits, space . _ -): safe quoted.
  res.writeHead(200, {
    ...headers,
    'Content-Type': EXPORT_TYPES[format] ?? 'application/octet-stream',
    'Content-Length': String(f.size),
    'Content-Disposition': `attachment; filename="${name}.${format}"`,
    'Cache-Control': 'no-store',
  });
  const stream = createReadStream(f.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
