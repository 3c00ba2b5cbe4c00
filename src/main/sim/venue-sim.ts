/**
 * The multi-venue exchange simulator: one seeded order-book market (book-model.ts) spoken in the
 * public market-data protocols of Binance spot, Coinbase Advanced Trade, Kraken v2, Bybit v5 spot
 * and OKX v5 (one module per venue under venues/), on one HTTP server on 127.0.0.1 routing by path:
 *
 *   binance   ws://H:P/ws, /ws/<streams>, /stream[?streams=…]   REST http://H:P/api/v3/depth
 *   coinbase  ws://H:P/coinbase
 *   kraken    ws://H:P/v2
 *   bybit     ws://H:P/v5/public/spot
 *   okx       ws://H:P/ws/v5/public
 *
 * `urls` is the contract. Each venue has its own books, following one shared price per instrument
 * (book-model.ts: Binance leads, the others trail it by a few events each). The rate is market
 * events (trades and book changes) per second on each venue, over all its instruments, bursty, from
 * 1/s to 'max' (as fast as the slowest socket drains). Events are generated while at least one
 * client is connected (arrivals restart from "now" when the first one comes). Faults are injected
 * on command (`inject`) or on a schedule (`faults`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { nowMs } from '../../common/clock.ts';
import { type BookEvent, BookModel, makeInstruments } from './book-model.ts';
import { DEFAULT_SYMBOLS } from './market-model.ts';
import { BinanceVenue } from './venues/binance.ts';
import { BybitVenue } from './venues/bybit.ts';
import { CoinbaseVenue } from './venues/coinbase.ts';
import {
  type BookView,
  VENUE_FAULTS,
  VENUES,
  type Venue,
  type VenueConfig,
  type VenueFault,
  type VenueName,
  type VenueStats,
} from './venues/common.ts';
import { KrakenVenue } from './venues/kraken.ts';
import { OkxVenue } from './venues/okx.ts';

export { type BookView, VENUE_FAULTS, VENUES, type VenueFault, type VenueName, type VenueStats };

/** One scheduled fault: once `atMs` after start, and/or every `everyMs` (first at `atMs ?? everyMs`). */
export interface ScheduledFault {
  fault: VenueFault;
  /** Omitted: every venue. */
  venue?: VenueName;
  atMs?: number;
  everyMs?: number;
}

export interface VenueSimOptions {
  /** Default: all five. */
  venues?: VenueName[];
  /** Any spelling (BTCUSDT, BTC-USDT, BTC/USDT); default BTC, ETH, SOL, BNB, XRP against USDT. */
  symbols?: string[];
  seed?: number;
  /** Market events per second on each venue, over all instruments (≥ 1; default 1000), or 'max'. */
  rate?: number | 'max';
  host?: string;
  allowNonLoopback?: boolean;
  port?: number;
  faults?: ScheduledFault[];
  /** Stop after this many market events, over all venues (default: never). */
  maxEvents?: number;
  log?: (line: string) => void;
  /** How long a stall fault lasts (default 3000 ms). */
  stallMs?: number;
  /** How long a slow-consumer fault holds its clients (default 3000 ms). */
  slowMs?: number;
  /** A client whose unsent backlog exceeds this many bytes is cut (default 64 MiB). */
  maxBufferedBytes?: number;
  /** OKX checksum: 'real' (legacy CRC32, default) or 'zero' (as the 2026 docs). */
  okxChecksum?: 'real' | 'zero';
  /** Binance ping interval and pong deadline (20 s, 60 s). */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Kraken / Coinbase heartbeat interval (1000 ms). */
  heartbeatMs?: number;
  /** OKX empty keep-alive update after this long without a change (60 000 ms). */
  okxKeepAliveMs?: number;
  /** Bybit orderbook.1 re-send interval (3000 ms). */
  bybitL1ResendMs?: number;
}

export interface VenueUrls {
  ws: string;
  rest?: string;
}

