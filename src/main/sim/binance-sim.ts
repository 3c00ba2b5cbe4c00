/**
 * The embedded exchange simulator, speaking Binance spot's public market-data stream protocol
 * (see shared/protocols/binance.md) on 127.0.0.1: the `/ws`, `/ws/<stream>` and
 * `/stream?streams=a/b` endpoints (and bare `/stream`), SUBSCRIBE / UNSUBSCRIBE /
 * LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY with their replies and the documented error
 * objects, `timeUnit=MICROSECOND`, server pings with a pong deadline, the 5-incoming-messages-per-
 * second limit and the 24-hour connection lifetime. Trades come from the seeded MarketModel on the
 * wall clock, from 1/s up to as fast as the sockets drain ('max').
 *
 * Trades are generated only while at least one connection subscribes to a `@trade` stream (the
 * arrival process restarts from "now" when the first one comes), so `maxMessages` counts trades
 * that had a listener and a test can reconcile what was sent with what arrived. The model still
 * trades every configured symbol: a client subscribed to some symbols sees their share of the
 * flow, and `maxMessages` is the total over all symbols.
 *
 * Other valid stream names (@depth, @bookTicker, …) are acked and listed but send nothing yet, as
 * do valid names for symbols the simulator does not trade (the venue's historical behaviour too).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { nowMs } from '../../common/clock.ts';
import { DEFAULT_SYMBOLS, MarketModel, type SimTrade } from './market-model.ts';

export interface BinanceSimOptions {
  /** Interface to listen on: loopback only ('127.0.0.1', the default, or '::1') unless allowed. */
  host?: string;
  /** Listening on anything but loopback exposes the simulator to the network: opt in explicitly. */
  allowNonLoopback?: boolean;
  /** 0 = any free port. */
  port?: number;
  /** Upper-case venue symbols; default BTCUSDT, ETHUSDT, SOLUSDT, BNBUSDT, XRPUSDT. */
  symbols?: string[];
  /** Seed of the market model (default 1). */
  seed?: number;
  /** Mean trades per second over all symbols (≥ 1; default 1000), or 'max'. */
  rate?: number | 'max';
  /** Stop generating after this many trades in total (over all symbols). */
  maxMessages?: number;
  /** Server ping interval (default 20 000 ms, as Binance). */
  pingIntervalMs?: number;
  /** A ping unanswered this long closes the connection (default 60 000 ms). */
  pongTimeoutMs?: number;
  /** Incoming frames (JSON, ping, pong) per second above which the connection is closed (5). */
  maxIncomingPerSec?: number;
  /** A connection is closed when it reaches this age (default 24 h, as Binance). */
  maxConnectionMs?: number;
  /**
   * A client whose unsent backlog exceeds this many bytes is cut (default 64 MiB), so one stalled
   * consumer cannot grow the simulator's memory without bound. At rate 'max' sending is paced by
   * the slowest socket instead and this limit is not reached.
   */
  maxBufferedBytes?: number;
  log?: (line: string) => void;
}

export interface BinanceSimStats {
  /** Open client connections. */
  connections: number;
  /** Trades the model produced (each counts once, whoever listened). */
  tradesGenerated: number;
  /** Trade frames written to sockets (a trade sent to two connections counts twice). */
  tradesSent: number;
  /** Bytes of trade frames written (payload bytes, WebSocket framing excluded). */
  bytesSent: number;
  /** Trade frames written, per symbol. */
  sentBySymbol: Record<string, number>;
  /** Replies to client requests (acks, lists, properties and errors). */
  controlMessages: number;
  /** Of which error objects. */
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
  /** Subscribed streams (lower-case names), in subscription order as LIST_SUBSCRIPTIONS shows. */
  streams: Set<string>;
  /** Per symbol index: is its @trade stream subscribed? */
  trades: boolean[];
  /** Times of the incoming frames of the last second (rate limit). */
  incoming: number[];
  /** Unanswered pings: payload → time sent, oldest first. */
  pings: Map<string, number>;
  lastPing: number;
  connectedAt: number;
}

/** Where a handshake asked to go: the stream form and the streams named in the URL. */
export interface Target {
  combined: boolean;
  micros: boolean;
  streams: string[];
}

