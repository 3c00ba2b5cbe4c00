import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { HttpHost, isLoopbackHost } from '../../src/main/host/http-host.ts';
import { contentType, resolveStaticPath } from '../../src/main/host/static-files.ts';
import type { FrameSink } from '../../src/main/publisher/frame-sink.ts';

// A renderer folder with a secret beside it that no request may reach.
const parent = mkdtempSync(join(tmpdir(), 'tickscope-host-'));
const root = join(parent, 'renderer');
mkdirSync(join(root, 'assets'), { recursive: true });
writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(parent, 'tickscope-secret.txt'), 'secret');

const sinks: FrameSink[] = [];
let host: HttpHost;
before(async () => {
  host = await HttpHost.start({
    port: 0,
    root,
    source: {
      addSink(s) {
        sinks.push(s);
        return () => sinks.splice(sinks.indexOf(s), 1);
      },
    },
  });
});
after(async () => {
  await host.close();
  rmSync(parent, { recursive: true, force: true });
});

test('static paths cannot leave the renderer folder', () => {
  assert.equal(resolveStaticPath(root, '/'), join(root, 'index.html'));
  assert.equal(resolveStaticPath(root, '/assets/app.js'), join(root, 'assets', 'app.js'));
  for (const bad of [
    '/../tickscope-secret.txt',
    '/%2e%2e/tickscope-secret.txt',
    '/a/%2E%2E/%2E%2E/x',
    '/x%00',
    '/..%5c..%5cx',
    '/%E0%A4%A',
  ]) {
    assert.equal(resolveStaticPath(root, bad), null, bad);
  }
});

test('static files carry the types the page needs, WebAssembly included', () => {
  assert.equal(contentType('/r/index.html'), 'text/html; charset=utf-8');
  assert.equal(contentType('/r/assets/app.JS'), 'text/javascript; charset=utf-8');
  assert.equal(contentType('/r/assets/inter.woff2'), 'font/woff2');
  // instantiateStreaming refuses a module of any other type
  assert.equal(contentType('/r/assets/codec.wasm'), 'application/wasm');
  assert.equal(contentType('/r/unknown.bin'), 'application/octet-stream');
});

test('the host serves the page with COOP, COEP and a strict CSP on every response', async () => {
  for (const path of ['/', '/assets/app.js', '/missing']) {
    const res = await fetch(new URL(path, host.url));
    assert.equal(res.status, path === '/missing' ? 404 : 200, path);
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    await res.arrayBuffer();
  }
  const js = await fetch(new URL('/assets/app.js', host.url));
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  await js.arrayBuffer();
  const post = await fetch(host.url, { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  await post.arrayBuffer();
});

test('the host listens on loopback by default; any other address gets a generated token', async () => {
  assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(host.token, null);
  const wide = await HttpHost.start({ host: '0.0.0.0', port: 0, root, source: { addSink: () => () => {} } });
  try {
    assert.match(wide.token ?? '', /^[A-Za-z0-9_-]{43}$/);
    const port = new URL(wide.url).port;
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 401);
    await res.arrayBuffer();
  } finally {
    await wide.close();
  }
});

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

test('frames reach a same-origin WebSocket client; foreign origins and other paths are refused', async () => {
  const wsUrl = host.url.replace('http', 'ws') + 'stream';
  const ws = await open(wsUrl, { Origin: host.url.slice(0, -1) });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(sinks.length, 1);
  const got = new Promise<Buffer>((resolve) => ws.once('message', (d: Buffer) => resolve(d)));
  let released = false;
  sinks[0]!.send(new Uint8Array([1, 2, 3]), () => {
    released = true;
  });
  assert.deepEqual([...(await got)], [1, 2, 3]);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(released, true, 'the pooled buffer is released once the write completes');
  ws.close();
  await assert.rejects(open(wsUrl, { Origin: 'http://evil.example' }), /403/);
  await assert.rejects(open(host.url.replace('http', 'ws') + 'other'), /404/);
  assert.ok(host.stats.rejected >= 2);
});

test('a rebound foreign host name is refused (DNS rebinding), loopback names are served', async () => {
  const { port } = new URL(host.url);
  const get = (hostHeader: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: hostHeader } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  assert.equal(await get('evil.example:1234'), 421);
  assert.equal(await get(`127.0.0.1.evil.example:${port}`), 421);
  assert.equal(await get(`localhost:${port}`), 200);
  assert.equal(await get(`127.0.0.1:${port}`), 200);
  assert.equal(isLoopbackHost('[::1]:8787'), true);
  assert.equal(isLoopbackHost(undefined), false);
});
