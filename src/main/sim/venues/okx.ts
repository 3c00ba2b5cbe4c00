/**
 * OKX v5 public (shared/protocols/okx.md) on `/ws/v5/public`: one `{"event":"subscribe"}` per arg,
 * `books` (400 levels: a snapshot with prevSeqId -1, then updates chaining prevSeqId → seqId with
 * steps > 1, shared by all connections; levels leaving the 400-level view are sent with size "0";
 * an empty update with prevSeqId == seqId after 60 s without a change; `checksum` the legacy
 * signed CRC32 of the top 25 bids/asks interleaved — or 0 as the 2026 docs say, an option),
 * `trades` (taker side, count 1 per fill), `bbo-tbt` (top of book on every change), text `ping` →
 * text `pong`, `{"event":"error"}` with codes 60012 (bad request) and 60018 (bad channel/instId).
 */
import type { RawData, WebSocket } from 'ws';
import { nowMs } from '../../../common/clock.ts';
import { ASK, BID, type Book, type BookEvent, type Instrument, minimal, viewDiff } from '../book-model.ts';
import {
  type BookView,
  type ClientBase,
  crc32,
  newClientBase,
  type SimVenueModule,
  topLevels,
  Venue,
  type VenueConfig,
} from './common.ts';

const BOOK_DEPTH = 400;
type Channel = 'books' | 'trades' | 'bbo-tbt';
const CHANNELS: readonly Channel[] = ['books', 'trades', 'bbo-tbt'];

interface OkxClient extends ClientBase {
  connId: string;
  subs: Record<Channel, Set<number>>;
}

/** OKX's own options (the simulator's options carry them). */
export interface OkxOptions {
  /** The books checksum: 'real' (the legacy CRC32, default) or 'zero' (as the 2026 docs say). */
  okxChecksum?: 'real' | 'zero';
  /** An empty books update after this long without a change (60 000 ms). */
  okxKeepAliveMs?: number;
}

export const okx: SimVenueModule<OkxOptions> = {
  name: 'okx',
  wsPaths: ['/ws/v5/public'],
  create: (cfg, opts) => new OkxVenue(cfg, opts),
};

export class OkxVenue extends Venue<OkxClient> {
  private readonly seqIds: number[];
  private readonly lastBookSent: number[];

  private readonly realChecksum: boolean;
  private readonly keepAliveMs: number;

  constructor(cfg: VenueConfig, opts: OkxOptions) {
    super(cfg);
    this.realChecksum = (opts.okxChecksum ?? 'real') === 'real';
    this.keepAliveMs = opts.okxKeepAliveMs ?? 60_000;
    this.seqIds = cfg.instruments.map((_, k) => 37_720_954_518 + k * 10_000_000_000);
    this.lastBookSent = cfg.instruments.map(() => nowMs());
  }

  protected override hasChecksum(): boolean {
    return true;
  }

  protected malformedFrame(): string {
    return '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["67250.4","0.1"';
  }

  private find(instId: string): Instrument | undefined {
    return this.cfg.instruments.find((i) => i.id === instId);
  }

