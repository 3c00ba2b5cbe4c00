/**
 * The multi-venue simulator's market: per instrument a seeded limit order book whose trades and
 * book changes agree. Prices are integer ticks and quantities integer lots (exact, no binary
 * residue); every market event is one of
 * - a trade: a taker order sweeping the best opposite level(s) (at most three), each fill one
 *   trade at that level's price, its quantity removed from the level;
 * - an add: a new order at or near the best price of one side (sometimes inside the spread, never
 *   crossing it), creating a level or growing one;
 * - a cancel: part or all of a level removed (a side never loses its last levels);
 * - a modify: a level's quantity replaced.
 * Arrivals are the same bursty two-state Markov-modulated Poisson process as `MarketModel` (calm,
 * and bursts at 8× the calm rate), at a mean rate of events per second over all instruments,
 * split by instrument weight. A pure function of seed and time, like `MarketModel` (which it does
 * not touch: the trade-only `MarketModel` stream stays byte-identical for existing seeds).
 */
import { instrumentSpec } from './market-model.ts';
import { Rng } from './rng.ts';

export type Side = 0 | 1;
export const BID: Side = 0;
export const ASK: Side = 1;

const QUOTES = ['USDT', 'USDC', 'USD', 'EUR', 'BTC', 'ETH', 'FDUSD'];

/** Splits BTCUSDT / BTC-USDT / btc/usdt / BTC_USDT into base and quote (null if it cannot). */
export function splitSymbol(symbol: string): { base: string; quote: string } | null {
  const s = symbol.toUpperCase();
  const sep = /^([A-Z0-9]{1,15})[-/_]([A-Z0-9]{1,10})$/.exec(s);
  if (sep) return { base: sep[1]!, quote: sep[2]! };
  if (!/^[A-Z0-9]{2,25}$/.test(s)) return null;
  for (const q of [...QUOTES].sort((a, b) => b.length - a.length)) {
    if (s.endsWith(q) && s.length > q.length) return { base: s.slice(0, -q.length), quote: q };
  }
  return null;
}

export interface Instrument {
  index: number;
  /** BTCUSDT: the key of the instrument's spec in market-model.ts. */
  key: string;
  base: string;
  quote: string;
  /** The normalised instrument id, BTC-USDT. */
  id: string;
  tick: number;
  lot: number;
  /** Decimals of the tick and of the lot (ticks and lots are powers of ten). */
  priceDecimals: number;
  qtyDecimals: number;
  /** Median order/trade size in lots. */
  sizeLots: number;
  weight: number;
  /** Base price in ticks (the centre the book is pulled back to). */
  baseTicks: number;
}

function decimalsOf(step: number): number {
  const d = Math.round(-Math.log10(step));
  return Math.max(0, d);
}

export function makeInstruments(symbols: readonly string[]): Instrument[] {
  const out: Instrument[] = [];
  for (const raw of symbols) {
    const parts = splitSymbol(raw);
    if (parts === null)
      throw new RangeError(`'${raw}' is not a BASE-QUOTE symbol (e.g. BTCUSDT or BTC-USDT)`);
    const key = parts.base + parts.quote;
    if (out.some((i) => i.key === key)) continue;
    const spec = instrumentSpec(key);
    const priceDecimals = decimalsOf(spec.tick);
    const qtyDecimals = decimalsOf(spec.lot);
    out.push({
      index: out.length,
      key,
      base: parts.base,
      quote: parts.quote,
      id: `${parts.base}-${parts.quote}`,
      tick: 10 ** -priceDecimals,
      lot: 10 ** -qtyDecimals,
      priceDecimals,
      qtyDecimals,
      sizeLots: Math.max(1, Math.round(spec.size / spec.lot)),
      weight: spec.weight,
      baseTicks: Math.round(spec.price * 10 ** priceDecimals),
    });
  }
  return out;
}

