/**
 * The simulator's trade-only Binance stream (VenueSim mode 'trades', the engine's default feed and
 * the ingest benchmark's source) over real sockets on 127.0.0.1, with real `ws` clients: endpoints
 * and stream forms, control requests and their error objects, the trade event's exact shape, time
 * units, trade-id continuity, maxEvents, rate, backpressure at 'max', ping/pong deadlines, the
 * incoming-message limit and the connection faults. Every server is closed after its test.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import WebSocket from 'ws';
import { VenueSim, type VenueSimOptions, type VenueStats } from '../../src/main/sim/venue-sim.ts';

const ALL = 'btcusdt@trade/ethusdt@trade/solusdt@trade/bnbusdt@trade/xrpusdt@trade';
const sims: VenueSim[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const s of sims.splice(0)) await s.close();
});

async function sim(opts: VenueSimOptions = {}): Promise<VenueSim> {
  const s = await VenueSim.start({ mode: 'trades', port: 0, ...opts });
  sims.push(s);
  return s;
}

/** The Binance venue's counters. */
const binance = (s: VenueSim): VenueStats => s.stats().venues.binance;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Trade {
  e: string;
  E: number;
  s: string;
  t: number;
  p: string;
  q: string;
  T: number;
  m: boolean;
  M: boolean;
}

interface Conn {
  ws: WebSocket;
  messages: string[];
  closed: Promise<{ code: number; reason: string }>;
  /** The next message (after the previous match) that satisfies pred. */
  next(pred?: (m: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Trade events received so far, unwrapped from the combined form. */
  trades(): Trade[];
  send(o: unknown): void;
}

const isTrade = (m: string): boolean => m.includes('"e":"trade"');
const hasId =
  (id: unknown) =>
  (m: string): boolean =>
    m.endsWith(`"id":${JSON.stringify(id)}}`);

async function connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<Conn> {
  const ws = new WebSocket(url, opts);
  sockets.push(ws);
  const messages: string[] = [];
  let cursor = 0;
  let wake: (() => void) | null = null;
  ws.on('message', (d: Buffer) => {
    messages.push(d.toString());
    wake?.();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    async next(pred = () => true, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (; cursor < messages.length; cursor++) {
          if (pred(messages[cursor]!)) return messages[cursor++]!;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no matching message');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = null;
      }
    },
    trades() {
      return messages.filter(isTrade).map((m) => {
        const o = JSON.parse(m);
        return 'stream' in o ? o.data : o;
      });
    },
    send(o) {
      ws.send(typeof o === 'string' ? o : JSON.stringify(o));
    },
  };
}

/** Polls until cond holds (or the deadline passes; the caller's assertion then says what failed). */
async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await sleep(10);
}

function assertTradeShape(t: Trade, unit: 'ms' | 'us'): void {
  assert.deepEqual(
    Object.keys(t),
    ['e', 'E', 's', 't', 'p', 'q', 'T', 'm', 'M'],
    'every field, in Binance order',
  );
  assert.equal(t.e, 'trade');
  assert.match(t.s, /^[A-Z]+USDT$/);
  assert.ok(Number.isSafeInteger(t.t) && t.t > 0);
  assert.match(t.p, /^\d+\.\d{8}$/);
  assert.match(t.q, /^\d+\.\d{8}$/);
  assert.ok(Number(t.p) > 0 && Number(t.q) > 0);
  assert.equal(typeof t.m, 'boolean');
  assert.equal(t.M, true);
  assert.ok(Number.isInteger(t.E) && Number.isInteger(t.T));
  assert.ok(t.T <= t.E, 'the trade happened before it was sent');
  const now = unit === 'us' ? Date.now() * 1000 : Date.now();
  const second = unit === 'us' ? 1e6 : 1e3;
  assert.ok(t.E <= now + 0.1 * second && t.E > now - 5 * second, `E in ${unit}: ${t.E} vs ${now}`);
}

test('url and port: ws://127.0.0.1:PORT; other interfaces are refused unless allowed', async () => {
  const s = await sim();
  assert.equal(s.baseUrl, `ws://127.0.0.1:${s.port}`);
  assert.deepEqual(s.venues, ['binance'], 'the venues that speak the trade-only stream');
  assert.deepEqual(s.urls, { binance: { ws: `${s.baseUrl}/stream` } }, 'no REST: no books');
  assert.ok(s.port > 0);
  await assert.rejects(VenueSim.start({ mode: 'trades', host: '0.0.0.0' }), /loopback only/);
  await assert.rejects(VenueSim.start({ mode: 'trades', rate: 0.5 }), RangeError);
  await assert.rejects(VenueSim.start({ mode: 'trades', venues: ['okx'] }), /no trade-only stream/);
});

test('SUBSCRIBE on /stream: one ack, combined frames with every trade field; LIST_SUBSCRIPTIONS', async () => {
  const s = await sim({ rate: 500, seed: 3 });
  const c = await connect(`${s.baseUrl}/stream`);
  c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'ethusdt@trade'], id: 1 });
  assert.deepEqual(JSON.parse(await c.next(hasId(1))), { result: null, id: 1 });
  const msg = JSON.parse(await c.next(isTrade));
  assert.deepEqual(Object.keys(msg), ['stream', 'data']);
  assert.equal(msg.stream, `${msg.data.s.toLowerCase()}@trade`);
  assert.match(msg.stream, /^(btc|eth)usdt@trade$/);
  assertTradeShape(msg.data, 'ms');
  c.send({ method: 'LIST_SUBSCRIPTIONS', id: 'abc' });
  assert.deepEqual(JSON.parse(await c.next(hasId('abc'))), {
    result: ['btcusdt@trade', 'ethusdt@trade'],
    id: 'abc',
  });
  c.send({ method: 'GET_PROPERTY', params: ['combined'], id: 2 });
  assert.deepEqual(JSON.parse(await c.next(hasId(2))), { result: true, id: 2 });
  // A trade is written, then counted, once per listening connection.
  assert.ok(binance(s).trades >= c.trades().length);
});

