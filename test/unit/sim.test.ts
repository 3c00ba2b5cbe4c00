import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { BinanceSim, type BinanceSimOptions } from '../../src/main/sim/binance-sim.ts';
import { MarketModel, type SimTrade } from '../../src/main/sim/market-model.ts';

const sims: BinanceSim[] = [];
after(async () => {
  for (const s of sims) await s.close();
});

async function sim(opts: BinanceSimOptions = {}): Promise<BinanceSim> {
  const s = await BinanceSim.start({ port: 0, ...opts });
  sims.push(s);
  return s;
}

interface Conn {
  ws: WebSocket;
  messages: string[];
  next(pred?: (m: string) => boolean, timeoutMs?: number): Promise<string>;
}

async function connect(url: string): Promise<Conn> {
  const ws = new WebSocket(url);
  const messages: string[] = [];
  const waiters: { pred: (m: string) => boolean; resolve: (m: string) => void }[] = [];
  let seen = 0;
  ws.on('message', (d: Buffer) => {
    const m = d.toString();
    messages.push(m);
    for (let i = 0; i < waiters.length; i++) {
      if (waiters[i]!.pred(m)) {
        waiters.splice(i, 1)[0]!.resolve(m);
        break;
      }
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    next(pred = () => true, timeoutMs = 5000) {
      const hit = messages.slice(seen).find(pred);
      if (hit) {
        seen = messages.indexOf(hit) + 1;
        return Promise.resolve(hit);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no matching message')), timeoutMs);
        waiters.push({
          pred,
          resolve: (m) => {
            clearTimeout(t);
            resolve(m);
          },
        });
      });
    },
  };
}

const isTrade = (m: string): boolean => m.includes('"e":"trade"');

test('SUBSCRIBE is acknowledged and trades arrive in the combined form with every Binance field', async () => {
  const s = await sim({ rate: 500, seed: 3 });
  const c = await connect(`${s.url}/stream`);
  c.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'ethusdt@trade'], id: 1 }));
  assert.deepEqual(JSON.parse(await c.next((m) => m.includes('"result"'))), { result: null, id: 1 });
  const msg = JSON.parse(await c.next(isTrade));
  assert.match(msg.stream, /^(btc|eth)usdt@trade$/);
  const t = msg.data;
  assert.deepEqual(Object.keys(t), ['e', 'E', 's', 't', 'p', 'q', 'T', 'm', 'M']);
  assert.equal(t.e, 'trade');
  assert.ok(Number.isInteger(t.E) && Number.isInteger(t.T) && Number.isInteger(t.t));
  assert.ok(t.T <= t.E && t.E <= Date.now() + 5 && t.E > Date.now() - 5000, 'millisecond times by default');
  assert.match(t.p, /^\d+\.\d{8}$/);
  assert.match(t.q, /^\d+\.\d{8}$/);
  assert.equal(typeof t.m, 'boolean');
  assert.equal(t.M, true);
  c.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 'abc' }));
  assert.deepEqual(JSON.parse(await c.next((m) => m.includes('"result":['))), {
    result: ['btcusdt@trade', 'ethusdt@trade'],
    id: 'abc',
  });
  c.ws.close();
});

test('raw /ws/<stream> sends bare events; timeUnit=MICROSECOND switches times to µs', async () => {
  const s = await sim({ rate: 500, seed: 4 });
  const c = await connect(`${s.url}/ws/btcusdt@trade?timeUnit=MICROSECOND`);
  const t = JSON.parse(await c.next(isTrade));
  assert.equal(t.s, 'BTCUSDT');
  assert.ok(t.E > Date.now() * 1000 - 5e6 && t.E < Date.now() * 1000 + 5e6, 'E in microseconds');
  c.ws.close();
});

test('errors: invalid JSON, unknown method, invalid stream — each with the documented error object', async () => {
  const s = await sim({ rate: 10 });
  const c = await connect(`${s.url}/ws`);
  c.ws.send('not json');
  assert.equal(JSON.parse(await c.next()).error.code, 3);
  c.ws.send(JSON.stringify({ method: 'NOPE', id: 2 }));
  assert.deepEqual(JSON.parse(await c.next((m) => m.includes('"id":2'))).error.code, 2);
  c.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['BTC USDT@trade'], id: 3 }));
  assert.deepEqual(JSON.parse(await c.next((m) => m.includes('"id":3'))), {
    error: { code: 2, msg: 'Invalid request: invalid stream' },
    id: 3,
  });
  c.ws.close();
});

test('more than 5 incoming messages in a second closes the connection', async () => {
  const s = await sim({ rate: 10 });
  const c = await connect(`${s.url}/ws`);
  const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
  for (let i = 0; i < 7; i++) c.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: i }));
  assert.equal(await closed, 1008);
});

test('maxMessages: exactly N trades, ids contiguous per symbol, then silence', async () => {
  const s = await sim({ rate: 'max', seed: 5, maxMessages: 5000 });
  const c = await connect(
    `${s.url}/stream?streams=btcusdt@trade/ethusdt@trade/solusdt@trade/bnbusdt@trade/xrpusdt@trade`,
  );
  const t0 = Date.now();
  while (c.messages.filter(isTrade).length < 5000 && Date.now() - t0 < 10_000)
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  const trades = c.messages.filter(isTrade).map((m) => JSON.parse(m).data);
  assert.equal(trades.length, 5000);
  assert.equal(s.stats().tradesSent, 5000);
  const last = new Map<string, number>();
  for (const t of trades) {
    const prev = last.get(t.s);
    if (prev !== undefined) assert.equal(t.t, prev + 1, `${t.s} ids contiguous`);
    last.set(t.s, t.t);
  }
  assert.equal(last.size, 5);
  c.ws.close();
});

test('the server pings, and closes a client that never answers', async () => {
  const s = await sim({ rate: 10, pingIntervalMs: 50, pongTimeoutMs: 200 });
  const ws = new WebSocket(`${s.url}/ws`, { autoPong: false });
  let pings = 0;
  ws.on('ping', () => pings++);
  const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
  assert.ok(pings >= 2, `pinged ${pings} times`);
  assert.equal(code, 1006, 'terminated without a close frame');
});

test('market model: same seed → same trades on a virtual clock; arrivals are bursty', () => {
  const run = (seed: number): string[] => {
    const m = new MarketModel({ seed, symbols: ['BTCUSDT', 'ETHUSDT'], rate: 1000, start: 0 });
    const out: string[] = [];
    m.advanceTo(2000, (t: SimTrade) =>
      out.push(`${t.symbol} ${t.tradeId} ${t.price} ${t.quantity} ${t.time} ${t.buyerMaker}`),
    );
    return out;
  };
  assert.deepEqual(run(1), run(1));
  assert.notDeepEqual(run(1), run(2));

  const m = new MarketModel({ seed: 11, symbols: ['BTCUSDT'], rate: 1000, start: 0 });
  const counts: number[] = [];
  let last = -1;
  for (let t = 100; t <= 60_000; t += 100) {
    let n = 0;
    m.advanceTo(t, (tr) => {
      assert.ok(tr.time >= last, 'time order');
      last = tr.time;
      n++;
    });
    counts.push(n);
  }
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / counts.length;
  assert.ok(mean > 70 && mean < 130, `long-run mean ≈ 100 per 100 ms, got ${mean}`);
  assert.ok(variance > 5 * mean, `bursty: variance ${variance.toFixed(0)} ≫ Poisson's ${mean.toFixed(0)}`);
});
