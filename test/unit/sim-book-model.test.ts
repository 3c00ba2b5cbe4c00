/**
 * The multi-venue market (book-model.ts) driven directly, no sockets: what happens does not depend
 * on the rate (1/s, the default, 'max'), and over a long run every venue's book keeps the spread,
 * depth and place around the shared price a trader expects — checked at regular points all along,
 * not only at the end — and each venue trails the consensus by the lag its profile documents.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { VENUE_NAMES } from '../../src/common/venues.ts';
import {
  type BookEvent,
  BookModel,
  type BookModelOptions,
  makeInstruments,
  VENUE_PROFILES,
} from '../../src/main/sim/book-model.ts';

/** The simulator's defaults (common/config.ts): three instruments on five venues, 600 events/s. */
const SYMBOLS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'];
const VENUES = VENUE_NAMES;
const DEFAULT_RATE = 600;
/** What VenueSim gives the model at 'max', where it calls emitAt as fast as the sockets drain. */
const MAX_RATE = 1_000_000;
const START = 1_784_107_800_000;

/** Spread: a few bp, or where the tick is wider than that, a few ticks. */
const SPREAD_BP = 2;
const SPREAD_TICKS = 6;
/** A venue's mid from the venues' median mid (on a wide tick, half-tick steps of mids too). */
const DISPERSION_BP = 3;
const DISPERSION_TICKS = 3;
/** Levels a side of every book at every check. */
const MIN_LEVELS = 20;

function model(rate: number, seed = 1): BookModel {
  const opts: BookModelOptions = {
    seed,
    instruments: makeInstruments(SYMBOLS),
    venues: VENUES,
    rate,
    start: START,
  };
  return new BookModel(opts);
}

/** Everything an event says, in order: venue, instrument, sequence, level changes and trades. */
function hashEvent(h: ReturnType<typeof createHash>, ev: BookEvent): void {
  let s = `${ev.venue}|${ev.inst.index}|${ev.seq}|${ev.topChanged}`;
  for (const c of ev.changes) s += `|${c.side},${c.price},${c.qty},${c.old}`;
  for (const t of ev.trades) s += `|${t.taker},${t.price},${t.qty},${t.tradeId},${t.makers}`;
  h.update(s);
}

test('the rate changes only the speed: at 1/s, at the default rate and at max the same events happen', () => {
  const events = 200_000;
  const digests: string[] = [];
  const spans: number[] = [];
  for (const rate of [1, DEFAULT_RATE, 'max'] as const) {
    const m = model(rate === 'max' ? MAX_RATE : rate);
    const h = createHash('sha256');
    let last = START;
    const on = (ev: BookEvent): void => {
      hashEvent(h, ev);
      last = ev.time;
    };
    if (rate === 'max') {
      // As VenueSim at 'max': one event per call, at whatever time it is (here 2 µs apart).
      for (let k = 0; k < events; k++) m.emitAt(START + k * 0.002, on);
    } else {
      m.advanceTo(Number.POSITIVE_INFINITY, on, events);
    }
    assert.equal(m.generated, events);
    digests.push(h.digest('hex'));
    spans.push((last - START) / 1000);
  }
  assert.equal(digests[1], digests[0], 'the default rate: the same events as at 1/s');
  assert.equal(digests[2], digests[0], "'max': the same events as at 1/s");
  // Five venues at `rate` each: 200,000 events are 40,000 s at 1/s and 67 s at 600/s (bursty).
  assert.ok(Math.abs(spans[0]! / 40_000 - 1) < 0.1, `1/s: ${spans[0]} s`);
  assert.ok(Math.abs(spans[1]! / (40_000 / DEFAULT_RATE) - 1) < 0.1, `600/s: ${spans[1]} s`);
});

interface Tally {
  checks: number;
  /** Per instrument: sums over checks and venues, and the worst seen. */
  spreadTicks: number[];
  levels: number[];
  depth: number[];
  worstSpreadBp: number[];
  worstSpreadTicks: number[];
  worstDispersionBp: number[];
}

function tally(n: number): Tally {
  const z = () => new Array<number>(n).fill(0);
  return {
    checks: 0,
    spreadTicks: z(),
    levels: z(),
    depth: z(),
    worstSpreadBp: z(),
    worstSpreadTicks: z(),
    worstDispersionBp: z(),
  };
}

