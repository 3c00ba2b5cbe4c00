/**
 * A slow, obvious JSON.parse-based reference for the venue decoders (src/main/feeds/venues), and
 * the same normalised view built from a decoded FeedMessage, so that tests can assert the two
 * agree. The reference reads the protocol as documented (protocols/*.md) and as the decoders'
 * header comments state it; numbers come from JSON.parse / Number (i.e. parseFloat's double), and
 * bare numbers keep their source text (JSON.parse source-text access) for the fraction digits.
 * Duplicate keys follow JSON.parse (the last one wins).
 */

import type { VenueName } from '../../src/common/venues.ts';
import { UNESCAPED } from '../../src/main/feeds/json-scan.ts';
import {
  type FeedMessage,
  MSG_KIND_NAMES,
  MsgKind,
  Sec,
  T_ID,
  T_PRICE,
  T_QTY,
  T_SELL,
  T_TIME,
  TRADE_STRIDE,
} from '../../src/main/feeds/venues/message.ts';

export type { VenueName };
export type KindName =
  | 'malformed'
  | 'trades'
  | 'book'
  | 'top'
  | 'heartbeat'
  | 'ack'
  | 'error'
  | 'pong'
  | 'shutdown'
  | 'other';

export interface TradeView {
  sym: string;
  price: number;
  qty: number;
  time: number;
  id: number;
  sell: boolean;
}
/** [bid 1 / ask 0, price, qty, price fraction digits, qty fraction digits] */
export type LevelView = [number, number, number, number, number];
export interface SectionView {
  sym: string;
  snapshot: boolean;
  /** null when the section carries no (checked) checksum. */
  checksum: number | null;
  first: number;
  last: number;
  time: number;
  levels: LevelView[];
}
export interface View {
  kind: KindName;
  trades: TradeView[];
  sections: SectionView[];
  /** Coinbase sequence_num (NaN elsewhere). */
  seq: number;
}
/** The reference's extra output: each level's price/qty text as sent (for string checksums). */
export interface RefResult {
  view: View;
  /** Per section, per level: [price text, qty text]. */
  texts: [string, string][][];
  /** Why the frame was refused (view.kind 'malformed'), by the decoders' names. */
  refusal?: Refusal;
}

export const MALFORMED: View = { kind: 'malformed', trades: [], sections: [], seq: Number.NaN };

const utf8 = new TextDecoder();

/** A symbol range of msg as text: in the frame, or decoded from escapes into msg's own buffer. */
function symbolText(bytes: Uint8Array, msg: FeedMessage, s: number, e: number): string {
  const base = s >= UNESCAPED ? UNESCAPED : 0;
  return utf8.decode(msg.symbolBytes(bytes, s).subarray(s - base, e - base));
}

/** Our decoder's output as a View. */
export function viewOf(bytes: Uint8Array, msg: FeedMessage, venue: VenueName): View {
  const kind = MSG_KIND_NAMES[msg.kind] as KindName;
  if (msg.kind === MsgKind.malformed) return MALFORMED;
  const trades: TradeView[] = [];
  if (msg.kind === MsgKind.trades) {
    for (let i = 0; i < msg.nTrades; i++) {
      const t = i * TRADE_STRIDE;
      trades.push({
        sym: symbolText(bytes, msg, msg.tradeSym[i * 2]!, msg.tradeSym[i * 2 + 1]!),
        price: msg.trades[t + T_PRICE]!,
        qty: msg.trades[t + T_QTY]!,
        time: msg.trades[t + T_TIME]!,
        id: msg.trades[t + T_ID]!,
        sell: msg.trades[t + T_SELL] === 1,
      });
    }
  }
  const sections: SectionView[] = [];
  if (msg.kind === MsgKind.book || msg.kind === MsgKind.top) {
    for (let s = 0; s < msg.nSections; s++) {
      const levels: LevelView[] = [];
      for (let l = msg.secStart(s); l < msg.secEnd[s]!; l++)
        levels.push([msg.bid[l]!, msg.px[l]!, msg.qty[l]!, msg.pd[l]!, msg.qd[l]!]);
      sections.push({
        sym: symbolText(bytes, msg, msg.secSym[s * 2]!, msg.secSym[s * 2 + 1]!),
        snapshot: (msg.secFlags[s]! & Sec.snapshot) !== 0,
        checksum: (msg.secFlags[s]! & Sec.hasChecksum) !== 0 ? msg.secCheck[s]! : null,
        first: msg.secFirst[s]!,
        last: msg.secLast[s]!,
        time: msg.secTime[s]!,
        levels,
      });
    }
  }
  return { kind, trades, sections, seq: venue === 'coinbase' ? msg.frameSeq : Number.NaN };
}

