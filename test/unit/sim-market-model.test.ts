/**
 * The simulator's seeded PRNG and market model on a virtual clock: determinism (the deterministic
 * session and its screenshot baselines rely on it), instrument rounding, trade ids, the split by
 * weight, and the bursty arrivals whose long-run mean is the requested rate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_SYMBOLS,
  instrumentSpec,
  MarketModel,
  type SimTrade,
} from '../../src/main/sim/market-model.ts';
import { Rng } from '../../src/main/sim/rng.ts';

const START = Date.UTC(2026, 6, 15, 14, 30, 0);

function line(t: SimTrade): string {
  return `${t.symbol} ${t.tradeId} ${t.price} ${t.quantity} ${t.time} ${t.buyerMaker}`;
}

/** Every trade up to `ms` of virtual time, advancing the clock in `step` ms slices. */
function run(seed: number, ms: number, step = ms, rate = 1000, symbols = [...DEFAULT_SYMBOLS]): string[] {
  const m = new MarketModel({ seed, symbols, rate, start: START });
  const out: string[] = [];
  for (let t = step; t <= ms; t += step) m.advanceTo(START + t, (tr) => out.push(line(tr)));
  return out;
}

function meanVar(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, variance: xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length };
}

test('rng: deterministic per seed, and its draws have the right moments', () => {
  const seq = (seed: number): number[] => {
    const r = new Rng(seed);
    return Array.from({ length: 8 }, () => r.next32());
  };
  assert.deepEqual(seq(1), seq(1));
  assert.notDeepEqual(seq(1), seq(2));
  assert.notDeepEqual(seq(0), seq(1));

  const r = new Rng(7);
  const n = 100_000;
  const u: number[] = [];
  const z: number[] = [];
  const e: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = r.uniform();
    assert.ok(x >= 0 && x < 1);
    u.push(x);
    z.push(r.normal());
    e.push(r.exponential(4));
  }
  const mu = meanVar(u);
  assert.ok(Math.abs(mu.mean - 0.5) < 0.01 && Math.abs(mu.variance - 1 / 12) < 0.005, 'uniform');
  const mz = meanVar(z);
  assert.ok(Math.abs(mz.mean) < 0.02 && Math.abs(mz.variance - 1) < 0.03, 'standard normal');
  const me = meanVar(e);
  assert.ok(Math.abs(me.mean - 0.25) < 0.01 && Math.abs(me.variance - 0.0625) < 0.005, 'exponential(4)');
});

test('same seed → same trades; another seed → others; independent of how the clock is sliced', () => {
  const whole = run(1, 5000);
  assert.ok(whole.length > 1000);
  assert.deepEqual(run(1, 5000), whole);
  assert.notDeepEqual(run(2, 5000), whole);
  assert.deepEqual(run(1, 5000, 1), whole, 'advancing 1 ms at a time');
  assert.deepEqual(run(1, 5000, 250), whole, 'advancing 250 ms at a time');

  // A limit stops mid-way; the next call carries on with the same sequence.
  const m = new MarketModel({ seed: 1, symbols: [...DEFAULT_SYMBOLS], rate: 1000, start: START });
  const limited: string[] = [];
  assert.equal(
    m.advanceTo(START + 5000, (t) => limited.push(line(t)), 10),
    10,
  );
  while (m.advanceTo(START + 5000, (t) => limited.push(line(t)), 97) > 0);
  assert.deepEqual(limited, whole);
});

