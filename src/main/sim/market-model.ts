/**
 * The simulator's market: per instrument a seeded geometric random walk of prices rounded to the
 * instrument's tick, lot-rounded quantities, trade ids that rise by one per trade, and bursty
 * arrivals from a two-state Markov-modulated Poisson process (calm, and bursts at 8× the calm
 * rate) whose long-run mean is the requested rate, split over the instruments by weight. It is a
 * pure function of seed and time: `advanceTo(t)` emits every trade due up to t, in time order and
 * independently of how the time is chunked, so it runs on the wall clock (the live simulator) or
 * on a virtual clock (the deterministic session behind the screenshot baselines) alike.
 *
 * Changing the sequence of draws changes every deterministic session (and the screenshot
 * baselines): add draws only at the end of `emit`, and only with the baselines refreshed.
 */
import { Arrivals } from './arrivals.ts';
import { Rng } from './rng.ts';

export interface InstrumentSpec {
  price: number;
  tick: number;
  lot: number;
  /** Median trade size. */
  size: number;
  /** Share of the trade flow. */
  weight: number;
}

const SPECS: Record<string, InstrumentSpec> = {
  BTCUSDT: { price: 67250, tick: 0.01, lot: 0.00001, size: 0.02, weight: 0.4 },
  ETHUSDT: { price: 3500, tick: 0.01, lot: 0.0001, size: 0.3, weight: 0.25 },
  SOLUSDT: { price: 150, tick: 0.01, lot: 0.001, size: 5, weight: 0.15 },
  BNBUSDT: { price: 600, tick: 0.01, lot: 0.001, size: 1.5, weight: 0.1 },
  XRPUSDT: { price: 0.6, tick: 0.0001, lot: 0.1, size: 800, weight: 0.1 },
};

/** The instruments the simulator trades when none are named. */
export const DEFAULT_SYMBOLS: readonly string[] = Object.keys(SPECS);

export function instrumentSpec(symbol: string): InstrumentSpec {
  return SPECS[symbol] ?? { price: 100, tick: 0.01, lot: 0.001, size: 1, weight: 0.1 };
}

/** Per-trade log-price volatility. */
const SIGMA = 0.00012;
/**
 * The walk is per trade, so at very high rates it would diffuse far from any plausible price within
 * minutes. Beyond ±8% of the instrument's base price a step that would go further out is reflected
 * (same draw, opposite sign): inside the band the walk is untouched, so ordinary sessions are
 * unchanged, and a long run at 'max' stays on a plausible chart.
 */
const BAND = 0.08;

/** One trade; the model reuses a single object, so copy what you keep. */
export interface SimTrade {
  /** Upper-case venue symbol, e.g. BTCUSDT. */
  symbol: string;
  /** Position of the symbol in the model's `symbols`. */
  index: number;
  /** Per symbol, +1 per trade from a seeded base. */
  tradeId: number;
  /** Tick-rounded. */
  price: number;
  /** Lot-rounded, at least one lot. */
  quantity: number;
  /** Epoch ms the trade happened (µs precision). */
  time: number;
  /** Binance's `m`: true when the taker sold (the step down), false when the taker bought. */
  buyerMaker: boolean;
}

export interface MarketModelOptions {
  seed: number;
  symbols: string[];
  /** Mean trades per second over all instruments. */
  rate: number;
  /** Epoch ms the model starts at. */
  start: number;
}

export class MarketModel {
  readonly symbols: string[];
  /** Mean trades per second over all instruments. */
  readonly rate: number;
  private readonly rng: Rng;
  private readonly specs: InstrumentSpec[];
  private readonly cumulative: number[];
  private readonly prices: number[];
  /** ln of each instrument's base price: the centre of the reflecting band. */
  private readonly logBase: number[];
  private readonly ids: number[];
  /** When trades happen; it draws from `rng` too, between the trades (see arrivals.ts). */
  private readonly arrivals: Arrivals;
  private readonly trade: SimTrade;
  /** Where advanceTo's trades go (a field, so that the arrival callback is made once). */
  private sink: (trade: SimTrade) => void = () => {};
  private readonly arrive = (time: number): void => this.emit(time, this.sink);
  /** Trades emitted so far. */
  generated = 0;

