/**
 * The embedded exchange simulator, speaking Binance spot's public market-data stream protocol
 * (see shared/protocols/binance.md) on 127.0.0.1: the `/ws`, `/ws/<streams>` and
 * `/stream?streams=` endpoints, SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY /
 * GET_PROPERTY with their replies and documented error objects, `timeUnit=MICROSECOND`, server
 * pings with a pong deadline, and the 5-incoming-messages-per-second limit. Trades come from the
 * seeded MarketModel on the wall clock, from 1/s up to as fast as the sockets drain ('max').
 *
 * Trades are generated only while someone subscribes to a trade stream, so `maxMessages` counts
 * trades that had a listener, and a test can reconcile what was sent with what arrived.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { nowMs } from '../../common/clock.ts';
import { DEFAULT_SYMBOLS, MarketModel, type SimTrade } from './market-model.ts';

export interface BinanceSimOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  symbols?: string[];
  seed?: number;
  /** Mean trades per second over all symbols, or 'max'. */
  rate?: number | 'max';
  /** Stop generating after this many trades in total. */
  maxMessages?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  maxIncomingPerSec?: number;
  log?: (line: string) => void;
}

export interface BinanceSimStats {
  connections: number;
  tradesGenerated: number;
  /** Trade frames written to sockets (a trade sent to two connections counts twice). */
  tradesSent: number;
  bytesSent: number;
  sentBySymbol: Record<string, number>;
  controlMessages: number;
  errorsSent: number;
  /** Faults injected so far, by kind. */
  faults: Record<SimFault, number>;
}

/**
 * Faults the simulator injects on command (`inject`) or on a schedule (`tickscope sim --faults`):
 * - disconnect: every connection cut without a close frame;
 * - malformed: a truncated trade frame to every trade subscriber;
 * - oversized: a 2 MiB text frame to every client (above any sane maxPayload);
 * - stall: nothing at all — no trades, no pings — for `stallMs`, while the sockets stay open.
 */
export type SimFault = 'disconnect' | 'malformed' | 'oversized' | 'stall';
export const SIM_FAULTS: readonly SimFault[] = ['disconnect', 'malformed', 'oversized', 'stall'];

interface Client {
  ws: WebSocket;
  combined: boolean;
  micros: boolean;
  /** Subscribed streams (lower-case names). */
  streams: Set<string>;
  /** Indices of symbols whose @trade stream is subscribed. */
  trades: boolean[];
  incoming: number[];
  lastPing: number;
  lastPong: number;
}

const STREAM =
  /^([a-z0-9]{2,20})@(trade|aggTrade|bookTicker|depth(?:5|10|20)?(?:@100ms)?|miniTicker|ticker)$/;
