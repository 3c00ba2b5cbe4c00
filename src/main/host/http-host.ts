/**
 * The headless host: serves the built renderer over HTTP with the same COOP/COEP/CSP headers as the
 * Electron app:// protocol, and streams the engine's binary frames to each browser over a WebSocket
 * at /stream. On loopback (the default) it answers only to loopback Host names (no DNS rebinding).
 * On any other address it requires an access token on every request and on the WebSocket upgrade
 * (see auth.ts). Everything a client sends is bounded — header size, time to send a request, body
 * size, connections, WebSocket clients and message size — and every refusal is answered with a
 * status and a reason, counted in `stats` and logged without flooding (see rejections.ts).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { CONFIG_PATH, FEED_COMMAND_PATH, SESSIONS_PATH, STREAM_PATH } from '../../common/api.ts';
import type { FrameSink } from '../publisher/frame-sink.ts';
import {
  type ApiContext,
  type ConfigAccess,
  handleConfig,
  handleFeedCommand,
  handleSessions,
} from './api-endpoints.ts';
import {
  checkRequestToken,
  generateToken,
  tokenCookie,
  tokenCookieName,
  tokenMatches,
  tokenProblem,
} from './auth.ts';
import { type RejectionCounts, type RejectionKind, RejectionLog, zeroCounts } from './rejections.ts';
import { securityHeaders } from './security-headers.ts';
import { contentType, resolveStaticPath } from './static-files.ts';

export interface FrameSource {
  addSink(sink: FrameSink): () => void;
}

export interface HostLimits {
  /** Request line + headers, bytes (431 beyond). */
  maxHeaderBytes: number;
  /** Time for a client to send its request line and headers (slow-loris), ms (408 beyond). */
  headersTimeoutMs: number;
  /** Time for a client to send its whole request, body included, ms (408 beyond). */
  requestTimeoutMs: number;
  /** How often the server looks for requests over those times, ms. */
  checkIntervalMs: number;
  /** Open TCP connections (503 beyond), WebSocket clients included. */
  maxConnections: number;
  /** Inbound WebSocket message size, bytes (the stream takes none; closed with 1009 beyond). */
  maxWsPayload: number;
}

export const DEFAULT_LIMITS: HostLimits = {
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  checkIntervalMs: 1_000,
  maxConnections: 128,
  maxWsPayload: 4096,
};

export interface HostOptions {
  /** Address to listen on: 127.0.0.1 by default; any other address requires a token. */
  host?: string;
  port: number;
  /** Folder of the built renderer (index.html and assets). */
  root: string;
  source: FrameSource;
  /** Serves /api/config and /api/feed-command when given (the settings panel, the feed chips). */
  config?: ConfigAccess;
  maxClients?: number;
  log?: (line: string) => void;
  /** A fixed access token (≥ 32 characters); one is generated when needed and none is given. */
  token?: string;
  /** Requires the token on loopback too (a shared machine; the tests). */
  requireToken?: boolean;
  limits?: Partial<HostLimits>;
}

export interface HostStats extends RejectionCounts {
  requests: number;
  /** Every refusal, all kinds together. */
  rejected: number;
  clients: number;
  connections: number;
}

/** A client whose socket holds more than this is skipped until it drains. */
const MAX_BUFFERED = 1 << 20;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** The Host header names a loopback address (with any port): not a rebound foreign name. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const m = /^(\[::1\]|127\.0\.0\.1|localhost)(:\d{1,5})?$/i.exec(host);
  return m !== null;
}

