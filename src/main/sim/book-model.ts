/**
 * The multi-venue simulator's market. Per instrument one consensus price — a random walk of 0.02 bp
 * a step with a faint pull back to the instrument's base price (±3 % however long it runs) — and
 * per venue and instrument a limit order book quoted around that venue's reference: the consensus
 * as it stood `lag` events on the instrument ago, times 1 + the venue's own small mean-reverting
 * deviation. So the venues stay together as arbitrage keeps real ones together, and the lags are
 * real (VENUE_PROFILES):
 *
 *   venue     lag, events on the instrument   deviation, std
 *   binance    0 (it leads)                    0.10 bp
 *   okx        4                               0.15 bp
 *   bybit      8                               0.15 bp
 *   coinbase  16                               0.25 bp
 *   kraken    32                               0.30 bp
 *
 * A book answers its reference on its own next event, so a venue's mid trails the consensus by its
 * lag plus two or three events (the test measures it). In time that is events divided by the
 * instrument's event rate over all venues: at the default 600 events/s a venue on BTC, ETH and SOL,
 * BTC has 1,500 events/s, so Kraken's BTC book trails Binance's by about 21 ms and OKX's by 3 ms;
 * at 1 event/s a venue the same lags last seconds.
 *
 * Prices are integer ticks and quantities integer lots (exact, no binary residue). Every event is
 * on one venue's book of one instrument and is the first of these that applies:
 * - stale quotes: the reference has moved through the best bid (or ask); an arbitrageur takes those
 *   levels (trades at the stale prices) or their makers pull them, and a maker quotes the side
 *   afresh close to the reference;
 * - a re-quote: a side's best is more than a unit from the reference; a maker quotes closer;
 * - otherwise an ordinary event: a trade (a taker sweeping at most three of the best levels, none
 *   beyond six units from the reference), an add (close to the reference, often at the inside,
 *   never crossing), a cancel (part or all of a level) or a modify (a level's quantity replaced).
 * In the same event a thin side (under 30 levels) gets one more order, and a side over 150 levels,
 * or holding a level left far behind the price, loses its worst one. The unit, the book's typical
 * half spread and level spacing, is 0.08 bp of the price and at least a tick.
 *
 * The model's clock is events: the consensus steps once per event on its instrument, a deviation
 * once per event on its book, and every repair and replenishment of liquidity happens in the event
 * that finds it needed; nothing depends on the time between events. Arrivals — the same bursty
 * two-state Markov-modulated Poisson process as `MarketModel` (calm, and bursts at 8× the calm
 * rate), at `rate` events per second on each venue of activity 1, split over the instruments by
 * weight — draw from a generator of their own. So at 1/s, at the default rate or at 'max' the same
 * events happen in the same order: the rate changes the speed, never the spreads, depth or
 * dispersion. A pure function of seed and time, like `MarketModel` (which it does not touch: the
 * trade-only `MarketModel` stream stays byte-identical for existing seeds).
 */
import { Arrivals } from './arrivals.ts';
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
  /** Per venue and instrument, +1 per trade. */
  tradeId: number;
  /** Number of maker orders filled (for venues that aggregate, e.g. OKX `count`). */
  makers: number;
}