test('/stream?streams=a/b: combined frames for exactly those streams', async () => {
  const s = await sim({ rate: 1000, seed: 2 });
  const c = await connect(`${s.baseUrl}/stream?streams=solusdt@trade/xrpusdt@trade`);
  await until(() => c.trades().length >= 30);
  const frames = c.messages.filter(isTrade).map((m) => JSON.parse(m));
  assert.ok(frames.length >= 30, `${frames.length} trades`);
  for (const f of frames) {
    assert.equal(f.stream, `${f.data.s.toLowerCase()}@trade`);
    assertTradeShape(f.data, 'ms');
  }
  assert.deepEqual(new Set(frames.map((f) => f.data.s)), new Set(['SOLUSDT', 'XRPUSDT']));
});

test('raw /ws/<stream>: bare events; timeUnit=MICROSECOND (either case) switches E and T to µs', async () => {
  const s = await sim({ rate: 1000, seed: 4 });
  const ms = await connect(`${s.baseUrl}/ws/btcusdt@trade`);
  const us = await connect(`${s.baseUrl}/ws/btcusdt@trade?timeUnit=MICROSECOND`);
  const us2 = await connect(`${s.baseUrl}/ws/btcusdt@trade?timeUnit=microsecond`);
  for (const [c, unit] of [
    [ms, 'ms'],
    [us, 'us'],
    [us2, 'us'],
  ] as const) {
    const t = JSON.parse(await c.next(isTrade)) as Trade;
    assert.equal(t.s, 'BTCUSDT');
    assertTradeShape(t, unit);
  }
  // The same trade reaches all three: same id, times in the two units.
  await until(() => us2.trades().length >= 20 && ms.trades().length >= 20);
  const byId = new Map(ms.trades().map((t) => [t.t, t]));
  let compared = 0;
  for (const t of us2.trades()) {
    const m = byId.get(t.t);
    if (!m) continue;
    assert.equal(Math.floor(t.T / 1000), m.T, 'T: the same instant in µs and ms');
    assert.equal(t.p, m.p);
    compared++;
  }
  assert.ok(compared >= 10);
  // E − T is the simulator's own send delay: small on an idle machine (loose bound).
  const delays = us.trades().map((t) => t.E - t.T);
  delays.sort((a, b) => a - b);
  assert.ok(
    delays[Math.floor(delays.length / 2)]! < 20_000,
    `median E−T ${delays[Math.floor(delays.length / 2)]} µs`,
  );
});

test('/ws + SUBSCRIBE sends raw events; SET_PROPERTY combined switches to the combined form', async () => {
  const s = await sim({ rate: 1000, seed: 6 });
  const c = await connect(`${s.baseUrl}/ws`);
  c.send({ method: 'GET_PROPERTY', params: ['combined'], id: 1 });
  assert.deepEqual(JSON.parse(await c.next(hasId(1))), { result: false, id: 1 });
  c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 2 });
  await c.next(hasId(2));
  assert.equal(JSON.parse(await c.next(isTrade)).e, 'trade');
  c.send({ method: 'SET_PROPERTY', params: ['combined', true], id: 3 });
  assert.deepEqual(JSON.parse(await c.next(hasId(3))), { result: null, id: 3 });
  const wrapped = JSON.parse(await c.next(isTrade));
  assert.equal(wrapped.stream, 'btcusdt@trade');
  assert.equal(wrapped.data.s, 'BTCUSDT');
});