/** The documented stream names, lower-case symbol first. Their syntax, not the symbol, is checked. */
export const STREAM =
  /^([a-z0-9]{2,20})@(trade|aggTrade|bookTicker|avgPrice|referencePrice|blockTrade|depth(?:5|10|20)?(?:@100ms|@1000ms)?|miniTicker|ticker(?:_1h|_4h|_1d)?|kline_(?:1s|1m|3m|5m|15m|30m|1h|2h|4h|6h|8h|12h|1d|3d|1w|1M))$/;
const MARKET_WIDE = new Set(['!miniTicker@arr', '!ticker@arr', '!bookTicker']);
export const MAX_STREAMS = 1024;
export const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'];
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** At rate 'max', stop generating while any socket holds more than this unsent. */
const MAX_BUFFERED = 4 << 20;
/** Most trades one tick emits before yielding to I/O (setImmediate) when behind. */
const MAX_BATCH = 2048;

export function validStream(s: unknown): s is string {
  return typeof s === 'string' && (STREAM.test(s) || MARKET_WIDE.has(s));
}

/** Parses a handshake URL; a string is the HTTP status line to refuse it with. */
export function parseTarget(rawUrl: string | undefined): Target | string {
  try {
    return parseTargetUnsafe(rawUrl);
  } catch {
    return '400 Bad Request'; // e.g. a malformed %-escape
  }
}

function parseTargetUnsafe(rawUrl: string | undefined): Target | string {
  const url = new URL(rawUrl ?? '/', 'http://sim');
  const path = url.pathname;
  const unit = url.searchParams.get('timeUnit');
  const micros = unit !== null && unit.toUpperCase() === 'MICROSECOND';
  let streams: string[];
  let combined: boolean;
  if (path === '/stream' || path === '/stream/') {
    combined = true;
    streams = (url.searchParams.get('streams') ?? '').split('/').filter(Boolean);
  } else if (path === '/ws' || path === '/ws/') {
    combined = false;
    streams = [];
  } else if (path.startsWith('/ws/')) {
    combined = false;
    streams = decodeURIComponent(path.slice(4)).split('/').filter(Boolean);
  } else {
    return '404 Not Found';
  }
  if (streams.length > MAX_STREAMS || !streams.every(validStream)) return '400 Bad Request';
  return { combined, micros, streams };
}

export class BinanceSim {
  /** `ws://127.0.0.1:PORT`: append `/ws`, `/ws/<stream>` or `/stream?streams=…`. */
  readonly url: string;
  readonly port: number;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly model: MarketModel;
  private readonly symbols: string[];
  private readonly lower: string[];
  private readonly rate: number | 'max';
  private maxMessages: number;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly maxIncomingPerSec: number;
  private readonly maxConnectionMs: number;
  private readonly maxBufferedBytes: number;
  private readonly log: (line: string) => void;
  private readonly statsData: BinanceSimStats;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private readonly housekeeping: NodeJS.Timeout;
  private generating = false;
  private closed = false;
  private pingSeq = 0;
  /** Until this time (shared clock, ms) the simulator sends nothing, pings included. */
  private stalledUntil = 0;

  private constructor(server: Server, wss: WebSocketServer, opts: BinanceSimOptions) {
    this.server = server;
    this.wss = wss;
    const addr = server.address() as AddressInfo;
    this.port = addr.port;
    const wildcard = addr.address === '0.0.0.0' || addr.address === '::';
    const host = wildcard ? '127.0.0.1' : addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.url = `ws://${host}:${addr.port}`;
    this.symbols = (opts.symbols ?? DEFAULT_SYMBOLS).map((s) => s.toUpperCase());
    this.lower = this.symbols.map((s) => s.toLowerCase());
    this.rate = opts.rate ?? 1000;
    this.maxMessages = opts.maxMessages ?? Number.POSITIVE_INFINITY;
    this.pingIntervalMs = opts.pingIntervalMs ?? 20_000;
    this.pongTimeoutMs = opts.pongTimeoutMs ?? 60_000;
    this.maxIncomingPerSec = opts.maxIncomingPerSec ?? 5;
    this.maxConnectionMs = opts.maxConnectionMs ?? 24 * 3600_000;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 64 << 20;
    this.log = opts.log ?? (() => {});
    // At 'max' the arrival process is bypassed (emitAt); its rate only seeds the state.
    const modelRate = this.rate === 'max' ? 1_000_000 : this.rate;
    this.model = new MarketModel({
      seed: opts.seed ?? 1,
      symbols: this.symbols,
      rate: modelRate,
      start: nowMs(),
    });
    this.statsData = {
      connections: 0,
      tradesGenerated: 0,
      tradesSent: 0,
      bytesSent: 0,
      sentBySymbol: Object.fromEntries(this.symbols.map((s) => [s, 0])),
      controlMessages: 0,
      errorsSent: 0,
      faults: { disconnect: 0, malformed: 0, oversized: 0, stall: 0 },
    };
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
    // Pings, pong deadlines and lifetimes are checked a few times per interval: one timer for all.
    const every = Math.max(
      10,
      Math.min(this.pingIntervalMs, this.pongTimeoutMs, this.maxConnectionMs, 4000) / 4,
    );
    this.housekeeping = setInterval(() => this.houseKeep(), every);
  }