/** An integer count of 10^-scale units with exactly `decimals` decimals (decimals ≥ scale). */
export function fixed(v: number, scale: number, decimals: number): string {
  if (scale === 0) return decimals > 0 ? `${v}.${'0'.repeat(decimals)}` : String(v);
  const p = 10 ** scale;
  const ip = Math.floor(v / p);
  const fp = String(v - ip * p).padStart(scale, '0');
  if (decimals === 0) return String(ip);
  return `${ip}.${decimals >= scale ? fp + '0'.repeat(decimals - scale) : fp.slice(0, decimals)}`;
}

/** Shortest decimal form: no trailing zeros, no trailing dot ("67250", "0.04"). */
export function minimal(v: number, scale: number): string {
  if (scale === 0) return String(v);
  const p = 10 ** scale;
  const ip = Math.floor(v / p);
  const r = v - ip * p;
  if (r === 0) return String(ip);
  const fp = String(r).padStart(scale, '0');
  let end = fp.length;
  while (fp.charCodeAt(end - 1) === 48) end--;
  return `${ip}.${fp.slice(0, end)}`;
}

/** One side of a book: prices best first (bids descending, asks ascending) and their quantities. */
export class BookSide {
  readonly side: Side;
  /** Price ticks, best first. */
  readonly prices: number[] = [];
  readonly qty = new Map<number, number>();

  constructor(side: Side) {
    this.side = side;
  }

  get size(): number {
    return this.prices.length;
  }

  /** Is a strictly better than b on this side? */
  better(a: number, b: number): boolean {
    return this.side === BID ? a > b : a < b;
  }

  /** Number of levels strictly better than price (its rank, or where it would be inserted). */
  rankOf(price: number): number {
    const a = this.prices;
    let lo = 0;
    let hi = a.length;
    if (this.side === BID) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (a[mid]! > price) lo = mid + 1;
        else hi = mid;
      }
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (a[mid]! < price) lo = mid + 1;
        else hi = mid;
      }
    }
    return lo;
  }

  /** Sets a level's quantity (0 deletes it); returns the previous quantity. */
  set(price: number, q: number): number {
    const old = this.qty.get(price) ?? 0;
    if (q === old) return old;
    // Shifts in place rather than splice, which allocates the array of what it removed (and
    // copyWithin, which takes the slow generic path on plain arrays).
    const a = this.prices;
    if (q === 0) {
      this.qty.delete(price);
      const last = a.length - 1;
      for (let k = this.rankOf(price); k < last; k++) a[k] = a[k + 1]!;
      a.pop();
    } else {
      if (old === 0) {
        const r = this.rankOf(price);
        a.push(price);
        for (let k = a.length - 1; k > r; k--) a[k] = a[k - 1]!;
        a[r] = price;
      }
      this.qty.set(price, q);
    }
    return old;
  }

  best(): number | undefined {
    return this.prices[0];
  }

  /** The top n levels as [priceTicks, qtyLots]. */
  top(n: number): [number, number][] {
    const out: [number, number][] = [];
    const m = Math.min(n, this.prices.length);
    for (let i = 0; i < m; i++) {
      const p = this.prices[i]!;
      out.push([p, this.qty.get(p)!]);
    }
    return out;
  }
}

export class Book {
  readonly sides: [BookSide, BookSide] = [new BookSide(BID), new BookSide(ASK)];
  get bids(): BookSide {
    return this.sides[0];
  }
  get asks(): BookSide {
    return this.sides[1];
  }
}

export interface LevelChange {
  side: Side;
  /** Price in ticks. */
  price: number;
  /** New absolute quantity in lots (0 = the level is gone). */
  qty: number;
  /** Quantity before the event. */
  old: number;
}

export interface BookTrade {
  /** Taker side: 'buy' lifted the best ask, 'sell' hit the best bid. */
  taker: 'buy' | 'sell';
  price: number;
  qty: number;
  /** Per instrument, +1 per trade. */
  tradeId: number;
  /** Number of maker orders filled (for venues that aggregate, e.g. OKX `count`). */
  makers: number;
}

