/**
 * The simulator's venue contract and what every simulated venue shares. A venue is one module,
 * venues/<name>.ts, exporting a `SimVenueModule` — its paths, its URLs, its options, whether it
 * speaks the trade-only stream, and how to create its protocol server (a `Venue`) — registered by
 * name in venues/registry.ts; venue-sim.ts reads only this. Shared here: the client record, counted
 * and stall-aware sends, the injected faults that act the same way everywhere (disconnect, stall,
 * malformed, oversized, slow-consumer), the per-venue statistics, CRC32 and time formatting.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { crc32 as zlibCrc32 } from 'node:zlib';
import type { WebSocket } from 'ws';
import { nowMs } from '../../../common/clock.ts';
import { SIM_FAULT_NAMES } from '../../../common/config.ts';
import type { VenueName } from '../../../common/venues.ts';
import { type Book, type BookEvent, type BookModel, type Instrument, minimal } from '../book-model.ts';
import type { SimTrade } from '../market-model.ts';

export type { VenueName };

/**
 * Faults, injected on command or on a schedule, per venue or on all of them:
 * - disconnect: every connection cut without a close frame;
 * - stall: nothing at all sent (data, heartbeats, pings, pongs, replies) for `stallMs`, sockets open;
 *   what happens meanwhile is lost, so sequenced books show a gap when it ends;
 * - dropped-delta: the next book delta frame is not sent (its sequence number is used up; on
 *   Kraken, which has no sequence, the next checksum no longer matches the client's book);
 * - bad-checksum: the next book update carries a wrong checksum (Kraken and OKX only);
 * - malformed: a truncated JSON frame to every client;
 * - oversized: a 2 MiB text frame to every client;
 * - slow-consumer: for `slowMs` the server neither reads from nor writes to its clients' sockets
 *   (writes pile up in the backlog); a client whose backlog exceeds `maxBufferedBytes` is cut.
 */
/** The faults, named once in the configuration contract (the settings panel offers the same). */
export type VenueFault = (typeof SIM_FAULT_NAMES)[number];
export const VENUE_FAULTS: readonly VenueFault[] = SIM_FAULT_NAMES;
/** The faults that act on book frames: in mode 'trades' there are none, so they apply nowhere. */
export const BOOK_FAULTS: readonly VenueFault[] = ['dropped-delta', 'bad-checksum'];
/** The faults a trade-only stream has (mode 'trades'). */
export const TRADE_FAULTS: readonly VenueFault[] = VENUE_FAULTS.filter((f) => !BOOK_FAULTS.includes(f));

export interface VenueStats {
  /** Text frames sent (data, replies, heartbeats; WebSocket control frames excluded). */
  messages: number;
  /** Payload bytes of those frames. */
  bytes: number;
  /** Individual trades sent (a trade sent to two connections counts twice). */
  trades: number;
  /** Of those, per instrument (BTCUSDT: the simulator's instrument key). */
  tradesBySymbol: Record<string, number>;
  /** Book snapshot + delta frames sent (REST snapshots included for Binance). */
  bookUpdates: number;
  bookSnapshots: number;
  droppedDeltas: number;
  badChecksums: number;
  malformed: number;
  oversized: number;
  /** Connections cut by a disconnect fault. */
  disconnects: number;
  stalls: number;
  slowConsumers: number;
  /** Clients cut because their unsent backlog exceeded the limit. */
  backlogCuts: number;
  /** Replies to client requests (acks, lists, pongs), error replies included. */
  replies: number;
  /** Error replies to client requests. */
  errors: number;
  /** Open connections now. */
  connections: number;
  /** Connections accepted so far. */
  connectionsTotal: number;
}

export function emptyStats(): VenueStats {
  return {
    messages: 0,
    bytes: 0,
    trades: 0,
    tradesBySymbol: {},
    bookUpdates: 0,
    bookSnapshots: 0,
    droppedDeltas: 0,
    badChecksums: 0,
    malformed: 0,
    oversized: 0,
    disconnects: 0,
    stalls: 0,
    slowConsumers: 0,
    backlogCuts: 0,
    replies: 0,
    errors: 0,
    connections: 0,
    connectionsTotal: 0,
  };
}

export interface BookView {
  /** [price, quantity] best first, as numbers (parsed from the venue's exact decimals). */
  bids: [number, number][];
  asks: [number, number][];
  /** The venue's sequence for this book (see each venue), or the instrument's event count. */
  sequence: number;
}