test('UNSUBSCRIBE stops a stream; other valid streams and unknown symbols are acked and stay silent', async () => {
  const s = await sim({ rate: 2000, seed: 7 });
  const c = await connect(`${s.baseUrl}/ws`);
  c.send({
    method: 'SUBSCRIBE',
    params: ['btcusdt@trade', 'ethusdt@trade', 'btcusdt@depth@100ms', 'btcusdt@bookTicker', 'dogeusdt@trade'],
    id: 1,
  });
  assert.deepEqual(JSON.parse(await c.next(hasId(1))), { result: null, id: 1 });
  await until(() => c.trades().some((t) => t.s === 'ETHUSDT'));
  c.send({ method: 'UNSUBSCRIBE', params: ['ethusdt@trade'], id: 2 });
  await c.next(hasId(2));
  const after = c.messages.length;
  await sleep(300);
  const later = c.messages
    .slice(after)
    .filter(isTrade)
    .map((m) => JSON.parse(m) as Trade);
  assert.ok(later.length > 20, 'BTCUSDT trades keep coming');
  assert.ok(
    later.every((t) => t.s === 'BTCUSDT'),
    'no ETHUSDT after the UNSUBSCRIBE ack, no DOGEUSDT ever',
  );
  assert.ok(
    c.messages.every((m) => isTrade(m) || m.startsWith('{"result"')),
    'nothing but trades and replies',
  );
  c.send({ method: 'LIST_SUBSCRIPTIONS', id: 3 });
  assert.deepEqual(JSON.parse(await c.next(hasId(3))).result, [
    'btcusdt@trade',
    'btcusdt@depth@100ms',
    'btcusdt@bookTicker',
    'dogeusdt@trade',
  ]);
});

test('errors: the documented error objects, with the request id echoed', async () => {
  const s = await sim({ rate: 10, maxIncomingPerSec: 100 });
  const c = await connect(`${s.baseUrl}/ws`);
  const ask = async (req: unknown, id: unknown): Promise<unknown> => {
    c.send(req);
    return JSON.parse(await c.next(hasId(id)));
  };
  assert.deepEqual(await ask('not json', null), {
    error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' },
    id: null,
  });
  const unknown = (await ask({ method: 'NOPE', id: 2 }, 2)) as { error: { code: number; msg: string } };
  assert.equal(unknown.error.code, 2);
  assert.match(unknown.error.msg, /^Invalid request: unknown variant `NOPE`/);
  assert.deepEqual(await ask({ method: 'SUBSCRIBE', params: ['BTC USDT@trade'], id: 3 }, 3), {
    error: { code: 2, msg: 'Invalid request: invalid stream' },
    id: 3,
  });
  assert.deepEqual(await ask({ method: 'SUBSCRIBE', params: ['btcusdt@trades'], id: 4 }, 4), {
    error: { code: 2, msg: 'Invalid request: invalid stream' },
    id: 4,
  });
  assert.deepEqual(await ask({ params: [], id: 5 }, 5), {
    error: { code: 2, msg: 'Invalid request: missing field `method`' },
    id: 5,
  });
  assert.deepEqual(await ask({ method: 'LIST_SUBSCRIPTIONS', id: { x: 1 } }, null), {
    error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' },
    id: null,
  });
  assert.deepEqual(await ask({ method: 'SET_PROPERTY', params: ['colour', true], id: 6 }, 6), {
    error: { code: 0, msg: 'Unknown property' },
    id: 6,
  });
  assert.deepEqual(await ask({ method: 'SET_PROPERTY', params: ['combined', 'yes'], id: 7 }, 7), {
    error: { code: 1, msg: 'Invalid value type: expected Boolean' },
    id: 7,
  });
  // A signed 64-bit id beyond 2^53 comes back digit for digit.
  c.send('{"method":"LIST_SUBSCRIPTIONS","id":9223372036854775807}');
  assert.equal(
    await c.next((m) => m.includes('9223372036854775807')),
    '{"result":[],"id":9223372036854775807}',
  );
  const st = binance(s);
  assert.equal(st.errors, 8);
  assert.equal(st.replies, 9);
});