/** One market event. The model reuses one object: copy what you keep. */
export interface BookEvent {
  inst: Instrument;
  book: Book;
  /** Epoch ms the event happened (µs precision). */
  time: number;
  /** Events so far for this instrument, this one included. */
  seq: number;
  /** Level changes, one per price (final quantity), in the order they happened. */
  changes: LevelChange[];
  trades: BookTrade[];
  /** Did the best bid or ask (price or quantity) change? */
  topChanged: boolean;
}

/** The levels of one side that a view of `depth` levels must send after an event. */
export function viewDiff(
  ev: BookEvent,
  side: Side,
  depth: number,
  explicitPushOuts: boolean,
): [number, number][] {
  const bs = ev.book.sides[side];
  const out: [number, number][] = [];
  let k = 0;
  for (const c of ev.changes) if (c.side === side) k++;
  if (k === 0) return out;
  // Rank of a price in the book before the event: ranks now, corrected by the changes better
  // than it that created or removed a level.
  const oldRank = (x: number): number => {
    let r = bs.rankOf(x);
    for (const c of ev.changes) {
      if (c.side !== side || !bs.better(c.price, x)) continue;
      if (c.old === 0 && c.qty > 0) r--;
      else if (c.old > 0 && c.qty === 0) r++;
    }
    return r;
  };
  for (const c of ev.changes) {
    if (c.side !== side) continue;
    const inNew = c.qty > 0 && bs.rankOf(c.price) < depth;
    const inOld = c.old > 0 && oldRank(c.price) < depth;
    if (inNew) out.push([c.price, c.qty]);
    else if (inOld && (explicitPushOuts || c.qty === 0)) out.push([c.price, 0]);
  }
  // Unchanged levels entering (refills) or leaving (push-outs) the view sit within k of the edge.
  const from = Math.max(0, depth - k - 1);
  const to = Math.min(bs.size, depth + k + 1);
  for (let i = from; i < to; i++) {
    const p = bs.prices[i]!;
    if (ev.changes.some((c) => c.side === side && c.price === p)) continue;
    const inNew = i < depth;
    const inOld = oldRank(p) < depth;
    if (inNew && !inOld) out.push([p, bs.qty.get(p)!]);
    else if (!inNew && inOld && explicitPushOuts) out.push([p, 0]);
  }
  return out;
}

/** Bursts: 8× the calm rate; mean dwell 4 s calm, 0.5 s burst (as MarketModel). */
const BURST_FACTOR = 8;
const CALM_DWELL_S = 4;
const BURST_DWELL_S = 0.5;
const P_TRADE = 0.3;
const P_ADD = 0.36;
const P_CANCEL = 0.22;
/** Levels per side the book is kept around. */
const MIN_LEVELS = 30;
const MAX_LEVELS = 150;
const START_LEVELS = 60;

export interface BookModelOptions {
  seed: number;
  instruments: Instrument[];
  /** Mean events per second over all instruments. */
  rate: number;
  start: number;
}

export class BookModel {
  readonly instruments: Instrument[];
  readonly books: Book[];
  readonly rate: number;
  private readonly rng: Rng;
  private readonly cumulative: number[];
  private readonly tradeIds: number[];
  private readonly seqs: number[];
  private readonly calmRate: number;
  private burst = false;
  private nextArrival = 0;
  private nextSwitch = 0;
  private readonly ev: BookEvent;
  /** Events emitted so far. */
  generated = 0;
  /** Individual trades so far. */
  tradesGenerated = 0;

  constructor(opts: BookModelOptions) {
    if (!(opts.rate > 0)) throw new RangeError('book model rate must be > 0');
    if (opts.instruments.length === 0) throw new RangeError('book model needs at least one instrument');
    this.instruments = opts.instruments;
    this.rate = opts.rate;
    this.rng = new Rng(opts.seed ^ 0x5bd1e995);
    const total = this.instruments.reduce((a, s) => a + s.weight, 0);
    let acc = 0;
    this.cumulative = this.instruments.map((s) => (acc += s.weight / total));
    this.tradeIds = this.instruments.map(
      () => 1_000_000_000 + Math.floor(this.rng.uniform() * 4_000_000_000),
    );
    this.seqs = this.instruments.map(() => 0);
    this.books = this.instruments.map((inst) => this.initialBook(inst));
    const burstShare = BURST_DWELL_S / (CALM_DWELL_S + BURST_DWELL_S);
    this.calmRate = opts.rate / (1 - burstShare + BURST_FACTOR * burstShare);
    this.ev = {
      inst: this.instruments[0]!,
      book: this.books[0]!,
      time: 0,
      seq: 0,
      changes: [],
      trades: [],
      topChanged: false,
    };
    this.resetTo(opts.start);
  }