/** Checks every book now; adds to the tally. `when` names the moment in failure messages. */
function check(m: BookModel, t: Tally, when: string): void {
  t.checks++;
  for (const inst of m.instruments) {
    const i = inst.index;
    const mids: number[] = [];
    for (let v = 0; v < m.venues.length; v++) {
      const book = m.book(v, i);
      const bid = book.bids.best()!;
      const ask = book.asks.best()!;
      const mid = (bid + ask) / 2;
      const where = `${m.venues[v]} ${inst.id} ${when}`;
      assert.ok(bid < ask, `${where}: crossed (${bid} ≥ ${ask})`);
      const spreadBp = ((ask - bid) / mid) * 1e4;
      assert.ok(
        spreadBp <= SPREAD_BP || ask - bid <= SPREAD_TICKS,
        `${where}: spread ${ask - bid} ticks = ${spreadBp.toFixed(2)} bp`,
      );
      assert.ok(
        book.bids.size >= MIN_LEVELS && book.asks.size >= MIN_LEVELS,
        `${where}: ${book.bids.size} bid / ${book.asks.size} ask levels`,
      );
      assert.ok(Math.abs(mid / inst.baseTicks - 1) < 0.15, `${where}: mid ${mid} far from ${inst.baseTicks}`);
      let depth = 0;
      for (const [, q] of book.bids.top(10)) depth += q;
      for (const [, q] of book.asks.top(10)) depth += q;
      t.spreadTicks[i]! += ask - bid;
      t.levels[i]! += book.bids.size + book.asks.size;
      t.depth[i]! += depth / inst.sizeLots;
      t.worstSpreadBp[i] = Math.max(t.worstSpreadBp[i]!, spreadBp);
      t.worstSpreadTicks[i] = Math.max(t.worstSpreadTicks[i]!, ask - bid);
      mids.push(mid);
    }
    const consensus = [...mids].sort((a, b) => a - b)[mids.length >> 1]!;
    for (const [v, mid] of mids.entries()) {
      const bp = Math.abs(mid / consensus - 1) * 1e4;
      assert.ok(
        bp <= DISPERSION_BP || Math.abs(mid - consensus) <= DISPERSION_TICKS,
        `${m.venues[v]} ${inst.id} ${when}: mid ${mid} is ${bp.toFixed(2)} bp from the venues' median ${consensus}`,
      );
      t.worstDispersionBp[i] = Math.max(t.worstDispersionBp[i]!, bp);
    }
  }
}

/** Mean per check and venue of a tally's sums. */
function mean(t: Tally, sums: number[], venues: number): number[] {
  return sums.map((s) => s / (t.checks * venues));
}

function close(a: number, b: number, rel: number): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * A trading day. The model's clock is events and the market is the same at every rate (the test
 * above), so a day is a number of events: 86,400 s × 5 venues × the rate. At 10 events/s a venue
 * that is 4.32 M events — at the default 600/s the first 24 minutes, at the live simulator's 'max'
 * about a minute (the old model's ETH spread was 12 bp after 40 minutes at the default rate, its SOL
 * spread 827 bp after 6 at max). A day at 600/s itself is 259 M events, minutes of CPU: set
 * TICKSCOPE_SIM_DAY=full to run that one (a soak, not a test to run on every change).
 */
const DAY_RATE = process.env.TICKSCOPE_SIM_DAY === 'full' ? DEFAULT_RATE : 10;
const DAY_EVENTS = 86_400 * VENUES.length * DAY_RATE;
const CHECKS = 240;

test('a trading day, at the default rate and at max: spreads, depth and dispersion stay put, checked throughout', () => {
  const n = SYMBOLS.length;
  const nv = VENUES.length;
  const halves = [tally(n), tally(n)];
  const atMaxTally = tally(n);
  // At the default rate, on its virtual clock, checked every 1/240 of the way.
  const atDefault = model(DEFAULT_RATE);
  const spanMs = (DAY_EVENTS / (DEFAULT_RATE * nv)) * 1000;
  for (let k = 1; k <= CHECKS; k++) {
    const t = START + (spanMs * k) / CHECKS;
    atDefault.advanceTo(t, () => {});
    check(
      atDefault,
      halves[k <= CHECKS / 2 ? 0 : 1]!,
      `after ${((t - START) / 60_000).toFixed(1)} min at 600/s`,
    );
  }
  // At 'max': emitAt back to back, as many events, checked as often (a model of its own: the two
  // runs must agree, not share state).
  const atMax = model(MAX_RATE);
  const perCheck = Math.ceil(atDefault.generated / CHECKS);
  for (let k = 1; k <= CHECKS; k++) {
    for (let e = 0; e < perCheck; e++) atMax.emitAt(START, () => {});
    check(atMax, atMaxTally, `after ${atMax.generated} events at max`);
  }
  assert.ok(atDefault.generated > DAY_EVENTS * 0.95, `${atDefault.generated} events in the day`);

  const stats = (t: Tally) => ({
    spread: mean(t, t.spreadTicks, nv),
    levels: mean(t, t.levels, nv),
    depth: mean(t, t.depth, nv),
  });
  const [first, second] = halves.map(stats);
  const max = stats(atMaxTally);
  for (const inst of atDefault.instruments) {
    const i = inst.index;
    const worst = (f: (t: Tally) => number[]) => Math.max(...[...halves, atMaxTally].map((t) => f(t)[i]!));
    console.log(
      `${inst.id}: spread mean ${first!.spread[i]!.toFixed(1)} / ${second!.spread[i]!.toFixed(1)} ticks (first / second half; at max ${max.spread[i]!.toFixed(1)}), ` +
        `worst ${worst((t) => t.worstSpreadTicks)} ticks = ${worst((t) => t.worstSpreadBp).toFixed(2)} bp; ` +
        `top-10 depth ${first!.depth[i]!.toFixed(0)} / ${second!.depth[i]!.toFixed(0)} median sizes (at max ${max.depth[i]!.toFixed(0)}); ` +
        `levels ${first!.levels[i]!.toFixed(0)} / ${second!.levels[i]!.toFixed(0)}; dispersion worst ${worst((t) => t.worstDispersionBp).toFixed(2)} bp`,
    );
    // Stationary: the second half of the day looks like the first.
    assert.ok(close(first!.spread[i]!, second!.spread[i]!, 0.25), `${inst.id}: the spread drifts`);
    assert.ok(close(first!.levels[i]!, second!.levels[i]!, 0.25), `${inst.id}: the level count drifts`);
    assert.ok(close(first!.depth[i]!, second!.depth[i]!, 0.35), `${inst.id}: the depth drifts`);
    // And 'max' is the same market.
    const whole = (f: (t: typeof max) => number[]) => (f(first!)[i]! + f(second!)[i]!) / 2;
    assert.ok(
      close(
        whole((t) => t.spread),
        max.spread[i]!,
        0.1,
      ),
      `${inst.id}: the spread at max`,
    );
    assert.ok(
      close(
        whole((t) => t.depth),
        max.depth[i]!,
        0.1,
      ),
      `${inst.id}: the depth at max`,
    );
  }
});

