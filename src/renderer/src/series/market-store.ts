/**
 * The market store: per instrument, a ring of recent trades and a ring of sampled quotes (best bid
 * and ask), in a SharedArrayBuffer written by the frame receiver (a Web Worker) and read by the
 * Market panel on the UI thread at requestAnimationFrame. Like the series store, a version word
 * works as a seqlock — odd while a frame's trades are being written — so a reader never draws a
 * torn slot, and the UI thread copies only when the version moved.
 */

/** Instruments the store keeps (five venues × a handful each, with room to spare). */
export const MARKET_SLOTS = 32;
/**
 * Trades kept per instrument: time (ms), price, quantity, flags, and the engine's receive time
 * (ms), from which the UI stage (receive → painted, ui-latency.ts) is measured.
 */
export const TRADE_CAP = 4096;
const TF = 5;
/** Quotes kept per instrument: time (ms), bid, ask. At 10 a second, a little under 7 minutes. */
export const QUOTE_CAP = 4096;
const QF = 3;

const H_VERSION = 0;
const H_SLOTS = 1;
const HEADER_BYTES = 64;
/** Per slot: instrument id, trades written, quotes written. */
const META = 4;
const M_ID = 0;
const M_TRADES = 1;
const M_QUOTES = 2;

const META_BYTES = MARKET_SLOTS * META * 8;
const TRADE_BYTES = MARKET_SLOTS * TRADE_CAP * TF * 8;
const QUOTE_BYTES = MARKET_SLOTS * QUOTE_CAP * QF * 8;

export function createMarketBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + META_BYTES + TRADE_BYTES + QUOTE_BYTES);
}

/** What the reader copies out of one instrument's slot; arrays are reused (resized as needed). */
export interface MarketView {
  /** Seconds (as the charts' x axis). */
  tradeTime: number[];
  tradePrice: number[];
  tradeQty: number[];
  /** RecordFlag bits (aggressorSell). */
  tradeFlags: number[];
  quoteTime: number[];
  bid: (number | null)[];
  ask: (number | null)[];
}

export function createMarketView(): MarketView {
  return { tradeTime: [], tradePrice: [], tradeQty: [], tradeFlags: [], quoteTime: [], bid: [], ask: [] };
}