/** One market event. The model reuses one object, its changes and trades too: copy what you keep. */
export interface BookEvent {
  /** Position of the venue in the model's `venues`: the venue whose book this event changed. */
  venue: number;
  inst: Instrument;
  /** That venue's book of `inst`, after the event. */
  book: Book;
  /** Epoch ms the event happened (µs precision). */
  time: number;
  /** Events so far on this book (this venue, this instrument), this one included. */
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

/** Shares of the ordinary events (the rest are modifies), when no book needs repairing. */
const P_TRADE = 0.3;
const P_ADD = 0.36;
const P_CANCEL = 0.22;
/** Levels per side the book is kept around. */
const MIN_LEVELS = 30;
const MAX_LEVELS = 150;
const START_LEVELS = 60;
/**
 * The consensus: a relative step of 0.02 bp (std) per event on the instrument, on any venue. At the
 * default 600 events/s a venue that is about 2 % a day for BTC (1,500 events/s), 1.4 % for SOL.
 */
const SIGMA = 0.02e-4;
/**
 * Its pull back to the instrument's base price per instrument event: invisible over a day, and a
 * stationary spread of about 3 % (std) however long it runs, at 'max' too.
 */
const THETA = (SIGMA * SIGMA) / (2 * 0.03 * 0.03);
/**
 * The quoting unit, the book's typical half spread and level spacing: 0.08 bp, at least a tick.
 * Between two events on one venue's book the reference moves about 0.045 bp (five venues share the
 * instrument's steps), about half a unit, so quotes go stale often but not on every event.
 */
const UNIT = 0.08e-4;
/** A side whose best is further than this many units from the venue's reference is re-quoted. */
const MAX_HALF_SPREAD = 1;
/** Ordinary adds that compete for the inside (placed as close to the reference as a re-quote). */
const P_INSIDE = 0.4;
/** Mean distance, in units beyond half a unit, of the other adds from the reference. */
const ADD_DEPTH = 6;
/**
 * A thin side (under MIN_LEVELS) is rebuilt by adds spread evenly over this many units from the
 * reference, which also fills the gap a move leaves between the new best and the old levels.
 */
const REBUILD_SPAN = 2 * MIN_LEVELS;
/** Levels further than this many units from the reference are cancelled (left behind by drift). */
const WINDOW = 200;
/**
 * A taker's limit, in units from the reference: it sweeps at most three levels and none beyond
 * this (as venues' price bands cut off market orders), so trades print near the price.
 */
const SWEEP_LIMIT = 6;
/** A stale quote is taken by an arbitrageur (a trade) this often, otherwise pulled by its maker. */
const P_ARBITRAGE = 0.35;
/** Stale levels cleared in one event at most (a bigger jump is finished by the next events). */
const MAX_CLEAR = 5;
/** Reversion of a venue's deviation per event on its book. */
const KAPPA = 0.01;
/** Consensus history kept per instrument (a power of two above the largest lag). */
const HISTORY = 64;
const SQRT12 = Math.sqrt(12);

/** How one venue follows the consensus. */
export interface VenueProfile {
  /** Events on the instrument (on any venue) by which the venue's reference trails the consensus. */
  lag: number;
  /** Standard deviation of the venue's own mean-reverting deviation from it, in bp. */
  deviationBp: number;
}

/**
 * Binance leads; OKX, Bybit, Coinbase and Kraken follow ever later and a little noisier (the table
 * in the module comment: this is the lead/lag a measurement between venues should find).
 */
export const VENUE_PROFILES: Readonly<Record<string, VenueProfile>> = {
  binance: { lag: 0, deviationBp: 0.1 },
  okx: { lag: 4, deviationBp: 0.15 },
  bybit: { lag: 8, deviationBp: 0.15 },
  coinbase: { lag: 16, deviationBp: 0.25 },
  kraken: { lag: 32, deviationBp: 0.3 },
};
const OTHER_VENUE: VenueProfile = { lag: 8, deviationBp: 0.2 };

export function venueProfile(venue: string): VenueProfile {
  return VENUE_PROFILES[venue] ?? OTHER_VENUE;
}

export interface BookModelOptions {
  seed: number;
  instruments: Instrument[];
  /** The venues, each with a book per instrument (profiles from VENUE_PROFILES by name). */
  venues: readonly string[];
  /** Each venue's share of the flow relative to a venue of activity 1 (default 1 each). */
  activity?: readonly number[];
  /** Mean events per second on a venue of activity 1, over all its instruments. */
  rate: number;
  start: number;
}

export class BookModel {
  readonly instruments: Instrument[];
  readonly venues: readonly string[];
  /** Mean events per second on a venue of activity 1. */
  readonly rate: number;
  /** Mean events per second over all venues. */
  readonly totalRate: number;
  /** What happens: which book, which event, every price and size. */
  private readonly rng: Rng;
  /** When it happens: the arrival process alone, so the rate cannot change what happens. */
  private readonly clock: Rng;
  private readonly nInst: number;
  private readonly instCumulative: Float64Array;
  private readonly venueCumulative: Float64Array;
  /** Books, venue-major: venue v's book of instrument i is at v * nInst + i. */
  private readonly books: Book[];
  private readonly tradeIds: Float64Array;
  private readonly seqs: Float64Array;
  /** Per book, the venue's relative deviation from the lagged consensus. */
  private readonly deviation: Float64Array;
  /** Per venue, the step of its deviation per event such that its std is the profile's. */
  private readonly deviationStep: Float64Array;
  private readonly lags: Int32Array;
  /** Per instrument, the consensus now, in ticks. */
  private readonly consensus: Float64Array;
  /** Per instrument, the consensus in ticks of its last HISTORY events (ring by event count). */
  private readonly history: Float64Array;
  private readonly instEvents: Float64Array;
  /** Per instrument, the quoting unit in ticks. */
  private readonly unit: Float64Array;
  /** When events happen, on `clock` alone (arrivals.ts, as MarketModel's). */
  private readonly arrivals: Arrivals;
  /** Where advanceTo's events go (a field, so that the arrival callback is made once). */
  private sink: (ev: BookEvent) => void = () => {};
  private readonly arrive = (time: number): void => this.emit(time, this.sink);
  private readonly ev: BookEvent;
  /** Pre-allocated change and trade objects, handed out in order within one event. */
  private readonly changePool: LevelChange[] = [];
  private readonly tradePool: BookTrade[] = [];
  /** Events emitted so far (over all venues). */
  generated = 0;
  /** Individual trades so far (over all venues). */
  tradesGenerated = 0;

