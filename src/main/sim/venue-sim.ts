/**
 * The exchange simulator: one HTTP server on 127.0.0.1 speaking the public market-data protocols
 * of the venues in venues/registry.ts (one module per venue: its paths, URLs, options and protocol
 * server), driven by one seeded market, with one connection, housekeeping and fault loop for all.
 * Routing is by path, from what each module declares (venues/common.ts, SimVenueModule: Binance
 * /stream, /ws, /ws/<streams> and REST /api/v3/depth, OKX /ws/v5/public, …); this file has no
 * branch on a venue and no list of them. `urls` is the contract. Two modes:
 * - 'books' (the default): the order-book market (book-model.ts). Each venue has its own books,
 *   following one shared price per instrument (Binance leads, the others trail it by a few events
 *   each); trades, book snapshots and deltas, top of book. The rate is market events (trades and
 *   book changes) per second on each venue, over all its instruments.
 * - 'trades': the trade-only market (market-model.ts), for the venues whose module speaks it
 *   (Binance): trades only, the rate is trades per second over all symbols. The engine's default
 *   feed, `tickscope sim` without --venue and the ingest benchmark run on it.
 *
 * Either way the rate is bursty, from 1/s to 'max' (as fast as the slowest socket drains), and
 * events are generated while some venue has a listener (arrivals restart from "now" when the first
 * one comes), up to `maxEvents`. Faults are injected on command (`inject`) or on a schedule
 * (`faults`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { nowMs } from '../../common/clock.ts';
import { VENUE_NAMES, type VenueName } from '../../common/venues.ts';
import { type BookEvent, BookModel, makeInstruments } from './book-model.ts';
import { DEFAULT_SYMBOLS, MarketModel, type SimTrade } from './market-model.ts';
import {
  type BookView,
  type SimMode,
  TRADE_FAULTS,
  VENUE_FAULTS,
  type Venue,
  type VenueConfig,
  type VenueFault,
  type VenueStats,
  type VenueUrls,
} from './venues/common.ts';
import { SIM_VENUES, type VenueModuleOptions } from './venues/registry.ts';

export {
  type BookView,
  type SimMode,
  TRADE_FAULTS,
  VENUE_FAULTS,
  VENUE_NAMES,
  type VenueFault,
  type VenueName,
  type VenueStats,
  type VenueUrls,
};

/** One scheduled fault: once `atMs` after start, and/or every `everyMs` (first at `atMs ?? everyMs`). */
export interface ScheduledFault {
  fault: VenueFault;
  /** Omitted: every venue. */
  venue?: VenueName;
  atMs?: number;
  everyMs?: number;
}

interface SimOptions {
  /** 'books' (default) or 'trades' (see the module comment). */
  mode?: SimMode;
  /** Default: every venue (in mode 'trades', every venue that speaks it). */
  venues?: readonly VenueName[];
  /** Any spelling (BTCUSDT, BTC-USDT, BTC/USDT); default BTC, ETH, SOL, BNB, XRP against USDT. */
  symbols?: string[];
  seed?: number;
  /**
   * Events per second (≥ 1; default 1000), or 'max': market events on each venue (mode 'books'),
   * trades over all symbols (mode 'trades').
   */
  rate?: number | 'max';
  host?: string;
  allowNonLoopback?: boolean;
  port?: number;
  faults?: ScheduledFault[];
  /** Stop after this many market events, over all venues (mode 'trades': trades; default never). */
  maxEvents?: number;
  log?: (line: string) => void;
  /** How long a stall fault lasts (default 3000 ms). */
  stallMs?: number;
  /** How long a slow-consumer fault holds its clients (default 3000 ms). */
  slowMs?: number;
  /**
   * A client whose unsent backlog exceeds this many bytes is cut (default 64 MiB), so one stalled
   * consumer cannot grow the simulator's memory without bound. At rate 'max' sending is paced by
   * the slowest socket instead and this limit is not reached.
   */
  maxBufferedBytes?: number;
}

/** The simulator's own options and every venue module's (pingIntervalMs, okxChecksum, …). */
export type VenueSimOptions = SimOptions & VenueModuleOptions;

export interface VenueSimStats {
  /** Market events generated (mode 'books': trades + book changes, over all venues; 'trades': trades). */
  events: number;
  /** Individual trades generated, over all venues (each counts once, whoever listened). */
  tradesGenerated: number;
  venues: Record<VenueName, VenueStats>;
}

