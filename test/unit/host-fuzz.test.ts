/**
 * Fuzzes the headless host's whole surface — raw TCP, HTTP request lines, paths and headers, the
 * JSON API, WebSocket handshakes and frames — with a real server in token mode on 127.0.0.1, a
 * ConfigAccess over the real validators and a ticking frame source. Raw cases come from a seeded
 * generator; JSON bodies and commands from fast-check (fixed seed). After every batch: the host
 * answers a good request, the configuration is what the accepted requests made it, nothing reached
 * the engine that the validators refuse, frames still reach a good client, Object.prototype is
 * clean. Every bad request gets a 4xx with a reason, never a 5xx, never silence (each bounded).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type WebSocket from 'ws';
import { parseFeedCommand, parseSessionCommand } from '../../src/common/api.ts';
import { parseConfig, type TickscopeConfig } from '../../src/common/config.ts';
import { HttpHost } from '../../src/main/host/http-host.ts';
import {
  httpRequest,
  makeRenderer,
  openWs,
  RecordingAccess,
  rawExchange,
  TickingSource,
  wholeResponse,
} from '../helpers/host-fixture.ts';
// mulberry32, seeded: the raw corpus is the same on every run.
import { rng as prng } from '../helpers/session-fixture.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 7_2026);
const { parent, root } = makeRenderer();
const source = new TickingSource(10);
const access = new RecordingAccess();
let host: HttpHost;
let port: number;
let token: string;
let good: WebSocket;
let goodFrames = 0;
/** What the configuration must be: changed only by requests the validator accepts. */
let expected: TickscopeConfig;
const logLines: string[] = [];
const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();

before(async () => {
  host = await HttpHost.start({
    port: 0,
    root,
    source,
    config: access,
    requireToken: true,
    maxClients: 64,
    limits: { headersTimeoutMs: 400, requestTimeoutMs: 800, checkIntervalMs: 50 },
    log: (l) => logLines.push(l),
  });
  port = Number(new URL(host.url).port);
  token = host.token!;
  expected = structuredClone(access.get());
  good = await openWs(`ws://127.0.0.1:${port}/stream`, { authorization: `Bearer ${token}` });
  good.on('message', () => goodFrames++);
});
after(async () => {
  good.close();
  source.stop();
  await host.close();
  const { rmSync } = await import('node:fs');
  rmSync(parent, { recursive: true, force: true });
});

/** The host is healthy and the engine untouched. */
async function assertHealthy(batch: string): Promise<void> {
  const r = await httpRequest(port, { path: '/api/config', headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200, `${batch}: the host still answers`);
  assert.deepEqual(JSON.parse(r.body), expected, `${batch}: the configuration is untouched`);
  const page = await httpRequest(port, { path: '/', headers: { authorization: `Bearer ${token}` } });
  assert.equal(page.status, 200);
  const before = goodFrames;
  await new Promise((r) => setTimeout(r, 60));
  assert.ok(goodFrames > before, `${batch}: frames still reach a good client`);
  assert.equal(good.readyState, good.OPEN);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoKeys);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(
    host.stats.internalError,
    0,
    `${batch}: a handler threw: ${logLines.filter((l) => l.includes('internalError')).join('\n')}`,
  );
}

interface Parsed {
  status: number;
  headers: string;
  body: string;
}

/** The first response in raw bytes, if a complete head arrived. */
function firstResponse(text: string): Parsed | null {
  const m = /^HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
  if (!m) return null;
  return { status: Number(m[1]), headers: m[2]!, body: m[3]! };
}

/** A refusal must carry a reason: a body, or a Content-Length over zero (HEAD sends none). */
function hasReason(p: Parsed): boolean {
  const len = /content-length:\s*(\d+)/i.exec(p.headers);
  return p.body.length > 0 || (len !== null && Number(len[1]) > 0);
}