/**
 * What the simulator runs on. 'books': the order-book market (book-model.ts), every venue's
 * trades, books and top of book. 'trades': the trade-only market (market-model.ts), nothing but
 * trades, for the venues whose module speaks it — the lighter stream the engine's default feed
 * and the ingest benchmark use.
 */
export type SimMode = 'books' | 'trades';

/** What the simulator gives each venue it runs (its own options come separately, see create). */
export interface VenueConfig {
  /** The module's name: the venue's name everywhere (stats, logs). */
  name: VenueName;
  mode: SimMode;
  instruments: Instrument[];
  /** The order-book market (mode 'books'); null in mode 'trades', where trades come by onTrade. */
  model: BookModel | null;
  /** This venue's position in the model's `venues`: its books and events are its own. */
  venueIndex: number;
  log: (line: string) => void;
  maxBufferedBytes: number;
  stallMs: number;
  slowMs: number;
  /** To call when what the clients listen to has changed (see Venue.listening). */
  demandChanged: () => void;
}

export interface VenueUrls {
  ws: string;
  rest?: string;
}

/**
 * Everything venue-sim.ts knows about a venue, exported by its module and registered by name in
 * venues/registry.ts. The simulator has no branch on a venue's name: routing, URLs, options and
 * modes all come from here.
 */
export interface SimVenueModule<O extends object = object> {
  readonly name: VenueName;
  /**
   * The WebSocket paths it answers: exact ('/v2'), or all below a prefix ('/ws/*'); a trailing '/'
   * on a request is ignored. The first is the one clients are given (`urls`, and what `tickscope
   * sim` prints). No order between venues is needed: an exact path wins over any prefix and a
   * longer prefix over a shorter one (OKX's /ws/v5/public over Binance's /ws/*), and two venues
   * claiming the same path fail the simulator's start.
   */
  readonly wsPaths: readonly [string, ...string[]];
  /**
   * Its plain-HTTP paths (REST book snapshots), exact; with any, its URLs carry the REST base
   * http://host:port. Not served in mode 'trades'.
   */
  readonly restPaths?: readonly string[];
  /** It speaks mode 'trades' too (its Venue implements onTrade). */
  readonly tradeStream?: boolean;
  /**
   * Its protocol server. `opts` is the simulator's whole option object, of which the module reads
   * its own fields (O, with their defaults): the registry makes VenueSimOptions of every O.
   */
  create(cfg: VenueConfig, opts: O): Venue;
}

export interface ClientBase {
  ws: WebSocket;
  connectedAt: number;
  /** Last time anything was sent to it. */
  lastSent: number;
  /** Held by a slow-consumer fault until this time. */
  slowUntil: number;
}

type RawSocket = Socket & { cork(): void; uncork(): void };

export function rawSocket(ws: WebSocket): RawSocket | undefined {
  const s = (ws as unknown as { _socket?: RawSocket | null })._socket;
  return s ?? undefined;
}

const MAX_PENDING = 4;
/** 2 MiB and a bit: above any client's sane maxPayload. */
const OVERSIZED = 2 << 20;

export abstract class Venue<C extends ClientBase = ClientBase> {
  readonly name: VenueName;
  readonly clients = new Set<C>();
  readonly stats: VenueStats = emptyStats();
  protected readonly cfg: VenueConfig;
  protected stalledUntil = 0;
  /** Book delta frames still to be dropped (dropped-delta faults pending). */
  protected dropDeltas = 0;
  /** Book updates still to carry a wrong checksum (bad-checksum faults pending). */
  protected badChecksums = 0;
  private readonly slowTimers = new Set<NodeJS.Timeout>();
  /** Trades sent, per instrument (stats.tradesBySymbol). */
  private readonly tradeCounts: Float64Array;

  constructor(cfg: VenueConfig) {
    this.cfg = cfg;
    this.name = cfg.name;
    this.tradeCounts = new Float64Array(cfg.instruments.length);
  }