export interface VenueSimStats {
  /** Market events generated (trades + book changes), over all venues. */
  events: number;
  /** Individual trades generated, over all venues. */
  tradesGenerated: number;
  venues: Record<VenueName, VenueStats>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_BUFFERED = 4 << 20;
const MAX_BATCH = 2048;
const HOUSEKEEPING_MS = 20;

export class VenueSim {
  readonly urls: Record<VenueName, VenueUrls>;
  readonly port: number;
  /** ws://host:port, the base of every WebSocket URL. */
  readonly baseUrl: string;
  readonly venues: VenueName[];
  readonly model: BookModel;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly impl = new Map<VenueName, Venue>();
  /** The venues by their position in the model's `venues`, where its events are routed. */
  private readonly byIndex: Venue[] = [];
  private readonly rate: number | 'max';
  private maxEvents: number;
  private readonly log: (line: string) => void;
  private readonly housekeeping: NodeJS.Timeout;
  private readonly faultTimers: NodeJS.Timeout[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private generating = false;
  private closed = false;

  private constructor(server: Server, wss: WebSocketServer, opts: VenueSimOptions) {
    this.server = server;
    this.wss = wss;
    const addr = server.address() as AddressInfo;
    this.port = addr.port;
    const wildcard = addr.address === '0.0.0.0' || addr.address === '::';
    const host = wildcard ? '127.0.0.1' : addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.baseUrl = `ws://${host}:${addr.port}`;
    this.venues = [...new Set(opts.venues ?? VENUES)];
    this.rate = opts.rate ?? 1000;
    this.maxEvents = opts.maxEvents ?? Number.POSITIVE_INFINITY;
    this.log = opts.log ?? (() => {});
    const instruments = makeInstruments(opts.symbols ?? DEFAULT_SYMBOLS);
    this.model = new BookModel({
      seed: opts.seed ?? 1,
      instruments,
      venues: this.venues,
      rate: this.rate === 'max' ? 1_000_000 : this.rate,
      start: nowMs(),
    });
    const cfg: Omit<VenueConfig, 'venueIndex'> = {
      instruments,
      model: this.model,
      log: this.log,
      maxBufferedBytes: opts.maxBufferedBytes ?? 64 << 20,
      stallMs: opts.stallMs ?? 3000,
      slowMs: opts.slowMs ?? 3000,
      pingIntervalMs: opts.pingIntervalMs ?? 20_000,
      pongTimeoutMs: opts.pongTimeoutMs ?? 60_000,
      okxChecksum: (opts.okxChecksum ?? 'real') === 'real',
      okxKeepAliveMs: opts.okxKeepAliveMs ?? 60_000,
      heartbeatMs: opts.heartbeatMs ?? 1000,
      bybitL1ResendMs: opts.bybitL1ResendMs ?? 3000,
    };
    const make: Record<VenueName, (c: VenueConfig) => Venue> = {
      binance: (c) => new BinanceVenue(c),
      coinbase: (c) => new CoinbaseVenue(c),
      kraken: (c) => new KrakenVenue(c),
      bybit: (c) => new BybitVenue(c),
      okx: (c) => new OkxVenue(c),
    };
    for (const [venueIndex, v] of this.venues.entries()) this.byIndex.push(make[v]({ ...cfg, venueIndex }));
    // OKX first: its /ws/v5/public would otherwise look like a Binance raw-stream path.
    for (const v of ['okx', 'binance', 'coinbase', 'kraken', 'bybit'] as const) {
      const k = this.venues.indexOf(v);
      if (k >= 0) this.impl.set(v, this.byIndex[k]!);
    }
    const http = `http://${host}:${addr.port}`;
    const paths: Record<VenueName, VenueUrls> = {
      binance: { ws: `${this.baseUrl}/stream`, rest: http },
      coinbase: { ws: `${this.baseUrl}/coinbase` },
      kraken: { ws: `${this.baseUrl}/v2` },
      bybit: { ws: `${this.baseUrl}/v5/public/spot` },
      okx: { ws: `${this.baseUrl}/ws/v5/public` },
    };
    this.urls = Object.fromEntries(this.venues.map((v) => [v, paths[v]])) as Record<VenueName, VenueUrls>;
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://sim');
      for (const v of this.impl.values()) if (v.handleHttp(req, res, url)) return;
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"code":-1,"msg":"not found"}');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
    this.housekeeping = setInterval(() => this.houseKeep(), HOUSEKEEPING_MS);
    for (const f of opts.faults ?? []) this.schedule(f);
  }