// ---------------------------------------------------------------------------------------------
// JSON.parse with numbers boxed together with their source text.

/** A JSON number as JSON.parse read it, with the text it was written as. */
export class Raw {
  readonly v: number;
  readonly src: string;
  constructor(v: number, src: string) {
    this.v = v;
    this.src = src;
  }
}

type Reviver = (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown;
const parseWithSource = JSON.parse as (text: string, reviver: Reviver) => unknown;

/** JSON.parse, numbers as Raw; throws like JSON.parse. */
export function parseJson(text: string): unknown {
  return parseWithSource(text, (_k, v, c) => (typeof v === 'number' ? new Raw(v, c.source ?? String(v)) : v));
}

/** The reference decided the frame is malformed. */
/**
 * The names a refusal goes by (the decoders' SCAN_ERROR_NAMES): what the reference refuses, it
 * names the way the decoders must.
 */
export type Refusal =
  | 'not a JSON object'
  | 'bad JSON syntax'
  | 'missing field'
  | 'bad number'
  | 'wrong field type';
class Bad extends Error {
  readonly reason: Refusal;
  constructor(why: string, reason: Refusal) {
    super(why);
    this.reason = reason;
  }
}
function bad(why: string, reason: Refusal = 'missing field'): never {
  throw new Bad(why, reason);
}

type Obj = Record<string, unknown>;
function isObj(x: unknown): x is Obj {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Raw);
}
function has(o: Obj, k: string): boolean {
  return Object.hasOwn(o, k);
}
function obj(x: unknown, what: string): Obj {
  if (!isObj(x))
    bad(
      `${what}: not an object`,
      what === 'frame' || what === 'body' ? 'not a JSON object' : 'wrong field type',
    );
  return x;
}
function arr(x: unknown, what: string): unknown[] {
  if (!Array.isArray(x)) bad(`${what}: not an array`, 'wrong field type');
  return x;
}
function str(x: unknown, what: string): string {
  if (typeof x !== 'string') bad(`${what}: not a string`, 'wrong field type');
  return x;
}
function bool(x: unknown, what: string): boolean {
  if (typeof x !== 'boolean') bad(`${what}: not a boolean`, 'wrong field type');
  return x;
}

/**
 * Digits after the decimal point as the wire has them, once the number is written out
 * positionally (`0.10` 2, `1e-8` 8, `6.725010e4` 2), at most 255.
 */
export function fracDigits(src: string): number {
  const m = /^[^.eE]*(?:\.(\d*))?[^eE]*(?:[eE]([+-]?\d+))?/.exec(src)!;
  const n = (m[1] ?? '').length - (m[2] === undefined ? 0 : Math.min(1000, Math.max(-1000, Number(m[2]))));
  return Math.max(0, Math.min(255, n));
}