  constructor(opts: BookModelOptions) {
    if (!(opts.rate > 0)) throw new RangeError('book model rate must be > 0');
    if (opts.instruments.length === 0) throw new RangeError('book model needs at least one instrument');
    if (opts.venues.length === 0) throw new RangeError('book model needs at least one venue');
    const activity = opts.activity ?? opts.venues.map(() => 1);
    if (activity.length !== opts.venues.length || !activity.every((a) => a > 0))
      throw new RangeError('book model activity: one share > 0 per venue');
    this.instruments = opts.instruments;
    this.venues = opts.venues;
    this.rate = opts.rate;
    const nI = opts.instruments.length;
    const nV = opts.venues.length;
    this.nInst = nI;
    this.rng = new Rng(opts.seed ^ 0x5bd1e995);
    this.clock = new Rng(opts.seed ^ 0x2545f491);
    this.instCumulative = cumulative(opts.instruments.map((s) => s.weight));
    this.venueCumulative = cumulative(activity);
    const sumActivity = activity.reduce((a, b) => a + b, 0);
    this.totalRate = opts.rate * sumActivity;
    this.lags = Int32Array.from(opts.venues, (v) => Math.min(HISTORY - 1, venueProfile(v).lag));
    // Stationary std of d ← d(1−κ) + s·z is s / √(2κ − κ²).
    this.deviationStep = Float64Array.from(
      opts.venues,
      (v) => venueProfile(v).deviationBp * 1e-4 * Math.sqrt(2 * KAPPA - KAPPA * KAPPA),
    );
    this.unit = Float64Array.from(opts.instruments, (s) => Math.max(1, Math.round(s.baseTicks * UNIT)));
    this.consensus = Float64Array.from(
      opts.instruments,
      (s) => s.baseTicks * Math.exp(0.01 * this.rng.normal()),
    );
    this.history = new Float64Array(nI * HISTORY);
    for (let i = 0; i < nI; i++) this.history.fill(this.consensus[i]!, i * HISTORY, (i + 1) * HISTORY);
    this.instEvents = new Float64Array(nI);
    this.deviation = new Float64Array(nV * nI);
    this.tradeIds = new Float64Array(nV * nI);
    for (let b = 0; b < nV * nI; b++)
      this.tradeIds[b] = 1_000_000_000 + Math.floor(this.rng.uniform() * 4_000_000_000);
    this.seqs = new Float64Array(nV * nI);
    this.books = [];
    for (let v = 0; v < nV; v++)
      for (let i = 0; i < nI; i++)
        this.books.push(this.initialBook(opts.instruments[i]!, this.history[i * HISTORY]!));
    this.arrivals = new Arrivals(this.clock, this.totalRate);
    for (let k = 0; k < 3 * MAX_CLEAR + 8; k++) {
      this.changePool.push({ side: BID, price: 0, qty: 0, old: 0 });
      this.tradePool.push({ taker: 'buy', price: 0, qty: 0, tradeId: 0, makers: 1 });
    }
    this.ev = {
      venue: 0,
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

  /** Venue v's book of instrument i (v: position in `venues`, i: the instrument's index). */
  book(v: number, i: number): Book {
    const b = i >= 0 && i < this.nInst ? this.books[v * this.nInst + i] : undefined;
    if (b === undefined) throw new RangeError(`no book for venue ${v}, instrument ${i}`);
    return b;
  }

  /** The consensus of instrument i now, in ticks (not rounded). */
  fair(i: number): number {
    return this.consensus[i]!;
  }

  /** The price venue v quotes instrument i around now: the lagged consensus and its deviation. */
  reference(v: number, i: number): number {
    const n = this.instEvents[i]!;
    const lagged = this.history[i * HISTORY + ((n - this.lags[v]!) & (HISTORY - 1))]!;
    return lagged * (1 + this.deviation[v * this.nInst + i]!);
  }

  private initialBook(inst: Instrument, fair: number): Book {
    const book = new Book();
    const unit = Math.max(1, Math.round(inst.baseTicks * UNIT));
    let bid = Math.floor(fair - unit / 2);
    let ask = Math.max(bid + 1, Math.ceil(fair + unit / 2));
    for (let i = 0; i < START_LEVELS; i++) {
      if (bid > 0) book.bids.set(bid, this.size(inst) * 3);
      book.asks.set(ask, this.size(inst) * 3);
      bid -= unit * (1 + Math.floor(this.rng.uniform() * 3));
      ask += unit * (1 + Math.floor(this.rng.uniform() * 3));
    }
    return book;
  }

  private size(inst: Instrument): number {
    return Math.max(1, Math.round(inst.sizeLots * Math.exp(0.9 * this.rng.normal())));
  }

  nextEventTime(): number {
    return this.arrivals.nextEventTime();
  }

  resetTo(t: number): void {
    this.arrivals.resetTo(t);
  }

  advanceTo(t: number, onEvent: (ev: BookEvent) => void, limit = Number.POSITIVE_INFINITY): number {
    this.sink = onEvent;
    return this.arrivals.advanceTo(t, this.arrive, limit);
  }

  emitAt(t: number, onEvent: (ev: BookEvent) => void): void {
    this.emit(t, onEvent);
  }

  private change(side: Side, price: number, q: number): void {
    const ev = this.ev;
    const old = ev.book.sides[side].set(price, q);
    const changes = ev.changes;
    for (let k = 0; k < changes.length; k++) {
      const c = changes[k]!;
      if (c.side === side && c.price === price) {
        c.qty = q;
        return;
      }
    }
    const c = this.changePool[changes.length] ?? { side, price, qty: q, old };
    c.side = side;
    c.price = price;
    c.qty = q;
    c.old = old;
    changes.push(c);
  }

  private trade(taker: 'buy' | 'sell', price: number, qty: number, b: number): void {
    const trades = this.ev.trades;
    const t = this.tradePool[trades.length] ?? { taker, price, qty, tradeId: 0, makers: 1 };
    t.taker = taker;
    t.price = price;
    t.qty = qty;
    t.tradeId = this.tradeIds[b]!++;
    t.makers = 1 + Math.floor(this.rng.uniform() * 2);
    trades.push(t);
  }

  private emit(time: number, onEvent: (ev: BookEvent) => void): void {
    const rng = this.rng;
    const i = pick(this.instCumulative, rng.uniform());
    const v = this.venues.length === 1 ? 0 : pick(this.venueCumulative, rng.uniform());
    const inst = this.instruments[i]!;
    const b = v * this.nInst + i;
    const book = this.books[b]!;
    // The consensus takes its step: one per event on the instrument, whichever venue has it. The
    // steps are uniform with SIGMA's variance: their sum over a few events is Gaussian anyway, and
    // a uniform draw costs a fraction of a normal one (this is the hottest line of the simulator).
    const n = ++this.instEvents[i]!;
    const f0 = this.consensus[i]!;
    const f = f0 + f0 * SIGMA * SQRT12 * (rng.uniform() - 0.5) - THETA * (f0 - inst.baseTicks);
    this.consensus[i] = f;
    const h = i * HISTORY;
    this.history[h + (n & (HISTORY - 1))] = f;
    // The venue quotes around the consensus as it stood `lag` instrument events ago, off by its
    // own deviation (which steps once per event on this book, uniformly too).
    const d = this.deviation[b]! * (1 - KAPPA) + this.deviationStep[v]! * SQRT12 * (rng.uniform() - 0.5);
    this.deviation[b] = d;
    const ref = this.history[h + ((n - this.lags[v]!) & (HISTORY - 1))]! * (1 + d);

    const ev = this.ev;
    ev.venue = v;
    ev.inst = inst;
    ev.book = book;
    ev.time = Math.round(time * 1000) / 1000;
    // Emptied by pops, which keep the arrays' storage (length = 0 would drop it every event).
    while (ev.changes.length > 0) ev.changes.pop();
    while (ev.trades.length > 0) ev.trades.pop();
    const bb0 = book.bids.best();
    const ba0 = book.asks.best();
    const bq0 = bb0 === undefined ? 0 : book.bids.qty.get(bb0)!;
    const aq0 = ba0 === undefined ? 0 : book.asks.qty.get(ba0)!;
    const unit = this.unit[i]!;
    const far = MAX_HALF_SPREAD * unit;
    if (bb0 !== undefined && bb0 >= ref) this.clearStale(inst, BID, ref, b);
    else if (ba0 !== undefined && ba0 <= ref) this.clearStale(inst, ASK, ref, b);
    else if (bb0 === undefined || ref - bb0 > far) this.requote(inst, BID, ref);
    else if (ba0 === undefined || ba0 - ref > far) this.requote(inst, ASK, ref);
    else this.ordinary(inst, ref, b);
    this.maintain(inst, BID, ref);
    this.maintain(inst, ASK, ref);

    const bb = book.bids.best();
    const ba = book.asks.best();
    ev.topChanged =
      bb !== bb0 ||
      ba !== ba0 ||
      (bb === undefined ? 0 : book.bids.qty.get(bb)!) !== bq0 ||
      (ba === undefined ? 0 : book.asks.qty.get(ba)!) !== aq0;
    ev.seq = ++this.seqs[b]!;
    this.generated++;
    this.tradesGenerated += ev.trades.length;
    onEvent(ev);
  }

  /**
   * The venue's reference has moved through its best bid (or ask): those quotes are stale. An
   * arbitrageur takes them (trades at the stale prices — how arbitrage drags a lagging venue
   * along), or their makers pull them; either way the makers then quote again at the new price.
   */
  private clearStale(inst: Instrument, side: Side, ref: number, b: number): void {
    const s = this.ev.book.sides[side];
    const taken = this.rng.uniform() < P_ARBITRAGE;
    for (let k = 0; k < MAX_CLEAR && s.size > 0; k++) {
      const p = s.prices[0]!;
      if (side === BID ? p < ref : p > ref) break;
      const q = s.qty.get(p)!;
      this.change(side, p, 0);
      if (taken) this.trade(side === BID ? 'sell' : 'buy', p, q, b);
    }
    this.requote(inst, side, ref);
  }

  /** A maker quotes a side afresh close to the reference (inside a wide spread, never crossing). */
  private requote(inst: Instrument, side: Side, ref: number): void {
    const book = this.ev.book;
    const opp = book.sides[side === BID ? ASK : BID].best();
    let price = touch(side, ref, 0.5 * this.unit[inst.index]! * this.rng.uniform());
    if (opp !== undefined) price = side === BID ? Math.min(price, opp - 1) : Math.max(price, opp + 1);
    if (price < 1) return;
    this.change(side, price, (book.sides[side].qty.get(price) ?? 0) + 2 * this.size(inst));
  }

  /** What a book does when nothing needs repairing: a trade, an add, a cancel or a modify. */
  private ordinary(inst: Instrument, ref: number, b: number): void {
    const rng = this.rng;
    const book = this.ev.book;
    const r = rng.uniform();
    const side: Side = rng.uniform() < 0.5 ? BID : ASK;
    const s = book.sides[side];
    if (r < P_TRADE) {
      // A taker sweeping the best levels of `side` (side ASK: a buyer lifting the offers).
      let want = this.size(inst);
      const taker = side === ASK ? 'buy' : 'sell';
      const limit = SWEEP_LIMIT * this.unit[inst.index]!;
      for (let lv = 0; lv < 3 && want > 0 && s.size > 1; lv++) {
        const p = s.prices[0]!;
        if (Math.abs(p - ref) > limit) break;
        const q = s.qty.get(p)!;
        const fill = Math.min(q, want);
        want -= fill;
        this.change(side, p, q - fill);
        this.trade(taker, p, fill, b);
      }
      if (this.ev.trades.length === 0) this.addOrder(inst, side, ref);
    } else if (r < P_TRADE + P_ADD || s.size <= MIN_LEVELS) {
      this.addOrder(inst, side, ref);
    } else {
      const rank = Math.min(
        s.size - 1,
        Math.floor(-Math.log(1 - rng.uniform()) * (s.size > MAX_LEVELS ? 60 : 12)),
      );
      const p = s.prices[rank]!;
      const q = s.qty.get(p)!;
      if (r < P_TRADE + P_ADD + P_CANCEL) {
        const full = rng.uniform() < 0.45 && s.size > 1;
        this.change(side, p, full ? 0 : Math.max(1, q - Math.max(1, Math.floor(q * rng.uniform()))));
      } else {
        this.change(side, p, this.size(inst) * 2);
      }
    }
    if (this.ev.changes.length === 0) this.addOrder(inst, side, ref);
  }

  /** A resting order near the reference: mostly close to it, evenly spread while the side is thin. */
  private addOrder(inst: Instrument, side: Side, ref: number): void {
    const rng = this.rng;
    const book = this.ev.book;
    const s = book.sides[side];
    const opp = book.sides[side === BID ? ASK : BID].best();
    const u = rng.uniform();
    const away =
      this.unit[inst.index]! *
      (s.size < MIN_LEVELS
        ? 0.5 + u * REBUILD_SPAN
        : u < P_INSIDE
          ? (0.5 * u) / P_INSIDE
          : 0.5 - Math.log((1 - u) / (1 - P_INSIDE)) * ADD_DEPTH);
    let price = touch(side, ref, away);
    if (opp !== undefined) price = side === BID ? Math.min(price, opp - 1) : Math.max(price, opp + 1);
    if (price < 1) return;
    this.change(side, price, (s.qty.get(price) ?? 0) + this.size(inst));
  }

  /**
   * Depth, kept in step with the events: in every event a thin side gets one more order (a run of
   * repairs while the price trends would otherwise eat one side's levels faster than ordinary adds
   * bring them), and an over-long side, or one holding a level far behind the price, loses its
   * worst level.
   */
  private maintain(inst: Instrument, side: Side, ref: number): void {
    const s = this.ev.book.sides[side];
    if (s.size < MIN_LEVELS) {
      this.addOrder(inst, side, ref);
      return;
    }
    const worst = s.prices[s.size - 1]!;
    if (s.size > MAX_LEVELS || Math.abs(worst - ref) > WINDOW * this.unit[inst.index]!)
      this.change(side, worst, 0);
  }
}

/** The best price strictly on `side` of ref − away (bids) or ref + away (asks), in ticks. */
function touch(side: Side, ref: number, away: number): number {
  return side === BID ? Math.ceil(ref - away) - 1 : Math.floor(ref + away) + 1;
}

function cumulative(weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, w) => a + w, 0);
  const out = new Float64Array(weights.length);
  let acc = 0;
  for (let k = 0; k < weights.length; k++) out[k] = acc += weights[k]! / total;
  return out;
}

/** The first index whose cumulative share exceeds u. */
function pick(cum: Float64Array, u: number): number {
  let i = 0;
  while (i < cum.length - 1 && u >= cum[i]!) i++;
  return i;
}
