/**
 * Each venue's own instrument ids, for every type of market it lists (spot, perpetuals, dated
 * futures, options): the config contract — the config file, `--symbols`, the settings panel — takes
 * the venue's spot ids and Tickscope's BASE-QUOTE, turns them into the spelling the venue's
 * subscribe messages need (Kraken's XBT/USD is BTC/USD to WebSocket v2), and refuses a derivative
 * with a sentence naming its type and venue (derivatives come in a later issue), never "is not a
 * symbol" and never by reading it as some other spot market.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseConfig, type VenueName } from '../../src/common/config.ts';
import { instrumentKind, symbolRefusal } from '../../src/common/instruments.ts';
import { instrumentsFlag, symbolsFlag, UsageError } from '../../src/main/cli/args.ts';
import { configFromFlags } from '../../src/main/cli/config-flags.ts';
import { VENUE_SPECS } from '../../src/main/feeds/venues/registry.ts';
import { fromDraft, routeErrors, shortError, toDraft } from '../../src/renderer/src/panels/settings-form.ts';

/** id → the spelling the venue's subscription carries (spot). */
const SPOT: Record<VenueName, [string, string][]> = {
  binance: [
    ['BTCUSDT', 'BTCUSDT'],
    ['BTC-USDT', 'BTCUSDT'],
    ['btc_usdt', 'BTCUSDT'],
    ['1000SATSFDUSD', '1000SATSFDUSD'],
  ],
  coinbase: [
    ['BTC-USD', 'BTC-USD'],
    ['ETH-USDC', 'ETH-USDC'],
    ['BTCUSD', 'BTC-USD'],
  ],
  kraken: [
    ['BTC/USD', 'BTC/USD'],
    ['XBT/USD', 'BTC/USD'],
    ['XBTUSD', 'BTC/USD'],
    ['XXBTZUSD', 'BTC/USD'],
    ['XETHZEUR', 'ETH/EUR'],
    ['ETH/XBT', 'ETH/BTC'],
    ['XDG/USD', 'DOGE/USD'],
    ['DOTUSD', 'DOT/USD'],
    ['BTC-USDT', 'BTC/USDT'],
  ],
  bybit: [
    ['BTCUSDT', 'BTCUSDT'],
    ['BTC-USDT', 'BTCUSDT'],
    ['PERPUSDT', 'PERPUSDT'],
  ],
  okx: [
    ['BTC-USDT', 'BTC-USDT'],
    ['BTCUSDT', 'BTC-USDT'],
    ['ETH/BTC', 'ETH-BTC'],
  ],
};

/** id → [type word, the words the sentence must say]. */
const DERIVATIVES: Record<VenueName, [string, RegExp][]> = {
  binance: [
    ['BTCUSD_PERP', /is a Binance COIN-M perpetual:/],
    ['BTCUSDT_250627', /is a Binance delivery future expiring 2025-06-27:/],
    ['BTCUSD_250926', /is a Binance delivery future expiring 2025-09-26:/],
    ['BTC-250627-100000-C', /is a Binance option expiring 2025-06-27:/],
  ],
  coinbase: [
    ['BTC-PERP-INTX', /is a Coinbase International perpetual:/],
    ['BIT-27JUN25-CDE', /is a Coinbase Derivatives \(US\) future expiring 2025-06-27:/],
    ['BIP-20DEC30-CDE', /is a Coinbase Derivatives \(US\) future expiring 2030-12-20:/],
  ],
  kraken: [
    ['PF_XBTUSD', /is a Kraken Futures perpetual:/],
    ['PI_XBTUSD', /is a Kraken Futures perpetual:/],
    ['pi_ethusd', /is a Kraken Futures perpetual:/],
    ['FI_XBTUSD_250627', /is a Kraken Futures dated future expiring 2025-06-27:/],
    ['FF_ETHUSD_251226', /is a Kraken Futures dated future expiring 2025-12-26:/],
  ],
  bybit: [
    ['BTCPERP', /is a Bybit USDC perpetual:/],
    ['BTC-PERP', /is a Bybit USDC perpetual:/],
    ['BTC-27JUN25', /is a Bybit dated future expiring 2025-06-27:/],
    ['BTCUSDT-26DEC25', /is a Bybit dated future expiring 2025-12-26:/],
    ['BTCUSDM25', /is a Bybit inverse future expiring in June 2025:/],
    ['BTC-27JUN25-100000-C', /is a Bybit option expiring 2025-06-27:/],
    ['ETH-27JUN25-3000-P-USDT', /is a Bybit option expiring 2025-06-27:/],
  ],
  okx: [
    ['BTC-USDT-SWAP', /is an OKX perpetual swap:/],
    ['BTC-USD-SWAP', /is an OKX perpetual swap:/],
    ['BTC-USD-250627', /is an OKX dated future expiring 2025-06-27:/],
    ['BTC-USDT-251226', /is an OKX dated future expiring 2025-12-26:/],
    ['BTC-USD-250627-100000-C', /is an OKX option expiring 2025-06-27:/],
    ['ETH-USD-250627-2500.5-P', /is an OKX option expiring 2025-06-27:/],
  ],
};