/** A syntactically valid Host header: a name, an IPv4 address or a bracketed IPv6 one, a port. */
export function isWellFormedHost(host: string | undefined): boolean {
  if (!host) return false;
  return /^(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(:\d{1,5})?$/.test(host);
}

/** The request target as a URL, or null unless it is an origin-form path (`/…`) that parses. */
function parseTarget(raw: string | undefined): URL | null {
  if (!raw?.startsWith('/')) return null;
  try {
    return new URL(raw, 'http://localhost');
  } catch {
    return null;
  }
}

export class HttpHost {
  /** Where the dashboard is, without the token. */
  readonly url: string;
  readonly stats: HostStats;
  /** The access token in force, or null on loopback without one. Print it once; never log it. */
  readonly token: string | null;
  private readonly server: Server;
  private readonly wss: WebSocketServer;

  private constructor(
    server: Server,
    wss: WebSocketServer,
    url: string,
    stats: HostStats,
    token: string | null,
  ) {
    this.server = server;
    this.wss = wss;
    this.url = url;
    this.stats = stats;
    this.token = token;
  }

  /** The URL to open in a browser: with `?token=` when a token is in force (print it once). */
  get openUrl(): string {
    return this.token ? `${this.url}?token=${this.token}` : this.url;
  }

  static async start(opts: HostOptions): Promise<HttpHost> {
    const host = opts.host ?? '127.0.0.1';
    if (opts.token !== undefined) {
      const problem = tokenProblem(opts.token);
      if (problem) throw new Error(problem);
    }
    // Beyond loopback, anyone on the network can reach the port: only the token keeps them out.
    const token = opts.token ?? (opts.requireToken || !LOOPBACK.has(host) ? generateToken() : null);
    const limits: HostLimits = { ...DEFAULT_LIMITS, ...opts.limits };
    const headers = securityHeaders({ dev: false });
    const stats: HostStats = { requests: 0, rejected: 0, clients: 0, connections: 0, ...zeroCounts() };
    const rejections = new RejectionLog(stats, opts.log);
    const refuse = (kind: RejectionKind, detail: string): void => rejections.refuse(kind, detail);
    const maxClients = opts.maxClients ?? 32;
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: limits.maxWsPayload,
      perMessageDeflate: false,
    });
    // The cookie's name needs the port, known once listening.
    let cookieName = '';

    /** Host header check, then token check: the first refusal, or null. */
    const admit = (req: IncomingMessage): { status: number; kind: RejectionKind; reason: string } | null => {
      if (!token) {
        if (!isLoopbackHost(req.headers.host)) {
          // DNS rebinding: a page from another site whose name now resolves to 127.0.0.1.
          return {
            status: 421,
            kind: 'misdirected',
            reason: 'this server answers only to 127.0.0.1, localhost or [::1]',
          };
        }
        return null;
      }
      // With a token in force, any name may reach the server (a LAN address, a host name): a rebound
      // name gets nowhere without the token, which the browser keeps for the real name only.
      if (!isWellFormedHost(req.headers.host))
        return { status: 421, kind: 'misdirected', reason: 'a Host header naming this server is required' };
      const auth = checkRequestToken(req, token, cookieName);
      return auth.ok ? null : { status: 401, kind: 'unauthorized', reason: auth.reason };
    };

    const server = createServer(
      {
        maxHeaderSize: limits.maxHeaderBytes,
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        connectionsCheckingInterval: limits.checkIntervalMs,
      },
      (req, res) => {
        if (overCap.has(req.socket)) {
          req.socket.destroy();
          return;
        }
        stats.requests++;
        const target = parseTarget(req.url);
        const api = (target?.pathname ?? '').startsWith('/api/');
        const fail = (
          status: number,
          kind: RejectionKind,
          reason: string,
          extra: Record<string, string> = {},
        ) => {
          refuse(kind, `${status} ${req.method} ${target?.pathname ?? '(bad target)'}: ${reason}`);
          answer(res, { ...headers, ...extra }, status, reason, api);
        };
        if (!target) return fail(400, 'badRequest', 'the request target must be a path such as /');
        // A `?token=` on a page load is traded for a cookie, and dropped from the address bar.
        const queryToken = target.searchParams.get('token');
        if (token && queryToken !== null && (req.method === 'GET' || req.method === 'HEAD')) {
          const hostProblem = isWellFormedHost(req.headers.host) ? null : 'a Host header is required';
          if (hostProblem) return fail(421, 'misdirected', hostProblem);
          if (!tokenMatches(token, queryToken))
            return fail(401, 'unauthorized', 'the access token does not match', AUTHENTICATE);
          return redirectWithCookie(req, res, headers, target, tokenCookie(cookieName, token));
        }
        const refusal = admit(req);
        if (refusal)
          return fail(
            refusal.status,
            refusal.kind,
            refusal.reason,
            refusal.status === 401 ? AUTHENTICATE : {},
          );
        const path = target.pathname;
        const ctx: ApiContext | null = opts.config ? { headers, access: opts.config, refuse } : null;
        const handler =
          path === CONFIG_PATH && ctx
            ? handleConfig(req, res, ctx)
            : path === FEED_COMMAND_PATH && ctx
              ? handleFeedCommand(req, res, ctx)
              : path === SESSIONS_PATH && ctx
                ? handleSessions(req, res, ctx)
                : serveStatic(opts.root, req, res, headers, target, refuse);
        void handler.catch((err: unknown) => {
          // A bug, not the client's fault: logged (rate-limited), answered, the host goes on.
          refuse('internalError', `${req.method} ${path}: ${(err as Error)?.message ?? String(err)}`);
          if (!res.headersSent) answer(res, headers, 500, 'internal error', api);
          else res.destroy();
        });
      },
    );

    // Connections over the cap are answered 503 and closed before any request is read.
    const overCap = new WeakSet<Duplex>();
    server.on('connection', (socket: Socket) => {
      if (stats.connections >= limits.maxConnections) {
        overCap.add(socket);
        refuse('tooManyConnections', `${stats.connections} connections open`);
        rawAnswer(socket, 503, `too many connections (at most ${limits.maxConnections})`);
        return;
      }
      stats.connections++;
      socket.once('close', () => stats.connections--);
    });

    // Malformed HTTP, oversized headers, requests too slow to arrive: Node's parser refuses them
    // before any handler runs; this answers them with a reason and counts them.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (overCap.has(socket) || err.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      const responding = (socket as { _httpMessage?: ServerResponse })._httpMessage?.headersSent === true;
      let status = 400;
      let kind: RejectionKind = 'badRequest';
      let reason = `malformed HTTP request (${err.code ?? err.message})`;
      if (err.code === 'HPE_HEADER_OVERFLOW') {
        [status, kind, reason] = [
          431,
          'headerTooLarge',
          `request line and headers over ${limits.maxHeaderBytes} bytes`,
        ];
      } else if (err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') {
        [status, kind, reason] = [413, 'bodyTooLarge', 'chunk extensions too large'];
      } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
        [status, kind, reason] = [408, 'timedOut', 'the request did not arrive in time'];
        if ((socket as Socket).bytesRead === 0) reason = 'the connection sent nothing in time';
      }
      refuse(kind, `${status}: ${reason}`);
      if (responding) socket.destroy();
      else rawAnswer(socket, status, reason);
    });

    // Without a listener Node drops a CONNECT without a word; this is not a proxy, and says so.
    server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
      socket.on('error', () => {});
      if (overCap.has(socket)) {
        socket.destroy();
        return;
      }
      stats.requests++;
      refuse('badRequest', '405 CONNECT');
      rawAnswer(socket, 405, 'CONNECT is not allowed: this is not a proxy', 'Allow: GET, HEAD, POST\r\n');
    });

    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => {});
      if (overCap.has(socket)) {
        socket.destroy();
        return;
      }
      stats.requests++;
      const target = parseTarget(req.url);
      const fail = (status: number, kind: RejectionKind, reason: string, extra = '') => {
        refuse(kind, `${status} WebSocket ${target?.pathname ?? '(bad target)'}: ${reason}`);
        rawAnswer(socket, status, reason, extra);
      };
      if (!target) return fail(400, 'badRequest', 'the request target must be a path such as /stream');
      const refusal = admit(req);
      if (refusal)
        return fail(
          refusal.status,
          refusal.kind,
          refusal.reason,
          refusal.status === 401 ? `WWW-Authenticate: ${AUTHENTICATE['WWW-Authenticate']}\r\n` : '',
        );
      if (target.pathname !== STREAM_PATH)
        return fail(404, 'badRequest', `no WebSocket at ${target.pathname}`);
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`)
        return fail(403, 'forbiddenOrigin', `a page from ${origin} may not open this stream`);
      if (stats.clients >= maxClients)
        return fail(503, 'tooManyClients', `too many dashboards connected (at most ${maxClients})`);
      wss.handleUpgrade(req, socket, head, (ws) => attachClient(ws, req, opts, stats, refuse));
    });
    // A handshake ws itself refuses (wrong version, missing key, bad Upgrade header).
    wss.on('wsClientError', (err: Error, socket: Duplex) => {
      refuse('badRequest', `400 WebSocket handshake: ${err.message}`);
      rawAnswer(socket, 400, `bad WebSocket handshake: ${err.message}`);
    });

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    cookieName = tokenCookieName(port);
    const display = host.includes(':') ? `[${host}]` : host;
    return new HttpHost(server, wss, `http://${display}:${port}/`, stats, token);
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Do not wait for half-sent requests (or a slow-loris) to time out.
    this.server.closeAllConnections();
    await closed;
  }
}