test('trades: tick-rounded prices, lot-rounded quantities, ids +1 per symbol, ordered times, both sides', () => {
  const m = new MarketModel({ seed: 9, symbols: [...DEFAULT_SYMBOLS], rate: 2000, start: START });
  const lastId = new Map<string, number>();
  const bySymbol = new Map<string, number>();
  const sides = new Set<boolean>();
  let lastTime = START;
  let n = 0;
  m.advanceTo(START + 20_000, (t) => {
    n++;
    const spec = instrumentSpec(t.symbol);
    const ticks = t.price / spec.tick;
    assert.ok(Math.abs(ticks - Math.round(ticks)) < 1e-6, `${t.symbol} price ${t.price} on its tick`);
    assert.equal(Number(t.price.toFixed(8)), t.price, 'no binary residue beyond 8 decimals');
    const lots = t.quantity / spec.lot;
    assert.ok(Math.abs(lots - Math.round(lots)) < 1e-6 && lots >= 1 - 1e-9, `${t.symbol} qty ${t.quantity}`);
    assert.equal(Number(t.quantity.toFixed(8)), t.quantity);
    assert.ok(t.price > spec.price * 0.85 && t.price < spec.price * 1.15, `${t.symbol} near ${spec.price}`);
    const prev = lastId.get(t.symbol);
    if (prev !== undefined) assert.equal(t.tradeId, prev + 1, `${t.symbol} ids contiguous`);
    lastId.set(t.symbol, t.tradeId);
    bySymbol.set(t.symbol, (bySymbol.get(t.symbol) ?? 0) + 1);
    assert.ok(t.time >= lastTime && t.time <= START + 20_000, 'time order, never past the clock');
    assert.equal(Math.round(t.time * 1000) / 1000, t.time, 'µs precision');
    lastTime = t.time;
    sides.add(t.buyerMaker);
    assert.equal(m.symbols[t.index], t.symbol);
  });
  assert.equal(m.generated, n);
  assert.deepEqual(sides, new Set([true, false]));
  assert.deepEqual([...bySymbol.keys()].sort(), [...DEFAULT_SYMBOLS].sort());
  // The flow is split by weight: BTCUSDT 40 %, XRPUSDT 10 % of five default instruments.
  assert.ok(Math.abs(bySymbol.get('BTCUSDT')! / n - 0.4) < 0.03, `BTC share ${bySymbol.get('BTCUSDT')! / n}`);
  assert.ok(Math.abs(bySymbol.get('XRPUSDT')! / n - 0.1) < 0.02, `XRP share ${bySymbol.get('XRPUSDT')! / n}`);
});

test('arrivals: long-run mean = the requested rate; bursty (variance of per-100 ms counts ≫ Poisson)', () => {
  for (const seed of [1, 11]) {
    const m = new MarketModel({ seed, symbols: ['BTCUSDT', 'ETHUSDT'], rate: 1000, start: 0 });
    const counts: number[] = [];
    let bursts = 0;
    for (let t = 100; t <= 300_000; t += 100) {
      counts.push(m.advanceTo(t, () => {}));
      if (m.inBurst) bursts++;
    }
    const { mean, variance } = meanVar(counts);
    assert.ok(
      mean > 88 && mean < 112,
      `seed ${seed}: long-run mean ≈ 100 per 100 ms, got ${mean.toFixed(1)}`,
    );
    assert.ok(
      variance > 5 * mean,
      `seed ${seed}: variance ${variance.toFixed(0)} ≫ Poisson's ${mean.toFixed(0)}`,
    );
    // About 1/9 of the time in bursts (mean dwell 0.5 s burst, 4 s calm).
    assert.ok(
      bursts / counts.length > 0.05 && bursts / counts.length < 0.2,
      `burst share ${bursts / counts.length}`,
    );
  }
});

test('nextEventTime: nothing happens before it, so a live driver can sleep until then', () => {
  const m = new MarketModel({ seed: 4, symbols: ['BTCUSDT'], rate: 5, start: 0 });
  for (let i = 0; i < 50; i++) {
    const next = m.nextEventTime();
    assert.ok(next > 0);
    assert.equal(
      m.advanceTo(next - 0.001, () => {}),
      0,
      'nothing before the next event',
    );
    m.advanceTo(next, () => {});
    assert.ok(m.nextEventTime() > next, 'the event at `next` was consumed');
  }
});

test('a very long run at a high rate keeps prices in a plausible band', () => {
  const m = new MarketModel({ seed: 5, symbols: ['BTCUSDT', 'XRPUSDT'], rate: 50_000, start: 0 });
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  // 1.2 million BTC trades: an unbounded per-trade walk would wander by ±13 % (one σ) and more.
  m.advanceTo(30_000, (t) => {
    if (t.symbol !== 'BTCUSDT') return;
    lo = Math.min(lo, t.price);
    hi = Math.max(hi, t.price);
  });
  assert.ok(m.generated > 1_000_000);
  assert.ok(lo > 67250 * 0.9 && hi < 67250 * 1.1, `BTC within ±10 %: ${lo}…${hi}`);
});

test('unknown symbols get a generic spec; bad options are refused', () => {
  const trades: SimTrade[] = [];
  new MarketModel({ seed: 1, symbols: ['FOOBAR'], rate: 100, start: 0 }).advanceTo(1000, (t) =>
    trades.push({ ...t }),
  );
  assert.ok(
    trades.length > 10 && trades.every((t) => t.symbol === 'FOOBAR' && t.price > 50 && t.price < 200),
  );
  assert.throws(() => new MarketModel({ seed: 1, symbols: ['BTCUSDT'], rate: 0, start: 0 }), RangeError);
  assert.throws(() => new MarketModel({ seed: 1, symbols: [], rate: 10, start: 0 }), RangeError);
});