const TRAVERSALS = [
  '/../tickscope-secret.txt',
  '/%2e%2e/tickscope-secret.txt',
  '/%2E%2E%2Ftickscope-secret.txt',
  '/assets/../../tickscope-secret.txt',
  '/assets/%2e%2e/%2e%2e/tickscope-secret.txt',
  '/..%5ctickscope-secret.txt',
  '/%c0%ae%c0%ae/tickscope-secret.txt',
  '/index.html%00.js',
  '/%00',
  '/.%2e/.%2e/tickscope-secret.txt',
  '//../tickscope-secret.txt',
  '/./../tickscope-secret.txt',
];
const BAD_ENCODINGS = ['/%', '/%z', '/%zz', '/%E0%A4%A', '/%ff%fe', '/a%', '/api/config%'];
const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'BREW',
  'get',
  'G\tET',
  'CONNECT',
  'PRI',
];
const TARGETS = [
  '/',
  '/index.html',
  '/assets/app.js',
  '/api/config',
  '/api/sessions',
  '/api/feed-command',
  '/stream',
  '*',
  'http://a:b:c/',
  'http://evil.example/',
  'evil.example:443',
  '//evil.example/x',
];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'HTTP/1', 'HTTX/1.1', '', 'HTTP/1.1 extra'];

