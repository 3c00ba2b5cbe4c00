/**
 * Serves a recorded fixture session (../shared/fixtures/V-*.jsonl, one text frame per line) on
 * 127.0.0.1: the first WebSocket connection gets every line once it has sent its first
 * subscription; later connections stay silent. Binance's REST depth snapshot is served from
 * binance-depth-snapshot.json. For tests of the real feed worker against real frames.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

export const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));

export function fixtureLines(name: string): string[] {
  return readFileSync(`${FIXTURES}${name}.jsonl`, 'utf8').trim().split('\n');
}

export interface FixtureServer {
  url: string;
  restUrl: string;
  /** Client → server messages, in order. */
  received: string[];
  restCalls: string[];
  close(): Promise<void>;
}

export async function serveFixture(name: string): Promise<FixtureServer> {
  const lines = fixtureLines(name);
  const snapshot = readFileSync(`${FIXTURES}binance-depth-snapshot.json`);
  const received: string[] = [];
  const restCalls: string[] = [];
  const http: Server = createServer((req, res) => {
    restCalls.push(req.url ?? '');
    if (req.url?.startsWith('/api/v3/depth')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(snapshot);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  const wss = new WebSocketServer({ server: http });
  let served = false;
  wss.on('connection', (ws) => {
    const first = !served;
    served = true;
    let started = false;
    ws.on('message', (d) => {
      received.push(d.toString());
      if (!first || started) return;
      started = true;
      for (const l of lines) ws.send(l);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/`,
    restUrl: `http://127.0.0.1:${port}`,
    received,
    restCalls,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
