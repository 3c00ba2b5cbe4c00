/**
 * Property-based fuzzing of the command schema the page speaks — over Electron IPC and the headless
 * host's HTTP API alike: parseFeedCommand, parseSessionCommand, parseConfig, the frame-port nonce,
 * the sender/origin check, and the session-name and export-format rules that guard every path.
 * Each is fed arbitrary values (fast-check's anything and JSON), near-valid commands with one field
 * spoiled, oversized strings, 10,000-deep nesting, huge lists, NaN/±Infinity/-0, `__proto__` and
 * `constructor` keys, NUL, path separators, `..`, look-alike characters and Windows device names.
 * Properties: nothing throws (but the documented SessionsError); a refusal is a short, readable
 * error naming the field; an acceptance re-validates to itself and shares no object with the
 * input (or with DEFAULT_CONFIG); every well-formed command is accepted; Object.prototype stays
 * clean. The seed is fixed (FC_SEED overrides it) and printed with any failure.
 */
import assert from 'node:assert/strict';
import { isAbsolute, join, relative, sep } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import {
  EXPORT_FORMATS,
  FEED_COMMANDS,
  parseFeedCommand,
  parseSessionCommand,
  type SessionCommand,
} from '../../src/common/api.ts';
import {
  DEFAULT_CONFIG,
  MAX_ERRORS,
  parseConfig,
  RECORDING_CODECS,
  SIM_FAULT_NAMES,
  VENUE_NAMES,
} from '../../src/common/config.ts';
import { symbolRefusal, venueSpotSymbol } from '../../src/common/instruments.ts';
import { quoteValue } from '../../src/common/quote-value.ts';
import { isTrustedSender, isValidNonce, originOf } from '../../src/main/electron/ipc-rules.ts';
import { SessionExports } from '../../src/main/recorder/session-exports.ts';
import { checkSessionName, SessionsError } from '../../src/main/recorder/sessions.ts';
import { seededCheck } from '../helpers/fc-check.ts';

const { check } = seededCheck('test/unit/ipc-fuzz.test.ts', 20_260_407);

// ---- hostile values ----

const MB = 'x'.repeat(1 << 20);

function deepArray(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
function deepObject(depth: number, key = 'a'): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = { [key]: v };
  return v;
}
/** As JSON.parse builds it from a body: own `__proto__` keys, 10,000 deep. */
const DEEP_PROTO_JSON = JSON.parse(
  `${'{"__proto__":'.repeat(10_000)}{"polluted":"yes"}${'}'.repeat(10_000)}`,
);

const POLLUTERS: unknown[] = [
  JSON.parse('{"__proto__":{"polluted":"yes"}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  JSON.parse('{"prototype":{"polluted":"yes"}}'),
  DEEP_PROTO_JSON,
];

const SPECIAL_NUMBERS = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  -1,
  0.5,
  1e9,
  2 ** 32,
  2 ** 53 + 2,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MAX_VALUE,
];

const NASTY_STRINGS = [
  '',
  ' ',
  '\0',
  'a\0b',
  'record\0',
  '..',
  '.',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  'C:\\Windows\\System32',
  '\\\\server\\share',
  'a/b',
  'a\\b',
  'CON',
  'con.txt',
  'NUL',
  'aux',
  'COM1',
  'lpt9.csv',
  'prn.',
  'name.',
  'name ',
  'ｒｅｃｏｒｄ', // fullwidth
  '․․', // one-dot leaders
  '∕etc∕passwd', // division slash
  '⁄', // fraction slash
  'a\u200bb', // zero-width space
  '\u202etxt.exe', // right-to-left override
  'é',
  '\ud800', // lone surrogate
  'max',
  'csv',
  'CSV',
  'csv ',
  'jsonl\n',
  '__proto__',
  'constructor',
  'toString',
];

const SPECIALS: unknown[] = [
  ...SPECIAL_NUMBERS,
  ...NASTY_STRINGS,
  null,
  undefined,
  true,
  false,
  10n,
  Symbol('s'),
  [],
  {},
  Object.create(null),
  deepArray(100),
  deepObject(100, '__proto__'),
  new Date(0),
  new Map([['a', 1]]),
  new Uint8Array(8),
  ...POLLUTERS.slice(0, 3),
];

/**
 * The oversized and the deep: walked in plain loops, not drawn by fast-check, whose report of a
 * counterexample would print them whole.
 */
const BIG: unknown[] = [
  MB,
  new Array(1_000_000).fill('BTC-USDT'),
  new Array(100_000).fill(MB),
  deepArray(10_000),
  deepObject(10_000),
  deepObject(10_000, '__proto__'),
  DEEP_PROTO_JSON,
  Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])),
];

const KEY_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'action',
  'name',
  'to',
  'speed',
  'format',
  'feedId',
  'command',
  'version',
  'simulator',
  'feeds',
  'recording',
  '',
];

const anyKey = fc.oneof(fc.string(), fc.constantFrom(...KEY_NAMES));