  private initialBook(inst: Instrument): Book {
    const book = new Book();
    const mid = Math.round(inst.baseTicks * Math.exp(0.01 * this.rng.normal()));
    let bid = mid;
    let ask = mid + 1;
    for (let i = 0; i < START_LEVELS; i++) {
      if (bid > 0) book.bids.set(bid, this.size(inst) * 3);
      book.asks.set(ask, this.size(inst) * 3);
      bid -= 1 + Math.floor(this.rng.uniform() * 3);
      ask += 1 + Math.floor(this.rng.uniform() * 3);
    }
    return book;
  }

  private size(inst: Instrument): number {
    return Math.max(1, Math.round(inst.sizeLots * Math.exp(0.9 * this.rng.normal())));
  }

  nextEventTime(): number {
    return Math.min(this.nextArrival, this.nextSwitch);
  }

  private rateNow(): number {
    return this.burst ? this.calmRate * BURST_FACTOR : this.calmRate;
  }

  resetTo(t: number): void {
    this.nextArrival = t + this.rng.exponential(this.rateNow()) * 1000;
    this.nextSwitch = t + this.rng.exponential(1 / (this.burst ? BURST_DWELL_S : CALM_DWELL_S)) * 1000;
  }

  advanceTo(t: number, onEvent: (ev: BookEvent) => void, limit = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (n < limit) {
      if (this.nextSwitch <= this.nextArrival) {
        if (this.nextSwitch > t) break;
        const at = this.nextSwitch;
        this.burst = !this.burst;
        this.nextSwitch = at + this.rng.exponential(1 / (this.burst ? BURST_DWELL_S : CALM_DWELL_S)) * 1000;
        this.nextArrival = at + this.rng.exponential(this.rateNow()) * 1000;
        continue;
      }
      if (this.nextArrival > t) break;
      this.emit(this.nextArrival, onEvent);
      this.nextArrival += this.rng.exponential(this.rateNow()) * 1000;
      n++;
    }
    return n;
  }

  emitAt(t: number, onEvent: (ev: BookEvent) => void): void {
    this.emit(t, onEvent);
  }

  private change(side: Side, price: number, q: number): void {
    const ev = this.ev;
    const old = ev.book.sides[side].set(price, q);
    for (const c of ev.changes) {
      if (c.side === side && c.price === price) {
        c.qty = q;
        return;
      }
    }
    ev.changes.push({ side, price, qty: q, old });
  }