  static async start(opts: VenueSimOptions = {}): Promise<VenueSim> {
    const host = opts.host ?? '127.0.0.1';
    if (!LOOPBACK.has(host) && opts.allowNonLoopback !== true) {
      throw new Error(`the simulator listens on loopback only, not ${host} (allowNonLoopback to override)`);
    }
    if (opts.rate !== undefined && opts.rate !== 'max' && !(opts.rate >= 1 && Number.isFinite(opts.rate))) {
      throw new RangeError(`simulator rate must be ≥ 1 event/s or 'max', got ${opts.rate}`);
    }
    for (const v of opts.venues ?? []) {
      if (!VENUES.includes(v)) throw new RangeError(`unknown venue '${v}' (known: ${VENUES.join(', ')})`);
    }
    for (const f of opts.faults ?? []) validateFault(f);
    makeInstruments(opts.symbols ?? DEFAULT_SYMBOLS); // throws on a bad symbol before listening
    const server = createServer();
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
    return new VenueSim(server, wss, opts);
  }

  private venue(name: VenueName): Venue {
    const v = this.impl.get(name);
    if (!v) throw new RangeError(`venue '${name}' is not running in this simulator`);
    return v;
  }

  /** Injects a fault now, on one venue or on all; returns the venues it applied to. */
  inject(fault: VenueFault, venue?: VenueName): VenueName[] {
    if (!VENUE_FAULTS.includes(fault)) throw new RangeError(`unknown fault '${fault}'`);
    const targets = venue === undefined ? [...this.impl.values()] : [this.venue(venue)];
    const applied: VenueName[] = [];
    for (const v of targets) if (v.inject(fault)) applied.push(v.name);
    return applied;
  }

  /** The book as `venue`'s subscribers should hold it now (depth: that venue's default view). */
  bookOf(venue: VenueName, venueSymbol: string, depth?: number): BookView {
    return this.venue(venue).bookOf(venueSymbol, depth);
  }

  stats(): VenueSimStats {
    const venues = {} as Record<VenueName, VenueStats>;
    for (const [name, v] of this.impl) venues[name] = v.snapshotStats();
    return { events: this.model.generated, tradesGenerated: this.model.tradesGenerated, venues };
  }

  /** Stops generating market events; connections stay open, heartbeats go on. */
  stopTrading(): void {
    this.maxEvents = this.model.generated;
    this.updateGenerating();
  }

  /**
   * Stops trading, sends every pending batch (Binance depth, Coinbase trades) and resolves once
   * the sockets have drained: afterwards every subscriber holds the book `bookOf` returns.
   */
  async quiesce(): Promise<void> {
    this.stopTrading();
    for (const v of this.impl.values()) v.flush();
    for (let k = 0; k < 200; k++) {
      let pending = false;
      for (const v of this.impl.values()) if (v.backedUp(0)) pending = true;
      if (!pending) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  /** Restarts trading after stopTrading / quiesce (optionally for `maxEvents` more events). */
  resumeTrading(maxEvents = Number.POSITIVE_INFINITY): void {
    this.maxEvents = this.model.generated + maxEvents;
    this.updateGenerating();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.generating = false;
    this.cancelTick();
    clearInterval(this.housekeeping);
    for (const t of this.faultTimers) clearTimeout(t);
    for (const v of this.impl.values()) v.close();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private schedule(f: ScheduledFault): void {
    const fire = (): void => {
      if (this.closed) return;
      this.inject(f.fault, f.venue);
    };
    const first = f.atMs ?? f.everyMs ?? 0;
    const t = setTimeout(() => {
      fire();
      if (f.everyMs !== undefined) {
        const every = setInterval(fire, f.everyMs);
        this.faultTimers.push(every as unknown as NodeJS.Timeout);
      }
    }, first);
    this.faultTimers.push(t);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sim');
    } catch {
      return refuse(socket, '400 Bad Request');
    }
    if (this.closed) return refuse(socket, '503 Service Unavailable');
    let venue: Venue | undefined;
    for (const v of this.impl.values()) {
      if (v.accepts(url.pathname)) {
        venue = v;
        break;
      }
    }
    if (!venue) return refuse(socket, '404 Not Found');
    const why = venue.refuse(url);
    if (why !== null) return refuse(socket, why);
    const v = venue;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      v.onConnection(ws, url);
      ws.on('close', () => this.updateGenerating());
      this.updateGenerating();
    });
  }

  private anyClient(): boolean {
    for (const v of this.impl.values()) if (v.clients.size > 0) return true;
    return false;
  }

  private updateGenerating(): void {
    const want = !this.closed && this.anyClient() && this.model.generated < this.maxEvents;
    if (want === this.generating) return;
    this.generating = want;
    if (want) {
      this.model.resetTo(nowMs());
      this.scheduleIn(0);
    } else {
      this.cancelTick();
    }
  }

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

