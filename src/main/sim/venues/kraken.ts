/**
 * Kraken spot WebSocket v2 (shared/protocols/kraken.md) on `/v2`: a `status` frame on connect,
 * one ack per symbol (`success`, `time_in`/`time_out`), `book` at depth 10/25/100/500/1000 (a
 * snapshot after the ack, then updates holding the subscribed view: deletions inside the view are
 * sent with the refill from below; levels pushed out by better ones are not, the client truncates)
 * with Kraken's CRC32 `checksum` (top 10 asks then top 10 bids, price and qty printed at the pair's
 * precision, '.' and leading zeros removed, unsigned) on the snapshot and every update, `trade`
 * (taker side, contiguous trade_id per pair), `ticker` (event_trigger `trades` or `bbo`),
 * `{"channel":"heartbeat"}` after 1 s without traffic on a subscribed connection,
 * `{"method":"ping"}` → pong. Numbers are JSON numbers with full precision (trailing zeros kept).
 * Symbols: BASE/QUOTE (BTC/USDT; BTC/USD is accepted for the same USDT instrument).
 */
import type { RawData, WebSocket } from 'ws';
import { nowMs } from '../../../common/clock.ts';
import { ASK, BID, type Book, type BookEvent, fixed, type Instrument, viewDiff } from '../book-model.ts';
import {
  type BookView,
  type ClientBase,
  crc32,
  instrumentBy,
  isoMicros,
  newClientBase,
  type SimVenueModule,
  topLevels,
  Venue,
  type VenueConfig,
} from './common.ts';

const DEPTHS = [10, 25, 100, 500, 1000];
const QTY_DECIMALS = 8;

interface KrakenClient extends ClientBase {
  /** Instrument index → subscribed depth and symbol spelling. */
  book: Map<number, { depth: number; symbol: string }>;
  trade: Map<number, string>;
  ticker: Map<number, { symbol: string; bbo: boolean }>;
}

/** Kraken's own options (the simulator's options carry them). */
export interface KrakenOptions {
  /** A heartbeat after this long without traffic on a subscribed connection (1000 ms). */
  heartbeatMs?: number;
}

export const kraken: SimVenueModule<KrakenOptions> = {
  name: 'kraken',
  wsPaths: ['/v2'],
  create: (cfg, opts) => new KrakenVenue(cfg, opts),
};

export class KrakenVenue extends Venue<KrakenClient> {
  private readonly last: number[];
  private readonly volume: number[];
  private readonly trades24: number[];
  private readonly eventSeq: number[];

  private readonly heartbeatMs: number;

  constructor(cfg: VenueConfig, opts: KrakenOptions) {
    super(cfg);
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.last = cfg.instruments.map((i) => i.baseTicks);
    this.volume = cfg.instruments.map(() => 1984.62261137);
    this.trades24 = cfg.instruments.map(() => 41_873);
    this.eventSeq = cfg.instruments.map(() => 0);
  }

  protected override hasChecksum(): boolean {
    return true;
  }

  protected malformedFrame(): string {
    return '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":67249.9,"qty":1.0221';
  }

  private find(symbol: string): Instrument | undefined {
    return instrumentBy(
      this.cfg.instruments,
      (i) => `${i.base}/${i.quote}`,
      symbol,
      (i) => `${i.base}/USD`,
    );
  }

  onConnection(ws: WebSocket, _url: URL): void {
    const c: KrakenClient = { ...newClientBase(ws), book: new Map(), trade: new Map(), ticker: new Map() };
    this.addClient(c);
    const id = BigInt(Math.floor(Math.random() * 2 ** 53)) * 2048n + BigInt(Math.floor(Math.random() * 2048));
    this.send(
      c,
      `{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"online","api_version":"v2","connection_id":${id}}]}`,
    );
    ws.on('message', (data: RawData, isBinary: boolean) =>
      this.onCommand(c, isBinary ? '' : data.toString()),
    );
  }