/** Anything: structured-clone-ish values, JSON, and the special corpus above. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    key: anyKey,
    withNullPrototype: true,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
    withObjectString: true,
  }),
  fc.jsonValue(),
  fc.constantFrom(...SPECIALS),
  fc.string({ unit: 'binary' }),
  fc.double(),
);

// ---- checks shared by every property ----

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();
const ARRAY_PROTO_NAMES = Object.getOwnPropertyNames(Array.prototype).sort();

function assertNoPollution(): void {
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTO_NAMES, 'Object.prototype');
  assert.deepEqual(Object.getOwnPropertyNames(Array.prototype).sort(), ARRAY_PROTO_NAMES, 'Array.prototype');
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'polluted');
}

/** Every object reachable from `v` (iterative: inputs are 10,000 deep). */
function objectsOf(v: unknown, limit = 3_000_000): Set<object> {
  const seen = new Set<object>();
  const stack: unknown[] = [v];
  let n = 0;
  while (stack.length > 0 && n++ < limit) {
    const x = stack.pop();
    if (x === null || (typeof x !== 'object' && typeof x !== 'function') || seen.has(x as object)) continue;
    seen.add(x as object);
    if (x instanceof Map)
      for (const [k, val] of x) {
        stack.push(k);
        stack.push(val);
      }
    else if (x instanceof Set) for (const e of x) stack.push(e);
    else if (!ArrayBuffer.isView(x))
      for (const k of Reflect.ownKeys(x as object)) {
        const d = Object.getOwnPropertyDescriptor(x, k);
        if (d && 'value' in d) stack.push(d.value);
      }
  }
  return seen;
}

/** The parsed result holds no object that the caller (or DEFAULT_CONFIG) also holds. */
function assertNoSharing(result: unknown, ...others: unknown[]): void {
  const theirs = new Set<object>();
  for (const o of others) for (const x of objectsOf(o)) theirs.add(x);
  for (const x of objectsOf(result)) assert.ok(!theirs.has(x), 'the result shares an object with its input');
}

/** The longest refusal any validator gives (a URL's scheme may be long: URLs are up to 2,048). */
const MAX_ERROR_LENGTH = 2_200;

function assertReadable(error: unknown): asserts error is string {
  assert.equal(typeof error, 'string');
  const e = error as string;
  assert.ok(e.trim().length > 0, 'an empty error');
  assert.ok(e.length <= MAX_ERROR_LENGTH, `an error of ${e.length} characters`);
  // Printable: what arrives is quoted escaped, never raw control characters.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is what it looks for
  assert.doesNotMatch(e, /[\u0000-\u0008\u000b-\u001f]/, 'control characters in an error');
}

function noThrow<T>(f: () => T, input: unknown): T {
  try {
    return f();
  } catch (err) {
    assert.fail(`threw ${(err as Error)?.name}: ${(err as Error)?.message} for ${show(input)}`);
  }
}
/** assert.equal with its message built only on failure (the values may be a megabyte). */
function eq(actual: unknown, expected: unknown, what: () => string): void {
  if (!Object.is(actual, expected)) assert.fail(`${String(actual)} ≠ ${String(expected)}: ${what()}`);
}
/** A short description of any value, for failure messages: cheap on a 1 MB or 10,000-deep one. */
function show(v: unknown): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Reflect.ownKeys(v).slice(0, 6);
    return `{${keys.map((k) => `${quoteValue(typeof k === 'string' ? k : k.toString())}: ${quoteValue((v as Record<string | symbol, unknown>)[k])}`).join(', ')}}`;
  }
  return quoteValue(v);
}