export class MarketStore {
  readonly sab: SharedArrayBuffer;
  private readonly h: Int32Array;
  private readonly meta: Float64Array;
  private readonly trades: Float64Array;
  private readonly quotes: Float64Array;

  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.h = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.meta = new Float64Array(sab, HEADER_BYTES, MARKET_SLOTS * META);
    this.trades = new Float64Array(sab, HEADER_BYTES + META_BYTES, MARKET_SLOTS * TRADE_CAP * TF);
    this.quotes = new Float64Array(
      sab,
      HEADER_BYTES + META_BYTES + TRADE_BYTES,
      MARKET_SLOTS * QUOTE_CAP * QF,
    );
  }

  get version(): number {
    return Atomics.load(this.h, H_VERSION);
  }

  /** The instrument's slot, or -1 if the store has not seen it. */
  slotOf(instrumentId: number): number {
    const n = Atomics.load(this.h, H_SLOTS);
    for (let s = 0; s < n; s++) if (this.meta[s * META + M_ID] === instrumentId) return s;
    return -1;
  }

  // Writer side (the frame receiver): begin() … add… … end() around each frame.

  begin(): void {
    Atomics.add(this.h, H_VERSION, 1); // odd: writing
  }

  end(): void {
    Atomics.add(this.h, H_VERSION, 1); // even: stable
  }

  /** The instrument's slot, taken on first sight; -1 when every slot is taken. Inside begin/end. */
  claim(instrumentId: number): number {
    const s = this.slotOf(instrumentId);
    if (s >= 0) return s;
    const n = Atomics.load(this.h, H_SLOTS);
    if (n >= MARKET_SLOTS) return -1;
    this.meta[n * META + M_ID] = instrumentId;
    this.meta[n * META + M_TRADES] = 0;
    this.meta[n * META + M_QUOTES] = 0;
    Atomics.store(this.h, H_SLOTS, n + 1);
    return n;
  }

  addTrade(slot: number, time: number, price: number, qty: number, flags: number, receive: number): void {
    const m = slot * META + M_TRADES;
    const k = this.meta[m]!;
    const o = (slot * TRADE_CAP + (k % TRADE_CAP)) * TF;
    this.trades[o] = time;
    this.trades[o + 1] = price;
    this.trades[o + 2] = qty;
    this.trades[o + 3] = flags;
    this.trades[o + 4] = receive;
    this.meta[m] = k + 1;
  }

  addQuote(slot: number, time: number, bid: number, ask: number): void {
    const m = slot * META + M_QUOTES;
    const k = this.meta[m]!;
    const o = (slot * QUOTE_CAP + (k % QUOTE_CAP)) * QF;
    this.quotes[o] = time;
    this.quotes[o + 1] = bid;
    this.quotes[o + 2] = ask;
    this.meta[m] = k + 1;
  }

  /** Forgets everything (a new session whose clock went backwards). */
  reset(): void {
    Atomics.add(this.h, H_VERSION, 1);
    Atomics.store(this.h, H_SLOTS, 0);
    Atomics.add(this.h, H_VERSION, 1);
  }

  /**
   * Reader side: copies the slot's trades and quotes from `since` (ms) on, oldest first, into
   * `out`. NaN quotes become null (a gap). Returns false if a write was in progress or happened
   * during the copy (try again next frame).
   */
  read(slot: number, since: number, out: MarketView): boolean {
    const v = this.version;
    if (v & 1) return false;
    const totalT = this.meta[slot * META + M_TRADES]!;
    const nT = Math.min(totalT, TRADE_CAP);
    let first = totalT - nT;
    // Oldest first: skip what is older than `since` (times are in arrival order, near enough).
    while (first < totalT && this.trades[(slot * TRADE_CAP + (first % TRADE_CAP)) * TF]! < since) first++;
    const t = totalT - first;
    resize(out.tradeTime, t);
    resize(out.tradePrice, t);
    resize(out.tradeQty, t);
    resize(out.tradeFlags, t);
    for (let i = 0; i < t; i++) {
      const o = (slot * TRADE_CAP + ((first + i) % TRADE_CAP)) * TF;
      out.tradeTime[i] = this.trades[o]! / 1000;
      out.tradePrice[i] = this.trades[o + 1]!;
      out.tradeQty[i] = this.trades[o + 2]!;
      out.tradeFlags[i] = this.trades[o + 3]!;
    }
    const totalQ = this.meta[slot * META + M_QUOTES]!;
    const nQ = Math.min(totalQ, QUOTE_CAP);
    let firstQ = totalQ - nQ;
    while (firstQ < totalQ && this.quotes[(slot * QUOTE_CAP + (firstQ % QUOTE_CAP)) * QF]! < since) firstQ++;
    const q = totalQ - firstQ;
    resize(out.quoteTime, q);
    resize(out.bid, q);
    resize(out.ask, q);
    for (let i = 0; i < q; i++) {
      const o = (slot * QUOTE_CAP + ((firstQ + i) % QUOTE_CAP)) * QF;
      out.quoteTime[i] = this.quotes[o]! / 1000;
      const b = this.quotes[o + 1]!;
      const a = this.quotes[o + 2]!;
      out.bid[i] = Number.isNaN(b) ? null : b;
      out.ask[i] = Number.isNaN(a) ? null : a;
    }
    return this.version === v;
  }

  /** Instrument slots taken. */
  get slots(): number {
    return Atomics.load(this.h, H_SLOTS);
  }

  /** Trades ever written to a slot (the ring keeps the last TRADE_CAP). */
  tradesWritten(slot: number): number {
    return this.meta[slot * META + M_TRADES]!;
  }

  /** Engine receive time (ms) of a slot's k-th trade ever written; still in the ring. */
  tradeReceiveTime(slot: number, k: number): number {
    return this.trades[(slot * TRADE_CAP + (k % TRADE_CAP)) * TF + 4]!;
  }

  /** The newest trade's or quote's time of a slot, ms (NaN when none). */
  newest(slot: number): number {
    const kT = this.meta[slot * META + M_TRADES]!;
    const kQ = this.meta[slot * META + M_QUOTES]!;
    const t = kT > 0 ? this.trades[(slot * TRADE_CAP + ((kT - 1) % TRADE_CAP)) * TF]! : Number.NaN;
    const q = kQ > 0 ? this.quotes[(slot * QUOTE_CAP + ((kQ - 1) % QUOTE_CAP)) * QF]! : Number.NaN;
    return Number.isNaN(t) ? q : Number.isNaN(q) ? t : Math.max(t, q);
  }
}

function resize<T>(a: T[], n: number): void {
  if (a.length !== n) a.length = n;
}