  static async start(opts: BinanceSimOptions = {}): Promise<BinanceSim> {
    const host = opts.host ?? '127.0.0.1';
    if (!LOOPBACK.has(host) && opts.allowNonLoopback !== true) {
      throw new Error(`the simulator listens on loopback only, not ${host} (allowNonLoopback to override)`);
    }
    if (opts.rate !== undefined && opts.rate !== 'max' && !(opts.rate >= 1 && Number.isFinite(opts.rate))) {
      throw new RangeError(`simulator rate must be ≥ 1 message/s or 'max', got ${opts.rate}`);
    }
    if (opts.maxMessages !== undefined && !(opts.maxMessages >= 0)) {
      throw new RangeError(`simulator maxMessages must be ≥ 0, got ${opts.maxMessages}`);
    }
    const server = createServer((_req, res) => {
      // The REST snapshot endpoint is not simulated yet: everything plain-HTTP is unknown.
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"code":-1,"msg":"not found"}');
    });
    // noServer: the upgrade handler validates path and streams before the handshake completes.
    const wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: 64 * 1024,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
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

  /** Stops generating trades; connections stay open (so a test can drain what was sent). */
  stopTrading(): void {
    this.maxMessages = this.statsData.tradesGenerated;
    this.updateGenerating();
  }

  /** Fault: cut every client connection abruptly (no close frame), as a network failure would. */
  dropConnections(): void {
    for (const c of this.clients) c.ws.terminate();
  }

  /**
   * Sends Binance's `serverShutdown` event to every client (raw or combined form), as the venue does
   * before it restarts a server; clients are expected to reconnect at once. Connections stay open.
   */
  announceShutdown(): void {
    const event = (c: Client): string => {
      const E = Math.floor(nowMs() * (c.micros ? 1000 : 1));
      const data = `{"e":"serverShutdown","E":${E}}`;
      return c.combined ? `{"stream":"!serverShutdown","data":${data}}` : data;
    };
    for (const c of this.clients) c.ws.send(event(c));
  }