/** Sets one path in a copy of a JSON-shaped value (the copy is fresh at every level on the path). */
function withAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (rest.length === 0)
    Object.defineProperty(copy, head, {
      value: replacement,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else copy[head] = withAt(copy[head], rest, replacement);
  return copy;
}

after(() => assertNoPollution());

// ---- feed commands ----

const validFeedCommand = fc.record({
  feedId: fc.integer({ min: 1, max: 0xffff }),
  command: fc.constantFrom(...FEED_COMMANDS),
});

test('feed commands: every well-formed one is accepted as itself', () => {
  check(
    'valid feed command',
    fc.property(validFeedCommand, (input) => {
      const r = parseFeedCommand(input);
      assert.deepEqual(r, { ok: true, ...input });
    }),
  );
});

test('feed commands: anything else is refused with a readable reason naming the field', () => {
  check(
    'hostile feed command',
    fc.property(hostile, (input) => {
      const r = noThrow(() => parseFeedCommand(input), input);
      if (r.ok) {
        // Only a plain {feedId, command} of the right kinds gets through, and as itself.
        assert.deepEqual(Object.keys(input as object).sort(), ['command', 'feedId']);
        assert.deepEqual(parseFeedCommand({ feedId: r.feedId, command: r.command }), r);
      } else {
        assertReadable(r.error);
        assert.match(r.error, /feedId|command|key|object/);
      }
      assertNoPollution();
    }),
    500,
  );
  check(
    'spoiled feed command',
    fc.property(validFeedCommand, fc.constantFrom('feedId', 'command'), hostile, (valid, field, bad) => {
      const input = withAt(valid, [field], bad);
      const r = noThrow(() => parseFeedCommand(input), input);
      if (r.ok) assert.deepEqual(parseFeedCommand({ feedId: r.feedId, command: r.command }), r);
      else {
        assertReadable(r.error);
        assert.ok(r.error.includes(field), `'${r.error}' does not name ${field}`);
      }
    }),
  );
  for (const feedId of [-1, 0, 1e9, 65_536, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0, '1', null]) {
    const r = parseFeedCommand({ feedId, command: 'reconnect' });
    assert.equal(r.ok, false, `feedId ${String(feedId)}`);
  }
  for (const bad of POLLUTERS) {
    assert.equal(parseFeedCommand(bad).ok, false);
    assert.equal(parseFeedCommand({ feedId: 1, command: 'roll', ...(bad as object) }).ok, false);
  }
  assertNoPollution();
});

// ---- session commands ----

const sessionName = fc.string({ minLength: 1, maxLength: 100 });
const speed = fc.oneof(
  fc.constant('max' as const),
  fc.double({ min: Number.MIN_VALUE, max: 1_000_000, noNaN: true }),
);
const validSessionCommand: fc.Arbitrary<SessionCommand> = fc.oneof(
  fc.constantFrom(
    ...(['record', 'stop', 'pause', 'resume', 'live'] as const).map(
      (action) => ({ action }) as SessionCommand,
    ),
  ),
  fc.record({ action: fc.constant('rename' as const), name: sessionName, to: sessionName }),
  fc.record({ action: fc.constant('delete' as const), name: sessionName }),
  fc.record({ action: fc.constant('replay' as const), name: sessionName, speed }),
  fc.record({ action: fc.constant('speed' as const), speed }),
  fc.record({ action: fc.constant('seek' as const), to: fc.double({ min: 0, max: 1e15, noNaN: true }) }),
  fc.record({
    action: fc.constant('export' as const),
    name: sessionName,
    format: fc.constantFrom(...EXPORT_FORMATS),
  }),
);

test('session commands: every well-formed one is accepted as itself', () => {
  check(
    'valid session command',
    fc.property(validSessionCommand, (input) => {
      const r = parseSessionCommand(input);
      // fast-check also draws null-prototype records: the parser answers a plain object either way.
      assert.deepEqual(r, { ok: true, command: { ...input } });
      assert.notEqual(r.ok && r.command, input, 'a fresh object, not the caller’s');
    }),
  );
  assert.deepEqual(parseSessionCommand({ action: 'replay', name: 'a' }), {
    ok: true,
    command: { action: 'replay', name: 'a', speed: 1 },
  });
});

test('session commands: anything else is refused with a readable reason naming the field', () => {
  check(
    'hostile session command',
    fc.property(hostile, (input) => {
      const r = noThrow(() => parseSessionCommand(input), input);
      if (r.ok) {
        assert.deepEqual(parseSessionCommand(r.command), r, 'an accepted command re-validates to itself');
        assertNoSharing(r, input);
      } else {
        assertReadable(r.error);
        assert.match(r.error, /action|key|name|speed|to|format/);
      }
      assertNoPollution();
    }),
    500,
  );
  check(
    'spoiled session command',
    fc.property(
      validSessionCommand,
      fc.constantFrom('action', 'name', 'to', 'speed', 'format', 'extra'),
      hostile,
      anyKey,
      (valid, field, bad, extraKey) => {
        const keys = Object.keys(valid);
        let input: unknown;
        let names: string;
        if (field === 'extra') {
          if (keys.includes(extraKey)) return;
          input = withAt(valid, [extraKey], bad);
          names = 'unknown key';
        } else {
          if (!keys.includes(field)) return;
          // Another action's name would make a different, maybe valid, command.
          if (field === 'action' && typeof bad === 'string') return;
          input = withAt(valid, [field], bad);
          names = field;
        }
        const r = noThrow(() => parseSessionCommand(input), input);
        if (r.ok) assert.deepEqual(parseSessionCommand(r.command), r);
        else {
          assertReadable(r.error);
          assert.ok(r.error.includes(names), `'${r.error}' does not name ${names}`);
        }
      },
    ),
  );
  for (const bad of POLLUTERS) {
    assert.equal(parseSessionCommand(bad).ok, false);
    assert.equal(parseSessionCommand({ action: 'record', ...(bad as object) }).ok, false);
  }
  for (const s of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1_000_001, -0, 'MAX', '2']) {
    assert.equal(parseSessionCommand({ action: 'speed', speed: s }).ok, false, `speed ${String(s)}`);
    assert.equal(parseSessionCommand({ action: 'replay', name: 'a', speed: s }).ok, false);
  }
  for (const to of [-1, Number.NaN, Number.POSITIVE_INFINITY, '0', null])
    assert.equal(parseSessionCommand({ action: 'seek', to }).ok, false, `seek ${String(to)}`);
  assertNoPollution();
});