const VENUES = Object.keys(SPOT) as VenueName[];
const LATER = /spot markets only for now \(derivatives come in a later issue\)$/;

function feedErrors(venue: VenueName, symbols: string[]): string[] {
  const r = parseConfig({ feeds: [{ venue, symbols }] });
  return r.ok ? [] : r.errors;
}

test("each venue's spot ids and BASE-QUOTE are taken, in the spelling its subscription needs", () => {
  for (const venue of VENUES) {
    for (const [id, wire] of SPOT[venue]) {
      const r = parseConfig({ feeds: [{ venue, symbols: [id] }] });
      assert.ok(r.ok, `${venue} ${id}: ${r.ok ? '' : r.errors.join('; ')}`);
      assert.equal(instrumentKind(venue, id)?.type, 'spot');
      assert.equal(VENUE_SPECS[venue].venueSymbol(r.config.feeds[0]!.symbols[0]!), wire, `${venue} ${id}`);
    }
  }
});

test('a derivative id is refused naming its type and venue, not as "not a symbol" nor read as spot', () => {
  for (const venue of VENUES) {
    for (const [id, says] of DERIVATIVES[venue]) {
      const errors = feedErrors(venue, [id]);
      assert.equal(errors.length, 1, `${venue} ${id} refused: ${errors.join('; ')}`);
      const e = errors[0]!;
      assert.ok(e.startsWith(`feeds[0].symbols: '${id}' `), e);
      assert.match(e, says);
      assert.match(e, LATER);
      assert.doesNotMatch(e, /not a symbol/);
      assert.notEqual(instrumentKind(venue, id)?.type, 'spot');
    }
  }
  // A Kraken Futures index is not a market at all.
  assert.deepEqual(feedErrors('kraken', ['IN_XBTUSD']), [
    "feeds[0].symbols: 'IN_XBTUSD' is a Kraken Futures index, not a market",
  ]);
});

test("an id that is none of the venue's shapes says what the venue's ids look like", () => {
  const cases: [VenueName, string][] = [
    ['okx', 'BTC-USDT-XYZ'],
    ['okx', 'BTC-USD-251340'], // no 40th of December
    ['binance', 'BTC-USDT-SWAP'],
    ['coinbase', 'BTC-USD-PERP'],
    ['kraken', 'BTC USD'],
    ['bybit', 'BTC-31JUN25'],
  ];
  for (const [venue, id] of cases) {
    const [e] = feedErrors(venue, [id]);
    assert.match(
      e ?? '',
      new RegExp(`'${id}' is not an? ${venue === 'okx' ? 'OKX' : '\\w+'} instrument id \\(spot `),
      `${venue} ${id}: ${e}`,
    );
  }
  // The same shape can be one venue's derivative and another's nothing: each venue by its own ids.
  assert.match(feedErrors('okx', ['BTC-USDT-SWAP'])[0]!, /OKX perpetual swap/);
  assert.match(feedErrors('binance', ['BTC-USDT-SWAP'])[0]!, /is not a Binance instrument id/);
});