interface Dec {
  v: number;
  d: number;
  text: string;
}
/** A decimal, quoted or bare: parseFloat's double of a number text; finite. */
function dec(x: unknown, what: string): Dec {
  let text: string;
  let v: number;
  if (x instanceof Raw) {
    text = x.src;
    v = x.v;
  } else if (typeof x === 'string' && x.trim() !== '') {
    text = x;
    v = Number(x);
  } else bad(`${what}: not a number`, 'bad number');
  if (!Number.isFinite(v)) bad(`${what}: not a finite number`, 'bad number');
  return { v, d: fracDigits(text), text };
}
/** An integer, quoted or bare. */
function int(x: unknown, what: string): number {
  const v = x instanceof Raw ? x.v : typeof x === 'string' && x.trim() !== '' ? Number(x) : Number.NaN;
  if (!Number.isInteger(v)) bad(`${what}: not an integer`, 'bad number');
  return v;
}
/** Binance/Bybit/OKX stamp ms; Binance µs on request: the unit told from the value (ns beyond). */
function toMs(t: number): number {
  if (t >= 1e17) return t / 1e6;
  if (t >= 1e14) return t / 1e3;
  return t;
}

const ISO = /^(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)$/;
/**
 * RFC 3339 → epoch ms via Date.parse on the whole-second text, plus the fraction rounded to the
 * microsecond. NaN if not RFC 3339 or Date.parse refuses it.
 */
export function refIsoTime(s: string): number {
  const m = ISO.exec(s);
  if (m === null) return Number.NaN;
  const zone = m[4] === 'z' ? 'Z' : m[4];
  const base = Date.parse(`${m[1]}T${m[2]}${zone}`);
  if (Number.isNaN(base)) return Number.NaN;
  const frac = m[3] === undefined ? 0 : Math.round(Number(`0.${m[3]}`) * 1e6) / 1e3;
  return base + frac;
}

// ---------------------------------------------------------------------------------------------

class Out {
  kind: KindName = 'other';
  trades: TradeView[] = [];
  sections: SectionView[] = [];
  texts: [string, string][][] = [];
  seq = Number.NaN;

  section(sym: string, snapshot: boolean): SectionView {
    const s: SectionView = {
      sym,
      snapshot,
      checksum: null,
      first: Number.NaN,
      last: Number.NaN,
      time: Number.NaN,
      levels: [],
    };
    this.sections.push(s);
    this.texts.push([]);
    return s;
  }

  level(bid: boolean, px: Dec, qty: Dec, book: boolean): void {
    if (book && (!(px.v > 0) || !(qty.v >= 0))) bad('level: price ≤ 0 or qty < 0', 'bad number');
    this.sections.at(-1)!.levels.push([bid ? 1 : 0, px.v, qty.v, px.d, qty.d]);
    this.texts.at(-1)!.push([px.text, qty.text]);
  }

  result(): RefResult {
    const book = this.kind === 'book' || this.kind === 'top';
    return {
      view: {
        kind: this.kind,
        trades: this.kind === 'trades' ? this.trades : [],
        sections: book ? this.sections : [],
        seq: this.seq,
      },
      texts: book ? this.texts : [],
    };
  }
}

/** `[[price, qty, …], …]` (Binance, Bybit, OKX): at least two numeric elements per level. */
function pairs(out: Out, x: unknown, bid: boolean, what: string): void {
  for (const l of arr(x, what)) {
    const a = arr(l, `${what} level`);
    if (a.length < 2) bad(`${what} level: fewer than 2 items`);
    out.level(bid, dec(a[0], 'price'), dec(a[1], 'qty'), true);
  }
}

function trade(out: Out, t: Omit<TradeView, 'price' | 'qty'> & { price: Dec; qty: Dec }): void {
  if (!(t.price.v > 0) || !(t.qty.v > 0)) bad('trade: price or qty ≤ 0', 'bad number');
  out.trades.push({ sym: t.sym, price: t.price.v, qty: t.qty.v, time: t.time, id: t.id, sell: t.sell });
}

// --- Binance ---------------------------------------------------------------------------------

const BINANCE_TOP = new Set(['stream', 'data', 'result', 'error', 'id']);

