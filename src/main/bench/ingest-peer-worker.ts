/**
 * Worker-thread peers for the ingest benchmark, each one WebSocket client on the simulator's
 * `btcusdt@trade` stream, the same stream (combined form, µs timestamps) the feed worker reads:
 *
 * - ws-receive: the bare `ws` client, counting frames and nothing else (the receive-only limit);
 * - ws-json-parse: the bare client plus `JSON.parse` of every frame;
 * - ws-extract: the bare client plus a minimal byte extractor that pulls the event time `E` out
 *   of the frame bytes (the least work that still yields a latency);
 * - ccxt: ccxt pro's `binance.watchTrades`, its WebSocket URL pointed at the simulator and its
 *   markets set in memory (no REST call).
 *
 * A run waits for `expected` trades. Throughput is timed between the trade at `markAt` (after
 * warm-up) and the last one; latency is the simulator's send stamp `E` (µs) → the moment the
 * subject's callback has the trade, on the shared clock (clock.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { nowMs } from '../../common/clock.ts';

export type PeerSubject = 'ws-receive' | 'ws-json-parse' | 'ws-extract' | 'ccxt';

export interface PeerJob {
  subject: PeerSubject;
  /** The simulator's base URL, ws://127.0.0.1:PORT. */
  url: string;
  /** Trades to wait for. */
  expected: number;
  /** Index of the trade (0-based) that starts the throughput window. */
  markAt: number;
  /** Record one latency per trade (µs). */
  latency: boolean;
}

export interface PeerReport {
  trades: number;
  /** Times (shared clock, ms) at trade `markAt` and at the last trade. */
  markTime: number;
  endTime: number;
  /** Latencies in µs, one per trade, when measured. */
  latencies: Float64Array | null;
  /** ccxt's own count of frames it could not parse, or any other peer-specific anomaly. */
  errors: number;
}

const job = workerData as PeerJob;
const port = parentPort!;

/** The subscription every subject makes: one request, the same as the feed worker's. */
const SUBSCRIBE = JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 1 });

let trades = 0;
let markTime = 0;
let endTime = 0;
let errors = 0;
const lat = job.latency ? new Float64Array(job.expected) : null;
let finished = false;
let onFinish: () => void = () => {};

/** Counts one trade; `eUs` is its E in µs (NaN when the subject does not extract it). */
function got(eUs: number): void {
  const i = trades++;
  if (lat !== null && i < lat.length) lat[i] = (nowMs() - eUs / 1000) * 1000;
  if (i === job.markAt) {
    markTime = nowMs();
    port.postMessage({ mark: true }); // the orchestrator samples both threads' utilisation now
  }
  if (trades === job.expected) {
    endTime = nowMs();
    finished = true;
    onFinish();
  }
}

/** The minimal byte extractor: the integer after the first `"E":` in the frame, or -1. */
function extractE(b: Uint8Array): number {
  const n = b.length - 4;
  for (let i = 0; i < n; i++) {
    if (b[i] === 0x22 && b[i + 1] === 0x45 && b[i + 2] === 0x22 && b[i + 3] === 0x3a) {
      let v = 0;
      for (let j = i + 4; j < b.length; j++) {
        const c = b[j]! - 0x30;
        if (c < 0 || c > 9) return v;
        v = v * 10 + c;
      }
      return v;
    }
  }
  return -1;
}

function streamUrl(): string {
  return `${job.url}/stream?timeUnit=MICROSECOND`;
}

/** The three bare-ws subjects: same client, same options as the feed worker, different callback. */
function bareWs(done: Promise<void>): void {
  const ws = new WebSocket(streamUrl(), { perMessageDeflate: false, maxPayload: 1 << 20 });
  ws.on('open', () => ws.send(SUBSCRIBE));
  ws.on('error', (err) => {
    throw err;
  });
  // The first frame is the subscription's reply, `{"result":null,"id":1}`; every later one a trade.
  let frames = 0;
  if (job.subject === 'ws-receive') {
    ws.on('message', () => {
      if (frames++ > 0) got(Number.NaN);
    });
  } else if (job.subject === 'ws-json-parse') {
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString());
      if (m.data === undefined) return;
      got(m.data.E);
    });
  } else {
    ws.on('message', (data: Buffer) => {
      const e = extractE(data);
      if (e < 0) return;
      got(e);
    });
  }
  void done.then(() => ws.terminate());
}

async function ccxtPeer(done: Promise<void>): Promise<void> {
  const ccxt = (await import('ccxt')).default;
  // ccxt appends '/<stream index>' to this URL; a query string absorbs it, and the simulator's
  // /stream endpoint (combined frames, µs times) is then exactly what the other subjects read.
  const exchange = new ccxt.pro.binance({
    urls: { api: { ws: { spot: `${streamUrl()}&ccxt=` } } },
    options: { tradesLimit: 1000 },
  });
  await exchange.loadHttpProxyAgent(); // ccxt wants an http.Agent for a plain ws:// URL
  exchange.setMarkets([
    {
      id: 'BTCUSDT',
      lowercaseId: 'btcusdt',
      symbol: 'BTC/USDT',
      base: 'BTC',
      quote: 'USDT',
      baseId: 'BTC',
      quoteId: 'USDT',
      settle: undefined,
      settleId: undefined,
      type: 'spot',
      spot: true,
      margin: false,
      swap: false,
      future: false,
      option: false,
      contract: false,
      active: true,
      linear: undefined,
      inverse: undefined,
      contractSize: undefined,
      expiry: undefined,
      expiryDatetime: undefined,
      strike: undefined,
      optionType: undefined,
      taker: 0.001,
      maker: 0.001,
      precision: { amount: 1e-8, price: 1e-8, cost: undefined, base: undefined, quote: undefined },
      limits: {
        amount: { min: undefined, max: undefined },
        price: { min: undefined, max: undefined },
        cost: { min: undefined, max: undefined },
        leverage: { min: undefined, max: undefined },
      },
      created: undefined,
      info: {},
    } as never,
  ]);
  let stop = false;
  void done.then(() => {
    stop = true;
  });
  while (!stop) {
    const batch = await exchange.watchTrades('BTC/USDT');
    // With newUpdates (ccxt's default) each call returns the trades since the previous one.
    for (const t of batch) {
      got(Number((t.info as { E: number }).E));
      if (stop || finished) break;
    }
    if (finished) break;
  }
  await exchange.close();
}

const done = new Promise<void>((resolve) => {
  onFinish = resolve;
});
port.postMessage({ ready: true });
port.once('message', () => {
  if (job.subject === 'ccxt') {
    ccxtPeer(done).catch((err: unknown) => {
      errors++;
      port.postMessage({ error: String(err) });
    });
  } else bareWs(done);
});
await done;
const report: PeerReport = { trades, markTime, endTime, latencies: lat, errors };
port.postMessage(report, lat ? [lat.buffer as ArrayBuffer] : []);