  /** An event changed one venue's book: only that venue has anything to send. */
  private readonly onEvent = (ev: BookEvent): void => {
    this.byIndex[ev.venue]!.onEvent(ev);
  };

  private backedUp(): boolean {
    for (const v of this.impl.values()) if (v.backedUp(MAX_BUFFERED)) return true;
    return false;
  }

  private readonly tick = (): void => {
    this.timer = null;
    this.immediate = null;
    if (!this.generating) return;
    const budget = Math.min(MAX_BATCH, this.maxEvents - this.model.generated);
    let n = 0;
    let next: number;
    for (const v of this.impl.values()) v.cork(true);
    try {
      if (this.rate === 'max') {
        while (n < budget && !this.backedUp()) {
          this.model.emitAt(nowMs(), this.onEvent);
          n++;
        }
        next = n === budget ? 0 : 1;
      } else {
        n = this.model.advanceTo(nowMs(), this.onEvent, budget);
        next = n === budget ? 0 : Math.max(1, Math.ceil(this.model.nextEventTime() - nowMs()));
      }
    } finally {
      for (const v of this.impl.values()) v.cork(false);
    }
    if (this.model.generated >= this.maxEvents) {
      this.updateGenerating();
      return;
    }
    this.scheduleIn(Math.min(next, 50));
  };

  private houseKeep(): void {
    const now = nowMs();
    for (const v of this.impl.values()) {
      v.cork(true);
      try {
        v.onTimer(now);
      } finally {
        v.cork(false);
      }
    }
  }
}

function refuse(socket: Duplex, status: string): void {
  const body = `{"code":-1,"msg":"${status.slice(4)}"}`;
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function validateFault(f: ScheduledFault): void {
  if (!VENUE_FAULTS.includes(f.fault))
    throw new RangeError(`unknown fault '${f.fault}' (known: ${VENUE_FAULTS.join(', ')})`);
  if (f.venue !== undefined && !VENUES.includes(f.venue)) throw new RangeError(`unknown venue '${f.venue}'`);
  if (f.atMs !== undefined && !(f.atMs >= 0)) throw new RangeError('fault atMs must be ≥ 0');
  if (f.everyMs !== undefined && !(f.everyMs >= 10)) throw new RangeError('fault everyMs must be ≥ 10 ms');
}

/**
 * Parses a fault schedule: comma-separated `FAULT[:VENUE][@WHEN]`, WHEN = `10s` / `1500ms` / `2.5`
 * (once, that long after start) or `every:5s` (repeatedly). Without @WHEN, `defaultEveryMs`
 * applies (repeatedly). Example: `disconnect@10s,dropped-delta:okx@every:5s,bad-checksum`.
 */
export function parseFaultSchedule(spec: string, defaultEveryMs: number): ScheduledFault[] {
  const out: ScheduledFault[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const at = item.indexOf('@');
    const head = at < 0 ? item : item.slice(0, at);
    const when = at < 0 ? undefined : item.slice(at + 1);
    const [fault, venue, extra] = head.split(':');
    if (extra !== undefined) throw new RangeError(`'${item}': expected FAULT[:VENUE][@WHEN]`);
    if (!VENUE_FAULTS.includes(fault as VenueFault))
      throw new RangeError(`'${item}': unknown fault '${fault}' (known: ${VENUE_FAULTS.join(', ')})`);
    if (venue !== undefined && !VENUES.includes(venue as VenueName))
      throw new RangeError(`'${item}': unknown venue '${venue}' (known: ${VENUES.join(', ')})`);
    const f: ScheduledFault = { fault: fault as VenueFault };
    if (venue !== undefined) f.venue = venue as VenueName;
    if (when === undefined) f.everyMs = defaultEveryMs;
    else if (when.startsWith('every:')) f.everyMs = duration(when.slice(6), item);
    else f.atMs = duration(when, item);
    if (f.everyMs !== undefined && f.everyMs < 10)
      throw new RangeError(`'${item}': the interval must be ≥ 10ms`);
    out.push(f);
  }
  if (out.length === 0) throw new RangeError('no fault given');
  return out;
}

function duration(text: string, item: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new RangeError(`'${item}': bad time '${text}' (e.g. 10s, 500ms, every:5s)`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}