function binance(out: Out, root: unknown): void {
  const top = obj(root, 'frame');
  let ev: Obj | undefined;
  // An envelope (combined stream, control reply) has stream/data/result/error/id and no one-letter
  // key (an event's own fields); unknown longer keys may come with either.
  const keys = Object.keys(top);
  const combined = keys.some((k) => BINANCE_TOP.has(k)) && !keys.some((k) => k.length === 1);
  if (combined) {
    if (has(top, 'data')) ev = obj(top.data, 'data');
    const id = top.id;
    if (has(top, 'id') && id !== null && typeof id !== 'string') int(id, 'id');
  } else ev = top; // a raw-stream event: its fields at the top level
  const e = ev ?? {};
  // Every known field is type-checked whatever the event.
  const type = has(e, 'e') ? str(e.e, 'e') : undefined;
  const E = has(e, 'E') ? int(e.E, 'E') : Number.NaN;
  const s = has(e, 's') ? str(e.s, 's') : undefined;
  const t = has(e, 't') ? int(e.t, 't') : undefined;
  const p = has(e, 'p') ? dec(e.p, 'p') : undefined;
  const q = has(e, 'q') ? dec(e.q, 'q') : undefined;
  const T = has(e, 'T') ? int(e.T, 'T') : undefined;
  const m = has(e, 'm') ? bool(e.m, 'm') : undefined;
  const U = has(e, 'U') ? int(e.U, 'U') : undefined;
  const u = has(e, 'u') ? int(e.u, 'u') : undefined;
  const B = has(e, 'B') ? dec(e.B, 'B') : undefined;
  const A = has(e, 'A') ? dec(e.A, 'A') : undefined;
  // b/a: level arrays in a depth update, numbers in a bookTicker.
  const side = (k: 'b' | 'a'): unknown[] | Dec | undefined =>
    !has(e, k) ? undefined : Array.isArray(e[k]) ? (e[k] as unknown[]) : dec(e[k], k);
  const b = side('b');
  const a = side('a');
  if (type === 'trade') {
    if (s === undefined || t === undefined || !p || !q || T === undefined || m === undefined)
      bad('trade: missing field');
    out.kind = 'trades';
    trade(out, { sym: s, price: p, qty: q, time: toMs(T), id: t, sell: m });
  } else if (type === 'depthUpdate') {
    if (s === undefined || U === undefined || u === undefined || !Array.isArray(b) || !Array.isArray(a))
      bad('depthUpdate: missing field');
    const sec = out.section(s, false);
    sec.first = U;
    sec.last = u;
    sec.time = toMs(E);
    // Levels in frame order (bids and asks as they come).
    for (const k of Object.keys(e)) if (k === 'b' || k === 'a') pairs(out, e[k], k === 'b', k);
    out.kind = 'book';
  } else if (type === 'serverShutdown') out.kind = 'shutdown';
  else if (
    type === undefined &&
    s !== undefined &&
    u !== undefined &&
    b !== undefined &&
    !Array.isArray(b) &&
    a !== undefined &&
    !Array.isArray(a) &&
    B &&
    A
  ) {
    const sec = out.section(s, false);
    sec.last = u;
    out.level(true, b, B, false);
    out.level(false, a, A, false);
    out.kind = 'top';
  } else if (combined && has(top, 'error')) out.kind = 'error';
  else if (combined && has(top, 'result')) out.kind = 'ack';
  else if (type !== undefined) out.kind = 'other';
  else if (['s', 't', 'p', 'q', 'T', 'm', 'U', 'u', 'b', 'a', 'B', 'A'].some((k) => has(e, k)))
    bad('event: missing field');
  else out.kind = 'other';
}

/** The REST `GET /api/v3/depth` body. */
export function refBinanceDepthSnapshot(text: string): RefResult {
  const out = new Out();
  try {
    const o = obj(parseJson(text), 'body');
    if (!has(o, 'lastUpdateId') || !has(o, 'bids') || !has(o, 'asks')) bad('snapshot: missing field');
    const sec = out.section('', true);
    sec.last = int(o.lastUpdateId, 'lastUpdateId');
    for (const k of Object.keys(o)) if (k === 'bids' || k === 'asks') pairs(out, o[k], k === 'bids', k);
    out.kind = 'book';
    return out.result();
  } catch (e) {
    if (e instanceof Bad) return { view: MALFORMED, texts: [], refusal: e.reason };
    if (e instanceof SyntaxError) return { view: MALFORMED, texts: [], refusal: 'bad JSON syntax' };
    throw e;
  }
}

