import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimalStats, parseDecimal, parseInteger } from '../../src/common/decimal.ts';

const enc = new TextEncoder();

function dec(s: string): number {
  const b = enc.encode(`"${s}"`);
  return parseDecimal(b, 1, b.length - 1);
}

test('parseDecimal equals parseFloat on venue-style decimals', () => {
  const cases = [
    '67250.10000000',
    '0.04000000',
    '0.00000001',
    '0',
    '0.0',
    '-0',
    '-12.5',
    '+3.25',
    '123456789012345',
    '1234567.12345678',
    '0.1',
    '0.3',
    '9007199254740991',
    '12345678901234567890',
    '1e-8',
    '5.',
    '.5',
    '3.14159265358979323846',
    '0.000000000000000000000001',
  ];
  for (const s of cases) assert.equal(Object.is(dec(s), Number.parseFloat(s)), true, s);
});

test('parseDecimal equals parseFloat on a million random decimals', () => {
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < 1_000_000; i++) {
    const intDigits = Math.floor(rnd() * 9);
    const fracDigits = Math.floor(rnd() * 10);
    let s = intDigits === 0 ? '0' : String(Math.floor(rnd() * 10 ** intDigits));
    if (fracDigits > 0) {
      s += '.';
      for (let k = 0; k < fracDigits; k++) s += String(Math.floor(rnd() * 10));
    }
    if (rnd() < 0.1) s = `-${s}`;
    const got = dec(s);
    if (!Object.is(got, Number.parseFloat(s)))
      assert.fail(`${s}: got ${got}, parseFloat ${Number.parseFloat(s)}`);
  }
});

test('parseDecimal rejects what is not a number, where parseFloat would accept a prefix', () => {
  for (const s of ['', '-', '.', 'abc', '1.2.3', '12x', '1 2', '--1', 'NaN', 'Infinity']) {
    assert.ok(Number.isNaN(dec(s)), `'${s}' is NaN`);
  }
});

test('parseDecimal takes the fast path for up to 15 significant digits', () => {
  const before = decimalStats.slowPath;
  dec('67250.10000000');
  dec('0.00000001');
  dec('999999999999999');
  assert.equal(decimalStats.slowPath, before);
  dec('1234567890123456');
  assert.equal(decimalStats.slowPath, before + 1);
});

test('parseInteger: exact below 2^53, rejects non-digits', () => {
  const b = enc.encode('5102934401');
  assert.equal(parseInteger(b, 0, b.length), 5102934401);
  const big = enc.encode('9007199254740993');
  assert.equal(parseInteger(big, 0, big.length), Number.parseFloat('9007199254740993'));
  const bad = enc.encode('12a');
  assert.ok(Number.isNaN(parseInteger(bad, 0, bad.length)));
  assert.ok(Number.isNaN(parseInteger(bad, 0, 0)));
});