test("the simulator's symbols: any venue's spot; a derivative of any venue is refused by name", () => {
  assert.ok(parseConfig({ simulator: { symbols: ['BTC-USDT', 'ETHUSDT', 'SOL/USDC'] } }).ok);
  const r = parseConfig({
    simulator: { symbols: ['BTC-USDT-SWAP', 'PF_XBTUSD', 'BTCUSD_PERP', 'BTC USDT'] },
  });
  assert.ok(!r.ok);
  assert.deepEqual(r.errors, [
    "simulator.symbols: 'BTC-USDT-SWAP' is an OKX perpetual swap: the simulator, like the live feeds, reads spot markets only for now (derivatives come in a later issue)",
    "simulator.symbols: 'PF_XBTUSD' is a Kraken Futures perpetual: the simulator, like the live feeds, reads spot markets only for now (derivatives come in a later issue)",
    "simulator.symbols: 'BTCUSD_PERP' is a Binance COIN-M perpetual: the simulator, like the live feeds, reads spot markets only for now (derivatives come in a later issue)",
    "simulator.symbols: 'BTC USDT' is not a symbol",
  ]);
  // A feed whose venue is not one is checked as any venue's.
  const bad = parseConfig({ feeds: [{ venue: 'nowhere', symbols: ['BTC-USD-250627'] }] });
  assert.ok(!bad.ok && bad.errors.some((e) => /'BTC-USD-250627' is an OKX dated future/.test(e)));
});

test('two spellings of one market on a venue are one repeated symbol', () => {
  assert.deepEqual(feedErrors('binance', ['BTCUSDT', 'BTC-USDT']), [
    "feeds[0].symbols: repeated symbol 'BTC-USDT' (the same market as 'BTCUSDT')",
  ]);
  assert.deepEqual(feedErrors('kraken', ['XBT/USD', 'BTC/USD']), [
    "feeds[0].symbols: repeated symbol 'BTC/USD' (the same market as 'XBT/USD')",
  ]);
  assert.deepEqual(feedErrors('okx', ['BTC-USDT', 'btc-usdt']), [
    "feeds[0].symbols: repeated symbol 'btc-usdt'",
  ]);
  assert.ok(parseConfig({ feeds: [{ venue: 'okx', symbols: ['BTC-USDT', 'BTC-USDC'] }] }).ok);
});

test('--symbols: the venue ids are checked as that venue’s, derivatives refused by name', async () => {
  assert.deepEqual(instrumentsFlag('BTC-USDT, xbt/usd', 'symbols', [], 'kraken'), ['BTC-USDT', 'XBT/USD']);
  assert.throws(
    () => instrumentsFlag('BTC-USDT,BTC-USDT-SWAP', 'symbols', [], 'okx'),
    (e: Error) =>
      e instanceof UsageError &&
      /^--symbols: 'BTC-USDT-SWAP' is an OKX perpetual swap: .* later issue\)$/.test(e.message),
  );
  await assert.rejects(
    configFromFlags({ venue: 'binance', symbols: 'BTCUSDT_250627' }),
    (e: Error) =>
      e instanceof UsageError &&
      /'BTCUSDT_250627' is a Binance delivery future expiring 2025-06-27/.test(e.message),
  );
  const c = await configFromFlags({ venue: 'kraken', symbols: 'XBT/USD,ETH/USD' });
  assert.deepEqual(c.feeds[0]!.symbols, ['XBT/USD', 'ETH/USD']);
  // The simulator's flags, which take the separators out: a derivative is no spot symbol run together.
  assert.deepEqual(symbolsFlag('BTC-USDT,eth/usdt', 'symbols', []), ['BTCUSDT', 'ETHUSDT']);
  assert.throws(
    () => symbolsFlag('BTC-USDT-SWAP', 'symbols', []),
    (e: Error) => e instanceof UsageError && /'BTC-USDT-SWAP' is an OKX perpetual swap/.test(e.message),
  );
  await assert.rejects(
    configFromFlags({ symbols: 'PF_XBTUSD' }),
    (e: Error) => e instanceof UsageError && /'PF_XBTUSD' is a Kraken Futures perpetual/.test(e.message),
  );
});