// --- Coinbase --------------------------------------------------------------------------------

function coinbase(out: Out, root: unknown): void {
  const top = obj(root, 'frame');
  const channel = has(top, 'channel') ? str(top.channel, 'channel') : undefined;
  if (has(top, 'sequence_num')) out.seq = int(top.sequence_num, 'sequence_num');
  if (has(top, 'timestamp')) str(top.timestamp, 'timestamp');
  const isError = has(top, 'type') && str(top.type, 'type') === 'error';
  const events = has(top, 'events') ? top.events : undefined;
  const data = channel === 'l2_data' || channel === 'market_trades' || channel === 'ticker';
  if (data && events !== undefined) {
    for (const ev of arr(events, 'events')) {
      const o = obj(ev, 'event');
      if (channel === 'l2_data') {
        if (has(o, 'type')) str(o.type, 'type');
        if (!has(o, 'product_id') || !has(o, 'updates')) bad('l2 event: missing field');
        const sec = out.section(str(o.product_id, 'product_id'), o.type === 'snapshot');
        for (const u of arr(o.updates, 'updates')) {
          const l = obj(u, 'update');
          const sideText = has(l, 'side') ? str(l.side, 'side') : '';
          const side = sideText === 'bid' ? 1 : sideText === 'offer' || sideText === 'ask' ? 0 : -1;
          const px = has(l, 'price_level') ? dec(l.price_level, 'price_level') : undefined;
          const qty = has(l, 'new_quantity') ? dec(l.new_quantity, 'new_quantity') : undefined;
          if (has(l, 'event_time')) {
            const t = refIsoTime(str(l.event_time, 'event_time'));
            if (t > 0 && !(sec.time >= t)) sec.time = t; // the latest real event time
          }
          if (side < 0 || !px || !qty) bad('update: missing field');
          out.level(side === 1, px, qty, true);
        }
      } else if (channel === 'market_trades') {
        if (has(o, 'type')) str(o.type, 'type');
        if (!has(o, 'trades')) bad('trades event: missing trades');
        const history = o.type === 'snapshot'; // trades before our subscription
        for (const x of arr(o.trades, 'trades')) {
          const t = obj(x, 'trade');
          const sym = has(t, 'product_id') ? str(t.product_id, 'product_id') : undefined;
          const price = has(t, 'price') ? dec(t.price, 'price') : undefined;
          const qty = has(t, 'size') ? dec(t.size, 'size') : undefined;
          let sell: boolean | undefined;
          if (has(t, 'side')) {
            const sd = str(t.side, 'side');
            if (sd !== 'BUY' && sd !== 'SELL') bad('side: not BUY/SELL', 'wrong field type');
            sell = sd === 'BUY'; // the maker's side: a resting buy was hit → the taker sold
          }
          // trade_id is a string of digits; anything else is not an id we can keep.
          const id = typeof t.trade_id === 'string' ? int(t.trade_id, 'trade_id') : Number.NaN;
          let time = Number.NaN;
          if (has(t, 'time')) {
            time = refIsoTime(str(t.time, 'time'));
            if (Number.isNaN(time)) bad('time: not RFC 3339', 'bad number');
          }
          if (sym === undefined || !price || !qty || sell === undefined || !has(t, 'trade_id'))
            bad('trade: missing field');
          if (!(price.v > 0) || !(qty.v > 0)) bad('trade: price or qty ≤ 0', 'bad number');
          if (!history) trade(out, { sym, price, qty, time, id, sell });
        }
      } else {
        if (!has(o, 'tickers')) continue;
        for (const x of arr(o.tickers, 'tickers')) {
          const t = obj(x, 'ticker');
          const sym = has(t, 'product_id') ? str(t.product_id, 'product_id') : undefined;
          const f = ['best_bid', 'best_bid_quantity', 'best_ask', 'best_ask_quantity'].map((k) =>
            has(t, k) ? dec(t[k], k) : undefined,
          );
          if (sym === undefined || f.some((v) => v === undefined)) continue; // no bid/ask: nothing for the book
          out.section(sym, false);
          out.level(true, f[0]!, f[1]!, false);
          out.level(false, f[2]!, f[3]!, false);
        }
      }
    }
  }
  if (isError) out.kind = 'error';
  else if (channel === 'l2_data') out.kind = 'book';
  else if (channel === 'market_trades') out.kind = 'trades';
  else if (channel === 'ticker') out.kind = 'top';
  else if (channel === 'heartbeats') out.kind = 'heartbeat';
  else if (channel === 'subscriptions') out.kind = 'ack';
  else if (channel === undefined) bad('no channel');
  else out.kind = 'other';
}