function pick<T>(rng: () => number, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

/** One raw request: a valid skeleton with one or more things spoiled, or plain garbage. */
function rawCase(rng: () => number): { data: Buffer; authed: boolean } {
  const authed = rng() < 0.5;
  const auth = authed ? `Authorization: Bearer ${token}\r\n` : '';
  const host = `Host: 127.0.0.1:${port}\r\n`;
  const kind = Math.floor(rng() * 11);
  const req = (method: string, target: string, version = 'HTTP/1.1', extra = '', body = '') =>
    Buffer.from(`${method} ${target} ${version}\r\n${host}${auth}${extra}\r\n${body}`, 'latin1');
  switch (kind) {
    case 0: {
      const b = Buffer.alloc(1 + Math.floor(rng() * 2000));
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(rng() * 256);
      return { data: b, authed };
    }
    case 1: {
      const full = req('GET', '/');
      return { data: full.subarray(0, Math.floor(rng() * full.length)), authed };
    }
    case 2:
      return { data: req(pick(rng, METHODS), pick(rng, TARGETS), pick(rng, VERSIONS)), authed };
    case 3:
      return { data: req('GET', `/${'a'.repeat(10_000 + Math.floor(rng() * 30_000))}`), authed };
    case 4:
      return { data: req(rng() < 0.5 ? 'GET' : 'HEAD', pick(rng, BAD_ENCODINGS)), authed };
    case 5:
      return { data: req('GET', pick(rng, TRAVERSALS)), authed };
    case 6: {
      const spoilt = pick(rng, [
        'Content-Length: 5\r\nContent-Length: 7\r\n',
        'Content-Length: -1\r\n',
        'Content-Length: 99999999999999999999\r\n',
        'Transfer-Encoding: chunked\r\nContent-Length: 3\r\n',
        'Transfer-Encoding: gzip, chunked, identity\r\n',
        'Bad Header: x\r\n',
        'NoColon\r\n',
        ' folded: continuation\r\n',
        `X: ${'\u0001\u007f'}\r\n`,
        `Cookie: ${'a=b; '.repeat(5000)}\r\n`,
        `Authorization: Bearer ${'x'.repeat(20_000)}\r\n`,
        'Authorization: Basic Zm9vOmJhcg==\r\n',
        `Cookie: tickscope_token_${port}="${token}\r\n`,
        'Host: evil.example\r\n',
        'Host: \r\n',
        'Expect: 100-continue\r\n',
      ]);
      return {
        data: req(pick(rng, ['GET', 'POST']), pick(rng, TARGETS.slice(0, 6)), 'HTTP/1.1', spoilt),
        authed,
      };
    }
    case 7: {
      const chunks = pick(rng, [
        'zz\r\nabc\r\n0\r\n\r\n',
        '5\r\nab\r\n',
        'ffffffffffffffff\r\n',
        '3;ext=' + 'e'.repeat(20_000) + '\r\nabc\r\n0\r\n\r\n',
        '0\r\n\r\n',
      ]);
      return {
        data: req(
          'POST',
          '/api/config',
          'HTTP/1.1',
          'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n',
          chunks,
        ),
        authed,
      };
    }
    case 8: {
      // Bad WebSocket handshakes.
      const ws = pick(rng, [
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n',
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n',
        'Upgrade: h2c\r\nConnection: Upgrade\r\n',
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: abc\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://evil.example\r\n',
      ]);
      return {
        data: req(
          pick(rng, ['GET', 'POST', 'GET', 'GET']),
          pick(rng, ['/stream', '/stream', '/', '/x']),
          'HTTP/1.1',
          ws,
        ),
        authed,
      };
    }
    case 9: {
      const full = req(
        'POST',
        '/api/config',
        'HTTP/1.1',
        'Content-Type: application/json\r\nContent-Length: 12\r\n',
        '{"version":1',
      );
      for (let i = 0; i < 3; i++) full[Math.floor(rng() * full.length)] = Math.floor(rng() * 256);
      return { data: full, authed };
    }
    default: {
      let s = '';
      const n = Math.floor(rng() * 300);
      for (let i = 0; i < n; i++) s += String.fromCharCode(32 + Math.floor(rng() * 95));
      return { data: Buffer.from(`${s}\r\n\r\n`), authed };
    }
  }
}

test('raw TCP: garbage, truncated, malformed and hostile requests all get a status with a reason', async () => {
  const rng = prng(SEED);
  const statuses = new Map<number, number>();
  for (let batch = 0; batch < 8; batch++) {
    const cases = Array.from({ length: 30 }, () => rawCase(rng));
    const replies = await Promise.all(
      cases.map((c) => {
        // Enough once a whole answer is in: a kept-alive connection, or a stream, stays open after it.
        const headOnly = c.data.subarray(0, 5).toString('latin1') === 'HEAD ';
        return rawExchange(
          port,
          c.data,
          2500,
          (t) => t.includes('\r\n\r\n') && (headOnly || t.startsWith('HTTP/1.1 101') || wholeResponse(t)),
        );
      }),
    );
    replies.forEach((r, i) => {
      const c = cases[i]!;
      const what = JSON.stringify(c.data.subarray(0, 120).toString('latin1'));
      if (process.env.FUZZ_DEBUG && r.ms > 1000)
        console.log(r.ms, r.closed, what, JSON.stringify(r.text.slice(0, 200)));
      const p = firstResponse(r.text);
      assert.ok(p, `no answer within 2.5 s to ${what} (got ${JSON.stringify(r.text.slice(0, 80))})`);
      statuses.set(p.status, (statuses.get(p.status) ?? 0) + 1);
      assert.ok(p.status < 500, `${p.status} for ${what}`);
      if (p.status >= 400) assert.ok(hasReason(p), `${p.status} without a reason for ${what}`);
      if (!c.authed && p.status < 400) assert.fail(`${p.status} without the token for ${what}`);
      assert.ok(!r.text.includes('secret'), `a file outside the renderer leaked for ${what}`);
    });
    await assertHealthy(`raw batch ${batch}`);
  }
  // The corpus reached every kind of refusal, not only one.
  for (const s of [400, 401, 404, 408, 431]) assert.ok(statuses.has(s), `no ${s} in ${[...statuses]}`);
  assert.equal(access.applied.length, 0);
  assert.equal(access.sessionCommands.length, 0);
});

test('paths: traversal, NUL, bad percent-encoding and huge URLs never leave the renderer folder', async () => {
  const rng = prng(SEED + 1);
  const paths = [...TRAVERSALS, ...BAD_ENCODINGS];
  for (let i = 0; i < 60; i++) {
    let p = '/';
    const n = 1 + Math.floor(rng() * 6);
    for (let j = 0; j < n; j++)
      p += `${pick(rng, ['..', '%2e%2e', '%2E.', '.', 'assets', '%00', '%5c', '%2f', 'index.html', '%', 'tickscope-secret.txt', '\u00e9', '~'])}/`;
    paths.push(p.slice(0, -1));
  }
  const replies = await Promise.all(
    paths.map((path) =>
      rawExchange(
        port,
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
      ),
    ),
  );
  replies.forEach((r, i) => {
    const p = firstResponse(r.text);
    assert.ok(p, `no answer to ${paths[i]}`);
    assert.ok([200, 400, 404].includes(p.status), `${p.status} for ${paths[i]}`);
    if (p.status === 200) assert.doesNotMatch(p.body, /secret/, paths[i]);
    else assert.ok(hasReason(p), paths[i]);
  });
  await assertHealthy('paths');
});

/** Body variants fast-check builds: arbitrary JSON, hostile keys, deep nesting, near-valid commands. */
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'polluted',
  'toString',
  'hasOwnProperty',
);
const near = {
  config: fc.record(
    {
      version: fc.oneof(fc.constant(1), fc.jsonValue()),
      simulator: fc.oneof(
        fc.record(
          {
            venues: fc.oneof(fc.array(fc.constantFrom('binance', 'okx', 'kraken', 'nyse')), fc.jsonValue()),
            rate: fc.oneof(fc.integer({ min: -5, max: 20_000_000 }), fc.constant('max'), fc.double()),
            seed: fc.oneof(fc.integer(), fc.double()),
            symbols: fc.array(fc.oneof(fc.constantFrom('BTC-USDT', 'ETH/USD'), fc.string())),
            faults: fc.string(),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
      feeds: fc.oneof(
        fc.array(fc.dictionary(fc.oneof(fc.string(), hostileKey), fc.jsonValue()), { maxLength: 20 }),
        fc.jsonValue(),
      ),
    },
    { requiredKeys: [] },
  ),
  'feed-command': fc.record(
    {
      feedId: fc.oneof(fc.integer({ min: -2, max: 70_000 }), fc.double(), fc.string()),
      command: fc.oneof(fc.constantFrom('reconnect', 'roll', 'resync', 'explode'), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
  sessions: fc.record(
    {
      action: fc.oneof(
        fc.constantFrom('record', 'stop', 'rename', 'delete', 'replay', 'seek', 'export', 'rm -rf'),
        fc.jsonValue(),
      ),
      name: fc.oneof(fc.constantFrom('../etc', 'a/b', 'ok', '\u0000', 'x'.repeat(200)), fc.jsonValue()),
      to: fc.jsonValue(),
      speed: fc.oneof(fc.constant('max'), fc.double()),
      format: fc.constantFrom('csv', 'jsonl', 'exe'),
    },
    { requiredKeys: [] },
  ),
};
/** Accepted bodies, so the oracle also sees what does reach the engine. */
const VALID = {
  config: [{}, { version: 1, simulator: { rate: 500, venues: ['okx'] } }, { feeds: [] }],
  'feed-command': [
    { feedId: 1, command: 'roll' },
    { feedId: 7, command: 'resync' },
  ],
  sessions: [
    { action: 'stop' },
    { action: 'delete', name: 'a' },
    { action: 'replay', name: 'b', speed: 'max' },
  ],
};
const endpoint = fc.constantFrom('config', 'feed-command', 'sessions') as fc.Arbitrary<keyof typeof near>;
const body = (ep: keyof typeof near) =>
  fc.oneof(
    { weight: 4, arbitrary: near[ep].map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom(...VALID[ep]).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(hostileKey, fc.jsonValue(), fc.constantFrom('', 'simulator', 'feeds'))
        .map(([k, v, wrap]) => {
          const inner = `{${JSON.stringify(k)}:{"polluted":${JSON.stringify(v)}}}`;
          return wrap ? `{${JSON.stringify(wrap)}:${inner}}` : inner;
        }),
    },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 30_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 5_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '{"version":1',
        'null',
        '\uFEFF{}',
        'NaN',
        '1e999999',
        `"${'a'.repeat(70_000)}"`,
      ),
    },
  );
const auth = fc.constantFrom(
  'bearer',
  'bearer',
  'bearer',
  'bearer',
  'bearer',
  'cookie',
  'none',
  'wrong',
  'wrong-length',
);
const ctype = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  null,
);
const method = fc.constantFrom('POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE');

test('JSON API: random, hostile and near-valid bodies reach the engine only when the validators accept them', async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      endpoint.chain((ep) => fc.tuple(fc.constant(ep), body(ep), auth, ctype, method)),
      async ([ep, text, how, type, m]) => {
        runs++;
        const headers: Record<string, string> = {};
        if (how === 'bearer') headers.authorization = `Bearer ${token}`;
        if (how === 'cookie') headers.cookie = `tickscope_token_${port}=${token}`;
        if (how === 'wrong') headers.authorization = `Bearer ${token.slice(1)}x`;
        if (how === 'wrong-length') headers.authorization = `Bearer ${token}${token}`;
        if (type) headers['content-type'] = type;
        const applied = access.applied.length;
        const rejectedBefore = host.stats.rejected;
        const feedCommands = access.feedCommands.length;
        const sessionCommands = access.sessionCommands.length;
        const r = await httpRequest(port, {
          method: m,
          path: `/api/${ep}`,
          headers,
          body: m === 'GET' ? undefined : text,
        });
        const what = `${m} /api/${ep} (${how}, ${type}) ${text.slice(0, 100)}`;
        assert.ok(host.stats.rejected - rejectedBefore <= 1, `one refusal counted once: ${what}`);
        assert.ok(r.status < 500, `${r.status} for ${what}`);
        if (r.status >= 400) assert.ok(r.body.length > 0, `${r.status} without a reason for ${what}`);
        const authed = how === 'bearer' || how === 'cookie';
        let parsed: unknown;
        let isJson = true;
        try {
          parsed = JSON.parse(text);
        } catch {
          isJson = false;
        }
        const jsonType = type?.toLowerCase().startsWith('application/json') === true;
        const expectReach =
          authed && m === 'POST' && jsonType && isJson && Buffer.byteLength(text) <= 64 * 1024;
        if (!authed) assert.equal(r.status, 401, what);
        else if (m === 'GET' && ep !== 'feed-command') assert.equal(r.status, 200, what);
        else if (m !== 'POST') assert.equal(r.status, 405, what);
        else if (!jsonType) assert.equal(r.status, 415, what);
        else if (Buffer.byteLength(text) > 64 * 1024) assert.equal(r.status, 413, what);
        else if (!isJson) assert.equal(r.status, 400, what);
        if (!expectReach) {
          assert.equal(access.applied.length, applied, `nothing applied: ${what}`);
          assert.equal(access.feedCommands.length, feedCommands, what);
          assert.equal(access.sessionCommands.length, sessionCommands, what);
          return;
        }
        // The oracle: the same validators the host must have used, before anything reached the engine.
        if (ep === 'config') {
          const v = parseConfig(parsed);
          assert.equal(r.status, v.ok ? 200 : 422, what);
          if (v.ok) expected = v.config;
          assert.equal(access.applied.length, applied + (v.ok ? 1 : 0), what);
        } else if (ep === 'feed-command') {
          const v = parseFeedCommand(parsed);
          assert.equal(r.status, v.ok ? (v.feedId === 1 ? 200 : 404) : 422, what);
          assert.equal(access.feedCommands.length, feedCommands + (v.ok ? 1 : 0), what);
        } else {
          const v = parseSessionCommand(parsed);
          assert.equal(r.status, v.ok ? 409 : 422, what);
          assert.equal(access.sessionCommands.length, sessionCommands + (v.ok ? 1 : 0), what);
          if (v.ok) assert.deepEqual(access.sessionCommands.at(-1), v.command);
        }
        assert.deepEqual(access.get(), expected, what);
        assert.equal(({} as Record<string, unknown>).polluted, undefined, what);
      },
    ),
    { numRuns: 400, seed: SEED, endOnFailure: true },
  );
  assert.equal(runs, 400);
  if (process.env.FUZZ_DEBUG)
    console.log(
      'reached the engine:',
      access.applied.length,
      access.feedCommands.length,
      access.sessionCommands.length,
      host.stats,
    );
  await assertHealthy('json api');
});