  private onCommand(c: KrakenClient, text: string): void {
    const timeIn = isoMicros(nowMs());
    const times = (): string => `"time_in":"${timeIn}","time_out":"${isoMicros(nowMs())}"`;
    let o: Record<string, unknown>;
    try {
      const m = JSON.parse(text) as unknown;
      if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('not an object');
      o = m as Record<string, unknown>;
    } catch {
      return this.error(c, `{"error":"Malformed request","success":false,${times()}}`);
    }
    const method = o.method;
    const reqId = Number.isInteger(o.req_id) ? `"req_id":${o.req_id as number},` : '';
    if (method === 'ping') return this.answer(c, `{"method":"pong",${reqId}${times()}}`);
    if (method !== 'subscribe' && method !== 'unsubscribe') {
      return this.error(
        c,
        `{"error":"Method not supported ${String(method)}","method":${JSON.stringify(String(method))},${reqId}"success":false,${times()}}`,
      );
    }
    const fail = (why: string, symbol?: string): void =>
      this.error(
        c,
        `{"error":${JSON.stringify(why)},"method":"${method}",${reqId}"success":false,${symbol === undefined ? '' : `"symbol":${JSON.stringify(symbol)},`}${times()}}`,
      );
    const params = (typeof o.params === 'object' && o.params !== null ? o.params : {}) as Record<
      string,
      unknown
    >;
    const channel = params.channel;
    const on = method === 'subscribe';
    if (channel === 'heartbeat' || channel === 'status') {
      return this.answer(
        c,
        `{"method":"${method}",${reqId}"result":{"channel":"${channel}"},"success":true,${times()}}`,
      );
    }
    if (channel !== 'book' && channel !== 'trade' && channel !== 'ticker')
      return fail('Channel not supported');
    const symbols = params.symbol;
    if (!Array.isArray(symbols) || symbols.length === 0 || !symbols.every((s) => typeof s === 'string'))
      return fail('Must be an array of strings: symbol');
    const depth = params.depth === undefined ? 10 : params.depth;
    if (channel === 'book' && !DEPTHS.includes(depth as number))
      return fail('Subscription depth not supported');
    const snapshot = params.snapshot === undefined ? channel !== 'trade' : params.snapshot === true;
    const trigger = params.event_trigger === undefined ? 'trades' : params.event_trigger;
    if (channel === 'ticker' && trigger !== 'trades' && trigger !== 'bbo')
      return fail('Invalid event_trigger');
    for (const sym of symbols as string[]) {
      const inst = this.find(sym);
      if (!inst) {
        fail(`Currency pair not supported ${sym}`, sym);
        continue;
      }
      const i = inst.index;
      let result: string;
      if (channel === 'book') {
        result = on
          ? `{"channel":"book","depth":${depth},"snapshot":${snapshot},"symbol":"${sym}"}`
          : `{"channel":"book","depth":${depth},"symbol":"${sym}"}`;
      } else if (channel === 'trade') {
        result = on
          ? `{"channel":"trade","snapshot":${snapshot},"symbol":"${sym}"}`
          : `{"channel":"trade","symbol":"${sym}"}`;
      } else {
        result = on
          ? `{"channel":"ticker","event_trigger":"${trigger}","snapshot":${snapshot},"symbol":"${sym}"}`
          : `{"channel":"ticker","symbol":"${sym}"}`;
      }
      this.answer(c, `{"method":"${method}",${reqId}"result":${result},"success":true,${times()}}`);
      if (!on) {
        c[channel].delete(i);
        continue;
      }
      if (channel === 'book') {
        c.book.set(i, { depth: depth as number, symbol: sym });
        if (snapshot) this.snapshot(c, inst, sym, depth as number);
      } else if (channel === 'trade') {
        c.trade.set(i, sym);
      } else {
        c.ticker.set(i, { symbol: sym, bbo: trigger === 'bbo' });
        if (snapshot) this.send(c, this.tickerFrame(inst, sym, 'snapshot'));
      }
    }
  }

  private snapshot(c: KrakenClient, inst: Instrument, sym: string, depth: number): void {
    const book = this.book(inst.index);
    const lv = (side: 0 | 1): string =>
      book.sides[side]
        .top(depth)
        .map(([p, q]) => this.level(inst, p, q))
        .join(',');
    const frame = `{"channel":"book","type":"snapshot","data":[{"symbol":"${sym}","bids":[${lv(BID)}],"asks":[${lv(ASK)}],"checksum":${krakenChecksum(inst, book)},"timestamp":"${isoMicros(nowMs())}"}]}`;
    if (this.send(c, frame)) {
      this.stats.bookSnapshots++;
      this.stats.bookUpdates++;
    }
  }

  private level(inst: Instrument, p: number, q: number): string {
    return `{"price":${fixed(p, inst.priceDecimals, inst.priceDecimals)},"qty":${fixed(q, inst.qtyDecimals, QTY_DECIMALS)}}`;
  }

  private tickerFrame(inst: Instrument, sym: string, type: 'snapshot' | 'update'): string {
    const i = inst.index;
    const book = this.book(i);
    const b = book.bids.top(1)[0] ?? [0, 0];
    const a = book.asks.top(1)[0] ?? [0, 0];
    const pd = inst.priceDecimals;
    const px = (t: number): string => fixed(t, pd, pd);
    const base = inst.baseTicks;
    return `{"channel":"ticker","type":"${type}","data":[{"symbol":"${sym}","bid":${px(b[0])},"bid_qty":${fixed(b[1], inst.qtyDecimals, QTY_DECIMALS)},"ask":${px(a[0])},"ask_qty":${fixed(a[1], inst.qtyDecimals, QTY_DECIMALS)},"last":${px(this.last[i]!)},"volume":${this.volume[i]!.toFixed(8)},"vwap":${px(Math.round(base * 0.996))},"low":${px(Math.round(base * 0.98))},"high":${px(Math.round(base * 1.01))},"change":${px(Math.round(base * 0.0113))},"change_pct":1.13,"trades":${this.trades24[i]},"timestamp":"${isoMicros(nowMs())}"}]}`;
  }