// --- Kraken ----------------------------------------------------------------------------------

function kraken(out: Out, root: unknown): void {
  const top = obj(root, 'frame');
  const channel = has(top, 'channel') ? str(top.channel, 'channel') : undefined;
  const snapshot = has(top, 'type') && str(top.type, 'type') === 'snapshot';
  const method = has(top, 'method') ? str(top.method, 'method') : undefined;
  const success = has(top, 'success') ? bool(top.success, 'success') : true;
  if (has(top, 'req_id')) int(top.req_id, 'req_id');
  const data = channel === 'book' || channel === 'trade' || channel === 'ticker';
  if (data && has(top, 'data')) {
    for (const x of arr(top.data, 'data')) {
      const o = obj(x, 'entry');
      if (channel === 'book') {
        if (!has(o, 'symbol')) bad('book: no symbol');
        const sec = out.section(str(o.symbol, 'symbol'), snapshot);
        if (has(o, 'checksum')) sec.checksum = int(o.checksum, 'checksum');
        if (has(o, 'timestamp')) {
          const t = refIsoTime(str(o.timestamp, 'timestamp'));
          if (!Number.isNaN(t)) sec.time = t;
        }
        for (const k of Object.keys(o)) {
          if (k !== 'bids' && k !== 'asks') continue;
          for (const l of arr(o[k], k)) {
            const lv = obj(l, 'level');
            if (!has(lv, 'price') || !has(lv, 'qty')) bad('level: missing field');
            out.level(k === 'bids', dec(lv.price, 'price'), dec(lv.qty, 'qty'), true);
          }
        }
      } else if (channel === 'trade') {
        const sym = has(o, 'symbol') ? str(o.symbol, 'symbol') : undefined;
        const price = has(o, 'price') ? dec(o.price, 'price') : undefined;
        const qty = has(o, 'qty') ? dec(o.qty, 'qty') : undefined;
        let sell: boolean | undefined;
        if (has(o, 'side')) {
          const sd = str(o.side, 'side');
          if (sd !== 'buy' && sd !== 'sell') bad('side: not buy/sell', 'wrong field type');
          sell = sd === 'sell'; // the taker's side
        }
        const id = has(o, 'trade_id') ? int(o.trade_id, 'trade_id') : Number.NaN;
        let time = Number.NaN;
        if (has(o, 'timestamp')) {
          time = refIsoTime(str(o.timestamp, 'timestamp'));
          if (Number.isNaN(time)) bad('timestamp: not RFC 3339', 'bad number');
        }
        if (sym === undefined || !price || !qty || sell === undefined) bad('trade: missing field');
        if (!(price.v > 0) || !(qty.v > 0)) bad('trade: price or qty ≤ 0', 'bad number');
        if (!snapshot) trade(out, { sym, price, qty, time, id, sell }); // a snapshot is history
      } else {
        const sym = has(o, 'symbol') ? str(o.symbol, 'symbol') : undefined;
        const f = ['bid', 'bid_qty', 'ask', 'ask_qty'].map((k) => (has(o, k) ? dec(o[k], k) : undefined));
        if (sym === undefined || f.some((v) => v === undefined)) bad('ticker: missing field');
        out.section(sym, false);
        out.level(true, f[0]!, f[1]!, false);
        out.level(false, f[2]!, f[3]!, false);
      }
    }
  }
  if (method !== undefined) out.kind = method === 'pong' ? 'pong' : success ? 'ack' : 'error';
  else if (channel === 'book') out.kind = 'book';
  else if (channel === 'trade') out.kind = 'trades';
  else if (channel === 'ticker') out.kind = 'top';
  else if (channel === 'heartbeat') out.kind = 'heartbeat';
  else if (channel === undefined) bad('no channel');
  else out.kind = 'other';
}

