/**
 * Coinbase Advanced Trade market data (shared/protocols/coinbase.md, part A) on `/coinbase`:
 * one channel per subscribe, `level2` (frames `l2_data`: the whole book as a `snapshot`, then
 * `update`s with absolute sizes, "0" deletes, side `bid`/`offer`), `market_trades` (a snapshot of
 * recent trades, then updates batched every 250 ms, newest first, `side` = the maker's side as the
 * docs say), `ticker` (on every event with trades, with best bid/ask), `heartbeats` (1/s), and a
 * `subscriptions` frame after each (un)subscribe. `sequence_num` is one counter per connection
 * across all channels, from 0. Products: BASE-QUOTE (BTC-USDT); for USDT instruments BASE-USD is
 * accepted as the same instrument. Errors: `{"type":"error","message":"failure to subscribe"}`.
 * A connection that sends no subscribe within 5 s is closed.
 */
import type { RawData, WebSocket } from 'ws';
import { nowMs } from '../../../common/clock.ts';
import { ASK, BID, type BookEvent, type Instrument, minimal } from '../book-model.ts';
import {
  type BookView,
  type ClientBase,
  instrumentBy,
  isoMicros,
  isoNanos,
  newClientBase,
  type SimVenueModule,
  topLevels,
  Venue,
  type VenueConfig,
} from './common.ts';

type Channel = 'level2' | 'market_trades' | 'ticker' | 'heartbeats';
const CHANNELS: readonly Channel[] = ['heartbeats', 'level2', 'market_trades', 'ticker'];

interface CoinbaseClient extends ClientBase {
  seq: number;
  /** Per channel: instrument index → product ids subscribed (spellings), in order. */
  subs: Record<Exclude<Channel, 'heartbeats'>, Map<number, string[]>>;
  heartbeats: boolean;
  subscribed: boolean;
}

interface RecentTrade {
  id: number;
  price: string;
  size: string;
  side: 'BUY' | 'SELL';
  time: string;
}

/** Coinbase's own options (the simulator's options carry them). */
export interface CoinbaseOptions {
  /** Heartbeat interval on the heartbeats channel (1000 ms). */
  heartbeatMs?: number;
}

export const coinbase: SimVenueModule<CoinbaseOptions> = {
  name: 'coinbase',
  wsPaths: ['/coinbase'],
  create: (cfg, opts) => new CoinbaseVenue(cfg, opts),
};

const SUBSCRIBE_WITHIN_MS = 5000;
const TRADE_BATCH_MS = 250;
const RECENT = 10;

export class CoinbaseVenue extends Venue<CoinbaseClient> {
  private readonly pending: RecentTrade[][];
  private readonly recent: RecentTrade[][];
  private readonly last: string[];
  private readonly volume: number[];
  private readonly eventSeq: number[];
  private nextTrades = 0;
  private nextHeartbeat = 0;
  private heartbeatCounter = 52_311;
  private readonly started = nowMs();
  private readonly heartbeatMs: number;

  constructor(cfg: VenueConfig, opts: CoinbaseOptions) {
    super(cfg);
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.pending = cfg.instruments.map(() => []);
    this.recent = cfg.instruments.map(() => []);
    this.last = cfg.instruments.map((i) => minimal(i.baseTicks, i.priceDecimals));
    this.volume = cfg.instruments.map(() => 8211.41803511);
    this.eventSeq = cfg.instruments.map(() => 0);
  }

  protected malformedFrame(): string {
    return '{"channel":"l2_data","timestamp":"2026-07-15T09:30:00.6300050';
  }

  private find(product: string): Instrument | undefined {
    return instrumentBy(
      this.cfg.instruments,
      (i) => i.id,
      product,
      (i) => `${i.base}-USD`,
    );
  }

  onConnection(ws: WebSocket, _url: URL): void {
    const c: CoinbaseClient = {
      ...newClientBase(ws),
      seq: 0,
      subs: { level2: new Map(), market_trades: new Map(), ticker: new Map() },
      heartbeats: false,
      subscribed: false,
    };
    this.addClient(c);
    ws.on('message', (data: RawData, isBinary: boolean) =>
      this.onCommand(c, isBinary ? '' : data.toString()),
    );
  }

  /** One frame with the next sequence number (used up even when the frame is not delivered). */
  private frame(c: CoinbaseClient, channel: string, events: string, drop = false): boolean {
    const seq = c.seq++;
    if (drop) return false;
    return this.send(
      c,
      `{"channel":"${channel}","timestamp":"${isoNanos(nowMs())}","sequence_num":${seq},"events":[${events}]}`,
    );
  }

  private fail(c: CoinbaseClient, message = 'failure to subscribe'): void {
    this.error(c, `{"type":"error","message":${JSON.stringify(message)}}`);
  }

