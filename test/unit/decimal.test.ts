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

test('exponent forms (1e-8, 6.725010e4, 5.102934401E+9) equal parseFloat, a million at random', () => {
  for (const s of [
    '1e-8',
    '1E8',
    '6.725010e4',
    '-4.1e-1',
    '0e0',
    '-0e5',
    '0.0E-3',
    '1e22',
    '1e-22',
    '5e-324',
    '1e308',
    '1e309',
    '-1.5E+400',
    '1e-400',
    '123456789012345e7',
    '1.e5',
  ])
    assert.equal(Object.is(dec(s), Number.parseFloat(s)), true, s);
  let seed = 54321;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < 1_000_000; i++) {
    const n = 1 + Math.floor(rnd() * 18);
    let digits = '';
    for (let k = 0; k < n; k++) digits += String(Math.floor(rnd() * 10));
    const point = Math.floor(rnd() * n);
    let s = `${digits.slice(0, point) || '0'}${point < n ? `.${digits.slice(point)}` : ''}`;
    const exp = Math.floor(rnd() * 61) - 30;
    s += `${rnd() < 0.5 ? 'e' : 'E'}${exp >= 0 && rnd() < 0.5 ? '+' : ''}${exp}`;
    if (rnd() < 0.1) s = `-${s}`;
    const got = dec(s);
    if (!Object.is(got, Number.parseFloat(s)))
      assert.fail(`${s}: got ${got}, parseFloat ${Number.parseFloat(s)}`);
  }
  // Exponent junk is refused, not read as a prefix.
  for (const s of ['1e', '1e+', '1e-', '1e5x', '1e5.5', '1e+-5', 'e5', '1ee5'])
    assert.ok(Number.isNaN(dec(s)), s);
  // Within 15 significant digits and 22 powers of ten, no string is built for them either.
  const before = decimalStats.slowPath;
  for (const s of ['1e-8', '6.725010e4', '5.102934401E+9', '0.41000000e0', '4.1E-1']) dec(s);
  assert.equal(decimalStats.slowPath, before);
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
