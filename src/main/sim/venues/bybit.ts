/**
 * Bybit v5 public spot (shared/protocols/bybit.md) on `/v5/public/spot`: `{"op":"subscribe"}` with
 * at most 10 args, one ack per request (spot form, `ret_msg:"subscribe"`), `orderbook.{1,50,200,
 * 1000}.SYM` (a snapshot after the ack, then deltas holding the top-N view — levels leaving it are
 * sent with size 0, levels entering it are sent — with `u` +1 per delta frame per topic and the
 * instrument's cross sequence `seq`), `orderbook.1` as snapshots only (re-sent unchanged with the
 * same `u` after 3 s), `publicTrade.SYM` (taker side `S`), `{"op":"ping"}` → JSON pong, and
 * `success:false` replies for bad topics / symbols / too many args.
 */
import type { RawData, WebSocket } from 'ws';
import { nowMs } from '../../../common/clock.ts';
import { ASK, BID, type BookEvent, fixed, type Instrument, viewDiff } from '../book-model.ts';
import {
  type BookView,
  type ClientBase,
  newClientBase,
  type SimVenueModule,
  topLevels,
  Venue,
  type VenueConfig,
} from './common.ts';

const DEPTHS = [1, 50, 200, 1000];
const TOPIC = /^(?:orderbook\.(1|50|200|1000)|publicTrade)\.([A-Z0-9]{2,25})$/;

interface BybitClient extends ClientBase {
  connId: string;
  topics: Set<string>;
  /** Instrument index → subscribed book depths. */
  books: Map<number, Set<number>>;
  trades: Set<number>;
}

/** Bybit's own options (the simulator's options carry them). */
export interface BybitOptions {
  /** Re-send the unchanged orderbook.1 snapshot after this long (3000 ms). */
  bybitL1ResendMs?: number;
}

export const bybit: SimVenueModule<BybitOptions> = {
  name: 'bybit',
  wsPaths: ['/v5/public/spot'],
  create: (cfg, opts) => new BybitVenue(cfg, opts),
};

export class BybitVenue extends Venue<BybitClient> {
  /** Per instrument, per depth: the topic's update id. */
  private readonly u: Map<number, number>[];
  private readonly seqBase: number[];
  private readonly eventSeq: number[];
  private readonly l1Sent: number[];
  private connSeq = 0;
  private readonly l1ResendMs: number;

  constructor(cfg: VenueConfig, opts: BybitOptions) {
    super(cfg);
    this.l1ResendMs = opts.bybitL1ResendMs ?? 3000;
    this.u = cfg.instruments.map(
      (_, k) =>
        new Map([
          [1, 90_311_802 + k * 1_000_000],
          [50, 41_277_094 + k * 1_000_000],
          [200, 51_277_094 + k * 1_000_000],
          [1000, 61_277_094 + k * 1_000_000],
        ]),
    );
    this.seqBase = cfg.instruments.map((_, k) => 71_530_016_233 + k * 10_000_000_000);
    this.eventSeq = cfg.instruments.map(() => 0);
    this.l1Sent = cfg.instruments.map(() => 0);
  }

  protected malformedFrame(): string {
    return '{"topic":"orderbook.50.BTCUSDT","ts":1784107800639,"type":"delta","data":{"s":"BTCUSDT","b":[["67249.90"';
  }

  private seq(i: number): number {
    return this.seqBase[i]! + this.eventSeq[i]! * 4;
  }