// --- Bybit -----------------------------------------------------------------------------------

function bybit(out: Out, root: unknown): void {
  const top = obj(root, 'frame');
  const topic = has(top, 'topic') ? str(top.topic, 'topic') : undefined;
  const snapshot = has(top, 'type') && str(top.type, 'type') === 'snapshot';
  const ts = has(top, 'ts') ? toMs(int(top.ts, 'ts')) : Number.NaN;
  const op = has(top, 'op') ? str(top.op, 'op') : undefined;
  const retMsg = has(top, 'ret_msg') ? str(top.ret_msg, 'ret_msg') : undefined;
  const success = has(top, 'success') ? bool(top.success, 'success') : true;
  const ch =
    topic === undefined
      ? undefined
      : topic.startsWith('orderbook.1.')
        ? 'top'
        : topic.startsWith('orderbook.')
          ? 'book'
          : topic.startsWith('publicTrade.')
            ? 'trades'
            : 'other';
  if (ch === 'book' || ch === 'top' || ch === 'trades') {
    if (!has(top, 'data')) bad('no data');
    if (ch === 'trades') {
      for (const x of arr(top.data, 'data')) {
        const t = obj(x, 'trade');
        const sym = has(t, 's') ? str(t.s, 's') : undefined;
        const price = has(t, 'p') ? dec(t.p, 'p') : undefined;
        const qty = has(t, 'v') ? dec(t.v, 'v') : undefined;
        let sell: boolean | undefined;
        if (has(t, 'S')) {
          const sd = str(t.S, 'S');
          if (sd !== 'Buy' && sd !== 'Sell') bad('S: not Buy/Sell', 'wrong field type');
          sell = sd === 'Sell'; // the taker's side
        }
        const time = has(t, 'T') ? toMs(int(t.T, 'T')) : Number.NaN;
        const id = has(t, 'i') ? int(t.i, 'i') : Number.NaN;
        if (sym === undefined || !price || !qty || sell === undefined) bad('trade: missing field');
        trade(out, { sym, price, qty, time, id, sell });
      }
    } else {
      const d = obj(top.data, 'data');
      if (!has(d, 's') || !has(d, 'u')) bad('book: missing field');
      const sec = out.section(str(d.s, 's'), snapshot);
      sec.last = int(d.u, 'u');
      if (has(d, 'seq')) sec.first = int(d.seq, 'seq'); // cross sequence, informative
      sec.time = ts;
      for (const k of Object.keys(d)) if (k === 'b' || k === 'a') pairs(out, d[k], k === 'b', k);
    }
    out.kind = ch;
  } else if (op !== undefined || retMsg === 'pong') {
    out.kind = op === 'ping' || op === 'pong' || retMsg === 'pong' ? 'pong' : success ? 'ack' : 'error';
  } else if (topic === undefined) bad('no topic');
  else out.kind = 'other';
}

// --- OKX -------------------------------------------------------------------------------------

const OKX_BOOK = new Set(['books', 'books-l2-tbt', 'books50-l2-tbt']);
const OKX_TOP = new Set(['bbo-tbt', 'books5']);