test('the settings panel shows the refusal on the feed’s symbols field', () => {
  const ok = parseConfig({});
  assert.ok(ok.ok);
  const draft = toDraft(ok.config);
  draft.feeds = [
    {
      key: 1,
      enabled: true,
      venue: 'okx',
      symbols: 'BTC-USDT, BTC-USDT-SWAP',
      url: '',
      restUrl: '',
      books: true,
    },
  ];
  const r = parseConfig(fromDraft(draft));
  assert.ok(!r.ok);
  const { fields, general } = routeErrors(r.errors);
  assert.deepEqual(general, []);
  assert.deepEqual(fields.get('feeds[0].symbols')?.map(shortError), [
    "'BTC-USDT-SWAP' is an OKX perpetual swap: Tickscope reads spot markets only for now (derivatives come in a later issue)",
  ]);
});

test('symbolRefusal is what the config says, for a venue or none', () => {
  assert.equal(symbolRefusal('okx', 'BTC-USDT'), null);
  assert.equal(symbolRefusal(null, 'BTC-USDT'), null);
  assert.match(symbolRefusal('okx', 'BTC-USDT-SWAP') ?? '', /^is an OKX perpetual swap: /);
  assert.match(symbolRefusal(null, 'BTC-27JUN25') ?? '', /^is a Bybit dated future expiring 2025-06-27: /);
});

const SEED = Number(process.env.FC_SEED ?? 20_260_513);

test('what the simulator takes, every venue takes; what any venue refuses, the simulator refuses (fast-check)', () => {
  const token = fc.stringMatching(/^[A-Z0-9]{1,8}$/);
  const date = fc.tuple(
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 14 }),
    fc.integer({ min: 0, max: 33 }),
  );
  const pad = (n: number) => String(n).padStart(2, '0');
  const MON = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC', 'XYZ'];
  const symbol = fc.oneof(
    fc.stringMatching(/^[A-Z0-9]{1,16}([-/_][A-Z0-9]{1,16}){0,3}$/),
    fc
      .tuple(
        token,
        token,
        fc.constantFrom('-', '_'),
        date,
        fc.constantFrom('', '-SWAP', '-PERP-INTX', '-CDE', '-100-C'),
      )
      .map(
        ([a, b, sep, [y, m, d], tail]) =>
          `${a}${sep}${b}${sep}${tail === '-CDE' ? `${d}${MON[m % 13]}${pad(y)}` : `${pad(y)}${pad(m)}${pad(d)}`}${tail}`,
      ),
    fc
      .tuple(fc.constantFrom('PF_', 'PI_', 'FI_', 'FF_', 'IN_'), token, date)
      .map(([p, a, [y, m, d]]) => `${p}${a}${p.startsWith('F') ? `_${pad(y)}${pad(m)}${pad(d)}` : ''}`),
    fc
      .tuple(token, date, fc.constantFrom('', 'PERP', 'USDM25'))
      .map(([a, [y, m, d], t]) => (t === '' ? `${a}-${d}${MON[m % 13]}${pad(y)}` : `${a}${t}`)),
  );
  fc.assert(
    fc.property(symbol, (s) => {
      const sim = symbolRefusal(null, s);
      for (const v of VENUES) {
        const own = symbolRefusal(v, s);
        if (sim === null) assert.equal(own, null, `${v} refuses '${s}' the simulator takes: ${own}`);
        const k = instrumentKind(v, s);
        // A venue's derivative is refused by the simulator too, naming it the same way.
        if (k !== null && k.type !== 'spot') assert.match(sim ?? '', /^is (a|an) /, `${v} ${s}`);
        // Refused as a derivative ⇔ a derivative; refused otherwise ⇔ none of its ids.
        if (own === null) assert.equal(k?.type, 'spot', `${v} ${s}`);
        else if (k === null) assert.match(own, /^is not an? \w+ instrument id/);
        else assert.match(own, new RegExp(`^is ${k.name.replace(/[()]/g, '\\$&')}`));
      }
    }),
    { seed: SEED, numRuns: 3000 },
  );
  assert.equal(symbolRefusal(null, 'BTC-31JUN25'), 'is not a symbol', 'no 31st of June');
});
