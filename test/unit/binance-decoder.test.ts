import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  type BinanceMessage,
  createBinanceMessage,
  decodeBinance,
  MessageKind,
} from '../../src/main/feeds/binance-decoder.ts';

const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);
const enc = new TextEncoder();

interface RefTrade {
  s: string;
  t: number;
  p: number;
  q: number;
  T: number;
  E: number;
  m: boolean;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The JSON.parse reference: what a trade is, by the protocol notes. */
function reference(
  text: string,
): { kind: 'trade'; trade: RefTrade } | { kind: 'invalid' } | { kind: 'other' } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'invalid' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { kind: 'invalid' };
  const o = v as Record<string, unknown>;
  const ev = (typeof o.data === 'object' && o.data !== null ? o.data : o) as Record<string, unknown>;
  if (ev.e !== 'trade') return { kind: 'other' };
  const int = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (
    typeof ev.s !== 'string' ||
    !int(ev.t) ||
    !int(ev.T) ||
    !int(ev.E) ||
    typeof ev.p !== 'string' ||
    typeof ev.q !== 'string' ||
    !DECIMAL.test(ev.p) ||
    !DECIMAL.test(ev.q) ||
    typeof ev.m !== 'boolean'
  ) {
    return { kind: 'invalid' };
  }
  return {
    kind: 'trade',
    trade: {
      s: ev.s,
      t: ev.t,
      p: Number.parseFloat(ev.p),
      q: Number.parseFloat(ev.q),
      T: ev.T,
      E: ev.E,
      m: ev.m,
    },
  };
}

function decoded(bytes: Uint8Array, m: BinanceMessage): RefTrade {
  return {
    s: new TextDecoder().decode(bytes.subarray(m.symStart, m.symEnd)),
    t: m.tradeId,
    p: m.price,
    q: m.quantity,
    T: m.tradeTime,
    E: m.eventTime,
    m: m.buyerMaker,
  };
}

/** Checks the decoder against the reference on one input; returns the decoder's kind. */
function check(text: string, out = createBinanceMessage()): number {
  const bytes = enc.encode(text);
  let kind: number;
  try {
    kind = decodeBinance(bytes, bytes.length, out);
  } catch (err) {
    assert.fail(`decoder threw on ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
  const ref = reference(text);
  if (kind === MessageKind.trade) {
    assert.equal(ref.kind, 'trade', `decoder accepted a trade the reference rejects: ${text}`);
    if (ref.kind === 'trade') assert.deepEqual(decoded(bytes, out), ref.trade, text);
  } else if (ref.kind === 'trade' && !text.includes('\\')) {
    assert.fail(`decoder rejected a valid trade (${out.malformed}): ${text}`);
  }
  if (ref.kind === 'invalid' && kind !== MessageKind.malformed) {
    // JSON the reference cannot parse must never decode as anything but malformed.
    let parsed = true;
    try {
      JSON.parse(text);
    } catch {
      parsed = false;
    }
    if (!parsed) assert.fail(`decoder accepted invalid JSON: ${text}`);
  }
  return kind;
}

function fixtureLines(): string[] {
  const lines: string[] = [];
  for (const f of readdirSync(FIXTURES)) {
    if (!f.endsWith('.jsonl')) continue;
    for (const line of readFileSync(new URL(f, FIXTURES), 'utf8').split('\n'))
      if (line.trim()) lines.push(line);
  }
  return lines;
}

test('every line of every fixture session decodes as JSON.parse says', () => {
  const lines = fixtureLines();
  assert.ok(lines.length > 100, 'fixtures found');
  let trades = 0;
  for (const line of lines) if (check(line) === MessageKind.trade) trades++;
  const binanceTrades = fixtureLines().filter((l) => l.includes('"e":"trade"')).length;
  assert.equal(trades, binanceTrades, 'every Binance trade in the fixtures decoded');
});

test('raw, combined, result, error and serverShutdown forms', () => {
  const m = createBinanceMessage();
  const raw =
    '{"e":"trade","E":1784107800847,"s":"BTCUSDT","t":5102934401,"p":"67250.10000000","q":"0.04000000","T":1784107800846,"m":true,"M":true}';
  assert.equal(check(raw, m), MessageKind.trade);
  assert.equal(m.buyerMaker, true);
  assert.equal(check(`{"stream":"btcusdt@trade","data":${raw}}`, m), MessageKind.trade);
  assert.equal(check(' \n{ "result" : null , "id" : 7 }\r\n', m), MessageKind.result);
  assert.equal(m.id, 7);
  assert.equal(
    check('{"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":3}', m),
    MessageKind.error,
  );
  assert.equal(check('{"e":"serverShutdown","E":1770123456789}', m), MessageKind.serverShutdown);
  assert.equal(
    check('{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}', m),
    MessageKind.serverShutdown,
  );
  assert.equal(check('{"u":1,"s":"BTCUSDT","b":"1.0","B":"2","a":"3","A":"4"}', m), MessageKind.other);
});

test('malformed input is reported, never thrown, with a reason', () => {
  const m = createBinanceMessage();
  const bad = [
    '',
    '[]',
    'null',
    '{',
    '{"e":"trade"',
    '{"e":"trade","E":1,"s":"X","t":1,"p":"1","q":"1","T":1}',
    '{"e":"trade","E":1,"s":"X","t":1,"p":"abc","q":"1","T":1,"m":false}',
    '{"e":"trade","E":"1","s":"X","t":1,"p":"1","q":"1","T":1,"m":false}',
    '{"e":"trade","E":1,"s":"X","t":1,"p":"1","q":"1","T":1,"m":tru}',
    '{"e":"trade","E":1,"s":"X","t":1,"p":"1","q":"1","T":1,"m":false} x',
    '{"a":[1,,2]}',
    '{"a":"\\x"}',
    `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`,
  ];
  for (const text of bad) {
    const bytes = enc.encode(text);
    assert.equal(decodeBinance(bytes, bytes.length, m), MessageKind.malformed, text);
    assert.ok(m.malformed > 0, `a reason for ${text}`);
  }
});

test('fuzz: mutated and truncated fixture frames agree with the reference', () => {
  const lines = fixtureLines().filter((l) => l.includes('"e":"trade"'));
  const alphabet = enc.encode('{}[]",:0123456789.-eE tfnaul\\xp');
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const out = createBinanceMessage();
  let accepted = 0;
  for (let k = 0; k < 50_000; k++) {
    const bytes = enc.encode(lines[rnd(lines.length)]!);
    const op = rnd(3);
    let mutated: Uint8Array;
    if (op === 0) mutated = bytes.subarray(0, rnd(bytes.length));
    else {
      mutated = bytes.slice();
      const flips = 1 + rnd(3);
      for (let j = 0; j < flips; j++) mutated[rnd(mutated.length)] = alphabet[rnd(alphabet.length)]!;
    }
    const text = new TextDecoder().decode(mutated);
    if (check(text, out) === MessageKind.trade) accepted++;
  }
  assert.ok(accepted > 1000, `some mutations stay valid trades (${accepted})`);
});