/** What the tick loop needs of a market: both models have it (arrivals, a count, a restart). */
interface Market {
  readonly generated: number;
  readonly tradesGenerated: number;
  resetTo(t: number): void;
  nextEventTime(): number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** At rate 'max', stop generating while any socket holds more than this unsent. */
const MAX_BUFFERED = 4 << 20;
/** Most events one tick emits before yielding to I/O (setImmediate) when behind. */
const MAX_BATCH = 2048;
/** Batches, heartbeats, pings, deadlines and lifetimes are checked this often: one timer for all. */
const HOUSEKEEPING_MS = 20;

export class VenueSim {
  readonly urls: Record<VenueName, VenueUrls>;
  readonly port: number;
  /** ws://host:port, the base of every WebSocket URL. */
  readonly baseUrl: string;
  readonly mode: SimMode;
  readonly venues: VenueName[];
  private readonly market: Market;
  /** Emits every event due by t (at most `limit`); the market's callback routes them to venues. */
  private readonly advance: (t: number, limit: number) => number;
  /** Emits one event at t, whatever the arrivals say (rate 'max'). */
  private readonly emitOne: (t: number) => void;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly impl = new Map<VenueName, Venue>();
  /** The running venues, in `venues` order: in mode 'books' their position in the model's venues. */
  private readonly running: Venue[] = [];
  private readonly ws = new Routes<Venue>();
  private readonly rest = new Routes<Venue>();
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
    this.mode = opts.mode ?? 'books';
    this.venues = venuesOf(opts);
    this.rate = opts.rate ?? 1000;
    this.maxEvents = opts.maxEvents ?? Number.POSITIVE_INFINITY;
    this.log = opts.log ?? (() => {});
    const instruments = makeInstruments(opts.symbols ?? DEFAULT_SYMBOLS);
    // At 'max' the arrival process is bypassed (emitAt); its rate only seeds the state.
    const modelRate = this.rate === 'max' ? 1_000_000 : this.rate;
    const start = nowMs();
    const seed = opts.seed ?? 1;
    let model: BookModel | null = null;
    if (this.mode === 'books') {
      const m = new BookModel({ seed, instruments, venues: this.venues, rate: modelRate, start });
      // An event changed one venue's book: only that venue has anything to send.
      const onEvent = (ev: BookEvent): void => this.running[ev.venue]!.onEvent(ev);
      this.advance = (t, limit) => m.advanceTo(t, onEvent, limit);
      this.emitOne = (t) => m.emitAt(t, onEvent);
      this.market = m;
      model = m;
    } else {
      const m = new MarketModel({ seed, symbols: instruments.map((i) => i.key), rate: modelRate, start });
      const running = this.running;
      // Usually one venue (Binance): then a direct call, the hot path of rate 'max'.
      const onTrade = (t: SimTrade): void => {
        if (running.length === 1) running[0]!.onTrade(t);
        else for (let k = 0; k < running.length; k++) running[k]!.onTrade(t);
      };
      this.advance = (t, limit) => m.advanceTo(t, onTrade, limit);
      this.emitOne = (t) => m.emitAt(t, onTrade);
      this.market = m;
    }
    const cfg: Omit<VenueConfig, 'name' | 'venueIndex'> = {
      mode: this.mode,
      instruments,
      model,
      log: this.log,
      maxBufferedBytes: opts.maxBufferedBytes ?? 64 << 20,
      stallMs: opts.stallMs ?? 3000,
      slowMs: opts.slowMs ?? 3000,
      demandChanged: () => this.updateGenerating(),
    };
    const http = `http://${host}:${addr.port}`;
    const urls: Partial<Record<VenueName, VenueUrls>> = {};
    for (const [venueIndex, name] of this.venues.entries()) {
      const mod = SIM_VENUES[name];
      const v = mod.create({ ...cfg, name, venueIndex }, opts);
      this.running.push(v);
      this.impl.set(name, v);
      for (const path of mod.wsPaths) this.ws.add(path, v);
      urls[name] = { ws: `${this.baseUrl}${mod.wsPaths[0]}` };
      // Mode 'trades' has no books, so no REST snapshots.
      const restPaths = this.mode === 'books' ? (mod.restPaths ?? []) : [];
      for (const path of restPaths) this.rest.add(path, v);
      if (restPaths.length > 0) urls[name].rest = http;
    }
    this.urls = urls as Record<VenueName, VenueUrls>;
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://sim');
      const v = this.rest.find(url.pathname);
      if (v?.handleHttp(req, res, url)) return;
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
    if (opts.maxEvents !== undefined && !(opts.maxEvents >= 0)) {
      throw new RangeError(`simulator maxEvents must be ≥ 0, got ${opts.maxEvents}`);
    }
    if (opts.mode !== undefined && opts.mode !== 'books' && opts.mode !== 'trades') {
      throw new RangeError(`simulator mode must be 'books' or 'trades', got '${String(opts.mode)}'`);
    }
    for (const v of opts.venues ?? []) {
      if (!VENUE_NAMES.includes(v))
        throw new RangeError(`unknown venue '${v}' (known: ${VENUE_NAMES.join(', ')})`);
      if (opts.mode === 'trades' && SIM_VENUES[v].tradeStream !== true)
        throw new RangeError(
          `venue '${v}' has no trade-only stream (mode 'trades': ${tradeVenues().join(', ')})`,
        );
    }
    if (venuesOf(opts).length === 0) throw new RangeError('the simulator needs at least one venue');
    for (const f of opts.faults ?? []) validateFault(f);
    makeInstruments(opts.symbols ?? DEFAULT_SYMBOLS); // throws on a bad symbol before listening
    const server = createServer();
    // noServer: the upgrade handler routes and validates before the handshake completes.
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
    try {
      return new VenueSim(server, wss, opts);
    } catch (err) {
      // Two modules claiming one path: fail the start, leaving nothing listening.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw err;
    }
  }

