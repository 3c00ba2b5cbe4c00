/**
 * The headless host's defences, against a real server on 127.0.0.1 forced into token mode (only
 * loopback exists here): the token on every path and on the WebSocket upgrade, the ?token= → cookie
 * exchange, Bearer, the origin check, and every limit — clients, connections, body, header size,
 * slow-loris, inbound and oversized WebSocket messages — each answered with a status, counted.
 */
import assert from 'node:assert/strict';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type WebSocket from 'ws';
import {
  checkRequestToken,
  cookieValues,
  generateToken,
  readTokenFile,
  tokenMatches,
} from '../../src/main/host/auth.ts';
import { HttpHost } from '../../src/main/host/http-host.ts';
import { RejectionLog, zeroCounts } from '../../src/main/host/rejections.ts';
import {
  closed,
  httpRequest,
  makeRenderer,
  nextFrames,
  openWs,
  RecordingAccess,
  rawExchange,
  TickingSource,
} from '../helpers/host-fixture.ts';

const { parent, root } = makeRenderer();
const source = new TickingSource(10);
const access = new RecordingAccess();
const logLines: string[] = [];
let host: HttpHost;
let port: number;
let token: string;
let wsUrl: string;
let cookie: string;

before(async () => {
  host = await HttpHost.start({
    port: 0,
    root,
    source,
    config: access,
    requireToken: true,
    maxClients: 3,
    log: (l) => logLines.push(l),
    limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 50, maxHeaderBytes: 4096 },
  });
  port = Number(new URL(host.url).port);
  token = host.token!;
  wsUrl = `ws://127.0.0.1:${port}/stream`;
  cookie = `tickscope_token_${port}=${token}`;
});
after(async () => {
  source.stop();
  await host.close();
  rmSync(parent, { recursive: true, force: true });
});

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const origin = () => ({ origin: `http://127.0.0.1:${port}` });