const AUTHENTICATE = { 'WWW-Authenticate': 'Bearer realm="tickscope"' };

/** A refusal on a live response: plain text, or JSON ({ok: false, error}) under /api/. */
function answer(
  res: ServerResponse,
  headers: Record<string, string>,
  status: number,
  reason: string,
  json: boolean,
): void {
  const body = json ? JSON.stringify({ ok: false, error: reason }) : `${reason}\n`;
  res.writeHead(status, {
    ...headers,
    'Content-Type': json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** A refusal written straight to a socket (before HTTP or instead of a WebSocket), then closed. */
function rawAnswer(socket: Duplex, status: number, reason: string, extraHeaders = ''): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${reason}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `${extraHeaders}\r\n${body}`,
  );
}

/**
 * After a good `?token=`: the cookie, and the same address without the token (303), so it stays
 * out of the address bar and the history. A page load that came from another site gets a same-origin
 * refresh instead: browsers withhold a SameSite=Strict cookie across a redirect that began elsewhere.
 */
function redirectWithCookie(
  request: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
  target: URL,
  cookie: string,
): void {
  const params = new URLSearchParams(target.searchParams);
  params.delete('token');
  const query = params.toString();
  // One leading slash only: `//name` would leave for another site.
  const location = `/${target.pathname.replace(/^\/+/, '')}${query ? `?${query}` : ''}`;
  const site = request.headers['sec-fetch-site'];
  const crossSite = site === 'cross-site' || site === 'same-site';
  const body = crossSite
    ? `<!doctype html><meta http-equiv="refresh" content="0;url=${location.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}"><title>Tickscope</title>\n`
    : `see ${location}\n`;
  res.writeHead(crossSite ? 200 : 303, {
    ...headers,
    ...(crossSite ? {} : { Location: location }),
    'Set-Cookie': cookie,
    'Content-Type': crossSite ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
  });
  res.end(request.method === 'HEAD' ? undefined : body);
}

function attachClient(
  ws: WebSocket,
  req: IncomingMessage,
  opts: HostOptions,
  stats: HostStats,
  refuse: (kind: RejectionKind, detail: string) => void,
): void {
  stats.clients++;
  const name = `ws:${req.socket.remoteAddress}:${req.socket.remotePort}`;
  const sink: FrameSink = {
    name,
    send(frame, done) {
      if (ws.readyState !== ws.OPEN) return done();
      ws.send(frame, { binary: true }, () => done());
    },
    busy: () => ws.bufferedAmount > MAX_BUFFERED,
  };
  const remove = opts.source.addSink(sink);
  let refused = false;
  ws.on('message', () => {
    // The stream is one-way: say so, count it once per client, and close.
    if (refused) return;
    refused = true;
    refuse('wsInbound', `${name} sent a message on the one-way stream`);
    ws.close(1003, 'this stream accepts no messages');
  });
  // ws reports malformed or oversized frames here, and closes with 1002 or 1009 itself.
  ws.on('error', (err: Error & { code?: string }) => {
    if (refused) return;
    refused = true;
    refuse('wsBadFrame', `${name}: ${err.message}`);
  });
  ws.on('close', () => {
    stats.clients--;
    remove();
  });
}

async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
  target: URL,
  refuse: (kind: RejectionKind, detail: string) => void,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    refuse('badRequest', `405 ${req.method} ${target.pathname}`);
    answer(
      res,
      { ...headers, Allow: 'GET, HEAD' },
      405,
      `${req.method} is not allowed here (GET, HEAD)`,
      false,
    );
    return;
  }
  const pathname = target.pathname;
  const file = resolveStaticPath(root, pathname);
  const info = file ? await stat(file).catch(() => null) : null;
  if (!file || !info?.isFile()) {
    answer(res, headers, 404, 'not found', false);
    return;
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': contentType(file),
    'Content-Length': String(info.size),
    'Cache-Control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
