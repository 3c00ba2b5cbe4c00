/**
 * Binance spot (shared/protocols/binance.md): `/ws`, `/ws/<streams>`, `/stream?streams=…` (and bare
 * `/stream`) with live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY,
 * their replies and the documented error objects, `timeUnit=MICROSECOND`, `<sym>@trade`,
 * `<sym>@bookTicker` (real time), `<sym>@depth@100ms` and `<sym>@depth` (1000 ms) diff depth with
 * U/u (one update id per level change, contiguous: U = previous u + 1), and REST
 * `GET /api/v3/depth?symbol=X&limit=N` whose `lastUpdateId` is the last id applied to the book it
 * returns. Server ping frames every 20 s with a 60 s pong deadline (only the copy of a ping's
 * payload answers it), 5 incoming frames a second, the 24-hour connection lifetime, and the
 * `serverShutdown` notice on request.
 *
 * In mode 'trades' it is the trade-only stream of the market model (market-model.ts): `@trade`
 * frames only, generated only while some connection subscribes to a `@trade` stream (so a cap on
 * the events counts trades that had a listener), other valid streams acked and listed but silent,
 * no REST. That is the stream the engine's default feed and the ingest benchmark read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { nowMs } from '../../../common/clock.ts';
import { ASK, BID, type BookEvent, fixed, type Instrument } from '../book-model.ts';
import type { SimTrade } from '../market-model.ts';
import {
  type BookView,
  type ClientBase,
  newClientBase,
  type SimVenueModule,
  topLevels,
  Venue,
  type VenueConfig,
} from './common.ts';

/** Binance's own options (the simulator's options carry them; defaults as the venue). */
export interface BinanceOptions {
  /** Server ping interval (20 000 ms). */
  pingIntervalMs?: number;
  /** A ping unanswered this long cuts the connection (60 000 ms). */
  pongTimeoutMs?: number;
  /** Incoming frames (JSON, ping, pong) a second above which the connection is closed (5). */
  maxIncomingPerSec?: number;
  /** A connection is closed when it reaches this age (24 h). */
  maxConnectionMs?: number;
}

export const binance: SimVenueModule<BinanceOptions> = {
  name: 'binance',
  // Clients are given the combined endpoint, where SUBSCRIBE works and frames name their stream.
  wsPaths: ['/stream', '/ws', '/ws/*'],
  restPaths: ['/api/v3/depth'],
  tradeStream: true,
  create: (cfg, opts) => new BinanceVenue(cfg, opts),
};

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
const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'];

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

interface BinanceClient extends ClientBase {
  combined: boolean;
  micros: boolean;
  streams: Set<string>;
  trade: boolean[];
  ticker: boolean[];
  depth100: boolean[];
  depth1000: boolean[];
  incoming: number[];
  pings: Map<string, number>;
  lastPing: number;
}

/** A pending diff-depth batch of one instrument: U and the latest absolute qty per price. */
interface Batch {
  U: number;
  bids: Map<number, number>;
  asks: Map<number, number>;
}

export class BinanceVenue extends Venue<BinanceClient> {
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly maxIncomingPerSec: number;
  private readonly maxConnectionMs: number;
  private readonly lower: string[];
  /** Last update id applied to each book. */
  private readonly updateIds: number[];
  private readonly b100: (Batch | null)[];
  private readonly b1000: (Batch | null)[];
  private next100 = 0;
  private next1000 = 0;
  private pingSeq = 0;

  constructor(cfg: VenueConfig, opts: BinanceOptions) {
    super(cfg);
    this.pingIntervalMs = opts.pingIntervalMs ?? 20_000;
    this.pongTimeoutMs = opts.pongTimeoutMs ?? 60_000;
    this.maxIncomingPerSec = opts.maxIncomingPerSec ?? 5;
    this.maxConnectionMs = opts.maxConnectionMs ?? 24 * 3600_000;
    this.lower = cfg.instruments.map((i) => i.key.toLowerCase());
    this.updateIds = cfg.instruments.map((_, k) => 81_402_118_112 + k * 1_000_000_000);
    this.b100 = cfg.instruments.map(() => null);
    this.b1000 = cfg.instruments.map(() => null);
  }