  onConnection(ws: WebSocket, _url: URL): void {
    const connId = `d1q7b4fk9qo3ar7rj8lg-${(++this.connSeq).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    const c: BybitClient = {
      ...newClientBase(ws),
      connId,
      topics: new Set(),
      books: new Map(),
      trades: new Set(),
    };
    this.addClient(c);
    ws.on('message', (data: RawData, isBinary: boolean) =>
      this.onCommand(c, isBinary ? '' : data.toString()),
    );
  }

  private reply(c: BybitClient, success: boolean, retMsg: string, op: string, reqId: unknown): void {
    const rid = typeof reqId === 'string' ? `"req_id":${JSON.stringify(reqId)},` : '';
    const text = `{"success":${success},"ret_msg":${JSON.stringify(retMsg)},"conn_id":"${c.connId}",${rid}"op":${JSON.stringify(op)}}`;
    if (success) this.answer(c, text);
    else this.error(c, text);
  }

  private onCommand(c: BybitClient, text: string): void {
    let o: Record<string, unknown>;
    try {
      const m = JSON.parse(text) as unknown;
      if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('not an object');
      o = m as Record<string, unknown>;
    } catch {
      return this.reply(c, false, 'error:request not json', '', undefined);
    }
    const op = o.op;
    if (op === 'ping') return this.reply(c, true, 'pong', 'ping', undefined);
    if (op !== 'subscribe' && op !== 'unsubscribe')
      return this.reply(c, false, `error:handler not found,op:${String(op)}`, String(op ?? ''), o.req_id);
    const args = o.args;
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
      return this.reply(c, false, 'error:args must be an array of strings', op, o.req_id);
    if (args.length > 10) return this.reply(c, false, 'args size >10', op, o.req_id);
    const parsed: { topic: string; depth: number; inst: Instrument }[] = [];
    for (const topic of args as string[]) {
      const m = TOPIC.exec(topic);
      if (!m) return this.reply(c, false, `error:handler not found,topic:${topic}`, op, o.req_id);
      const inst = this.cfg.instruments.find((x) => x.key === m[2]);
      if (!inst) return this.reply(c, false, `Invalid symbol :[${topic}]`, op, o.req_id);
      parsed.push({ topic, depth: m[1] === undefined ? 0 : Number(m[1]), inst });
    }
    const on = op === 'subscribe';
    this.reply(c, true, op, op, o.req_id);
    for (const { topic, depth, inst } of parsed) {
      const i = inst.index;
      if (!on) {
        c.topics.delete(topic);
        if (depth === 0) c.trades.delete(i);
        else c.books.get(i)?.delete(depth);
        continue;
      }
      if (c.topics.has(topic)) continue;
      c.topics.add(topic);
      if (depth === 0) {
        c.trades.add(i);
        continue;
      }
      const set = c.books.get(i) ?? new Set<number>();
      c.books.set(i, set);
      set.add(depth);
      if (this.send(c, this.bookSnapshot(inst, depth))) {
        this.stats.bookSnapshots++;
        this.stats.bookUpdates++;
      }
    }
  }

  private lv(inst: Instrument, p: number, q: number): string {
    return `["${fixed(p, inst.priceDecimals, inst.priceDecimals)}","${fixed(q, inst.qtyDecimals, Math.max(6, inst.qtyDecimals))}"]`;
  }

  private bookSnapshot(inst: Instrument, depth: number): string {
    const i = inst.index;
    const book = this.book(i);
    const side = (s: 0 | 1): string =>
      book.sides[s]
        .top(depth)
        .map(([p, q]) => this.lv(inst, p, q))
        .join(',');
    const ts = Math.floor(nowMs());
    return `{"topic":"orderbook.${depth}.${inst.key}","ts":${ts},"type":"snapshot","data":{"s":"${inst.key}","b":[${side(BID)}],"a":[${side(ASK)}],"u":${this.u[i]!.get(depth)},"seq":${this.seq(i)}},"cts":${ts - 2}}`;
  }

  onEvent(ev: BookEvent): void {
    const inst = ev.inst;
    const i = inst.index;
    this.eventSeq[i] = ev.seq;
    const seq = this.seq(i);
    if (ev.trades.length > 0) {
      let f = '';
      for (const c of this.clients) {
        if (!c.trades.has(i)) continue;
        if (f === '') {
          const T = Math.floor(ev.time);
          const data = ev.trades
            .map(
              (t) =>
                `{"T":${T},"s":"${inst.key}","S":"${t.taker === 'buy' ? 'Buy' : 'Sell'}","v":"${fixed(t.qty, inst.qtyDecimals, Math.max(6, inst.qtyDecimals))}","p":"${fixed(t.price, inst.priceDecimals, inst.priceDecimals)}","i":"${t.tradeId}","BT":false,"RPI":false,"seq":${seq}}`,
            )
            .join(',');
          f = `{"topic":"publicTrade.${inst.key}","ts":${Math.floor(nowMs())},"type":"snapshot","data":[${data}]}`;
        }
        if (this.send(c, f)) this.countTrades(inst.index, ev.trades.length);
      }
    }
    if (ev.changes.length === 0) return;
    const depths = new Set<number>();
    for (const c of this.clients) {
      const s = c.books.get(i);
      if (s) for (const d of s) depths.add(d);
    }
    if (depths.size === 0) return;
    const us = this.u[i]!;
    if (depths.has(1) && ev.topChanged) {
      us.set(1, us.get(1)! + 1);
      this.sendL1(inst);
    }
    // The view diffs first: a dropped-delta fault is only spent on a delta that would go out.
    const out: [number, [number, number][], [number, number][]][] = [];
    for (const d of DEPTHS) {
      if (d === 1 || !depths.has(d)) continue;
      const b = viewDiff(ev, BID, d, true);
      const a = viewDiff(ev, ASK, d, true);
      if (b.length + a.length > 0) out.push([d, b, a]);
    }
    if (out.length === 0) return;
    const drop = this.takeDrop();
    const ts = Math.floor(nowMs());
    for (const [d, b, a] of out) {
      const u = us.get(d)! + 1;
      us.set(d, u);
      if (drop) continue;
      const f = `{"topic":"orderbook.${d}.${inst.key}","ts":${ts},"type":"delta","data":{"s":"${inst.key}","b":[${b.map(([p, q]) => this.lv(inst, p, q)).join(',')}],"a":[${a.map(([p, q]) => this.lv(inst, p, q)).join(',')}],"u":${u},"seq":${seq}},"cts":${ts - 2}}`;
      for (const c of this.clients) {
        if (c.books.get(i)?.has(d) && this.send(c, f)) this.stats.bookUpdates++;
      }
    }
  }

  private sendL1(inst: Instrument): void {
    const i = inst.index;
    this.l1Sent[i] = nowMs();
    const f = this.bookSnapshot(inst, 1);
    for (const c of this.clients) {
      if (c.books.get(i)?.has(1) && this.send(c, f)) {
        this.stats.bookUpdates++;
        this.stats.bookSnapshots++;
      }
    }
  }

  onTimer(now: number): void {
    for (const inst of this.cfg.instruments) {
      if (now - this.l1Sent[inst.index]! < this.l1ResendMs) continue;
      let any = false;
      for (const c of this.clients) if (c.books.get(inst.index)?.has(1)) any = true;
      if (any) this.sendL1(inst);
      else this.l1Sent[inst.index] = now;
    }
  }

  bookOf(symbol: string, depth = 50): BookView {
    const inst = this.cfg.instruments.find((x) => x.key === symbol);
    if (!inst) throw new RangeError(`bybit: unknown symbol ${symbol}`);
    const book = this.book(inst.index);
    return {
      bids: topLevels(inst, book, BID, depth),
      asks: topLevels(inst, book, ASK, depth),
      sequence: this.u[inst.index]!.get(depth) ?? this.eventSeq[inst.index]!,
    };
  }
}