  /** Stops the timers, cuts every connection and closes the server; resolves when it is closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.generating = false;
    this.cancelTick();
    clearInterval(this.housekeeping);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const target = this.closed ? '503 Service Unavailable' : parseTarget(req.url);
    if (typeof target === 'string') {
      const body = `{"code":-1,"msg":"${target.slice(4)}"}`;
      socket.end(
        `HTTP/1.1 ${target}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, target));
  }

  private onConnection(ws: WebSocket, target: Target): void {
    const now = nowMs();
    const client: Client = {
      ws,
      combined: target.combined,
      micros: target.micros,
      streams: new Set(),
      trades: this.symbols.map(() => false),
      incoming: [],
      pings: new Map(),
      lastPing: now,
      connectedAt: now,
    };
    this.clients.add(client);
    ws.on('pong', (data: Buffer) => {
      if (!this.countIncoming(client)) return;
      // Only the copy of a ping's payload answers it (and every older one): unsolicited pongs do
      // not keep a connection alive, as on the venue.
      const key = data.toString('latin1');
      if (!client.pings.has(key)) return;
      for (const k of client.pings.keys()) {
        client.pings.delete(k);
        if (k === key) break;
      }
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
    this.setSubscribed(client, target.streams, true);
  }

  /** Counts an incoming frame toward the per-second limit; false (and closing) when over it. */
  private countIncoming(client: Client): boolean {
    const now = nowMs();
    const win = client.incoming;
    while (win.length > 0 && win[0]! <= now - 1000) win.shift();
    win.push(now);
    if (win.length > this.maxIncomingPerSec) {
      if (win.length === this.maxIncomingPerSec + 1) {
        this.log(`simulator: more than ${this.maxIncomingPerSec} incoming messages in a second; closing`);
        client.ws.close(1008, 'Too many requests');
      }
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
    const idJson = requestId(o.id, text);
    const error = (code: number, why: string, id = idJson ?? 'null'): void =>
      this.reply(client, `{"error":{"code":${code},"msg":${JSON.stringify(why)}},"id":${id}}`, true);
    if (idJson === undefined)
      return error(2, 'Invalid request: request ID must be an unsigned integer', 'null');
    if (!('method' in o)) return error(2, 'Invalid request: missing field `method`');
    const params = o.params;
    const ok = (result: string): void => this.reply(client, `{"result":${result},"id":${idJson}}`);
    switch (o.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (params === undefined) return error(2, 'Invalid request: missing field `params`');
        if (!Array.isArray(params) || !params.every(validStream)) {
          return error(2, 'Invalid request: invalid stream');
        }
        if (o.method === 'SUBSCRIBE') {
          const added = params.filter((p) => !client.streams.has(p)).length;
          if (client.streams.size + added > MAX_STREAMS)
            return error(2, 'Invalid request: too many parameters');
        }
        this.setSubscribed(client, params, o.method === 'SUBSCRIBE');
        return ok('null');
      }
      case 'LIST_SUBSCRIPTIONS':
        return ok(JSON.stringify([...client.streams]));
      case 'SET_PROPERTY': {
        if (!Array.isArray(params) || typeof params[0] !== 'string') {
          return error(2, 'Invalid request: property name must be a string');
        }
        if (params.length > 2) return error(2, 'Invalid request: too many parameters');
        if (params[0] !== 'combined') return error(0, 'Unknown property');
        if (typeof params[1] !== 'boolean') return error(1, 'Invalid value type: expected Boolean');
        client.combined = params[1];
        return ok('null');
      }
      case 'GET_PROPERTY':
        if (!Array.isArray(params) || typeof params[0] !== 'string') {
          return error(2, 'Invalid request: property name must be a string');
        }
        if (params.length > 1) return error(2, 'Invalid request: too many parameters');
        if (params[0] !== 'combined') return error(0, 'Unknown property');
        return ok(String(client.combined));
      default:
        return error(
          2,
          `Invalid request: unknown variant \`${String(o.method)}\`, expected one of ${METHODS.map((m) => `\`${m}\``).join(', ')}`,
        );
    }
  }

  /** Adds or removes streams; a `<symbol>@trade` stream switches that symbol's trades for the client. */
  private setSubscribed(client: Client, streams: readonly string[], on: boolean): void {
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
    const want = !this.closed && this.hasTradeListener() && this.statsData.tradesGenerated < this.maxMessages;
    if (want === this.generating) return;
    this.generating = want;
    if (want) {
      // Nobody heard the market while no one listened: start arrivals from now.
      this.model.resetTo(nowMs());
      this.scheduleIn(0);
    } else {
      this.cancelTick();
    }
  }

  /** Next tick: 0 = as soon as I/O has had its turn (setImmediate), otherwise after delayMs. */
  private scheduleIn(delayMs: number): void {
    if (!this.generating || this.timer !== null || this.immediate !== null) return;
    if (delayMs <= 0) this.immediate = setImmediate(this.tick);
    else this.timer = setTimeout(this.tick, delayMs);
  }

  private cancelTick(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private readonly onTrade = (t: SimTrade): void => this.send(t);

  private readonly tick = (): void => {
    this.timer = null;
    this.immediate = null;
    if (!this.generating) return;
    const budget = Math.min(MAX_BATCH, this.maxMessages - this.statsData.tradesGenerated);
    let n = 0;
    let next: number;
    this.cork(true);
    if (this.rate === 'max') {
      // As fast as the slowest socket drains: a batch, then yield; wait a little when backed up.
      while (n < budget && !this.backedUp()) {
        this.model.emitAt(nowMs(), this.onTrade);
        n++;
      }
      next = n === budget ? 0 : 1;
    } else {
      n = this.model.advanceTo(nowMs(), this.onTrade, budget);
      // A full batch means we are behind the arrivals: catch up after I/O. Otherwise sleep until
      // the model's next event, so a slow market costs no wake-ups.
      next = n === budget ? 0 : Math.max(1, Math.ceil(this.model.nextEventTime() - nowMs()));
    }
    this.cork(false);
    if (this.statsData.tradesGenerated >= this.maxMessages) {
      this.log(`simulator: maxMessages (${this.maxMessages}) reached; no more trades`);
      this.updateGenerating();
      return;
    }
    this.scheduleIn(next);
  };

  /**
   * Corks every client socket around a batch, so the batch leaves in one write per socket instead
   * of one system call per frame (ws uncorks after each frame; corks nest). `_socket` is ws's
   * internal field: without it (another ws version) frames simply go one by one.
   */
  private cork(on: boolean): void {
    for (const c of this.clients) {
      const socket = (c.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
      if (socket === undefined || socket === null) continue;
      if (on) socket.cork();
      else socket.uncork();
    }
  }

  private backedUp(): boolean {
    for (const c of this.clients) if (c.ws.bufferedAmount > MAX_BUFFERED) return true;
    return false;
  }

  private send(t: SimTrade): void {
    const s = this.statsData;
    s.tradesGenerated++;
    const sendTime = nowMs();
    if (sendTime < this.stalledUntil) return; // a stalled feed: the trade happened, nobody hears of it
    // At most four forms of one trade (ms/µs × raw/combined), built on first use.
    let msRaw = '';
    let usRaw = '';
    let msCombined = '';
    let usCombined = '';
    for (const c of this.clients) {
      if (!c.trades[t.index] || c.ws.readyState !== c.ws.OPEN) continue;
      let raw = c.micros ? usRaw : msRaw;
      if (raw === '') {
        raw = tradeEvent(t, sendTime, c.micros ? 1000 : 1);
        if (c.micros) usRaw = raw;
        else msRaw = raw;
      }
      let frame = raw;
      if (c.combined) {
        frame = c.micros ? usCombined : msCombined;
        if (frame === '') {
          frame = `{"stream":"${this.lower[t.index]}@trade","data":${raw}}`;
          if (c.micros) usCombined = frame;
          else msCombined = frame;
        }
      }
      c.ws.send(frame);
      s.tradesSent++;
      s.bytesSent += frame.length; // ASCII: characters are bytes
      s.sentBySymbol[t.symbol] = (s.sentBySymbol[t.symbol] ?? 0) + 1;
      if (c.ws.bufferedAmount > this.maxBufferedBytes) {
        this.log(`simulator: a client is ${c.ws.bufferedAmount} bytes behind; cutting it`);
        c.ws.terminate();
      }
    }
  }

  /** Pings, pong deadlines, connection lifetimes. */
  private houseKeep(): void {
    const now = nowMs();
    if (now < this.stalledUntil) return; // a stalled server does nothing at all
    for (const c of this.clients) {
      const oldest = c.pings.values().next();
      if (!oldest.done && now - oldest.value > this.pongTimeoutMs) {
        this.log('simulator: no pong within the deadline; closing');
        c.ws.terminate();
        continue;
      }
      if (now - c.connectedAt >= this.maxConnectionMs) {
        this.log('simulator: connection reached its maximum lifetime; closing');
        c.ws.close(1000);
        continue;
      }
      if (now - c.lastPing >= this.pingIntervalMs) {
        c.lastPing = now;
        const payload = String(++this.pingSeq);
        c.pings.set(payload, now);
        c.ws.ping(payload);
      }
    }
  }
}

/**
 * The request id echoed in a reply as JSON text, or undefined when the id is not valid. Binance
 * accepts a signed 64-bit integer, an alphanumeric string of at most 36 characters, or null.
 * Integers beyond 2^53 lose digits in JSON.parse, so those are echoed from the request's text.
 */
export function requestId(id: unknown, text: string): string | undefined {
  if (id === undefined || id === null) return 'null';
  if (typeof id === 'string') return /^[A-Za-z0-9]{1,36}$/.test(id) ? JSON.stringify(id) : undefined;
  if (typeof id !== 'number' || !Number.isInteger(id)) return undefined;
  if (Number.isSafeInteger(id)) return String(id);
  const raw = /"id"\s*:\s*(-?\d{1,19})\s*[,}]/.exec(text)?.[1];
  if (raw === undefined) return undefined;
  const big = BigInt(raw);
  return big >= -(2n ** 63n) && big < 2n ** 63n ? raw : undefined;
}

/** One trade event in Binance's field order; E is the send time, T the trade time (E ≥ T). */
function tradeEvent(t: SimTrade, sendTime: number, scale: number): string {
  const E = Math.floor(sendTime * scale);
  const T = Math.min(E, Math.floor(t.time * scale));
  return `{"e":"trade","E":${E},"s":"${t.symbol}","t":${t.tradeId},"p":"${t.price.toFixed(8)}","q":"${t.quantity.toFixed(8)}","T":${T},"m":${t.buyerMaker},"M":true}`;
}