  private venue(name: VenueName): Venue {
    const v = this.impl.get(name);
    if (!v) throw new RangeError(`venue '${name}' is not running in this simulator`);
    return v;
  }

  /** Injects a fault now, on one venue or on all; returns the venues it applied to. */
  inject(fault: VenueFault, venue?: VenueName): VenueName[] {
    if (!VENUE_FAULTS.includes(fault)) throw new RangeError(`unknown fault '${fault}'`);
    const targets = venue === undefined ? this.running : [this.venue(venue)];
    const applied: VenueName[] = [];
    for (const v of targets) if (v.inject(fault)) applied.push(v.name);
    return applied;
  }

  /**
   * Tells every client that the server is about to restart, where the venue's protocol has such
   * a notice (Binance's serverShutdown); connections stay open. Returns the venues that sent one.
   */
  announceShutdown(): VenueName[] {
    return this.running.filter((v) => v.announceShutdown()).map((v) => v.name);
  }

  /** The book as `venue`'s subscribers should hold it now (depth: that venue's default view). */
  bookOf(venue: VenueName, venueSymbol: string, depth?: number): BookView {
    return this.venue(venue).bookOf(venueSymbol, depth);
  }

  stats(): VenueSimStats {
    const venues = {} as Record<VenueName, VenueStats>;
    for (const v of this.running) venues[v.name] = v.snapshotStats();
    return { events: this.market.generated, tradesGenerated: this.market.tradesGenerated, venues };
  }

  /** Stops generating market events; connections stay open, heartbeats go on. */
  stopTrading(): void {
    this.maxEvents = this.market.generated;
    this.updateGenerating();
  }

