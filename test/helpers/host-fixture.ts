/**
 * Test helper for the headless host's security and fuzz tests: a renderer folder with a secret
 * beside it, a frame source that ticks real frames to its sinks, a ConfigAccess backed by the real
 * validators (parseConfig, parseFeedCommand's callers see only valid commands) that records every
 * change, and small clients — raw TCP, HTTP with any header, WebSocket — each bounded by a timeout
 * so a hang fails the test instead of stalling it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ConfigReply, FeedCommand, SessionCommand } from '../../src/common/api.ts';
import { IDLE_SESSIONS } from '../../src/common/api.ts';
import { DEFAULT_CONFIG, parseConfig, type TickscopeConfig } from '../../src/common/config.ts';
import type { ConfigAccess } from '../../src/main/host/api-endpoints.ts';
import type { FrameSource } from '../../src/main/host/http-host.ts';
import type { FrameSink } from '../../src/main/publisher/frame-sink.ts';

export function makeRenderer(): { parent: string; root: string } {
  const parent = mkdtempSync(join(tmpdir(), 'tickscope-host-sec-'));
  const root = join(parent, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(parent, 'tickscope-secret.txt'), 'secret');
  return { parent, root };
}

/** Sends a 4-byte frame (a counter) to every sink every `everyMs`, as a publisher would. */
export class TickingSource implements FrameSource {
  readonly sinks = new Set<FrameSink>();
  sent = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(everyMs = 10) {
    this.timer = setInterval(() => {
      this.sent++;
      const frame = new Uint8Array(new Uint32Array([this.sent]).buffer);
      for (const s of this.sinks) if (!s.busy?.()) s.send(frame, () => {});
    }, everyMs);
  }
  addSink(sink: FrameSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** A ConfigAccess over the real validators; it records what reached the engine. */
export class RecordingAccess implements ConfigAccess {
  config: TickscopeConfig = structuredClone(DEFAULT_CONFIG);
  readonly applied: unknown[] = [];
  readonly feedCommands: { feedId: number; command: FeedCommand }[] = [];
  readonly sessionCommands: SessionCommand[] = [];
  get(): TickscopeConfig {
    return this.config;
  }
  async set(input: unknown): Promise<ConfigReply> {
    const r = parseConfig(input);
    if (!r.ok) return r;
    this.applied.push(input);
    this.config = r.config;
    return { ok: true, config: r.config, savedTo: null };
  }
  feedCommand(feedId: number, command: FeedCommand) {
    this.feedCommands.push({ feedId, command });
    return feedId === 1 ? { ok: true as const } : { ok: false as const, error: `no feed ${feedId}` };
  }
  async sessions() {
    return IDLE_SESSIONS;
  }
  async sessionCommand(command: SessionCommand) {
    this.sessionCommands.push(command);
    return { ok: false as const, error: 'not recording in this test' };
  }
}

export interface RawReply {
  /** Everything the server wrote. */
  text: string;
  /** The server closed the connection (rather than the timeout firing). */
  closed: boolean;
  ms: number;
}

/** True once `text` holds a whole response: its head, and as many body bytes as it announced. */
export function wholeResponse(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const len = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end));
  return len !== null && text.length - end - 4 >= Number(len[1]);
}

/**
 * Writes `data` on a fresh TCP connection and reads until the server closes it, `done(text)` says
 * enough arrived (a kept-alive connection stays open after its answer), or `timeoutMs`.
 */
export function rawExchange(
  port: number,
  data: Buffer | string | null,
  timeoutMs = 2000,
  done?: (text: string) => boolean,
): Promise<RawReply> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const chunks: Buffer[] = [];
    const c = connect(port, '127.0.0.1', () => {
      if (data !== null) c.write(data);
    });
    let finished = false;
    const finish = (closed: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      c.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    c.on('data', (d) => {
      chunks.push(d);
      if (done?.(Buffer.concat(chunks).toString('latin1'))) finish(false);
    });
    c.on('error', () => finish(true));
    c.on('close', () => finish(true));
  });
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly these headers (Host included, which fetch cannot set). */
export function httpRequest(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
  timeoutMs = 3000,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        // An explicit length: Node sends a DELETE's body without one, which the server would read
        // as the start of a next (malformed) request.
        headers: {
          host: `127.0.0.1:${port}`,
          ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}),
          ...opts.headers,
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Opens a WebSocket; resolves with it, or rejects with the refusal's status and body. */
export function openWs(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 3000,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: timeoutMs });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const err = new Error(`${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').trim()}`);
        reject(Object.assign(err, { status: res.statusCode }));
      });
    });
    ws.once('error', reject);
  });
}

/** Resolves with the next `n` binary messages of `ws`, or rejects after `timeoutMs`. */
export function nextFrames(ws: WebSocket, n: number, timeoutMs = 3000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      ws.off('message', on);
      reject(new Error(`only ${got.length} of ${n} frames in ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (d: Buffer) => {
      got.push(d);
      if (got.length >= n) {
        clearTimeout(timer);
        ws.off('message', on);
        resolve(got);
      }
    };
    ws.on('message', on);
  });
}

/** Resolves with the close code and reason once `ws` closes, or rejects after `timeoutMs`. */
export function closed(ws: WebSocket, timeoutMs = 3000): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}