test('each venue trails the consensus by the lag its profile documents, Binance first', () => {
  // For each venue, the k for which its mids after its events are closest (mean squared, relative)
  // to the consensus k instrument events earlier: the lag as a lead/lag measurement would find it.
  const m = model(DEFAULT_RATE, 7);
  const K = 64;
  const consensus = new Float64Array(1 << 21);
  let n = 0;
  const sse = VENUES.map(() => new Float64Array(K));
  m.advanceTo(
    Number.POSITIVE_INFINITY,
    (ev) => {
      if (ev.inst.index !== 0) return; // BTC
      consensus[++n] = m.fair(0);
      if (n <= K) return;
      const mid = (ev.book.bids.best()! + ev.book.asks.best()!) / 2;
      const s = sse[ev.venue]!;
      for (let k = 0; k < K; k++) {
        const d = mid / consensus[n - k]! - 1;
        s[k]! += d * d;
      }
    },
    1_500_000,
  );
  const found = sse.map((s) => s.indexOf(Math.min(...s)));
  console.log(`lags found (BTC events): ${VENUES.map((v, k) => `${v} ${found[k]}`).join(', ')}`);
  for (const [k, v] of VENUES.entries()) {
    const lag = VENUE_PROFILES[v]!.lag;
    // The book answers its reference on its own next events: a few events later than the lag.
    assert.ok(found[k]! >= lag && found[k]! <= lag + 6, `${v}: found ${found[k]}, profile ${lag}`);
  }
  const order = [...VENUES].sort((a, b) => found[VENUES.indexOf(a)]! - found[VENUES.indexOf(b)]!);
  assert.deepEqual(order, ['binance', 'okx', 'bybit', 'coinbase', 'kraken']);
});

test('deterministic per seed and independent of how the clock is sliced', () => {
  const run = (seed: number, slices: number): string => {
    const m = model(DEFAULT_RATE, seed);
    const h = createHash('sha256');
    for (let k = 1; k <= slices; k++) m.advanceTo(START + (20_000 * k) / slices, (ev) => hashEvent(h, ev));
    h.update(String(m.generated));
    return h.digest('hex');
  };
  assert.equal(run(3, 1), run(3, 1));
  assert.equal(run(3, 1), run(3, 997), 'sliced into 997 steps: the same events');
  assert.notEqual(run(3, 1), run(4, 1));
});

test('every book is its own; bad options are refused', () => {
  const m = model(10);
  assert.notEqual(m.book(0, 0), m.book(1, 0));
  assert.throws(() => m.book(VENUES.length, 0), RangeError);
  const inst = makeInstruments(['BTCUSDT']);
  assert.throws(
    () => new BookModel({ seed: 1, instruments: inst, venues: [], rate: 1, start: 0 }),
    RangeError,
  );
  assert.throws(
    () => new BookModel({ seed: 1, instruments: inst, venues: ['okx'], activity: [1, 2], rate: 1, start: 0 }),
    RangeError,
  );
  assert.throws(
    () => new BookModel({ seed: 1, instruments: inst, venues: ['okx'], rate: 0, start: 0 }),
    RangeError,
  );
});
