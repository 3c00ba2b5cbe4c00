/**
 * What a venue decoder produces from one frame, in caller-owned typed arrays: a kind, the trades it
 * carried, and book "sections" (one per instrument the frame touched: a snapshot, a delta, or a
 * top of book), each with its levels and sequence fields. Symbols are byte ranges into the frame
 * (or, written with escapes, into the message's own buffer of decoded symbols).
 * Venue-neutral, so that the sync rules and record writing are shared; nothing is allocated per
 * frame (the arrays double when a frame is larger than any before it).
 */

import { UNESCAPED } from '../json-scan.ts';

export const MsgKind = {
  malformed: 0,
  trades: 1,
  /** L2 book snapshot or delta sections. */
  book: 2,
  /** Best bid/ask sections (two levels each: bid, ask). */
  top: 3,
  heartbeat: 4,
  /** A subscribe/unsubscribe acknowledgement or the venue's subscription list. */
  ack: 5,
  /** The venue refused something (bad symbol, bad request). */
  error: 6,
  /** Reply to our application ping. */
  pong: 7,
  /** The venue announced it will close the connection (Binance serverShutdown, OKX notice). */
  shutdown: 8,
  /** Well-formed, understood, not turned into records (status, 24 h stats…). */
  other: 9,
} as const;
export type MsgKind = (typeof MsgKind)[keyof typeof MsgKind];
export const MSG_KIND_NAMES = [
  'malformed',
  'trades',
  'book',
  'top',
  'heartbeat',
  'ack',
  'error',
  'pong',
  'shutdown',
  'other',
];

/** Section flags. */
export const Sec = {
  snapshot: 1,
  /** The section carries a checksum in `check`. */
  hasChecksum: 2,
} as const;

/** Trade fields (stride TRADE_STRIDE in `trades`). */
export const T_PRICE = 0;
export const T_QTY = 1;
export const T_TIME = 2;
export const T_ID = 3;
/** 1 when the aggressor (taker) sold. */
export const T_SELL = 4;
export const TRADE_STRIDE = 5;

export class FeedMessage {
  kind: MsgKind = MsgKind.other;
  malformed = 0;
  /** Venue message time (epoch ms) when the frame has one, else NaN. */
  eventTime = Number.NaN;
  /** Frame-level sequence (Coinbase sequence_num), NaN if none. */
  frameSeq = Number.NaN;
  /** Request id echoed by an ack/error/pong, NaN if none. */
  reqId = Number.NaN;

  nTrades = 0;
  trades = new Float64Array(16 * TRADE_STRIDE);
  /**
   * Symbol range per trade (start, end): bytes of the frame, or — for a symbol written with
   * escapes — UNESCAPED + offsets into `unescaped`, where it is decoded (see symbolBytes).
   */
  tradeSym = new Int32Array(32);
  /** Symbols with escapes, decoded (JsonScanner.symbol's ByteSink). */
  unescaped = new Uint8Array(64);
  unescapedLen = 0;

  nSections = 0;
  secSym = new Int32Array(16);
  secFlags = new Uint8Array(8);
  /** Index one past the section's last level. */
  secEnd = new Int32Array(8);
  /** First update id in the section (Binance U, OKX prevSeqId), NaN if none. */
  secFirst = new Float64Array(8);
  /** Last update id (Binance u, Bybit u, OKX seqId), NaN if none. */
  secLast = new Float64Array(8);
  secCheck = new Float64Array(8);
  secTime = new Float64Array(8);

  nLevels = 0;
  px = new Float64Array(64);
  qty = new Float64Array(64);
  /** 1 bid, 0 ask. */
  bid = new Uint8Array(64);
  pd = new Uint8Array(64);
  qd = new Uint8Array(64);

  reset(): void {
    this.kind = MsgKind.other;
    this.malformed = 0;
    this.eventTime = Number.NaN;
    this.frameSeq = Number.NaN;
    this.reqId = Number.NaN;
    this.nTrades = 0;
    this.nSections = 0;
    this.nLevels = 0;
    this.unescapedLen = 0;
  }

  /** The bytes a symbol range (tradeSym, secSym) starting at `start` indexes: the frame's or ours. */
  symbolBytes(frame: Uint8Array, start: number): Uint8Array {
    return start >= UNESCAPED ? this.unescaped : frame;
  }

  /** Starts a trade; returns its base index into `trades`. */
  addTrade(symStart: number, symEnd: number): number {
    const i = this.nTrades;
    if ((i + 1) * TRADE_STRIDE > this.trades.length) {
      this.trades = grow64(this.trades);
      this.tradeSym = grow32(this.tradeSym);
    }
    this.tradeSym[i * 2] = symStart;
    this.tradeSym[i * 2 + 1] = symEnd;
    const base = i * TRADE_STRIDE;
    const t = this.trades;
    t[base + T_PRICE] = 0;
    t[base + T_QTY] = 0;
    t[base + T_TIME] = Number.NaN;
    t[base + T_ID] = Number.NaN;
    t[base + T_SELL] = 0;
    this.nTrades = i + 1;
    return base;
  }

  /** Starts a section; its levels are the ones added until the next section. */
  addSection(flags: number): number {
    const s = this.nSections;
    if (s === this.secFlags.length) {
      this.secSym = grow32(this.secSym);
      this.secFlags = grow8(this.secFlags);
      this.secEnd = grow32(this.secEnd);
      this.secFirst = grow64(this.secFirst);
      this.secLast = grow64(this.secLast);
      this.secCheck = grow64(this.secCheck);
      this.secTime = grow64(this.secTime);
    }
    this.secSym[s * 2] = 0;
    this.secSym[s * 2 + 1] = 0;
    this.secFlags[s] = flags;
    this.secEnd[s] = this.nLevels;
    this.secFirst[s] = Number.NaN;
    this.secLast[s] = Number.NaN;
    this.secCheck[s] = 0;
    this.secTime[s] = Number.NaN;
    this.nSections = s + 1;
    return s;
  }

  /** First level index of section s. */
  secStart(s: number): number {
    return s === 0 ? 0 : this.secEnd[s - 1]!;
  }

  /**
   * Adds a level whose price and size are src[pi] and src[qi] (indices, not values: doubles passed
   * to a call that is not inlined are boxed on the heap), with their fraction digits on the wire.
   */
  addLevel(bid: boolean, src: Float64Array, pi: number, qi: number, pd: number, qd: number): void {
    const i = this.nLevels;
    if (i === this.px.length) {
      this.px = grow64(this.px);
      this.qty = grow64(this.qty);
      this.bid = grow8(this.bid);
      this.pd = grow8(this.pd);
      this.qd = grow8(this.qd);
    }
    this.px[i] = src[pi]!;
    this.qty[i] = src[qi]!;
    this.bid[i] = bid ? 1 : 0;
    this.pd[i] = pd;
    this.qd[i] = qd;
    this.nLevels = i + 1;
    this.secEnd[this.nSections - 1] = i + 1;
  }
}

function grow64(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
function grow32(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
function grow8(a: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(a.length * 2);
  b.set(a);
  return b;
}