  onConnection(ws: WebSocket, _url: URL): void {
    const connId = Math.floor(Math.random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
    const c: OkxClient = {
      ...newClientBase(ws),
      connId,
      subs: { books: new Set(), trades: new Set(), 'bbo-tbt': new Set() },
    };
    this.addClient(c);
    ws.on('message', (data: RawData, isBinary: boolean) =>
      this.onCommand(c, isBinary ? '' : data.toString()),
    );
  }

  private onCommand(c: OkxClient, text: string): void {
    if (text === 'ping') return this.answer(c, 'pong');
    const bad = (id: string): void =>
      this.error(
        c,
        `{${id}"event":"error","code":"60012","msg":${JSON.stringify(`Invalid request: ${text}`)},"connId":"${c.connId}"}`,
      );
    let o: Record<string, unknown>;
    try {
      const m = JSON.parse(text) as unknown;
      if (typeof m !== 'object' || m === null || Array.isArray(m)) return bad('');
      o = m as Record<string, unknown>;
    } catch {
      return bad('');
    }
    const id =
      typeof o.id === 'string' && /^[A-Za-z0-9]{1,32}$/.test(o.id) ? `"id":${JSON.stringify(o.id)},` : '';
    const op = o.op;
    if (op !== 'subscribe' && op !== 'unsubscribe') {
      return this.error(
        c,
        `{${id}"event":"error","code":"60019","msg":${JSON.stringify(`Invalid op: op: ${String(op)}`)},"connId":"${c.connId}"}`,
      );
    }
    const args = o.args;
    if (!Array.isArray(args) || args.length === 0) return bad(id);
    for (const a of args as unknown[]) {
      const arg = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
      const channel = arg.channel;
      const instId = arg.instId;
      const inst = typeof instId === 'string' ? this.find(instId) : undefined;
      if (typeof channel !== 'string' || !(CHANNELS as readonly string[]).includes(channel) || !inst) {
        this.error(
          c,
          `{${id}"event":"error","code":"60018","msg":${JSON.stringify(`${op === 'subscribe' ? 'Subscribe' : 'Unsubscribe'} failed, wrong URL or channel:${String(channel)},instId:${String(instId)} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`)},"connId":"${c.connId}"}`,
        );
        continue;
      }
      const ch = channel as Channel;
      this.answer(
        c,
        `{${id}"event":"${op}","arg":{"channel":"${ch}","instId":"${inst.id}"},"connId":"${c.connId}"}`,
      );
      if (op === 'unsubscribe') {
        c.subs[ch].delete(inst.index);
        continue;
      }
      if (c.subs[ch].has(inst.index)) continue;
      c.subs[ch].add(inst.index);
      if (ch === 'books') {
        const book = this.book(inst.index);
        const side = (s: 0 | 1): string =>
          book.sides[s]
            .top(BOOK_DEPTH)
            .map(([p, q]) => lvl(inst, p, q))
            .join(',');
        const f = `{"arg":{"channel":"books","instId":"${inst.id}"},"action":"snapshot","data":[{"asks":[${side(ASK)}],"bids":[${side(BID)}],"ts":"${Math.floor(nowMs())}","checksum":${this.checksum(inst, book)},"prevSeqId":-1,"seqId":${this.seqIds[inst.index]}}]}`;
        if (this.send(c, f)) {
          this.stats.bookSnapshots++;
          this.stats.bookUpdates++;
        }
      } else if (ch === 'bbo-tbt') {
        this.send(c, this.bbo(inst));
      }
    }
  }

  private checksum(inst: Instrument, book: Book): number {
    return this.realChecksum ? okxChecksum(inst, book) : 0;
  }

  private bbo(inst: Instrument): string {
    const book = this.book(inst.index);
    const b = book.bids.top(1)[0];
    const a = book.asks.top(1)[0];
    return `{"arg":{"channel":"bbo-tbt","instId":"${inst.id}"},"data":[{"asks":[${a ? lvl(inst, a[0], a[1]) : ''}],"bids":[${b ? lvl(inst, b[0], b[1]) : ''}],"ts":"${Math.floor(nowMs())}","seqId":${this.seqIds[inst.index]}}]}`;
  }

  onEvent(ev: BookEvent): void {
    const inst = ev.inst;
    const i = inst.index;
    if (ev.changes.length === 0) return;
    const prev = this.seqIds[i]!;
    const seqId = prev + 2 + (ev.seq % 9);
    this.seqIds[i] = seqId;
    if (ev.trades.length > 0) {
      let f = '';
      for (const c of this.clients) {
        if (!c.subs.trades.has(i)) continue;
        if (f === '') {
          const ts = Math.floor(ev.time);
          const data = ev.trades
            .map(
              (t) =>
                `{"instId":"${inst.id}","tradeId":"${t.tradeId}","px":"${minimal(t.price, inst.priceDecimals)}","sz":"${minimal(t.qty, inst.qtyDecimals)}","side":"${t.taker}","ts":"${ts}","count":"1","source":"0","seqId":${seqId}}`,
            )
            .join(',');
          f = `{"arg":{"channel":"trades","instId":"${inst.id}"},"data":[${data}]}`;
        }
        if (this.send(c, f)) this.countTrades(inst.index, ev.trades.length);
      }
    }
    if (ev.topChanged) {
      let f = '';
      for (const c of this.clients) {
        if (!c.subs['bbo-tbt'].has(i)) continue;
        if (f === '') f = this.bbo(inst);
        this.send(c, f);
      }
    }
    let any = false;
    for (const c of this.clients) if (c.subs.books.has(i)) any = true;
    if (!any) return;
    this.lastBookSent[i] = nowMs();
    if (this.takeDrop()) return;
    let checksum = this.checksum(inst, ev.book);
    if (this.takeBadChecksum()) checksum = checksum === 0 ? 1 : (checksum ^ 0x5a5a5a5a) | 0;
    const asks = viewDiff(ev, ASK, BOOK_DEPTH, true).sort((x, y) => x[0] - y[0]);
    const bids = viewDiff(ev, BID, BOOK_DEPTH, true).sort((x, y) => y[0] - x[0]);
    const f = `{"arg":{"channel":"books","instId":"${inst.id}"},"action":"update","data":[{"asks":[${asks.map(([p, q]) => lvl(inst, p, q)).join(',')}],"bids":[${bids.map(([p, q]) => lvl(inst, p, q)).join(',')}],"ts":"${Math.floor(nowMs())}","checksum":${checksum},"prevSeqId":${prev},"seqId":${seqId}}]}`;
    for (const c of this.clients) if (c.subs.books.has(i) && this.send(c, f)) this.stats.bookUpdates++;
  }

  onTimer(now: number): void {
    for (const inst of this.cfg.instruments) {
      const i = inst.index;
      if (now - this.lastBookSent[i]! < this.keepAliveMs) continue;
      this.lastBookSent[i] = now;
      const seqId = this.seqIds[i]!;
      const book = this.book(i);
      const f = `{"arg":{"channel":"books","instId":"${inst.id}"},"action":"update","data":[{"asks":[],"bids":[],"ts":"${Math.floor(now)}","checksum":${this.checksum(inst, book)},"prevSeqId":${seqId},"seqId":${seqId}}]}`;
      for (const c of this.clients) if (c.subs.books.has(i) && this.send(c, f)) this.stats.bookUpdates++;
    }
  }

  bookOf(symbol: string, depth = BOOK_DEPTH): BookView {
    const inst = this.find(symbol);
    if (!inst) throw new RangeError(`okx: unknown instId ${symbol}`);
    const book = this.book(inst.index);
    return {
      bids: topLevels(inst, book, BID, depth),
      asks: topLevels(inst, book, ASK, depth),
      sequence: this.seqIds[inst.index]!,
    };
  }
}

function lvl(inst: Instrument, p: number, q: number): string {
  return `["${minimal(p, inst.priceDecimals)}","${minimal(q, inst.qtyDecimals)}","0","${q === 0 ? 0 : 1 + ((p + q) % 9)}"]`;
}

/** OKX's legacy book checksum: top 25 bids and asks interleaved, strings as sent, signed CRC32. */
export function okxChecksum(inst: Instrument, book: Book): number {
  const bids = book.bids.top(25);
  const asks = book.asks.top(25);
  const parts: string[] = [];
  for (let k = 0; k < 25; k++) {
    const b = bids[k];
    const a = asks[k];
    if (b) parts.push(`${minimal(b[0], inst.priceDecimals)}:${minimal(b[1], inst.qtyDecimals)}`);
    if (a) parts.push(`${minimal(a[0], inst.priceDecimals)}:${minimal(a[1], inst.qtyDecimals)}`);
  }
  return crc32(parts.join(':')) | 0;
}