  onEvent(ev: BookEvent): void {
    const inst = ev.inst;
    const i = inst.index;
    this.eventSeq[i] = ev.seq;
    if (ev.trades.length > 0) {
      for (const t of ev.trades) {
        this.volume[i]! += t.qty * inst.lot;
        this.trades24[i]!++;
      }
      this.last[i] = ev.trades[ev.trades.length - 1]!.price;
    }
    // Trades first (they happened), then the book change, then the ticker (as recorded).
    if (ev.trades.length > 0) {
      const ts = isoMicros(ev.time);
      const bySym = new Map<string, string>();
      for (const c of this.clients) {
        const sym = c.trade.get(i);
        if (sym === undefined) continue;
        let f = bySym.get(sym);
        if (f === undefined) {
          const data = ev.trades
            .map(
              (t) =>
                `{"symbol":"${sym}","side":"${t.taker}","price":${fixed(t.price, inst.priceDecimals, inst.priceDecimals)},"qty":${fixed(t.qty, inst.qtyDecimals, QTY_DECIMALS)},"ord_type":"${t.qty > inst.sizeLots * 3 ? 'limit' : 'market'}","trade_id":${t.tradeId},"timestamp":"${ts}"}`,
            )
            .join(',');
          f = `{"channel":"trade","type":"update","data":[${data}]}`;
          bySym.set(sym, f);
        }
        if (this.send(c, f)) this.countTrades(inst.index, ev.trades.length);
      }
    }
    if (ev.changes.length > 0) this.bookUpdate(ev);
    if (ev.topChanged || ev.trades.length > 0) {
      for (const c of this.clients) {
        const t = c.ticker.get(i);
        if (t === undefined) continue;
        if (t.bbo ? ev.topChanged : ev.trades.length > 0)
          this.send(c, this.tickerFrame(inst, t.symbol, 'update'));
      }
    }
  }

  private bookUpdate(ev: BookEvent): void {
    const inst = ev.inst;
    const i = inst.index;
    // The view diff per subscribed depth first: faults are only spent on frames that go out.
    const diffs = new Map<number, [[number, number][], [number, number][]]>();
    for (const c of this.clients) {
      const sub = c.book.get(i);
      if (sub === undefined || diffs.has(sub.depth)) continue;
      diffs.set(sub.depth, [viewDiff(ev, BID, sub.depth, false), viewDiff(ev, ASK, sub.depth, false)]);
    }
    let any = false;
    for (const [b, a] of diffs.values()) if (b.length + a.length > 0) any = true;
    if (!any) return;
    if (this.takeDrop()) return;
    let checksum = krakenChecksum(inst, ev.book);
    if (this.takeBadChecksum()) checksum = (checksum ^ 0x5a5a5a5a) >>> 0;
    const ts = isoMicros(nowMs());
    const frames = new Map<string, string | null>();
    for (const c of this.clients) {
      const sub = c.book.get(i);
      if (sub === undefined) continue;
      const key = `${sub.depth}|${sub.symbol}`;
      let f = frames.get(key);
      if (f === undefined) {
        const [bids, asks] = diffs.get(sub.depth)!;
        f =
          bids.length + asks.length === 0
            ? null
            : `{"channel":"book","type":"update","data":[{"symbol":"${sub.symbol}","bids":[${bids.map(([p, q]) => this.level(inst, p, q)).join(',')}],"asks":[${asks.map(([p, q]) => this.level(inst, p, q)).join(',')}],"checksum":${checksum},"timestamp":"${ts}"}]}`;
        frames.set(key, f);
      }
      if (f !== null && this.send(c, f)) this.stats.bookUpdates++;
    }
  }

  onTimer(now: number): void {
    for (const c of this.clients) {
      if (c.book.size + c.trade.size + c.ticker.size === 0) continue;
      if (now - c.lastSent >= this.heartbeatMs) this.send(c, '{"channel":"heartbeat"}');
    }
  }

  bookOf(symbol: string, depth = 10): BookView {
    const inst = this.find(symbol);
    if (!inst) throw new RangeError(`kraken: unknown symbol ${symbol}`);
    const book = this.book(inst.index);
    return {
      bids: topLevels(inst, book, BID, depth),
      asks: topLevels(inst, book, ASK, depth),
      sequence: this.eventSeq[inst.index]!,
    };
  }
}

/** Kraken's book checksum of a book's top 10 levels (the same for every subscribed depth). */
export function krakenChecksum(inst: Instrument, book: Book): number {
  const strip = (s: string): string => s.replace('.', '').replace(/^0+/, '');
  let out = '';
  for (const side of [ASK, BID] as const) {
    for (const [p, q] of book.sides[side].top(10)) {
      out +=
        strip(fixed(p, inst.priceDecimals, inst.priceDecimals)) +
        strip(fixed(q, inst.qtyDecimals, QTY_DECIMALS));
    }
  }
  return crc32(out);
}