  /**
   * Stops trading, sends every pending batch (Binance depth, Coinbase trades) and resolves once
   * the sockets have drained: afterwards every subscriber holds the book `bookOf` returns.
   */
  async quiesce(): Promise<void> {
    this.stopTrading();
    for (const v of this.running) v.flush();
    for (let k = 0; k < 200; k++) {
      let pending = false;
      for (const v of this.running) if (v.backedUp(0)) pending = true;
      if (!pending) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  /** Restarts trading after stopTrading / quiesce (optionally for `maxEvents` more events). */
  resumeTrading(maxEvents = Number.POSITIVE_INFINITY): void {
    this.maxEvents = this.market.generated + maxEvents;
    this.updateGenerating();
  }

  /** Stops the timers, cuts every connection and closes the server; resolves when it is closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.generating = false;
    this.cancelTick();
    clearInterval(this.housekeeping);
    for (const t of this.faultTimers) clearTimeout(t);
    for (const v of this.running) v.close();
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
    const venue = this.ws.find(url.pathname);
    if (!venue) return refuse(socket, '404 Not Found');
    const why = venue.refuse(url);
    if (why !== null) return refuse(socket, why);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      venue.onConnection(ws, url);
      ws.on('close', () => this.updateGenerating());
      this.updateGenerating();
    });
  }

  private listening(): boolean {
    for (const v of this.running) if (v.listening()) return true;
    return false;
  }

  private updateGenerating(): void {
    const want = !this.closed && this.listening() && this.market.generated < this.maxEvents;
    if (want === this.generating) return;
    this.generating = want;
    if (want) {
      // Nobody heard the market while no one listened: start arrivals from now.
      this.market.resetTo(nowMs());
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

  private backedUp(): boolean {
    const running = this.running;
    for (let k = 0; k < running.length; k++) if (running[k]!.backedUp(MAX_BUFFERED)) return true;
    return false;
  }

  /**
   * One batch of market events. Every client socket is corked around it, so the batch leaves in
   * one write per socket instead of one system call per frame (ws uncorks after each frame; corks
   * nest).
   */
  private readonly tick = (): void => {
    this.timer = null;
    this.immediate = null;
    if (!this.generating) return;
    const budget = Math.min(MAX_BATCH, this.maxEvents - this.market.generated);
    let n = 0;
    let next: number;
    for (const v of this.running) v.cork(true);
    try {
      if (this.rate === 'max') {
        // As fast as the slowest socket drains: a batch, then yield; wait a little when backed up.
        while (n < budget && !this.backedUp()) {
          this.emitOne(nowMs());
          n++;
        }
        next = n === budget ? 0 : 1;
      } else {
        n = this.advance(nowMs(), budget);
        // A full batch means we are behind the arrivals: catch up after I/O. Otherwise sleep until
        // the model's next event, so a slow market costs no wake-ups.
        next = n === budget ? 0 : Math.max(1, Math.ceil(this.market.nextEventTime() - nowMs()));
      }
    } finally {
      for (const v of this.running) v.cork(false);
    }
    if (this.market.generated >= this.maxEvents) {
      this.log(`simulator: maxEvents (${this.maxEvents}) reached; no more events`);
      this.updateGenerating();
      return;
    }
    this.scheduleIn(Math.min(next, 50));
  };

  private houseKeep(): void {
    const now = nowMs();
    for (const v of this.running) {
      v.cork(true);
      try {
        v.onTimer(now);
      } finally {
        v.cork(false);
      }
    }
  }
}

/** The venues a simulator runs: as given (once each), or every venue the mode allows. */
function venuesOf(opts: VenueSimOptions): VenueName[] {
  if (opts.venues !== undefined) return [...new Set(opts.venues)];
  return opts.mode === 'trades' ? tradeVenues() : [...VENUE_NAMES];
}

/** The venues whose module speaks the trade-only stream. */
function tradeVenues(): VenueName[] {
  return VENUE_NAMES.filter((v) => SIM_VENUES[v].tradeStream === true);
}

/**
 * Paths to their owners, as the venue modules declare them (SimVenueModule.wsPaths): exact
 * ('/v2'), or everything below a prefix ('/ws/*'). A request's one trailing '/' is ignored; an
 * exact path wins over any prefix, a longer prefix over a shorter one, so no order between the
 * owners is needed; two owners of one path are an error.
 */
export class Routes<T extends { readonly name: string }> {
  private readonly exact = new Map<string, T>();
  /** Longest first. */
  private readonly prefixes: [string, T][] = [];

  add(path: string, owner: T): void {
    const prefix = path.endsWith('/*') ? path.slice(0, -1) : null;
    const other =
      prefix === null ? this.exact.get(trimSlash(path)) : this.prefixes.find(([p]) => p === prefix)?.[1];
    if (other !== undefined) throw new Error(`simulator: ${owner.name} and ${other.name} both claim ${path}`);
    if (prefix === null) this.exact.set(trimSlash(path), owner);
    else {
      this.prefixes.push([prefix, owner]);
      this.prefixes.sort((a, b) => b[0].length - a[0].length);
    }
  }

  find(pathname: string): T | undefined {
    const exact = this.exact.get(trimSlash(pathname));
    if (exact !== undefined) return exact;
    for (const [prefix, owner] of this.prefixes) if (pathname.startsWith(prefix)) return owner;
    return undefined;
  }
}

/** A request path without its one trailing '/' (the venues take /v2/ as /v2). */
function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
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
  if (f.venue !== undefined && !VENUE_NAMES.includes(f.venue))
    throw new RangeError(`unknown venue '${f.venue}'`);
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
    if (venue !== undefined && !VENUE_NAMES.includes(venue as VenueName))
      throw new RangeError(`'${item}': unknown venue '${venue}' (known: ${VENUE_NAMES.join(', ')})`);
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