// ---- configuration ----

// Spot symbols: a shape that is some venue's derivative id (BTCUSD_PERP, PF_XBTUSD) is refused by
// name, and two spellings of one market (BTC-USDT, BTC_USDT) are one repeated symbol.
const symbol = fc
  .stringMatching(/^[A-Z0-9]{1,16}([-/_][A-Z0-9]{1,16})?$/)
  .filter((s) => symbolRefusal(null, s) === null);
const symbols = fc.uniqueArray(symbol, {
  minLength: 1,
  maxLength: 64,
  selector: (s) => venueSpotSymbol('binance', s),
});
const fault = fc
  .tuple(
    fc.constantFrom(...SIM_FAULT_NAMES),
    fc.option(fc.constantFrom(...VENUE_NAMES), { nil: undefined }),
    fc.option(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 99_999 }), fc.constantFrom('', 's', 'ms')), {
      nil: undefined,
    }),
  )
  .map(
    ([name, venue, when]) =>
      `${name}${venue ? `:${venue}` : ''}${when ? `@${when[0] ? 'every:' : ''}${when[1]}${when[2]}` : ''}`,
  );
const wsUrl = fc
  .tuple(
    fc.constantFrom('ws', 'wss'),
    fc.domain(),
    fc.option(fc.integer({ min: 1, max: 65_535 })),
    fc.webPath(),
  )
  .map(([s, host, port, path]) => `${s}://${host}${port ? `:${port}` : ''}${path}`);
const httpUrl = fc.webUrl();