  override refuse(url: URL): string | null {
    const t = parseTarget(url.pathname + url.search);
    return typeof t === 'string' ? t : null;
  }

  protected malformedFrame(): string {
    return this.cfg.mode === 'trades'
      ? '{"stream":"btcusdt@trade","data":{"e":"trade","E":17841078008'
      : '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":17841078008';
  }

  /** In mode 'trades' the market runs for trade subscribers only: a cap then counts heard trades. */
  override listening(): boolean {
    if (this.cfg.mode !== 'trades') return super.listening();
    for (const c of this.clients) if (c.trade.includes(true)) return true;
    return false;
  }

  override announceShutdown(): boolean {
    for (const c of this.clients) {
      const data = `{"e":"serverShutdown","E":${Math.floor(nowMs() * (c.micros ? 1000 : 1))}}`;
      this.send(c, this.wrap(c, '!serverShutdown', data));
    }
    return true;
  }

  onConnection(ws: WebSocket, url: URL): void {
    const target = parseTarget(url.pathname + url.search);
    if (typeof target === 'string') {
      ws.terminate();
      return;
    }
    const n = this.cfg.instruments.length;
    const c: BinanceClient = {
      ...newClientBase(ws),
      combined: target.combined,
      micros: target.micros,
      streams: new Set(),
      trade: new Array<boolean>(n).fill(false),
      ticker: new Array<boolean>(n).fill(false),
      depth100: new Array<boolean>(n).fill(false),
      depth1000: new Array<boolean>(n).fill(false),
      incoming: [],
      pings: new Map(),
      lastPing: nowMs(),
    };
    this.addClient(c);
    ws.on('pong', (data: Buffer) => {
      if (!this.countIncoming(c)) return;
      // Only the copy of a ping's payload answers it (and every older one): unsolicited pongs do
      // not keep a connection alive, as on the venue.
      const key = data.toString('latin1');
      if (!c.pings.has(key)) return;
      for (const k of c.pings.keys()) {
        c.pings.delete(k);
        if (k === key) break;
      }
    });
    ws.on('ping', () => this.countIncoming(c));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!this.countIncoming(c)) return;
      this.onCommand(c, isBinary ? '' : data.toString());
    });
    this.setSubscribed(c, target.streams, true);
  }

  private countIncoming(c: BinanceClient): boolean {
    const now = nowMs();
    const win = c.incoming;
    while (win.length > 0 && win[0]! <= now - 1000) win.shift();
    win.push(now);
    if (win.length > this.maxIncomingPerSec) {
      if (win.length === this.maxIncomingPerSec + 1) {
        this.cfg.log(
          `simulator (binance): more than ${this.maxIncomingPerSec} incoming messages in a second; closing`,
        );
        c.ws.close(1008, 'Too many requests');
      }
      return false;
    }
    return true;
  }

  private onCommand(c: BinanceClient, text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.error(
        c,
        '{"error":{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"},"id":null}',
      );
    }
    const o = (typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? msg : {}) as Record<
      string,
      unknown
    >;
    const idJson = requestId(o.id, text);
    const error = (code: number, why: string, id = idJson ?? 'null'): void =>
      this.error(c, `{"error":{"code":${code},"msg":${JSON.stringify(why)}},"id":${id}}`);
    if (idJson === undefined)
      return error(2, 'Invalid request: request ID must be an unsigned integer', 'null');
    if (!('method' in o)) return error(2, 'Invalid request: missing field `method`');
    const params = o.params;
    const ok = (result: string): void => this.answer(c, `{"result":${result},"id":${idJson}}`);
    switch (o.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (params === undefined) return error(2, 'Invalid request: missing field `params`');
        if (!Array.isArray(params) || !params.every(validStream))
          return error(2, 'Invalid request: invalid stream');
        if (o.method === 'SUBSCRIBE') {
          const added = params.filter((p) => !c.streams.has(p)).length;
          if (c.streams.size + added > MAX_STREAMS) return error(2, 'Invalid request: too many parameters');
        }
        // The ack goes first, then data (events may also precede it on the venue).
        ok('null');
        this.setSubscribed(c, params, o.method === 'SUBSCRIBE');
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        return ok(JSON.stringify([...c.streams]));
      case 'SET_PROPERTY':
        if (!Array.isArray(params) || typeof params[0] !== 'string')
          return error(2, 'Invalid request: property name must be a string');
        if (params.length > 2) return error(2, 'Invalid request: too many parameters');
        if (params[0] !== 'combined') return error(0, 'Unknown property');
        if (typeof params[1] !== 'boolean') return error(1, 'Invalid value type: expected Boolean');
        c.combined = params[1];
        return ok('null');
      case 'GET_PROPERTY':
        if (!Array.isArray(params) || typeof params[0] !== 'string')
          return error(2, 'Invalid request: property name must be a string');
        if (params.length > 1) return error(2, 'Invalid request: too many parameters');
        if (params[0] !== 'combined') return error(0, 'Unknown property');
        return ok(String(c.combined));
      default:
        return error(
          2,
          `Invalid request: unknown variant \`${String(o.method)}\`, expected one of ${METHODS.map((m) => `\`${m}\``).join(', ')}`,
        );
    }
  }

  private setSubscribed(c: BinanceClient, streams: readonly string[], on: boolean): void {
    for (const s of streams) {
      if (on) c.streams.add(s);
      else c.streams.delete(s);
      const m = STREAM.exec(s);
      if (!m) continue;
      const i = this.lower.indexOf(m[1]!);
      if (i < 0) continue;
      const kind = m[2]!;
      if (kind === 'trade') c.trade[i] = on;
      else if (kind === 'bookTicker') c.ticker[i] = on;
      else if (kind === 'depth@100ms') c.depth100[i] = on;
      else if (kind === 'depth' || kind === 'depth@1000ms') c.depth1000[i] = on;
    }
    if (this.cfg.mode === 'trades') this.cfg.demandChanged();
  }

  private wrap(c: BinanceClient, stream: string, data: string): string {
    return c.combined ? `{"stream":"${stream}","data":${data}}` : data;
  }

  onEvent(ev: BookEvent): void {
    const inst = ev.inst;
    const i = inst.index;
    const firstId = this.updateIds[i]! + 1;
    this.updateIds[i]! += ev.changes.length;
    const E = Math.floor(nowMs());
    let wantTrade = false;
    let wantTicker = false;
    let want100 = false;
    let want1000 = false;
    for (const c of this.clients) {
      if (c.trade[i]) wantTrade = true;
      if (c.ticker[i]) wantTicker = true;
      if (c.depth100[i]) want100 = true;
      if (c.depth1000[i]) want1000 = true;
    }
    if (want100 && ev.changes.length > 0) this.b100[i] = addToBatch(this.b100[i]!, ev, firstId);
    if (want1000 && ev.changes.length > 0) this.b1000[i] = addToBatch(this.b1000[i]!, ev, firstId);
    if (wantTrade && ev.trades.length > 0) {
      const stream = `${this.lower[i]}@trade`;
      for (const t of ev.trades) {
        const T = Math.floor(ev.time);
        const base = `"s":"${inst.key}","t":${t.tradeId},"p":"${fixed(t.price, inst.priceDecimals, 8)}","q":"${fixed(t.qty, inst.qtyDecimals, 8)}",`;
        const ms = `{"e":"trade","E":${Math.max(E, T)},${base}"T":${T},"m":${t.taker === 'sell'},"M":true}`;
        let us = '';
        for (const c of this.clients) {
          if (!c.trade[i]) continue;
          let data = ms;
          if (c.micros) {
            if (us === '') {
              const Tu = Math.floor(ev.time * 1000);
              us = `{"e":"trade","E":${Math.max(Math.floor(nowMs() * 1000), Tu)},${base}"T":${Tu},"m":${t.taker === 'sell'},"M":true}`;
            }
            data = us;
          }
          if (this.send(c, this.wrap(c, stream, data))) this.countTrades(i, 1);
        }
      }
    }
    if (wantTicker && ev.topChanged) {
      const b = ev.book.bids.top(1)[0];
      const a = ev.book.asks.top(1)[0];
      if (b && a) {
        const data = `{"u":${this.updateIds[i]},"s":"${inst.key}","b":"${fixed(b[0], inst.priceDecimals, 8)}","B":"${fixed(b[1], inst.qtyDecimals, 8)}","a":"${fixed(a[0], inst.priceDecimals, 8)}","A":"${fixed(a[1], inst.qtyDecimals, 8)}"}`;
        const stream = `${this.lower[i]}@bookTicker`;
        for (const c of this.clients) if (c.ticker[i]) this.send(c, this.wrap(c, stream, data));
      }
    }
  }

  /**
   * Mode 'trades': one market-model trade to its subscribers. The hot path of the ingest benchmark's
   * live runs: at most four forms of the frame (ms/µs × raw/combined), each built on first use, and
   * one clock read. E is the send time, T the trade time (E ≥ T).
   */
  override onTrade(t: SimTrade): void {
    const now = nowMs();
    if (now < this.stalledUntil) return; // a stalled feed: the trade happened, nobody hears of it
    const i = t.index;
    let msRaw = '';
    let usRaw = '';
    let msCombined = '';
    let usCombined = '';
    let sent = 0;
    for (const c of this.clients) {
      if (!c.trade[i]) continue;
      let raw = c.micros ? usRaw : msRaw;
      if (raw === '') {
        raw = tradeEvent(t, now, c.micros ? 1000 : 1);
        if (c.micros) usRaw = raw;
        else msRaw = raw;
      }
      let frame = raw;
      if (c.combined) {
        frame = c.micros ? usCombined : msCombined;
        if (frame === '') {
          frame = `{"stream":"${this.lower[i]}@trade","data":${raw}}`;
          if (c.micros) usCombined = frame;
          else msCombined = frame;
        }
      }
      if (this.sendAt(c, frame, now)) sent++;
    }
    if (sent > 0) this.countTrades(i, sent);
  }

  onTimer(now: number): void {
    if (now >= this.next100) {
      this.next100 = now + 100;
      this.flushBatches(this.b100, '@depth@100ms', (c) => c.depth100);
    }
    if (now >= this.next1000) {
      this.next1000 = now + 1000;
      this.flushBatches(this.b1000, '@depth', (c) => c.depth1000);
    }
    if (now < this.stalledUntil) return; // a stalled server does nothing at all
    for (const c of this.clients) {
      const oldest = c.pings.values().next();
      if (!oldest.done && now - oldest.value > this.pongTimeoutMs) {
        this.cfg.log('simulator (binance): no pong within the deadline; closing');
        c.ws.terminate();
        continue;
      }
      if (now - c.connectedAt >= this.maxConnectionMs) {
        this.cfg.log('simulator (binance): connection reached its maximum lifetime; closing');
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

  override flush(): void {
    this.flushBatches(this.b100, '@depth@100ms', (c) => c.depth100);
    this.flushBatches(this.b1000, '@depth', (c) => c.depth1000);
  }

  private flushBatches(
    batches: (Batch | null)[],
    suffix: string,
    subs: (c: BinanceClient) => boolean[],
  ): void {
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i];
      if (!b) continue;
      batches[i] = null;
      let any = false;
      for (const c of this.clients) if (subs(c)[i]) any = true;
      if (!any) continue;
      if (this.takeDrop()) continue;
      const inst = this.cfg.instruments[i]!;
      const data = `{"e":"depthUpdate","E":${Math.floor(nowMs())},"s":"${inst.key}","U":${b.U},"u":${this.updateIds[i]},"b":${levels(inst, b.bids)},"a":${levels(inst, b.asks)}}`;
      const stream = `${this.lower[i]}${suffix}`;
      for (const c of this.clients) {
        if (subs(c)[i] && this.send(c, this.wrap(c, stream, data))) this.stats.bookUpdates++;
      }
    }
  }

  override handleHttp(_req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (url.pathname !== '/api/v3/depth') return false;
    const reply = (status: number, body: string): void => {
      res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' });
      res.end(body);
    };
    if (this.stalled) {
      // A stalled venue answers nothing until the stall ends.
      setTimeout(() => this.handleHttp(_req, res, url), Math.max(1, this.stalledUntil - nowMs()));
      return true;
    }
    const symbol = url.searchParams.get('symbol');
    if (!symbol) {
      reply(
        400,
        '{"code":-1102,"msg":"Mandatory parameter \'symbol\' was not sent, was empty/null, or malformed."}',
      );
      return true;
    }
    const inst = this.cfg.instruments.find((i) => i.key === symbol);
    if (!inst) {
      reply(400, '{"code":-1121,"msg":"Invalid symbol."}');
      return true;
    }
    const limitRaw = url.searchParams.get('limit');
    const limit = limitRaw === null ? 100 : Number(limitRaw);
    if (!/^\d{1,20}$/.test(limitRaw ?? '100') || !(limit >= 1)) {
      reply(
        400,
        `{"code":-1100,"msg":"Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'."}`,
      );
      return true;
    }
    const n = Math.min(limit, 5000);
    const book = this.book(inst.index);
    const side = (s: 0 | 1): string =>
      `[${book.sides[s]
        .top(n)
        .map(([p, q]) => `["${fixed(p, inst.priceDecimals, 8)}","${fixed(q, inst.qtyDecimals, 8)}"]`)
        .join(',')}]`;
    this.stats.bookSnapshots++;
    this.stats.bookUpdates++;
    reply(200, `{"lastUpdateId":${this.updateIds[inst.index]},"bids":${side(BID)},"asks":${side(ASK)}}`);
    return true;
  }

  bookOf(symbol: string, depth = 5000): BookView {
    const inst = this.cfg.instruments.find((i) => i.key === symbol.toUpperCase());
    if (!inst) throw new RangeError(`binance: unknown symbol ${symbol}`);
    const book = this.book(inst.index);
    return {
      bids: topLevels(inst, book, BID, depth),
      asks: topLevels(inst, book, ASK, depth),
      sequence: this.updateIds[inst.index]!,
    };
  }
}

function addToBatch(b: Batch | null, ev: BookEvent, firstId: number): Batch {
  const batch = b ?? { U: firstId, bids: new Map<number, number>(), asks: new Map<number, number>() };
  for (const c of ev.changes) {
    const m = c.side === BID ? batch.bids : batch.asks;
    m.set(c.price, c.qty);
  }
  return batch;
}

function levels(inst: Instrument, m: Map<number, number>): string {
  let s = '[';
  let first = true;
  for (const [p, q] of m) {
    if (!first) s += ',';
    first = false;
    s += `["${fixed(p, inst.priceDecimals, 8)}","${fixed(q, inst.qtyDecimals, 8)}"]`;
  }
  return `${s}]`;
}

/** One trade-only event in Binance's field order, times scaled to ms (1) or µs (1000). */
function tradeEvent(t: SimTrade, sendTime: number, scale: number): string {
  const E = Math.floor(sendTime * scale);
  const T = Math.min(E, Math.floor(t.time * scale));
  return `{"e":"trade","E":${E},"s":"${t.symbol}","t":${t.tradeId},"p":"${t.price.toFixed(8)}","q":"${t.quantity.toFixed(8)}","T":${T},"m":${t.buyerMaker},"M":true}`;
}
