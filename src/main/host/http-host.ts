/**
 * The headless host: serves the built renderer over HTTP on 127.0.0.1 with the same COOP/COEP/CSP
 * headers as the Electron app:// protocol, and streams the engine's binary frames to each browser
 * over a WebSocket at /stream. Binding another interface needs token authentication, which is not
 * built yet, so it is refused.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { CONFIG_PATH, FEED_COMMAND_PATH, SESSIONS_PATH, STREAM_PATH } from '../../common/api.ts';
import type { FrameSink } from '../publisher/frame-sink.ts';
import { type ConfigAccess, handleConfig, handleFeedCommand, handleSessions } from './api-endpoints.ts';
import { securityHeaders } from './security-headers.ts';
import { contentType, resolveStaticPath } from './static-files.ts';

export interface FrameSource {
  addSink(sink: FrameSink): () => void;
}

export interface HostOptions {
  host?: string;
  port: number;
  /** Folder of the built renderer (index.html and assets). */
  root: string;
  source: FrameSource;
  /** Serves /api/config and /api/feed-command when given (the settings panel, the feed chips). */
  config?: ConfigAccess;
  maxClients?: number;
  log?: (line: string) => void;
}

export interface HostStats {
  requests: number;
  rejected: number;
  clients: number;
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

export class HttpHost {
  readonly url: string;
  readonly stats: HostStats;
  private readonly server: Server;
  private readonly wss: WebSocketServer;

  private constructor(server: Server, wss: WebSocketServer, url: string, stats: HostStats) {
    this.server = server;
    this.wss = wss;
    this.url = url;
    this.stats = stats;
  }

  static async start(opts: HostOptions): Promise<HttpHost> {
    const host = opts.host ?? '127.0.0.1';
    if (!LOOPBACK.has(host)) {
      throw new Error(
        `refusing to listen on ${host}: only loopback is allowed until token authentication exists`,
      );
    }
    const headers = securityHeaders({ dev: false });
    const stats: HostStats = { requests: 0, rejected: 0, clients: 0 };
    const maxClients = opts.maxClients ?? 32;
    const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });

    const server = createServer((req, res) => {
      stats.requests++;
      if (!isLoopbackHost(req.headers.host)) {
        // DNS rebinding: a page from another site whose name now resolves to 127.0.0.1.
        stats.rejected++;
        res.writeHead(421, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('this server answers only to 127.0.0.1, localhost or [::1]\n');
        return;
      }
      const path = (req.url ?? '').split('?')[0];
      const handler =
        path === CONFIG_PATH && opts.config
          ? handleConfig(req, res, headers, opts.config)
          : path === FEED_COMMAND_PATH && opts.config
            ? handleFeedCommand(req, res, headers, opts.config)
            : path === SESSIONS_PATH && opts.config
              ? handleSessions(req, res, headers, opts.config)
              : serveStatic(opts.root, req, res, headers);
      void handler.catch(() => {
        if (!res.headersSent) res.writeHead(500, headers);
        res.end();
      });
    });
    server.on('upgrade', (req, socket, head) => {
      const path = (req.url ?? '').split('?')[0];
      const origin = req.headers.origin;
      const sameOrigin =
        isLoopbackHost(req.headers.host) && (origin === undefined || origin === `http://${req.headers.host}`);
      if (path !== STREAM_PATH || !sameOrigin || stats.clients >= maxClients) {
        stats.rejected++;
        const status =
          path !== STREAM_PATH ? '404 Not Found' : sameOrigin ? '503 Service Unavailable' : '403 Forbidden';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => attachClient(ws, req, opts, stats));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const display = host === '::1' ? '[::1]' : host;
    return new HttpHost(server, wss, `http://${display}:${port}/`, stats);
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function attachClient(ws: WebSocket, req: IncomingMessage, opts: HostOptions, stats: HostStats): void {
  stats.clients++;
  const sink: FrameSink = {
    name: `ws:${req.socket.remoteAddress}:${req.socket.remotePort}`,
    send(frame, done) {
      if (ws.readyState !== ws.OPEN) return done();
      ws.send(frame, { binary: true }, () => done());
    },
    busy: () => ws.bufferedAmount > MAX_BUFFERED,
  };
  const remove = opts.source.addSink(sink);
  ws.on('message', () => {
    // The stream is one-way; commands arrive in a later issue. Say so instead of ignoring silently.
    ws.close(1003, 'this stream accepts no messages');
  });
  ws.on('error', () => {});
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
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const pathname = new URL(req.url ?? '/', 'http://host').pathname;
  const file = resolveStaticPath(root, pathname);
  const info = file ? await stat(file).catch(() => null) : null;
  if (!file || !info?.isFile()) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
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
  createReadStream(file).pipe(res);
}