const validConfig = fc.record(
  {
    version: fc.constant(1 as const),
    simulator: fc.record(
      {
        venues: fc.subarray([...VENUE_NAMES], { minLength: 1 }),
        symbols,
        rate: fc.oneof(fc.constant('max' as const), fc.double({ min: 1, max: 10_000_000, noNaN: true })),
        seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        faults: fc.array(fault, { maxLength: 5 }).map((l) => l.join(',')),
      },
      { requiredKeys: [] },
    ),
    feeds: fc.array(
      fc.record(
        {
          venue: fc.constantFrom(...VENUE_NAMES),
          symbols,
          url: wsUrl,
          restUrl: httpUrl,
          books: fc.boolean(),
          enabled: fc.boolean(),
        },
        { requiredKeys: ['venue', 'symbols'] },
      ),
      { maxLength: 16 },
    ),
    recording: fc.record(
      {
        fsyncMs: fc.integer({ min: 0, max: 60_000 }),
        compressors: fc.integer({ min: 1, max: 16 }),
        codec: fc.constantFrom(...RECORDING_CODECS),
        segmentMiB: fc.integer({ min: 1, max: 4096 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

/** Every path into a config that a spoiled value may land on, and the field its error must name. */
function configPaths(c: Record<string, unknown>): { path: (string | number)[]; names: string }[] {
  const out: { path: (string | number)[]; names: string }[] = [
    { path: ['version'], names: 'config.version' },
  ];
  for (const k of ['simulator', 'feeds', 'recording']) out.push({ path: [k], names: k });
  for (const k of ['venues', 'symbols', 'rate', 'seed', 'faults'])
    out.push({ path: ['simulator', k], names: `simulator.${k}` });
  for (const k of ['fsyncMs', 'compressors', 'codec', 'segmentMiB'])
    out.push({ path: ['recording', k], names: `recording.${k}` });
  const feeds = Array.isArray(c.feeds) ? c.feeds : [];
  feeds.forEach((_, i) => {
    out.push({ path: ['feeds', i], names: `feeds[${i}]` });
    for (const k of ['venue', 'symbols', 'url', 'restUrl', 'books', 'enabled'])
      out.push({ path: ['feeds', i, k], names: `feeds[${i}].${k}` });
  });
  return out;
}

const DEFAULTS_JSON = JSON.stringify(DEFAULT_CONFIG);

function assertConfigRefusal(errors: unknown): void {
  assert.ok(Array.isArray(errors) && errors.length > 0, 'a refusal lists its errors');
  assert.ok(errors.length <= MAX_ERRORS + 1, `${errors.length} errors`);
  for (const e of errors) {
    assertReadable(e);
    assert.match(e, /^(config|simulator|feeds|recording|… and \d+ more)/, `'${e}' names no field`);
  }
}

test('config: every well-formed one is accepted, re-validates to itself and survives JSON', () => {
  check(
    'valid config',
    fc.property(validConfig, (input) => {
      const r = parseConfig(input);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(parseConfig(r.config), r, 'idempotent');
      assert.deepEqual(parseConfig(JSON.parse(JSON.stringify(r.config))), r, 'as saved and read back');
      assertNoSharing(r, input, DEFAULT_CONFIG);
      // The caller's later changes reach neither the result nor the defaults.
      const before = JSON.stringify(r.config);
      const sim = (input as { simulator?: { symbols?: string[]; venues?: string[] } }).simulator;
      sim?.symbols?.push('MUTATED');
      sim?.venues?.splice(0);
      (input as { feeds?: { symbols: string[] }[] }).feeds?.forEach((f) => {
        f.symbols.length = 0;
      });
      assert.equal(JSON.stringify(r.config), before);
      r.config.simulator.venues.push('binance');
      r.config.simulator.symbols.push('MUTATED');
      r.config.feeds.push({ venue: 'okx', symbols: [] });
      assert.equal(JSON.stringify(DEFAULT_CONFIG), DEFAULTS_JSON, 'DEFAULT_CONFIG untouched');
    }),
    400,
  );
});

test('config: anything else is refused with every problem named, briefly', () => {
  check(
    'hostile config',
    fc.property(hostile, (input) => {
      const r = noThrow(() => parseConfig(input), input);
      if (r.ok) {
        assert.deepEqual(parseConfig(r.config), r);
        assertNoSharing(r, input, DEFAULT_CONFIG);
      } else assertConfigRefusal(r.errors);
      assertNoPollution();
    }),
    500,
  );
  check(
    'spoiled config',
    fc.property(
      validConfig.chain((c) =>
        fc.tuple(fc.constant(c), fc.constantFrom(...configPaths(c as Record<string, unknown>)), hostile),
      ),
      ([valid, { path, names }, bad]) => {
        const input = withAt(valid, path, bad);
        const r = noThrow(() => parseConfig(input), input);
        if (r.ok) {
          assert.deepEqual(parseConfig(r.config), r);
          assertNoSharing(r, input, DEFAULT_CONFIG);
        } else {
          assertConfigRefusal(r.errors);
          assert.ok(
            r.errors.some((e) => e.startsWith(names)),
            `${JSON.stringify(r.errors)} does not name ${names}`,
          );
        }
        assertNoPollution();
      },
    ),
    400,
  );
  check(
    'config with an unknown key',
    fc.property(
      validConfig,
      fc.constantFrom([], ['simulator'], ['recording'], ['feeds', 0]),
      anyKey,
      hostile,
      (valid, at, key, bad) => {
        const target = at.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)?.[k], valid);
        const known: Record<string, string[]> = {
          '': ['version', 'simulator', 'feeds', 'recording'],
          simulator: ['venues', 'symbols', 'rate', 'seed', 'faults'],
          recording: ['fsyncMs', 'compressors', 'codec', 'segmentMiB'],
          'feeds,0': ['venue', 'symbols', 'url', 'restUrl', 'books', 'enabled'],
        };
        if (target === undefined || known[at.join(',')]!.includes(key)) return;
        const r = noThrow(() => parseConfig(withAt(valid, [...at, key], bad)), key);
        assert.equal(r.ok, false);
        if (!r.ok) {
          assertConfigRefusal(r.errors);
          assert.ok(r.errors.some((e) => e.includes('unknown key')));
        }
      },
    ),
  );
});

test('config: oversized, deep and polluting inputs get bounded errors and leave the prototypes alone', () => {
  const cases: unknown[] = [
    { simulator: { venues: new Array(100_000).fill(MB) } },
    { simulator: { symbols: [deepArray(10_000)] } },
    { simulator: { symbols: [Object.create(null)] } },
    { simulator: { venues: [deepObject(10_000)] } },
    { simulator: { faults: MB } },
    { simulator: { faults: `${'disconnect,'.repeat(90)}x` } },
    { feeds: new Array(1_000_000).fill({ venue: 'okx', symbols: ['A'] }) },
    { feeds: [{ venue: 'okx', symbols: ['A'], url: `ws://${'a'.repeat(2045)}` }] },
    { feeds: [{ venue: 'okx', symbols: ['A'], url: `${'a'.repeat(2040)}:x` }] },
    { feeds: [{ venue: MB, symbols: [MB], url: MB, restUrl: MB, books: MB, enabled: MB }] },
    {
      recording: { fsyncMs: Number.NaN, compressors: Number.POSITIVE_INFINITY, segmentMiB: -0.5, codec: MB },
    },
    Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])),
    ...POLLUTERS,
    { simulator: POLLUTERS[0], feeds: [POLLUTERS[1]], recording: POLLUTERS[2] },
  ];
  for (const input of cases) {
    const t0 = performance.now();
    const r = noThrow(() => parseConfig(input), input);
    eq(r.ok, false, () => show(input));
    if (!r.ok) {
      assertConfigRefusal(r.errors);
      // The whole reply is small enough to send back over IPC or HTTP.
      assert.ok(JSON.stringify(r).length < 64 * 1024, `reply of ${JSON.stringify(r).length} bytes`);
    }
    assert.ok(performance.now() - t0 < 2_000, 'answered promptly');
  }
  const unknown = parseConfig(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])));
  assert.ok(!unknown.ok && unknown.errors.at(-1) === `… and ${100 - MAX_ERRORS} more`);
  // -0 and an integral double are numbers like any other: accepted, and they round-trip.
  const r = parseConfig({ simulator: { seed: -0, rate: 1 }, recording: { fsyncMs: -0 } });
  assert.ok(r.ok);
  assert.deepEqual(parseConfig(JSON.parse(JSON.stringify(r.config))), r);
  assertNoPollution();
});