  private emit(time: number, onEvent: (ev: BookEvent) => void): void {
    const rng = this.rng;
    const u = rng.uniform();
    let i = 0;
    while (i < this.cumulative.length - 1 && u >= this.cumulative[i]!) i++;
    const inst = this.instruments[i]!;
    const book = this.books[i]!;
    const ev = this.ev;
    ev.inst = inst;
    ev.book = book;
    ev.time = Math.round(time * 1000) / 1000;
    ev.changes.length = 0;
    ev.trades.length = 0;
    const bb0 = book.bids.best();
    const ba0 = book.asks.best();
    const bq0 = bb0 === undefined ? 0 : book.bids.qty.get(bb0)!;
    const aq0 = ba0 === undefined ? 0 : book.asks.qty.get(ba0)!;
    const mid = ((bb0 ?? inst.baseTicks) + (ba0 ?? inst.baseTicks)) / 2;
    // Pull toward the base price: beyond ±5% the side that moves the price back is favoured.
    const dev = Math.log(mid / inst.baseTicks);
    const r = rng.uniform();
    // `down` is the side whose action pushes the price down: an add on the ask side, a trade or a
    // cancel on the bid side. When the price is above its base, that side is favoured.
    const down = rng.uniform() < 0.5 + Math.max(-0.3, Math.min(0.3, dev * 4));
    const isAdd = !(r < P_TRADE) && r < P_TRADE + P_ADD;
    const side: Side = isAdd ? (down ? ASK : BID) : down ? BID : ASK;
    const s = book.sides[side];
    if (r < P_TRADE) {
      // A taker on `side`'s opposite: a buy takes asks (side ASK means the taker is a buyer).
      const hit = s;
      let want = this.size(inst);
      const taker = side === ASK ? 'buy' : 'sell';
      for (let lv = 0; lv < 3 && want > 0 && hit.size > 1; lv++) {
        const p = hit.prices[0]!;
        const q = hit.qty.get(p)!;
        const fill = Math.min(q, want);
        want -= fill;
        this.change(side, p, q - fill);
        ev.trades.push({
          taker,
          price: p,
          qty: fill,
          tradeId: this.tradeIds[i]!++,
          makers: 1 + Math.floor(rng.uniform() * 2),
        });
      }
      if (ev.trades.length === 0) this.addOrder(inst, book, side, time);
    } else if (r < P_TRADE + P_ADD || s.size <= MIN_LEVELS) {
      this.addOrder(inst, book, side, time);
    } else {
      const rank = Math.min(
        s.size - 1,
        Math.floor(-Math.log(1 - rng.uniform()) * (s.size > MAX_LEVELS ? 60 : 12)),
      );
      const p = s.prices[rank]!;
      const q = s.qty.get(p)!;
      if (r < P_TRADE + P_ADD + P_CANCEL) {
        const full = rng.uniform() < 0.45 || s.size > MAX_LEVELS;
        this.change(side, p, full ? 0 : Math.max(0, q - Math.max(1, Math.floor(q * rng.uniform()))));
      } else {
        this.change(side, p, this.size(inst) * 2);
      }
    }
    if (ev.changes.length === 0) this.addOrder(inst, book, side, time);
    const bb = book.bids.best();
    const ba = book.asks.best();
    ev.topChanged =
      bb !== bb0 ||
      ba !== ba0 ||
      (bb === undefined ? 0 : book.bids.qty.get(bb)!) !== bq0 ||
      (ba === undefined ? 0 : book.asks.qty.get(ba)!) !== aq0;
    ev.seq = ++this.seqs[i]!;
    this.generated++;
    this.tradesGenerated += ev.trades.length;
    onEvent(ev);
  }

  private addOrder(inst: Instrument, book: Book, side: Side, _time: number): void {
    const rng = this.rng;
    const s = book.sides[side];
    const o = book.sides[side === BID ? ASK : BID];
    const best = s.best();
    const opp = o.best();
    let price: number;
    if (best === undefined) {
      price = opp === undefined ? inst.baseTicks : side === BID ? opp - 1 : opp + 1;
    } else if (opp !== undefined && Math.abs(opp - best) > 1 && rng.uniform() < 0.35) {
      // Inside the spread, never crossing it.
      const room = Math.abs(opp - best) - 1;
      const step = 1 + Math.floor(rng.uniform() * Math.min(room, 3));
      price = side === BID ? best + step : best - step;
    } else {
      const away =
        s.size < MIN_LEVELS
          ? s.size + Math.floor(rng.uniform() * 4)
          : Math.floor(-Math.log(1 - rng.uniform()) * 6);
      price = side === BID ? best - away : best + away;
    }
    if (price < 1) price = 1;
    if (side === BID && opp !== undefined && price >= opp) price = opp - 1;
    if (side === ASK && opp !== undefined && price <= opp) price = opp + 1;
    if (price < 1) return;
    this.change(side, price, (s.qty.get(price) ?? 0) + this.size(inst));
  }
}