  /** Refuses a handshake with an HTTP status line, or accepts it (null). */
  refuse(_url: URL): string | null {
    return null;
  }
  abstract onConnection(ws: WebSocket, url: URL): void;
  /** One event of the order-book market on this venue's books (mode 'books'). */
  abstract onEvent(ev: BookEvent): void;
  /**
   * One trade of the trade-only market (mode 'trades'; only for modules with `tradeStream`). The
   * model reuses the object: copy what you keep.
   */
  onTrade(_t: SimTrade): void {}
  /**
   * Whether anyone listens, so that the market must run: any client (the default); a venue that
   * knows better (Binance in mode 'trades': a trade subscription) says so, and calls
   * cfg.demandChanged when that changes.
   */
  listening(): boolean {
    return this.clients.size > 0;
  }
  /** Announces a server restart as the venue does (Binance's serverShutdown); false: it has none. */
  announceShutdown(): boolean {
    return false;
  }
  /** Housekeeping, called every few tens of ms: batches, heartbeats, deadlines. */
  abstract onTimer(now: number): void;
  /** Sends whatever batches are pending now (quiesce). */
  flush(): void {}
  /** Plain HTTP requests (Binance REST); true when handled. */
  handleHttp(_req: IncomingMessage, _res: ServerResponse, _url: URL): boolean {
    return false;
  }
  /** The book as this venue's subscribers should hold it. */
  abstract bookOf(symbol: string, depth?: number): BookView;

  /** This venue's own book of instrument i in the model. */
  protected book(i: number): Book {
    const model = this.cfg.model;
    if (model === null) throw new RangeError(`${this.name}: no order books in mode 'trades'`);
    return model.book(this.cfg.venueIndex, i);
  }
  /** A truncated frame in the venue's own shape. */
  protected abstract malformedFrame(): string;
  /** Does the venue carry a checksum (bad-checksum applies)? */
  protected hasChecksum(): boolean {
    return false;
  }

  get stalled(): boolean {
    return nowMs() < this.stalledUntil;
  }

  /** Registers a new client. */
  protected addClient(c: C): void {
    this.clients.add(c);
    this.stats.connectionsTotal++;
    c.ws.on('error', () => {});
    c.ws.on('close', () => {
      this.clients.delete(c);
      this.onClose(c);
    });
  }

  protected onClose(_c: C): void {}

  /** Sends one text frame, counted; nothing while stalled. False when not sent. */
  protected send(c: C, text: string): boolean {
    return this.sendAt(c, text, nowMs());
  }

  /** send, with the time already read (a hot path sending one event to many clients reads it once). */
  protected sendAt(c: C, text: string, now: number): boolean {
    if (c.ws.readyState !== 1) return false;
    if (now < this.stalledUntil) return false;
    c.ws.send(text);
    c.lastSent = now;
    this.stats.messages++;
    this.stats.bytes += text.length;
    if (c.ws.bufferedAmount > this.cfg.maxBufferedBytes) {
      this.cfg.log(`simulator (${this.name}): a client is ${c.ws.bufferedAmount} bytes behind; cutting it`);
      this.stats.backlogCuts++;
      this.release(c);
      c.ws.terminate();
      return false;
    }
    return true;
  }

  /** A reply to a client's request (ack, list, pong), counted as one. */
  protected answer(c: C, text: string): void {
    this.stats.replies++;
    this.send(c, text);
  }

  /** An error reply. */
  protected error(c: C, text: string): void {
    this.stats.errors++;
    this.answer(c, text);
  }

  /** Counts n trades of instrument i sent (to one connection each). */
  protected countTrades(i: number, n: number): void {
    this.stats.trades += n;
    this.tradeCounts[i]! += n;
  }

  /** Takes the next pending dropped-delta fault: true = do not send this delta. */
  protected takeDrop(): boolean {
    if (this.dropDeltas === 0) return false;
    this.dropDeltas--;
    this.stats.droppedDeltas++;
    return true;
  }

  /** Takes the next pending bad-checksum fault: true = corrupt this checksum. */
  protected takeBadChecksum(): boolean {
    if (this.badChecksums === 0) return false;
    this.badChecksums--;
    this.stats.badChecksums++;
    return true;
  }

  /** Applies a fault; false when it does not apply to this venue. */
  inject(fault: VenueFault): boolean {
    if (this.cfg.mode === 'trades' && BOOK_FAULTS.includes(fault)) return false;
    this.cfg.log(`simulator (${this.name}): injecting fault '${fault}'`);
    switch (fault) {
      case 'disconnect':
        for (const c of this.clients) {
          this.stats.disconnects++;
          this.release(c);
          c.ws.terminate();
        }
        return true;
      case 'stall':
        this.stats.stalls++;
        this.stalledUntil = nowMs() + this.cfg.stallMs;
        return true;
      // Pending until a frame goes out; a few at most (a schedule on an idle venue does not pile up).
      case 'dropped-delta':
        this.dropDeltas = Math.min(MAX_PENDING, this.dropDeltas + 1);
        return true;
      case 'bad-checksum':
        if (!this.hasChecksum()) return false;
        this.badChecksums = Math.min(MAX_PENDING, this.badChecksums + 1);
        return true;
      case 'malformed': {
        const f = this.malformedFrame();
        for (const c of this.clients) if (this.send(c, f)) this.stats.malformed++;
        return true;
      }
      case 'oversized': {
        const big = `{"pad":"${'x'.repeat(OVERSIZED)}"}`;
        for (const c of this.clients) if (this.send(c, big)) this.stats.oversized++;
        return true;
      }
      case 'slow-consumer':
        this.stats.slowConsumers++;
        for (const c of this.clients) this.hold(c);
        return true;
    }
  }