  private onCommand(c: CoinbaseClient, text: string): void {
    let o: Record<string, unknown>;
    try {
      const m = JSON.parse(text) as unknown;
      if (typeof m !== 'object' || m === null || Array.isArray(m)) return this.fail(c, 'malformed request');
      o = m as Record<string, unknown>;
    } catch {
      return this.fail(c, 'malformed request');
    }
    const type = o.type;
    if (type !== 'subscribe' && type !== 'unsubscribe') return this.fail(c, 'unknown message type');
    const channel = o.channel;
    if (typeof channel !== 'string' || !(CHANNELS as readonly string[]).includes(channel))
      return this.fail(c);
    const on = type === 'subscribe';
    if (on) c.subscribed = true;
    if (channel === 'heartbeats') {
      c.heartbeats = on;
      return this.ack(c);
    }
    const ch = channel as Exclude<Channel, 'heartbeats'>;
    const ids = o.product_ids;
    if (ids === undefined && !on) {
      c.subs[ch].clear();
      return this.ack(c);
    }
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((p) => typeof p === 'string'))
      return this.fail(c);
    const insts = (ids as string[]).map((p) => this.find(p));
    if (insts.some((i) => i === undefined)) return this.fail(c);
    (ids as string[]).forEach((pid, k) => {
      const inst = insts[k]!;
      const m = c.subs[ch];
      const list = m.get(inst.index) ?? [];
      if (on) {
        if (list.includes(pid)) return;
        list.push(pid);
        m.set(inst.index, list);
        // The snapshot precedes the subscriptions frame, as recorded.
        if (ch === 'level2') this.snapshot(c, inst, pid);
        else if (ch === 'market_trades') this.tradeSnapshot(c, inst, pid);
        else this.frame(c, 'ticker', this.tickerEvent(inst, pid, 'snapshot'));
      } else {
        const rest = list.filter((x) => x !== pid);
        if (rest.length === 0) m.delete(inst.index);
        else m.set(inst.index, rest);
      }
    });
    this.ack(c);
  }

  private ack(c: CoinbaseClient): void {
    const parts: string[] = [];
    for (const ch of CHANNELS) {
      if (ch === 'heartbeats') {
        if (c.heartbeats) parts.push('"heartbeats":["heartbeats"]');
        continue;
      }
      const ids = [...c.subs[ch].values()].flat();
      if (ids.length > 0) parts.push(`"${ch}":${JSON.stringify(ids)}`);
    }
    this.stats.replies++;
    this.frame(c, 'subscriptions', `{"subscriptions":{${parts.join(',')}}}`);
  }

  private snapshot(c: CoinbaseClient, inst: Instrument, pid: string): void {
    const book = this.book(inst.index);
    const ups: string[] = [];
    for (const [side, name] of [
      [BID, 'bid'],
      [ASK, 'offer'],
    ] as const) {
      for (const p of book.sides[side].prices) {
        ups.push(
          `{"side":"${name}","event_time":"1970-01-01T00:00:00Z","price_level":"${minimal(p, inst.priceDecimals)}","new_quantity":"${minimal(book.sides[side].qty.get(p)!, inst.qtyDecimals)}"}`,
        );
      }
    }
    if (this.frame(c, 'l2_data', `{"type":"snapshot","product_id":"${pid}","updates":[${ups.join(',')}]}`)) {
      this.stats.bookSnapshots++;
      this.stats.bookUpdates++;
    }
  }

  private tradeSnapshot(c: CoinbaseClient, inst: Instrument, pid: string): void {
    const list = [...this.recent[inst.index]!].reverse();
    this.frame(
      c,
      'market_trades',
      `{"type":"snapshot","trades":[${list.map((t) => tradeJson(t, pid)).join(',')}]}`,
    );
  }

  private tickerEvent(inst: Instrument, pid: string, type: 'snapshot' | 'update'): string {
    const book = this.book(inst.index);
    const b = book.bids.top(1)[0] ?? [0, 0];
    const a = book.asks.top(1)[0] ?? [0, 0];
    const pd = inst.priceDecimals;
    const lo = minimal(Math.round(inst.baseTicks * 0.98), pd);
    const hi = minimal(Math.round(inst.baseTicks * 1.02), pd);
    return `{"type":"${type}","tickers":[{"type":"ticker","product_id":"${pid}","price":"${this.last[inst.index]}","volume_24_h":"${this.volume[inst.index]!.toFixed(8).replace(/0+$/, '').replace(/\.$/, '')}","low_24_h":"${lo}","high_24_h":"${hi}","low_52_w":"${minimal(Math.round(inst.baseTicks * 0.74), pd)}","high_52_w":"${minimal(Math.round(inst.baseTicks * 1.67), pd)}","price_percent_chg_24_h":"1.13478212035261","best_bid":"${minimal(b[0], pd)}","best_bid_quantity":"${minimal(b[1], inst.qtyDecimals)}","best_ask":"${minimal(a[0], pd)}","best_ask_quantity":"${minimal(a[1], inst.qtyDecimals)}"}]}`;
  }

  onEvent(ev: BookEvent): void {
    const inst = ev.inst;
    const i = inst.index;
    this.eventSeq[i] = ev.seq;
    if (ev.trades.length > 0) {
      const time = isoMicros(ev.time);
      for (const t of ev.trades) {
        const rt: RecentTrade = {
          id: t.tradeId,
          price: minimal(t.price, inst.priceDecimals),
          size: minimal(t.qty, inst.qtyDecimals),
          side: t.taker === 'buy' ? 'SELL' : 'BUY',
          time,
        };
        this.volume[i]! += t.qty * inst.lot;
        const r = this.recent[i]!;
        r.push(rt);
        if (r.length > RECENT) r.shift();
        let anyTrades = false;
        for (const c of this.clients) if (c.subs.market_trades.has(i)) anyTrades = true;
        if (anyTrades) this.pending[i]!.push(rt);
      }
      this.last[i] = minimal(ev.trades[ev.trades.length - 1]!.price, inst.priceDecimals);
    }
    let anyBook = false;
    for (const c of this.clients) if (c.subs.level2.has(i)) anyBook = true;
    const drop = anyBook && ev.changes.length > 0 && this.takeDrop();
    let updates = '';
    if (anyBook && ev.changes.length > 0) {
      const et = isoMicros(ev.time);
      updates = ev.changes
        .map(
          (ch) =>
            `{"side":"${ch.side === BID ? 'bid' : 'offer'}","event_time":"${et}","price_level":"${minimal(ch.price, inst.priceDecimals)}","new_quantity":"${minimal(ch.qty, inst.qtyDecimals)}"}`,
        )
        .join(',');
    }
    for (const c of this.clients) {
      const pids = c.subs.level2.get(i);
      if (pids && updates !== '') {
        for (const pid of pids) {
          if (
            this.frame(c, 'l2_data', `{"type":"update","product_id":"${pid}","updates":[${updates}]}`, drop)
          )
            this.stats.bookUpdates++;
        }
      }
      const tick = c.subs.ticker.get(i);
      if (tick && ev.trades.length > 0) {
        for (const pid of tick) this.frame(c, 'ticker', this.tickerEvent(inst, pid, 'update'));
      }
    }
  }

  onTimer(now: number): void {
    if (now >= this.nextTrades) {
      this.nextTrades = now + TRADE_BATCH_MS;
      this.flush();
    }
    if (now >= this.nextHeartbeat) {
      this.nextHeartbeat = now + this.heartbeatMs;
      const counter = this.heartbeatCounter++;
      const up = (now - this.started) / 1000 + counter;
      const d = new Date(Math.floor(now));
      const cur = `${d.toISOString().replace('T', ' ').slice(0, 19)}.${String(d.getUTCMilliseconds()).padStart(3, '0')}421337 +0000 UTC m=+${up.toFixed(9)}`;
      for (const c of this.clients) {
        if (c.heartbeats)
          this.frame(c, 'heartbeats', `{"current_time":"${cur}","heartbeat_counter":${counter}}`);
      }
    }
    for (const c of this.clients) {
      if (!c.subscribed && now - c.connectedAt > SUBSCRIBE_WITHIN_MS) {
        this.cfg.log('simulator (coinbase): no subscribe within 5 s; closing');
        c.ws.close(1000, 'no subscription');
      }
    }
  }

  override flush(): void {
    for (let i = 0; i < this.pending.length; i++) {
      const list = this.pending[i]!;
      if (list.length === 0) continue;
      this.pending[i] = [];
      const newestFirst = list.reverse();
      for (const c of this.clients) {
        const pids = c.subs.market_trades.get(i);
        if (!pids) continue;
        for (const pid of pids) {
          if (
            this.frame(
              c,
              'market_trades',
              `{"type":"update","trades":[${newestFirst.map((t) => tradeJson(t, pid)).join(',')}]}`,
            )
          )
            this.countTrades(i, newestFirst.length);
        }
      }
    }
  }

  bookOf(symbol: string, depth = Number.POSITIVE_INFINITY): BookView {
    const inst = this.find(symbol);
    if (!inst) throw new RangeError(`coinbase: unknown product ${symbol}`);
    const book = this.book(inst.index);
    return {
      bids: topLevels(inst, book, BID, depth),
      asks: topLevels(inst, book, ASK, depth),
      sequence: this.eventSeq[inst.index]!,
    };
  }
}

function tradeJson(t: RecentTrade, pid: string): string {
  return `{"trade_id":"${t.id}","product_id":"${pid}","price":"${t.price}","size":"${t.size}","side":"${t.side}","time":"${t.time}"}`;
}