test('handshake: unknown paths get 404, invalid stream names in the URL 400', async () => {
  const s = await sim();
  for (const [path, status] of [
    ['/', 404],
    ['/api/v3/trades', 404],
    ['/ws/BTCUSDT@trade', 400],
    ['/stream?streams=btcusdt@trade/nope', 400],
  ] as const) {
    const ws = new WebSocket(`${s.baseUrl}${path}`);
    sockets.push(ws);
    const got = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
      ws.once('error', () => {});
    });
    assert.equal(got, status, path);
  }
});

test('more than 5 incoming messages in a second closes the connection; 5 do not', async () => {
  const s = await sim({ rate: 10 });
  const ok = await connect(`${s.baseUrl}/ws`);
  for (let i = 0; i < 5; i++) ok.send({ method: 'LIST_SUBSCRIPTIONS', id: i });
  await ok.next(hasId(4));
  const c = await connect(`${s.baseUrl}/ws`);
  for (let i = 0; i < 7; i++) c.send({ method: 'LIST_SUBSCRIPTIONS', id: i });
  assert.equal((await c.closed).code, 1008);
  assert.equal(ok.ws.readyState, WebSocket.OPEN);
});

test('maxEvents: exactly N trades over all symbols, ids contiguous per symbol, then silence', async () => {
  const s = await sim({ rate: 'max', seed: 5, maxEvents: 5000 });
  const c = await connect(`${s.baseUrl}/stream?streams=${ALL}`);
  await until(() => c.trades().length >= 5000);
  await sleep(200);
  const trades = c.trades();
  assert.equal(trades.length, 5000);
  assert.equal(s.stats().tradesGenerated, 5000);
  const st = binance(s);
  assert.equal(st.trades, 5000);
  assert.equal(
    Object.values(st.tradesBySymbol).reduce((a, b) => a + b, 0),
    5000,
  );
  for (const [symbol, n] of Object.entries(st.tradesBySymbol))
    assert.equal(n, trades.filter((t) => t.s === symbol).length, symbol);
  // Nothing but trades went out (no replies, no pings in this window): every byte is a trade's.
  assert.equal(st.messages, c.messages.length);
  assert.equal(
    st.bytes,
    c.messages.filter(isTrade).reduce((a, m) => a + m.length, 0),
  );
  const last = new Map<string, number>();
  for (const t of trades) {
    const prev = last.get(t.s);
    if (prev !== undefined) assert.equal(t.t, prev + 1, `${t.s} ids contiguous`);
    last.set(t.s, t.t);
  }
  assert.equal(last.size, 5);
  // A new listener after the limit hears nothing either.
  const late = await connect(`${s.baseUrl}/ws/btcusdt@trade`);
  await sleep(100);
  assert.equal(late.trades().length, 0);
});

test('trades are generated only while someone listens to a trade stream', async () => {
  const s = await sim({ rate: 2000, seed: 8 });
  const idle = await connect(`${s.baseUrl}/ws/btcusdt@depth`);
  await sleep(150);
  assert.equal(s.stats().tradesGenerated, 0, 'nobody on a trade stream');
  const c = await connect(`${s.baseUrl}/ws/btcusdt@trade`);
  await until(() => c.trades().length > 10);
  c.ws.close();
  await c.closed;
  await sleep(20);
  const g = s.stats().tradesGenerated;
  await sleep(150);
  assert.equal(s.stats().tradesGenerated, g, 'stopped with the last listener');
  assert.equal(idle.messages.length, 0);
});

test('a trade sent to two connections counts twice', async () => {
  const s = await sim({ rate: 'max', seed: 9, maxEvents: 1000 });
  const b = await connect(`${s.baseUrl}/ws`);
  b.send({ method: 'SUBSCRIBE', params: ALL.split('/'), id: 1 });
  await b.next(hasId(1));
  // The generator starts with b: a may join after some trades.
  const a = await connect(`${s.baseUrl}/stream?streams=${ALL}`);
  await until(() => b.trades().length >= 1000);
  await sleep(100);
  assert.equal(s.stats().tradesGenerated, 1000);
  assert.equal(b.trades().length, 1000);
  assert.equal(binance(s).trades, a.trades().length + b.trades().length);
});

test('rate is roughly honoured over a bounded run (bursty, so loose bounds)', async () => {
  const s = await sim({ rate: 2000, seed: 1 });
  const c = await connect(`${s.baseUrl}/stream?streams=${ALL}`);
  const t0 = Date.now();
  await sleep(2000);
  const n = c.trades().length;
  const expected = (2000 * (Date.now() - t0)) / 1000;
  // Calm periods run at 9/16 of the mean and bursts at 8× that: a 2 s window sees 0.5×–4×.
  assert.ok(n > 0.3 * expected && n < 4 * expected, `${n} trades for ${expected.toFixed(0)} expected`);
  // Frames may still be in flight when we count: sent ≥ received.
  assert.ok(binance(s).trades >= n);
});