/** Completes a real handshake by hand, then writes `frames` raw; resolves with how it ended. */
function wsRaw(
  frames: Buffer,
  timeoutMs = 1500,
): Promise<{ upgraded: boolean; closedByServer: boolean; closeCode: number | null }> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1', () => {
      c.write(
        `GET /stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nUpgrade: websocket\r\n` +
          'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let closeCode: number | null = null;
    let finished = false;
    const finish = (closedByServer: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      c.destroy();
      resolve({ upgraded, closedByServer, closeCode });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        upgraded = buf.subarray(0, 12).toString() === 'HTTP/1.1 101';
        buf = buf.subarray(end + 4);
        if (upgraded) c.write(frames);
      }
      // Server frames are unmasked: find a close frame (opcode 8) among the binary ones.
      let off = 0;
      while (off + 2 <= buf.length) {
        const op = buf[off]! & 0x0f;
        let len = buf[off + 1]! & 0x7f;
        let head = 2;
        if (len === 126) {
          if (off + 4 > buf.length) break;
          len = buf.readUInt16BE(off + 2);
          head = 4;
        } else if (len === 127) break;
        if (off + head + len > buf.length) break;
        if (op === 8 && len >= 2) closeCode = buf.readUInt16BE(off + head);
        off += head + len;
      }
      buf = buf.subarray(off);
    });
    c.on('error', () => finish(true));
    c.on('close', () => finish(true));
  });
}