function okx(out: Out, root: unknown): void {
  const top = obj(root, 'frame');
  let channel: string | undefined;
  let inst: string | undefined;
  if (has(top, 'arg')) {
    const a = obj(top.arg, 'arg');
    if (has(a, 'channel')) channel = str(a.channel, 'channel');
    if (has(a, 'instId')) inst = str(a.instId, 'instId');
  }
  const snapshot = has(top, 'action') && str(top.action, 'action') === 'snapshot';
  const event = has(top, 'event') ? str(top.event, 'event') : undefined;
  const code = has(top, 'code') ? int(top.code, 'code') : 0;
  const ch =
    channel === undefined
      ? undefined
      : OKX_BOOK.has(channel)
        ? 'book'
        : OKX_TOP.has(channel)
          ? 'top'
          : channel === 'trades'
            ? 'trades'
            : 'other';
  if (event === undefined && (ch === 'book' || ch === 'top' || ch === 'trades')) {
    if (!has(top, 'data') || !inst) bad('no data or instId');
    for (const x of arr(top.data, 'data')) {
      const o = obj(x, 'entry');
      if (ch === 'trades') {
        const sym = has(o, 'instId') ? str(o.instId, 'instId') : inst;
        const price = has(o, 'px') ? dec(o.px, 'px') : undefined;
        const qty = has(o, 'sz') ? dec(o.sz, 'sz') : undefined;
        let sell: boolean | undefined;
        if (has(o, 'side')) {
          const sd = str(o.side, 'side');
          if (sd !== 'buy' && sd !== 'sell') bad('side: not buy/sell', 'wrong field type');
          sell = sd === 'sell'; // the taker's side
        }
        const time = has(o, 'ts') ? toMs(int(o.ts, 'ts')) : Number.NaN;
        const id = has(o, 'tradeId') ? int(o.tradeId, 'tradeId') : Number.NaN;
        if (!sym || !price || !qty || sell === undefined) bad('trade: missing field');
        trade(out, { sym, price, qty, time, id, sell });
      } else {
        if (!has(o, 'asks') || !has(o, 'bids')) bad('book: missing field');
        const sec = out.section(inst, snapshot && ch === 'book');
        if (has(o, 'ts')) sec.time = toMs(int(o.ts, 'ts'));
        if (has(o, 'checksum')) {
          const c = int(o.checksum, 'checksum');
          sec.checksum = c === 0 ? null : c; // 0: deprecated, not checked
        }
        if (has(o, 'prevSeqId')) sec.first = int(o.prevSeqId, 'prevSeqId');
        if (has(o, 'seqId')) sec.last = int(o.seqId, 'seqId');
        for (const k of Object.keys(o)) if (k === 'bids' || k === 'asks') pairs(out, o[k], k === 'bids', k);
        // A book needs a guard: its sequence (both fields, since 2023), its checksum, or both.
        if (ch === 'book') {
          if (has(o, 'seqId') !== has(o, 'prevSeqId')) bad('book: half a sequence');
          if (!has(o, 'seqId') && sec.checksum === null) bad('book: neither sequence nor checksum');
        }
      }
    }
  }
  if (event === 'error') out.kind = 'error';
  else if (event === 'notice') out.kind = code === 64008 ? 'shutdown' : 'other';
  else if (event !== undefined) out.kind = 'ack';
  else if (ch === undefined) bad('no channel');
  else out.kind = ch;
}

const VENUES: Record<VenueName, (out: Out, root: unknown) => void> = {
  binance,
  coinbase,
  kraken,
  bybit,
  okx,
};

/** The reference decoding of one text frame. */
export function refDecode(venue: VenueName, text: string): RefResult {
  if (venue === 'okx' && text === 'pong') {
    const out = new Out();
    out.kind = 'pong';
    return out.result();
  }
  let root: unknown;
  try {
    root = parseJson(text);
  } catch {
    return { view: MALFORMED, texts: [], refusal: 'bad JSON syntax' };
  }
  const out = new Out();
  try {
    VENUES[venue](out, root);
  } catch (e) {
    if (e instanceof Bad) return { view: MALFORMED, texts: [], refusal: e.reason };
    throw e;
  }
  return out.result();
}
