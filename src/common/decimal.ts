/**
 * Decimal and integer parsing straight from ASCII bytes, for decoders that must not build strings
 * on the hot path. `parseDecimal` returns exactly the double `parseFloat` gives for the same text:
 * with at most 15 significant digits the digits form an integer m < 2^53 and the scale 10^k
 * (k ≤ 22) is exact, so m / 10^k (or m * 10^k) is one correctly rounded IEEE operation (Clinger's
 * fast path) — with an exponent too (`1e-8`, `6.725010e4`: k is the fraction digits less the
 * exponent). Longer numbers, larger scales and anything unusual fall back to `parseFloat` on a
 * decoded substring — correct, just slower.
 *
 * The `…To` variants write the value into a caller's Float64Array and return whether it parsed:
 * a double returned from a function that is not inlined is boxed on the heap, which on a hot
 * path of millions of numbers a second is what the garbage collector would be busy with.
 */

const POW10: readonly number[] = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

const latin1 = new TextDecoder('latin1');

/** Counts how often the slow path ran; a test and the benchmark read it. */
export const decimalStats = { slowPath: 0 };

function slow(bytes: Uint8Array, start: number, end: number): number {
  decimalStats.slowPath++;
  const text = latin1.decode(bytes.subarray(start, end));
  // parseFloat accepts trailing garbage ("1.5x" → 1.5); a strict number must not.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number.NaN;
  return Number.parseFloat(text);
}

/**
 * Parses a JSON-style decimal ("-123.4500", "0.00000001", "1e-8") in bytes[start, end).
 * Returns NaN if the text is not a number.
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  return parseDecimalTo(bytes, start, end, scratch) ? scratch[0]! : Number.NaN;
}

const scratch = new Float64Array(1);

/** parseDecimal into out[0]; false (out untouched) if the text is not a number. */
export function parseDecimalTo(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Float64Array,
  slot = 0,
): boolean {
  let i = start;
  if (i >= end) return false;
  let neg = false;
  let c = bytes[i]!;
  if (c === 0x2d) {
    neg = true;
    i++;
  } else if (c === 0x2b) {
    i++;
  }
  let mant = 0;
  let digits = 0; // significant digits in mant (from the first non-zero digit on)
  let scale = 0; // digits after the decimal point, leading zeros included
  let sawDigit = false;
  let sawPoint = false;
  for (; i < end; i++) {
    c = bytes[i]!;
    if (c >= 0x30 && c <= 0x39) {
      sawDigit = true;
      if (sawPoint) scale++;
      if (digits === 0 && c === 0x30) continue; // leading zero: not significant
      if (digits === 15) return slowTo(bytes, start, end, out, slot);
      mant = mant * 10 + (c - 0x30);
      digits++;
    } else if (c === 0x2e && !sawPoint) {
      sawPoint = true;
    } else if ((c === 0x65 || c === 0x45) && sawDigit) {
      // An exponent (1e-8, 6.7250e4): the same one correctly rounded operation, on scale − exp.
      i++;
      let expNeg = false;
      if (i < end && (bytes[i] === 0x2d || bytes[i] === 0x2b)) expNeg = bytes[i++] === 0x2d;
      const d0 = i;
      let exp = 0;
      for (; i < end; i++) {
        const x = bytes[i]! - 0x30;
        if (x < 0 || x > 9) return false; // not a number (a sign, a point or junk after the exponent)
        if (exp < 1000) exp = exp * 10 + x;
      }
      if (i === d0) return false;
      scale -= expNeg ? -exp : exp;
      break;
    } else {
      return slowTo(bytes, start, end, out, slot); // a second point, garbage
    }
  }
  if (!sawDigit) return slowTo(bytes, start, end, out, slot);
  let value: number;
  if (mant === 0) value = 0;
  else if (scale >= 0 && scale <= 22) value = scale > 0 ? mant / POW10[scale]! : mant;
  else if (scale < 0 && scale >= -22) value = mant * POW10[-scale]!;
  else return slowTo(bytes, start, end, out, slot);
  out[slot] = neg ? -value : value;
  return true;
}

function slowTo(bytes: Uint8Array, start: number, end: number, out: Float64Array, slot: number): boolean {
  const v = slow(bytes, start, end);
  if (Number.isNaN(v)) return false;
  out[slot] = v;
  return true;
}

/**
 * Parses a JSON integer in bytes[start, end) exactly when it is below 2^53 in magnitude; larger
 * values go through the slow path. Returns NaN if the text is not an integer.
 */
export function parseInteger(bytes: Uint8Array, start: number, end: number): number {
  return parseIntegerTo(bytes, start, end, scratch) ? scratch[0]! : Number.NaN;
}

/** parseInteger into out[0]; false if the text is not an integer. */
export function parseIntegerTo(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Float64Array,
  slot = 0,
): boolean {
  if (start >= end) return false;
  let neg = false;
  let i = start;
  if (bytes[i] === 0x2d) {
    neg = true;
    i++;
    if (i >= end) return false;
  }
  let v = 0;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) return false;
    v = v * 10 + (c - 0x30);
  }
  if (v > Number.MAX_SAFE_INTEGER) return slowTo(bytes, start, end, out, slot);
  out[slot] = neg ? -v : v;
  return true;
}