// ---- frame-port nonce ----

const NONCE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

test('nonces: 16–64 URL-safe characters are accepted, anything else refused', () => {
  check(
    'valid nonce',
    fc.property(fc.string({ unit: fc.constantFrom(...NONCE_CHARS), minLength: 16, maxLength: 64 }), (n) => {
      assert.equal(isValidNonce(n), true);
    }),
  );
  check(
    'hostile nonce',
    fc.property(fc.oneof(hostile, fc.string({ unit: 'binary', minLength: 10, maxLength: 70 })), (n) => {
      const ok = noThrow(() => isValidNonce(n), n);
      const expected =
        typeof n === 'string' &&
        n.length >= 16 &&
        n.length <= 64 &&
        [...n].every((c) => NONCE_CHARS.includes(c));
      eq(ok, expected, () => show(n));
    }),
    500,
  );
  check(
    'spoiled nonce',
    fc.property(
      fc.string({ unit: fc.constantFrom(...NONCE_CHARS), minLength: 16, maxLength: 64 }),
      fc.nat(),
      fc.oneof(
        fc.constantFrom('\0', '\n', '/', '.', '=', '+', ' ', '％', 'а', '\u200b'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
      (n, at, c) => {
        if (NONCE_CHARS.includes(c)) return;
        const i = at % (n.length + 1);
        assert.equal(isValidNonce(n.slice(0, i) + c + n.slice(i)), false);
      },
    ),
  );
  for (const n of ['a'.repeat(15), 'a'.repeat(65), `${'a'.repeat(16)}\n`, `\n${'a'.repeat(16)}`, MB])
    assert.equal(isValidNonce(n), false);
});

// ---- sender and origin ----

const APP = ['app://tickscope'];
const DEV = ['http://localhost:5173'];

/** What may call the API: the exact origin, parsed — scheme, host and port, nothing else. */
function sameOrigin(url: string, allowed: string): boolean {
  try {
    const u = new URL(url);
    const a = new URL(allowed);
    return u.protocol === a.protocol && u.hostname === a.hostname && u.port === a.port;
  } catch {
    return false;
  }
}

const LOOK_ALIKES = [
  'app://tickscope.evil/index.html',
  'app://tickscope.evil.com/',
  'app://tickscope@evil/index.html',
  'app://tickscope:@evil/',
  'app://tickscope%40evil/',
  'app://evil/tickscope',
  'app://evil?app://tickscope',
  'app://evil#app://tickscope',
  'app://tickscope./index.html',
  'app://tickscope:8080/',
  'app://tickscope:0/',
  'APP://TICKSCOPE/index.html',
  'app://TickScope/',
  'app://tickscope%2e/',
  'app://ｔｉｃｋｓｃｏｐｅ/', // fullwidth
  'app://tіckscope/', // Cyrillic і
  'app://tickscope\u0000/',
  'app:/tickscope/index.html',
  'app:tickscope',
  'app:///tickscope',
  'apps://tickscope/',
  'ap://tickscope/',
  'xapp://tickscope/',
  'blob:app://tickscope/1234',
  'file:///tickscope/index.html',
  'file://tickscope/index.html',
  'data:text/html,<script>tickscope</script>',
  'javascript:alert(1)//app://tickscope',
  'about:blank',
  'about:srcdoc',
  'chrome-error://chromewebdata/',
  'http://tickscope/',
  'https://tickscope/',
  'http://localhost:5173.evil.com/',
  'http://localhost:5174/',
  'http://127.0.0.1:5173/',
  'http://[::1]:5173/',
  'https://localhost:5173/',
  'http://localhost:5173@evil.com/',
  'http://evil.com/http://localhost:5173',
  ' app://tickscope/',
  '',
  MB,
];

test('senders: only the main frame at our exact origin; look-alikes are refused', () => {
  for (const url of LOOK_ALIKES) {
    for (const allowed of [APP, DEV]) {
      const trusted = noThrow(() => isTrustedSender({ frameUrl: url, isMainFrame: true }, allowed), url);
      assert.equal(trusted, sameOrigin(url, allowed[0]!), `${url.slice(0, 80)} against ${allowed[0]}`);
    }
  }
  // Each is refused outright (none is an exact origin match) …
  for (const url of LOOK_ALIKES.filter((u) => u !== ' app://tickscope/'))
    assert.equal(isTrustedSender({ frameUrl: url, isMainFrame: true }, APP), false, url.slice(0, 80));
  // … except what the URL standard itself trims: leading spaces, tabs and newlines, and userinfo or a default
  // (or empty) port, which do not change the origin Chromium computes for the frame.
  for (const url of [
    ' app://tickscope/',
    'app://tickscope/',
    'app://tickscope',
    'app://tickscope/index.html?x#y',
    'app://user:pw@tickscope/index.html',
    'app://tickscope:/index.html',
    'app://tick\tscope/\n',
  ])
    assert.equal(isTrustedSender({ frameUrl: url, isMainFrame: true }, APP), true, url);
  for (const url of ['http://LOCALHOST:5173/', 'http://localhost:05173/x', 'http://localhost:5173'])
    assert.equal(isTrustedSender({ frameUrl: url, isMainFrame: true }, DEV), true, url);
  // Not the main frame, or no frame: refused whatever the URL.
  assert.equal(isTrustedSender({ frameUrl: 'app://tickscope/', isMainFrame: false }, APP), false);
  assert.equal(isTrustedSender({ frameUrl: null, isMainFrame: true }, APP), false);
});

test('senders: arbitrary URLs and frame facts never throw, and trust only the exact origin', () => {
  const aroundTheOrigin = fc
    .tuple(
      fc.constantFrom('', 'app:', 'app://', 'APP://', 'http://', 'blob:', 'x', ' ', '\u0000'),
      fc.constantFrom('tickscope', 'TICKSCOPE', 'localhost:5173', 'tickscope.', 'tіckscope'),
      fc.oneof(
        fc.constantFrom('', '/', '/index.html', '.', '@evil', ':1', ':', '%00', '\\', '#', '?'),
        fc.string({ unit: 'binary', maxLength: 8 }),
      ),
      fc.option(fc.string({ maxLength: 8 }), { nil: '' }),
    )
    .map(([a, b, c, d]) => a + (a.endsWith('//') ? '' : '') + b + c + d);
  check(
    'arbitrary sender',
    fc.property(
      fc.oneof(
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc.string({ unit: 'binary' }),
        aroundTheOrigin,
        fc.constantFrom(...LOOK_ALIKES),
      ),
      fc.boolean(),
      fc.boolean(),
      (url, isMainFrame, noFrame) => {
        const facts = { frameUrl: noFrame ? null : url, isMainFrame };
        for (const allowed of [APP, DEV]) {
          const trusted = noThrow(() => isTrustedSender(facts, allowed), url);
          assert.equal(trusted, !noFrame && isMainFrame && sameOrigin(url, allowed[0]!), url.slice(0, 80));
        }
        const origin = noThrow(() => originOf(url), url);
        if (origin !== null) assert.match(origin, /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/);
      },
    ),
    1000,
  );
});

// ---- session names and export formats ----

const ROOT = join(sep, 'sessions-root');
const exportsOf = new SessionExports(ROOT, new URL('file:///nonexistent-worker.js'));

/** Inside the folder, one level down, and a name every file system takes. */
function isSafeName(n: string): boolean {
  const inside = relative(ROOT, join(ROOT, n));
  return (
    n.length >= 1 &&
    n.length <= 100 &&
    /^[A-Za-z0-9]/.test(n) &&
    [...n].every((c) => /[A-Za-z0-9 ._-]/.test(c)) &&
    !n.includes('..') &&
    !/[. ]$/.test(n) &&
    !/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(n) &&
    inside === n &&
    !isAbsolute(inside)
  );
}

function nameVerdict(n: unknown): { ok: true; name: string } | { ok: false; error: string } {
  try {
    return { ok: true, name: checkSessionName(n) };
  } catch (err) {
    // The one documented error: SessionsError, which every caller turns into a reply.
    if (!(err instanceof SessionsError)) assert.fail(`threw ${(err as Error)?.name} for ${show(n)}`);
    return { ok: false, error: err.message };
  }
}

const validName = fc
  .stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/)
  .filter((n) => !n.includes('..') && !/[. ]$/.test(n) && !/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(n));

test('session names: letters, digits, space . _ - and nothing that leaves the folder', () => {
  check(
    'valid session name',
    fc.property(validName, (n) => {
      assert.deepEqual(nameVerdict(n), { ok: true, name: n });
      assert.equal(exportsOf.pathOf(n, 'csv'), join(ROOT, 'exports', `${n}.csv`));
    }),
  );
  const nearName = fc
    .tuple(
      validName,
      fc.nat(),
      fc.oneof(fc.constantFrom(...NASTY_STRINGS.slice(0, -1)), fc.string({ unit: 'binary', maxLength: 4 })),
    )
    .map(([n, at, s]) => {
      const i = at % (n.length + 1);
      return n.slice(0, i) + s + n.slice(i);
    });
  check(
    'hostile session name',
    fc.property(fc.oneof(hostile, nearName, fc.constantFrom(...NASTY_STRINGS)), (n) => {
      const v = nameVerdict(n);
      eq(v.ok, typeof n === 'string' && isSafeName(n), () => show(n));
      if (!v.ok) {
        assertReadable(v.error);
        assert.match(v.error, /is not a session name/);
        assert.ok(v.error.length < 200);
      }
    }),
    800,
  );
  for (const n of NASTY_STRINGS) assert.equal(nameVerdict(n).ok, isSafeName(n), JSON.stringify(n));
  for (const n of NASTY_STRINGS.filter((x) => !['max', 'csv', 'CSV', 'constructor', 'toString'].includes(x)))
    assert.equal(nameVerdict(n).ok, false, JSON.stringify(n));
  for (const n of ['session-2026-04-07T10-00-00', 'e2e run', 'a', 'A.b_c-d 1', 'console', 'com10', 'nul1'])
    assert.equal(nameVerdict(n).ok, true, n);
});

test('export formats: csv or jsonl exactly, and the file always lands in <root>/exports', () => {
  check(
    'hostile export request',
    fc.property(
      fc.oneof(validName, hostile),
      fc.oneof(fc.constantFrom(...EXPORT_FORMATS), fc.constantFrom(...NASTY_STRINGS), hostile),
      (name, format) => {
        let path: string | null = null;
        try {
          path = exportsOf.pathOf(name, format);
        } catch (err) {
          assert.ok(err instanceof SessionsError, `threw ${(err as Error)?.name}`);
          assertReadable(err.message);
          assert.match(err.message, /session name|format must be one of csv, jsonl/);
        }
        const valid =
          typeof name === 'string' &&
          isSafeName(name) &&
          typeof format === 'string' &&
          (EXPORT_FORMATS as readonly string[]).includes(format);
        eq(path !== null, valid, () => `${show(name)} ${show(format)}`);
        if (path !== null) assert.equal(relative(join(ROOT, 'exports'), path), `${name}.${format}`);
      },
    ),
    600,
  );
});

// ---- the oversized and the deep, in every field ----

test('oversized and 10,000-deep values, as the input and in every field: bounded refusals, promptly', () => {
  const configTemplate = {
    version: 1,
    simulator: { venues: ['okx'], symbols: ['BTC-USDT'], rate: 100, seed: 1, faults: '' },
    feeds: [
      { venue: 'kraken', symbols: ['BTC/USD'], url: 'wss://ws.kraken.com/v2', books: true, enabled: false },
    ],
    recording: { fsyncMs: 100, compressors: 1, codec: 'zstd', segmentMiB: 1 },
  };
  const commandTemplates: Record<string, unknown>[] = [
    { action: 'rename', name: 'a', to: 'b' },
    { action: 'delete', name: 'a' },
    { action: 'replay', name: 'a', speed: 2 },
    { action: 'speed', speed: 'max' },
    { action: 'seek', to: 0 },
    { action: 'export', name: 'a', format: 'csv' },
  ];
  const timed = <T>(what: string, f: () => T): T => {
    const t0 = performance.now();
    const r = f();
    assert.ok(performance.now() - t0 < 2_000, `${what} took ${Math.round(performance.now() - t0)} ms`);
    return r;
  };
  for (const [i, big] of [...BIG, { [MB]: 1 }].entries()) {
    const what = `BIG[${i}]`;
    for (const input of [
      big,
      { feedId: big, command: 'roll' },
      { feedId: 1, command: big },
      { feedId: 1, command: 'roll', [MB]: big },
    ]) {
      const r = timed(what, () => noThrow(() => parseFeedCommand(input), what));
      assert.equal(r.ok, false, what);
      if (!r.ok) assertReadable(r.error);
    }
    const commands = [
      big,
      ...commandTemplates.flatMap((t) => Object.keys(t).map((k) => withAt(t, [k], big))),
    ];
    for (const input of commands) {
      const r = timed(what, () => noThrow(() => parseSessionCommand(input), what));
      assert.equal(r.ok, false, what);
      if (!r.ok) assertReadable(r.error);
    }
    const configs = [
      big,
      ...configPaths(configTemplate).map(({ path }) => withAt(configTemplate, path, big)),
    ];
    for (const input of configs) {
      const r = timed(what, () => noThrow(() => parseConfig(input), what));
      assert.equal(r.ok, false, what);
      if (!r.ok) {
        assertConfigRefusal(r.errors);
        // The whole reply is small enough to send back over IPC or HTTP.
        assert.ok(
          JSON.stringify(r).length < 64 * 1024,
          `${what}: a reply of ${JSON.stringify(r).length} bytes`,
        );
      }
    }
    assert.equal(isValidNonce(big), false);
    assert.equal(nameVerdict(big).ok, false);
    assert.throws(() => exportsOf.pathOf(big, 'csv'), SessionsError);
    assert.throws(() => exportsOf.pathOf('a', big), SessionsError);
    if (typeof big === 'string') {
      assert.equal(originOf(big), null);
      assert.equal(isTrustedSender({ frameUrl: `app://tickscope/${big}`, isMainFrame: false }, APP), false);
    }
  }
  assertNoPollution();
});