test('the generated token is 32 random bytes in base64url, compared in constant time', () => {
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(generateToken(), generateToken());
  assert.equal(tokenMatches(token, token), true);
  assert.equal(tokenMatches(token, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`), false);
  assert.equal(tokenMatches(token, token.slice(0, 10)), false);
  assert.equal(tokenMatches(token, ''), false);
  assert.equal(tokenMatches(token, undefined), false);
  assert.deepEqual(cookieValues(`a=1; tickscope_token_1="x y"; tickscope_token_1=z`, 'tickscope_token_1'), [
    'x y',
    'z',
  ]);
  assert.deepEqual(cookieValues(undefined, 'a'), []);
});

test('without a token: 401 with a reason and WWW-Authenticate on /, on /api/config and on the /stream upgrade', async () => {
  const before = host.stats.unauthorized;
  const page = await httpRequest(port, { path: '/' });
  assert.equal(page.status, 401);
  assert.equal(page.headers['www-authenticate'], 'Bearer realm="tickscope"');
  assert.match(page.body, /access token/);
  const api = await httpRequest(port, { path: '/api/config' });
  assert.equal(api.status, 401);
  assert.match(JSON.parse(api.body).error, /access token/);
  const asset = await httpRequest(port, { path: '/assets/app.js' });
  assert.equal(asset.status, 401);
  await assert.rejects(openWs(wsUrl, origin()), /401: .*access token/);
  assert.equal(host.stats.unauthorized - before, 4);
  assert.ok(logLines.some((l) => l.includes('(unauthorized)')));
  assert.ok(!logLines.some((l) => l.includes(token)), 'the token is never logged');
});

test('a wrong token (same length, other length) is refused on every carrier', async () => {
  const flipped = token.slice(0, -1) + (token.endsWith('x') ? 'y' : 'x');
  const before = host.stats.unauthorized;
  for (const wrong of [flipped, 'short', `${token}x`]) {
    assert.equal((await httpRequest(port, { path: '/', headers: bearer(wrong) })).status, 401, wrong);
    const viaCookie = await httpRequest(port, {
      path: '/',
      headers: { cookie: `tickscope_token_${port}=${wrong}` },
    });
    assert.equal(viaCookie.status, 401);
    assert.match(viaCookie.body, /does not match/);
    const viaQuery = await httpRequest(port, { path: `/?token=${encodeURIComponent(wrong)}` });
    assert.equal(viaQuery.status, 401);
    assert.equal(viaQuery.headers['set-cookie'], undefined);
    await assert.rejects(openWs(wsUrl, { ...origin(), ...bearer(wrong) }), /401/);
  }
  // Another port's cookie is not this host's.
  const other = await httpRequest(port, { path: '/', headers: { cookie: `tickscope_token_1=${token}` } });
  assert.equal(other.status, 401);
  assert.equal(host.stats.unauthorized - before, 13);
  assert.equal(access.applied.length, 0);
});

test('?token= is traded for an HttpOnly SameSite=Strict cookie and a 303 without it; the cookie opens HTTP and the stream', async () => {
  const r = await httpRequest(port, { path: `/?token=${token}&view=latency` });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/?view=latency');
  const set = String(r.headers['set-cookie']);
  assert.match(set, new RegExp(`^tickscope_token_${port}=${token};`));
  assert.match(set, /; HttpOnly/);
  assert.match(set, /; SameSite=Strict/);
  assert.match(set, /; Path=\//);
  assert.equal(r.headers['cache-control'], 'no-store');
  // The redirect never leaves the site, however the path is spelled.
  const sneaky = await httpRequest(port, { path: `/.//evil.example/x?token=${token}` });
  assert.equal(sneaky.status, 303);
  assert.match(String(sneaky.headers.location), /^\/[^/]/);
  // A page load that began on another site gets a same-origin refresh (Strict cookies are withheld
  // across a redirect that started elsewhere).
  const cross = await httpRequest(port, {
    path: `/?token=${token}`,
    headers: { 'sec-fetch-site': 'cross-site' },
  });
  assert.equal(cross.status, 200);
  assert.match(cross.body, /http-equiv="refresh" content="0;url=\/"/);
  assert.match(String(cross.headers['set-cookie']), /HttpOnly/);

  const page = await httpRequest(port, { path: '/', headers: { cookie: `other=1; ${cookie}` } });
  assert.equal(page.status, 200);
  assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
  const api = await httpRequest(port, { path: '/api/config', headers: { cookie } });
  assert.equal(api.status, 200);
  assert.equal(JSON.parse(api.body).version, 1);
  const ws = await openWs(wsUrl, { ...origin(), cookie });
  const frames = await nextFrames(ws, 3);
  assert.equal(frames.length, 3);
  ws.close();
  await closed(ws);
});

test('Authorization: Bearer works for HTTP and the stream; a token-mode host answers to any well-formed name', async () => {
  const r = await httpRequest(port, { path: '/api/config', headers: bearer(token) });
  assert.equal(r.status, 200);
  const named = await httpRequest(port, {
    path: '/',
    headers: { ...bearer(token), host: `tickscope.lan:${port}` },
  });
  assert.equal(named.status, 200);
  const garbled = await httpRequest(port, { path: '/', headers: { ...bearer(token), host: 'a b/c' } });
  assert.ok([400, 421].includes(garbled.status), String(garbled.status));
  const ws = await openWs(wsUrl, bearer(token));
  assert.equal((await nextFrames(ws, 2)).length, 2);
  ws.close();
  await closed(ws);
});

test('a cross-origin stream is refused 403, counted', async () => {
  const before = host.stats.forbiddenOrigin;
  await assert.rejects(
    openWs(wsUrl, { ...bearer(token), origin: 'http://evil.example' }),
    /403: .*evil\.example/,
  );
  await assert.rejects(openWs(wsUrl, { ...bearer(token), origin: `https://127.0.0.1:${port}` }), /403/);
  assert.equal(host.stats.forbiddenOrigin - before, 2);
  // A cross-origin POST is refused before its body is read.
  const post = await httpRequest(port, {
    method: 'POST',
    path: '/api/config',
    headers: { ...bearer(token), origin: 'http://evil.example', 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(post.status, 403);
  assert.equal(access.applied.length, 0);
});

test('WebSocket clients over the cap get 503, counted; a closed slot is free again', async () => {
  const before = host.stats.tooManyClients;
  const open: WebSocket[] = [];
  for (let i = 0; i < 3; i++) open.push(await openWs(wsUrl, bearer(token)));
  await assert.rejects(openWs(wsUrl, bearer(token)), /503: too many dashboards/);
  assert.equal(host.stats.tooManyClients - before, 1);
  open[0]!.close();
  await closed(open[0]!);
  const again = await openWs(wsUrl, bearer(token));
  for (const ws of [again, ...open.slice(1)]) {
    ws.close();
    await closed(ws);
  }
});

test('a body over 64 KiB gets 413 (declared or streamed), counted; nothing is applied', async () => {
  const before = host.stats.bodyTooLarge;
  const big = JSON.stringify({ version: 1, pad: 'x'.repeat(70 * 1024) });
  const declared = await httpRequest(port, {
    method: 'POST',
    path: '/api/config',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: big,
  });
  assert.equal(declared.status, 413);
  assert.match(JSON.parse(declared.body).errors[0], /body over 65536 bytes/);
  // Chunked: no length given, refused once the count passes the cap.
  const streamed = await new Promise<string>((resolve) => {
    const c = connect(port, '127.0.0.1', () => {
      c.write(
        `POST /api/config HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n` +
          'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      const chunk = 'y'.repeat(16 * 1024);
      for (let i = 0; i < 6; i++) c.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    });
    let text = '';
    c.on('data', (d) => {
      text += d.toString('latin1');
    });
    c.on('close', () => resolve(text));
    c.on('error', () => {});
    setTimeout(() => c.destroy(), 3000);
  });
  assert.match(streamed, /^HTTP\/1\.1 413 /);
  assert.equal(host.stats.bodyTooLarge - before, 2);
  assert.equal(access.applied.length, 0);
});

test('headers over the cap get 431, malformed HTTP 400, both with a reason, counted', async () => {
  const before = { big: host.stats.headerTooLarge, bad: host.stats.badRequest };
  const r = await rawExchange(
    port,
    `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${'a'.repeat(8000)}\r\n\r\n`,
  );
  assert.match(r.text, /^HTTP\/1\.1 431 /);
  assert.match(r.text, /request line and headers over 4096 bytes/);
  assert.equal(r.closed, true);
  const bad = await rawExchange(port, 'BREW / HTTP/1.1\r\n\r\n');
  assert.match(bad.text, /^HTTP\/1\.1 400 /);
  assert.match(bad.text, /malformed HTTP request/);
  assert.equal(host.stats.headerTooLarge - before.big, 1);
  assert.equal(host.stats.badRequest - before.bad, 1);
});

test('a slow-loris client (partial headers) and a silent one are cut off by the header timeout, counted', async () => {
  const before = host.stats.timedOut;
  const [partial, silent] = await Promise.all([
    rawExchange(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `, 3000),
    rawExchange(port, null, 3000),
  ]);
  for (const r of [partial, silent]) {
    assert.equal(r.closed, true, 'the server closed the connection');
    assert.ok(r.ms >= 250 && r.ms < 2000, `closed after ${r.ms} ms`);
  }
  assert.match(partial.text, /^HTTP\/1\.1 408 /);
  assert.equal(host.stats.timedOut - before, 2);
  // Trickling a byte at a time does not reset the clock.
  const t0 = Date.now();
  const trickled = await new Promise<number>((resolve) => {
    const c = connect(port, '127.0.0.1');
    const timer = setInterval(() => c.writable && c.write('X'), 50);
    c.on('error', () => {});
    c.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - t0);
    });
    c.write('GET / HTTP/1.1\r\nX-Trickle: ');
    setTimeout(() => c.destroy(), 3000);
  });
  assert.ok(trickled < 2000, `trickling client held on for ${trickled} ms`);
});

test('a message on the one-way stream closes it with 1003; an oversized one with 1009; both counted', async () => {
  const before = { inbound: host.stats.wsInbound, bad: host.stats.wsBadFrame };
  const ws = await openWs(wsUrl, bearer(token));
  const end = closed(ws);
  ws.send('hello');
  const c = await end;
  assert.equal(c.code, 1003);
  assert.equal(c.reason, 'this stream accepts no messages');
  const ws2 = await openWs(wsUrl, bearer(token));
  const end2 = closed(ws2);
  ws2.send(Buffer.alloc(8192));
  assert.equal((await end2).code, 1009);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(host.stats.wsInbound - before.inbound, 1);
  assert.equal(host.stats.wsBadFrame - before.bad, 1);
  assert.equal(host.stats.clients, 0);
});

test('connections over the cap get 503 before a request is read, counted', async () => {
  const small = await HttpHost.start({ port: 0, root, source, limits: { maxConnections: 2 } });
  try {
    const p = Number(new URL(small.url).port);
    const held = [connect(p, '127.0.0.1'), connect(p, '127.0.0.1')];
    await new Promise((r) => setTimeout(r, 100));
    const r = await rawExchange(p, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`);
    assert.match(r.text, /^HTTP\/1\.1 503 /);
    assert.match(r.text, /too many connections/);
    assert.equal(small.stats.tooManyConnections, 1);
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await httpRequest(p, { path: '/' })).status, 200);
  } finally {
    await small.close();
  }
});

test('a fixed token must be long and cookie-safe; a token file must be private', async () => {
  await assert.rejects(HttpHost.start({ port: 0, root, source, token: 'short' }), /at least 32/);
  await assert.rejects(HttpHost.start({ port: 0, root, source, token: `${'a'.repeat(40)};x` }), /only hold/);
  const file = join(parent, 'token');
  writeFileSync(file, `${'k'.repeat(40)}\n`);
  chmodSync(file, 0o644);
  assert.throws(() => readTokenFile(file), /readable by others/);
  chmodSync(file, 0o600);
  assert.equal(readTokenFile(file), 'k'.repeat(40));
  const fixed = await HttpHost.start({ port: 0, root, source, token: readTokenFile(file) });
  try {
    assert.equal(fixed.token, 'k'.repeat(40));
    const p = Number(new URL(fixed.url).port);
    assert.equal((await httpRequest(p, { path: '/', headers: bearer('k'.repeat(40)) })).status, 200);
    assert.equal((await httpRequest(p, { path: '/' })).status, 401);
  } finally {
    await fixed.close();
  }
  // Unit: the request check needs one matching carrier.
  const fake = { headers: { authorization: 'Bearer nope', cookie: `c=${token}` } } as never;
  assert.equal(checkRequestToken(fake, token, 'c').ok, true);
});

test('refusals are logged once per kind per window, with a count of the rest', () => {
  let now = 0;
  const lines: string[] = [];
  const counts = { rejected: 0, ...zeroCounts() };
  const log = new RejectionLog(
    counts,
    (l) => lines.push(l),
    10_000,
    () => now,
  );
  for (let i = 0; i < 500; i++) log.refuse('unauthorized', `try ${i}`);
  log.refuse('badRequest', 'x');
  assert.equal(counts.unauthorized, 500);
  assert.equal(counts.rejected, 501);
  assert.equal(lines.length, 2);
  now = 10_001;
  log.refuse('unauthorized', 'later');
  assert.equal(lines.length, 3);
  assert.match(lines[2]!, /later \(and 499 more since the last such line\)/);
});