  /** Every event is a trade (the name BookModel's count of trades has). */
  get tradesGenerated(): number {
    return this.generated;
  }

  constructor(opts: MarketModelOptions) {
    if (!(opts.rate > 0)) throw new RangeError('market model rate must be > 0');
    if (opts.symbols.length === 0) throw new RangeError('market model needs at least one symbol');
    this.symbols = opts.symbols;
    this.rate = opts.rate;
    this.rng = new Rng(opts.seed);
    this.specs = opts.symbols.map(instrumentSpec);
    const total = this.specs.reduce((a, s) => a + s.weight, 0);
    let acc = 0;
    this.cumulative = this.specs.map((s) => (acc += s.weight / total));
    this.prices = this.specs.map((s) => s.price * Math.exp(0.01 * this.rng.normal()));
    this.logBase = this.specs.map((s) => Math.log(s.price));
    this.ids = this.specs.map(() => 1_000_000_000 + Math.floor(this.rng.uniform() * 4_000_000_000));
    this.arrivals = new Arrivals(this.rng, opts.rate);
    this.trade = { symbol: '', index: 0, tradeId: 0, price: 0, quantity: 0, time: 0, buyerMaker: false };
    this.resetTo(opts.start);
  }

  /** Whether the arrival process is in its burst state (diagnostics and tests). */
  get inBurst(): boolean {
    return this.arrivals.inBurst;
  }

  /** The earliest time anything can happen (a live driver sleeps until then). */
  nextEventTime(): number {
    return this.arrivals.nextEventTime();
  }

  /** Restarts arrivals at t (after a pause nobody listened to), keeping prices and ids. */
  resetTo(t: number): void {
    this.arrivals.resetTo(t);
  }

  /** Emits every trade due at or before t, in time order; stops early after `limit` trades. */
  advanceTo(t: number, onTrade: (trade: SimTrade) => void, limit = Number.POSITIVE_INFINITY): number {
    this.sink = onTrade;
    return this.arrivals.advanceTo(t, this.arrive, limit);
  }

  /** Emits one trade at time t now, regardless of the arrival process (rate 'max'). */
  emitAt(t: number, onTrade: (trade: SimTrade) => void): void {
    this.emit(t, onTrade);
  }

  private emit(time: number, onTrade: (trade: SimTrade) => void): void {
    const u = this.rng.uniform();
    let i = 0;
    while (i < this.cumulative.length - 1 && u >= this.cumulative[i]!) i++;
    const spec = this.specs[i]!;
    let drift = this.rng.normal() * SIGMA;
    const dev = Math.log(this.prices[i]!) - this.logBase[i]!;
    if ((dev > BAND && drift > 0) || (dev < -BAND && drift < 0)) drift = -drift;
    const price = Math.max(spec.tick, this.prices[i]! * Math.exp(drift));
    this.prices[i] = price;
    const lots = Math.max(1, Math.round((spec.size * Math.exp(0.9 * this.rng.normal())) / spec.lot));
    const tr = this.trade;
    tr.symbol = this.symbols[i]!;
    tr.index = i;
    tr.tradeId = this.ids[i]!++;
    tr.price = roundTo(price, spec.tick);
    tr.quantity = roundTo(lots * spec.lot, spec.lot);
    tr.time = Math.round(time * 1000) / 1000;
    tr.buyerMaker = drift < 0;
    this.generated++;
    onTrade(tr);
  }
}

/** Rounds to a multiple of step, with no binary residue beyond 8 decimals. */
function roundTo(v: number, step: number): number {
  return Number((Math.round(v / step) * step).toFixed(8));
}