/** Keep each socket's send buffer below this at rate 'max'. */
const MAX_BUFFERED = 4 << 20;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export class BinanceSim {
  readonly url: string;
  readonly port: number;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly model: MarketModel;
  private readonly symbols: string[];
  private readonly lower: string[];
  private readonly opts: Required<Omit<BinanceSimOptions, 'maxMessages' | 'log' | 'host'>> & {
    maxMessages: number;
  };
  private readonly log: (line: string) => void;
  private readonly statsData: BinanceSimStats;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private generating = false;
  private closed = false;

  private constructor(server: Server, wss: WebSocketServer, opts: BinanceSimOptions) {
    this.server = server;
    this.wss = wss;
    const { port } = server.address() as AddressInfo;
    this.port = port;
    this.url = `ws://127.0.0.1:${port}`;
    this.symbols = (opts.symbols ?? DEFAULT_SYMBOLS).map((s) => s.toUpperCase());
    this.lower = this.symbols.map((s) => s.toLowerCase());
    this.opts = {
      port,
      symbols: this.symbols,
      seed: opts.seed ?? 1,
      rate: opts.rate ?? 1000,
      maxMessages: opts.maxMessages ?? Number.POSITIVE_INFINITY,
      pingIntervalMs: opts.pingIntervalMs ?? 20_000,
      pongTimeoutMs: opts.pongTimeoutMs ?? 60_000,
      maxIncomingPerSec: opts.maxIncomingPerSec ?? 5,
    };
    this.log = opts.log ?? (() => {});
    const rate = this.opts.rate === 'max' ? 1_000_000 : this.opts.rate;
    this.model = new MarketModel({ seed: this.opts.seed, symbols: this.symbols, rate, start: nowMs() });
    this.statsData = {
      connections: 0,
      tradesGenerated: 0,
      tradesSent: 0,
      bytesSent: 0,
      sentBySymbol: Object.fromEntries(this.symbols.map((s) => [s, 0])),
      controlMessages: 0,
      faults: { disconnect: 0, malformed: 0, oversized: 0, stall: 0 },
      errorsSent: 0,
    };
    wss.on('connection', (ws, req) => this.onConnection(ws, req));
    this.pingTimer = setInterval(() => this.pingAll(), Math.max(10, this.opts.pingIntervalMs / 4));
  }

  static async start(opts: BinanceSimOptions = {}): Promise<BinanceSim> {
    const host = opts.host ?? '127.0.0.1';
    if (!LOOPBACK.has(host)) throw new Error(`the simulator listens on loopback only, not ${host}`);
    if (opts.rate !== undefined && opts.rate !== 'max' && !(opts.rate >= 1)) {
      throw new RangeError(`simulator rate must be ≥ 1 message/s or 'max', got ${opts.rate}`);
    }
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"code":-1,"msg":"not found"}');
    });
    const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
    return new BinanceSim(server, wss, opts);
  }

  stats(): BinanceSimStats {
    return {
      ...this.statsData,
      connections: this.clients.size,
      sentBySymbol: { ...this.statsData.sentBySymbol },
      faults: { ...this.statsData.faults },
    };
  }

  /** Until this time (shared clock, ms) the simulator sends nothing, pings included. */
  private stalledUntil = 0;

  /** Injects one fault now (see SimFault). */
  inject(fault: SimFault, stallMs = 3000): void {
    this.statsData.faults[fault]++;
    this.log(`simulator: injecting fault '${fault}'`);
    switch (fault) {
      case 'disconnect':
        this.dropConnections();
        break;
      case 'malformed':
        for (const c of this.clients) {
          if (c.trades.some(Boolean))
            c.ws.send('{"stream":"btcusdt@trade","data":{"e":"trade","E":17841078008');
        }
        break;
      case 'oversized': {
        const big = `{"stream":"btcusdt@trade","data":{"e":"trade","pad":"${'x'.repeat(2 << 20)}"}}`;
        for (const c of this.clients) c.ws.send(big);
        break;
      }
      case 'stall':
        this.stalledUntil = nowMs() + stallMs;
        break;
    }
  }

  private stalled(): boolean {
    return nowMs() < this.stalledUntil;
  }

  /** Stops generating trades; connections stay open (so a test can drain what was sent). */
  stopTrading(): void {
    this.opts.maxMessages = this.statsData.tradesGenerated;
    this.updateGenerating();
  }

  /** Fault: cut every client connection abruptly (no close frame). */
  dropConnections(): void {
    for (const c of this.clients) c.ws.terminate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelTick();
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const c of this.clients) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const unit = url.searchParams.get('timeUnit');
    const client: Client = {
      ws,
      combined: path.startsWith('/stream'),
      micros: unit !== null && unit.toUpperCase() === 'MICROSECOND',
      streams: new Set(),
      trades: this.symbols.map(() => false),
      incoming: [],
      lastPing: nowMs(),
      lastPong: nowMs(),
    };
    let initial: string[] = [];
    if (path === '/stream') initial = (url.searchParams.get('streams') ?? '').split('/').filter(Boolean);
    else if (path.startsWith('/ws/')) initial = path.slice(4).split('/').filter(Boolean);
    else if (path !== '/ws' && path !== '/ws/') {
      ws.close(1008, 'invalid path');
      return;
    }
    for (const s of initial) {
      if (!STREAM.test(s)) {
        ws.close(1008, `invalid stream ${s}`.slice(0, 120));
        return;
      }
    }
    this.clients.add(client);
    this.subscribe(client, initial);
    ws.on('pong', () => {
      client.lastPong = nowMs();
      this.countIncoming(client);
    });
    ws.on('ping', () => this.countIncoming(client));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!this.countIncoming(client)) return;
      this.onCommand(client, isBinary ? '' : data.toString());
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      this.clients.delete(client);
      this.updateGenerating();
    });
  }

  /** Counts an incoming message toward the per-second limit; false (and closed) if over it. */
  private countIncoming(client: Client): boolean {
    const now = nowMs();
    const win = client.incoming;
    while (win.length > 0 && win[0]! <= now - 1000) win.shift();
    win.push(now);
    if (win.length > this.opts.maxIncomingPerSec) {
      client.ws.close(1008, 'Too many requests');
      return false;
    }
    return true;
  }

  private reply(client: Client, body: string, error = false): void {
    this.statsData.controlMessages++;
    if (error) this.statsData.errorsSent++;
    client.ws.send(body);
  }

  private onCommand(client: Client, text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.reply(
        client,
        '{"error":{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"},"id":null}',
        true,
      );
    }
    const o = (typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? msg : {}) as Record<
      string,
      unknown
    >;
    const id = o.id;
    const idOk =
      id === null ||
      (typeof id === 'number' && Number.isSafeInteger(id)) ||
      (typeof id === 'string' && /^[A-Za-z0-9]{1,36}$/.test(id));
    const idJson = idOk ? JSON.stringify(id) : 'null';
    const error = (code: number, text: string): void =>
      this.reply(client, `{"error":{"code":${code},"msg":${JSON.stringify(text)}},"id":${idJson}}`, true);
    if (!('method' in o)) return error(2, 'Invalid request: missing field `method`');
    if (!idOk && id !== undefined) return error(2, 'Invalid request: request ID must be an unsigned integer');
    const params = o.params;
    switch (o.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (!Array.isArray(params) || params.some((p) => typeof p !== 'string' || !STREAM.test(p))) {
          return error(2, 'Invalid request: invalid stream');
        }
        if (params.length > 1024) return error(2, 'Invalid request: too many parameters');
        if (o.method === 'SUBSCRIBE') this.subscribe(client, params as string[]);
        else this.unsubscribe(client, params as string[]);
        return this.reply(client, `{"result":null,"id":${idJson}}`);
      }
      case 'LIST_SUBSCRIPTIONS':
        return this.reply(client, `{"result":${JSON.stringify([...client.streams])},"id":${idJson}}`);
      case 'SET_PROPERTY': {
        if (!Array.isArray(params) || params[0] !== 'combined') return error(0, 'Unknown property');
        if (typeof params[1] !== 'boolean') return error(1, 'Invalid value type: expected Boolean');
        client.combined = params[1];
        return this.reply(client, `{"result":null,"id":${idJson}}`);
      }
      case 'GET_PROPERTY':
        if (!Array.isArray(params) || params[0] !== 'combined') return error(0, 'Unknown property');
        return this.reply(client, `{"result":${client.combined},"id":${idJson}}`);
      default:
        return error(2, 'Invalid request: unknown variant `method`');
    }
  }

  private subscribe(client: Client, streams: string[]): void {
    this.setSubscribed(client, streams, true);
  }

  private unsubscribe(client: Client, streams: string[]): void {
    this.setSubscribed(client, streams, false);
  }

  /** Adds or removes streams; a `<symbol>@trade` stream switches that symbol's trades for the client. */
  private setSubscribed(client: Client, streams: string[], on: boolean): void {
    for (const s of streams) {
      if (on) client.streams.add(s);
      else client.streams.delete(s);
      const m = STREAM.exec(s);
      if (m && m[2] === 'trade') {
        const i = this.lower.indexOf(m[1]!);
        if (i >= 0) client.trades[i] = on;
      }
    }
    this.updateGenerating();
  }

  private hasTradeListener(): boolean {
    for (const c of this.clients) if (c.trades.some(Boolean)) return true;
    return false;
  }

  private updateGenerating(): void {
    const want =
      !this.closed && this.hasTradeListener() && this.statsData.tradesGenerated < this.opts.maxMessages;
    if (want === this.generating) return;
    this.generating = want;
    if (want) {
      // Nobody heard the market while no one listened: start arrivals from now.
      this.model.resetTo(nowMs());
      this.schedule(0);
    } else {
      this.cancelTick();
    }
  }

  private schedule(delayMs: number): void {
    if (!this.generating) return;
    if (delayMs === 0) this.immediate = setImmediate(() => this.tick());
    else this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private cancelTick(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private readonly onTrade = (t: SimTrade): void => this.send(t);

  private tick(): void {
    this.timer = null;
    this.immediate = null;
    if (!this.generating) return;
    const left = this.opts.maxMessages - this.statsData.tradesGenerated;
    if (this.opts.rate === 'max') {
      // As fast as the sockets drain: a batch, then yield.
      let n = 0;
      while (n < 512 && n < left && !this.backedUp()) {
        this.model.emitAt(nowMs(), this.onTrade);
        n++;
      }
      this.afterBatch(n === 0 ? 1 : 0);
      return;
    }
    this.model.advanceTo(nowMs(), this.onTrade, left);
    this.afterBatch(1);
  }

  private afterBatch(delay: number): void {
    if (this.statsData.tradesGenerated >= this.opts.maxMessages) {
      this.log(`simulator: maxMessages (${this.opts.maxMessages}) reached; no more trades`);
      this.updateGenerating();
      return;
    }
    this.schedule(delay);
  }

  private backedUp(): boolean {
    for (const c of this.clients) if (c.ws.bufferedAmount > MAX_BUFFERED) return true;
    return false;
  }

  private send(t: SimTrade): void {
    const s = this.statsData;
    s.tradesGenerated++;
    if (this.stalled()) return; // a stalled feed: the trade happened, nobody hears of it
    const sendTime = nowMs();
    for (const c of this.clients) {
      if (!c.trades[t.index] || c.ws.readyState !== c.ws.OPEN) continue;
      const scale = c.micros ? 1000 : 1;
      const E = Math.floor(sendTime * scale);
      const T = Math.min(E, Math.floor(t.time * scale));
      const event = `{"e":"trade","E":${E},"s":"${t.symbol}","t":${t.tradeId},"p":"${t.price.toFixed(8)}","q":"${t.quantity.toFixed(8)}","T":${T},"m":${t.buyerMaker},"M":true}`;
      const frame = c.combined ? `{"stream":"${this.lower[t.index]}@trade","data":${event}}` : event;
      c.ws.send(frame);
      s.tradesSent++;
      s.bytesSent += frame.length;
      s.sentBySymbol[t.symbol] = (s.sentBySymbol[t.symbol] ?? 0) + 1;
    }
  }

  private pingAll(): void {
    const now = nowMs();
    if (this.stalled()) return;
    for (const c of this.clients) {
      if (now - c.lastPong > this.opts.pongTimeoutMs) {
        this.log('simulator: no pong within the deadline; closing');
        c.ws.terminate();
        continue;
      }
      if (now - c.lastPing >= this.opts.pingIntervalMs) {
        c.lastPing = now;
        c.ws.ping();
      }
    }
  }
}