test("rate 'max': fast, and paced by the socket: a client that stops reading stops the generator", async () => {
  const s = await sim({ rate: 'max', seed: 10 });
  const c = await connect(`${s.baseUrl}/stream?streams=${ALL}`);
  await until(() => c.trades().length >= 20_000);
  assert.ok(c.trades().length >= 20_000, 'at least tens of thousands a second');
  c.ws.pause();
  await sleep(600);
  const g1 = s.stats().tradesGenerated;
  await sleep(300);
  const g2 = s.stats().tradesGenerated;
  assert.ok(g2 - g1 <= 2048, `generator held back while the client is stalled (${g2 - g1} more)`);
  c.ws.resume();
  await until(() => s.stats().tradesGenerated > g2 + 10_000);
  assert.ok(s.stats().tradesGenerated > g2 + 10_000, 'resumes when the socket drains');
  // Nothing was dropped on the way: every id in order, per symbol.
  const last = new Map<string, number>();
  for (const t of c.trades()) {
    const prev = last.get(t.s);
    if (prev !== undefined) assert.equal(t.t, prev + 1);
    last.set(t.s, t.t);
  }
});

test('the server pings; a client that never answers is cut, one that answers stays', async () => {
  // Pongs count toward the 5 incoming messages a second: ping at most 4 times a second.
  const s = await sim({ rate: 10, pingIntervalMs: 250, pongTimeoutMs: 400 });
  const silent = await connect(`${s.baseUrl}/ws`, { autoPong: false });
  const polite = await connect(`${s.baseUrl}/ws`);
  let pings = 0;
  silent.ws.on('ping', () => pings++);
  const { code } = await silent.closed;
  assert.ok(pings >= 2, `pinged ${pings} times`);
  assert.equal(code, 1006, 'terminated without a close frame');
  await sleep(400);
  assert.equal(polite.ws.readyState, WebSocket.OPEN, 'answering pongs keeps it alive');
});

test('unsolicited pongs do not keep a connection alive', async () => {
  const s = await sim({ rate: 10, pingIntervalMs: 100, pongTimeoutMs: 300 });
  const c = await connect(`${s.baseUrl}/ws`, { autoPong: false });
  const timer = setInterval(() => c.ws.pong(), 250); // 4/s: under the incoming limit
  try {
    assert.equal((await c.closed).code, 1006);
  } finally {
    clearInterval(timer);
  }
});

test('the disconnect fault cuts every client abruptly; new connections still work', async () => {
  const s = await sim({ rate: 500 });
  const a = await connect(`${s.baseUrl}/ws/btcusdt@trade`);
  const b = await connect(`${s.baseUrl}/stream?streams=ethusdt@trade`);
  await until(() => binance(s).connections === 2);
  assert.deepEqual(s.inject('disconnect'), ['binance']);
  assert.equal((await a.closed).code, 1006);
  assert.equal((await b.closed).code, 1006);
  await until(() => binance(s).connections === 0);
  assert.equal(binance(s).connections, 0);
  assert.equal(binance(s).disconnects, 2);
  const c = await connect(`${s.baseUrl}/ws/btcusdt@trade`);
  assert.equal(JSON.parse(await c.next(isTrade)).s, 'BTCUSDT');
});

test('serverShutdown notice, connection lifetime, and close() ends every connection', async () => {
  const s = await sim({ rate: 10, maxConnectionMs: 300 });
  const raw = await connect(`${s.baseUrl}/ws`);
  const combined = await connect(`${s.baseUrl}/stream`);
  assert.deepEqual(s.announceShutdown(), ['binance']);
  const r = JSON.parse(await raw.next());
  assert.deepEqual(Object.keys(r), ['e', 'E']);
  assert.equal(r.e, 'serverShutdown');
  const cm = JSON.parse(await combined.next());
  assert.equal(cm.stream, '!serverShutdown');
  assert.equal(cm.data.e, 'serverShutdown');
  assert.equal((await raw.closed).code, 1000, 'closed at the end of its lifetime');

  const s2 = await sim({ rate: 10 });
  const c = await connect(`${s2.baseUrl}/ws/btcusdt@trade`);
  await s2.close();
  assert.equal((await c.closed).code, 1006);
  await s2.close(); // idempotent
});