  /** Slow consumer: stop reading the socket and keep its writes corked for slowMs. */
  private hold(c: C): void {
    const sock = rawSocket(c.ws);
    if (sock === undefined || c.slowUntil > 0) return;
    c.slowUntil = nowMs() + this.cfg.slowMs;
    sock.pause();
    sock.cork();
    const timer = setTimeout(() => {
      this.slowTimers.delete(timer);
      this.release(c);
    }, this.cfg.slowMs);
    this.slowTimers.add(timer);
  }

  private release(c: C): void {
    if (c.slowUntil === 0) return;
    c.slowUntil = 0;
    const sock = rawSocket(c.ws);
    if (sock === undefined) return;
    sock.uncork();
    sock.resume();
  }

  /** Is any (not deliberately held) client's backlog above `limit`? */
  backedUp(limit: number): boolean {
    for (const c of this.clients) if (c.slowUntil === 0 && c.ws.bufferedAmount > limit) return true;
    return false;
  }

  cork(on: boolean): void {
    for (const c of this.clients) {
      const s = rawSocket(c.ws);
      if (s === undefined) continue;
      if (on) s.cork();
      else s.uncork();
    }
  }

  snapshotStats(): VenueStats {
    const tradesBySymbol: Record<string, number> = {};
    for (const inst of this.cfg.instruments) tradesBySymbol[inst.key] = this.tradeCounts[inst.index]!;
    return { ...this.stats, tradesBySymbol, connections: this.clients.size };
  }

  close(): void {
    for (const t of this.slowTimers) clearTimeout(t);
    this.slowTimers.clear();
    for (const c of this.clients) {
      this.release(c);
      c.ws.terminate();
    }
    this.clients.clear();
  }
}

export function newClientBase(ws: WebSocket): ClientBase {
  const now = nowMs();
  return { ws, connectedAt: now, lastSent: now, slowUntil: 0 };
}

/** Standard CRC-32 (zlib / IEEE) of an ASCII string, unsigned (node:zlib's). */
export function crc32(str: string): number {
  return zlibCrc32(str) >>> 0;
}

/** RFC 3339 UTC with exactly 6 fraction digits, from epoch ms with µs precision. */
export function isoMicros(ms: number): string {
  const whole = Math.floor(ms);
  const us = Math.min(999, Math.max(0, Math.round((ms - whole) * 1000)));
  return `${new Date(whole).toISOString().slice(0, 23)}${String(us).padStart(3, '0')}Z`;
}

/** Go's RFC3339Nano (as Coinbase): up to 9 fraction digits, trailing zeros cut. */
export function isoNanos(ms: number, extraNs = 0): string {
  const whole = Math.floor(ms);
  const ns = Math.round((ms - whole) * 1e6) + extraNs;
  let frac = String(whole % 1000).padStart(3, '0') + String(Math.min(999_999, ns)).padStart(6, '0');
  let end = frac.length;
  while (end > 0 && frac.charCodeAt(end - 1) === 48) end--;
  frac = frac.slice(0, end);
  const base = new Date(whole).toISOString().slice(0, 19);
  return frac === '' ? `${base}Z` : `${base}.${frac}Z`;
}

/** The top n levels of one side as numbers [price, quantity]. */
export function topLevels(inst: Instrument, book: Book, side: 0 | 1, n: number): [number, number][] {
  return book.sides[side]
    .top(n)
    .map(([p, q]) => [Number(minimal(p, inst.priceDecimals)), Number(minimal(q, inst.qtyDecimals))]);
}

/** Instrument lookup by a venue spelling; `aliasUsd` also maps BASE-USD to BASE-USDT. */
export function instrumentBy(
  instruments: Instrument[],
  spelling: (i: Instrument) => string,
  symbol: string,
  aliasUsd?: (i: Instrument) => string,
): Instrument | undefined {
  for (const i of instruments) {
    if (spelling(i) === symbol) return i;
  }
  if (aliasUsd) {
    for (const i of instruments) if (i.quote === 'USDT' && aliasUsd(i) === symbol) return i;
  }
  return undefined;
}