function maskedFrame(rng: () => number, opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([0, 0, 0, 0].map(() => Math.floor(rng() * 256)));
  const head =
    payload.length < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length])
      : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([head, mask, body]);
}

test('WebSocket frames: random bytes, bad opcodes, unmasked, oversized and inbound messages close the client, not the host', async () => {
  const rng = prng(SEED + 2);
  const before = { clients: host.stats.clients, bad: host.stats.wsBadFrame, inbound: host.stats.wsInbound };
  const corpus: Buffer[] = [];
  for (let i = 0; i < 40; i++) {
    const kind = i % 6;
    const payload = Buffer.from(
      Array.from({ length: Math.floor(rng() * 200) }, () => Math.floor(rng() * 256)),
    );
    if (kind === 0)
      corpus.push(
        Buffer.from(Array.from({ length: 1 + Math.floor(rng() * 300) }, () => Math.floor(rng() * 256))),
      );
    else if (kind === 1)
      corpus.push(maskedFrame(rng, 3 + Math.floor(rng() * 5), payload)); // reserved opcodes
    else if (kind === 2)
      corpus.push(
        Buffer.concat([
          Buffer.from([0x82, payload.length & 0x7f]),
          payload.subarray(0, payload.length & 0x7f),
        ]),
      ); // unmasked
    else if (kind === 3)
      corpus.push(maskedFrame(rng, 2, Buffer.alloc(5000 + Math.floor(rng() * 20_000)))); // over maxPayload
    else if (kind === 4)
      corpus.push(maskedFrame(rng, 1, Buffer.from([0xff, 0xfe, 0xc0]))); // invalid UTF-8 text
    else corpus.push(maskedFrame(rng, pick(rng, [1, 2]), payload)); // a well-formed inbound message
  }
  const results = await Promise.all(corpus.map((f) => wsRaw(f)));
  results.forEach((r, i) => {
    assert.equal(r.upgraded, true, `handshake ${i}`);
    // Either the server closed the connection, or the bytes were an incomplete frame it still waits on.
    if (!r.closedByServer) assert.ok(corpus[i]!.length > 0);
    if (r.closeCode !== null)
      assert.ok([1002, 1003, 1007, 1009].includes(r.closeCode), `close ${r.closeCode}`);
  });
  const closedCount = results.filter((r) => r.closedByServer).length;
  assert.ok(closedCount >= 30, `only ${closedCount} of ${results.length} refused connections were closed`);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(host.stats.clients, before.clients, 'every fuzzed client is gone');
  assert.ok(host.stats.wsBadFrame > before.bad);
  assert.ok(host.stats.wsInbound > before.inbound);
  await assertHealthy('websocket frames');
});

test('after the whole corpus: every refusal was counted, none was a 5xx', () => {
  const s = host.stats;
  const kinds = s.unauthorized + s.badRequest + s.headerTooLarge + s.timedOut + s.bodyTooLarge + s.invalid;
  assert.ok(kinds > 300, `only ${kinds} refusals counted`);
  assert.ok(s.rejected >= kinds);
  assert.equal(s.internalError, 0);
});
