/**
 * A zero-allocation pull scanner over the raw bytes of one JSON text, the shared base of the
 * venue decoders. The decoder walks the document it expects (`enterObject`/`nextKey`,
 * `enterArray`/`nextItem`) and reads values in place: strings as byte ranges, numbers (quoted or
 * bare) straight into a Float64Array slot. Anything else is skipped with full syntax validation.
 * Errors never throw: the first one is remembered in `failed` and every later call is a no-op, so a
 * decoder can read straight through and check once at the end.
 *
 * Why not JSON.parse: it builds an object, strings and boxed numbers for every message; at
 * millions of messages a second that garbage is what the collector would spend its time on.
 */
import { parseDecimalTo, parseIntegerTo } from '../../common/decimal.ts';

export const ScanError = {
  none: 0,
  notObject: 1,
  badSyntax: 2,
  missingField: 3,
  badNumber: 4,
  badType: 5,
  tooDeep: 6,
  tooLarge: 7,
  /** An escaped key, or an escaped value where only a plain one can be read (a time, a lone surrogate in a symbol). */
  escaped: 8,
  /** A member repeated where JSON.parse's "last one wins" cannot be honoured (level arrays). */
  duplicateKey: 9,
} as const;
export const SCAN_ERROR_NAMES = [
  'none',
  'not a JSON object',
  'bad JSON syntax',
  'missing field',
  'bad number',
  'wrong field type',
  'nested too deeply',
  'too many items',
  'escaped key or value',
  'duplicate key',
];

const Q = 0x22;
const BS = 0x5c;
const LB = 0x7b;
const RB = 0x7d;
const LS = 0x5b;
const RS = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * Where strings with escapes are written decoded (UTF-8), for a caller that needs their bytes
 * (symbols are interned by bytes): a buffer the caller owns and grows, and how much of it is used.
 */
export interface ByteSink {
  unescaped: Uint8Array;
  unescapedLen: number;
}
/** A string range at or above this lies in the ByteSink (less UNESCAPED), not in the frame. */
export const UNESCAPED = 1 << 30;

/** Nesting deeper than this is refused: a hostile frame must not cost unbounded work or stack. */
const MAX_DEPTH = 32;

/** Encodes a key or literal once, at module load, for `keyIs`/`strIs`. */
export function lit(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const TRUE = lit('true');
const FALSE = lit('false');
const NULL = lit('null');
const latin1 = new TextDecoder('latin1');

export class JsonScanner {
  b: Uint8Array = new Uint8Array(0);
  n = 0;
  pos = 0;
  failed = 0;
  /** Current key's content range (after nextKey). */
  ks = 0;
  ke = 0;
  /** Last string value's content range (after str()). */
  vs = 0;
  ve = 0;
  /** The last string read (key or value) contains escapes. */
  escaped = false;
  /**
   * Digits after the decimal point of the last number read, once written out positionally
   * (`0.10` 2, `1e-8` 8, `6.7250e4` 0): what a checksum that prints the number as sent needs.
   */
  frac = 0;
  /** Numbers land here: returning doubles from a non-inlined call would box them. */
  readonly num = new Float64Array(4);
  private depth = 0;
  /** Per nesting level: 1 while no member has been read yet. */
  private readonly first = new Uint8Array(MAX_DEPTH + 2);

  reset(bytes: Uint8Array, length: number): void {
    this.b = bytes;
    this.n = length;
    this.pos = 0;
    this.failed = 0;
    this.depth = 0;
  }

  /** Drops the reference to the caller's buffer. */
  release(): void {
    this.b = EMPTY;
    this.n = 0;
  }

  fail(reason: number): void {
    if (this.failed === 0) this.failed = reason;
    this.pos = this.n;
  }

  ws(): void {
    const b = this.b;
    let p = this.pos;
    const n = this.n;
    while (p < n) {
      const c = b[p]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  /** The next significant byte (or -1 at the end) without consuming it. */
  peek(): number {
    this.ws();
    return this.pos < this.n ? this.b[this.pos]! : -1;
  }

  /** True when only whitespace remains (call after the top-level value). */
  atEnd(): boolean {
    this.ws();
    return this.pos === this.n;
  }

  enterObject(): boolean {
    return this.enter(LB);
  }

  enterArray(): boolean {
    return this.enter(LS);
  }

  private enter(open: number): boolean {
    if (this.failed !== 0) return false;
    this.ws();
    if (this.pos >= this.n || this.b[this.pos] !== open) {
      this.fail(this.depth === 0 && open === LB ? ScanError.notObject : ScanError.badType);
      return false;
    }
    if (this.depth >= MAX_DEPTH) {
      this.fail(ScanError.tooDeep);
      return false;
    }
    this.pos++;
    this.depth++;
    this.first[this.depth] = 1;
    return true;
  }

  /**
   * Moves to the next member of the current object: true with the key in [ks, ke) and pos at its
   * value; false at the closing brace (consumed) or on error.
   */
  nextKey(): boolean {
    if (!this.beforeMember(RB)) return false;
    const b = this.b;
    if (b[this.pos] !== Q) {
      this.fail(ScanError.badSyntax);
      return false;
    }
    this.ks = this.pos + 1;
    this.ke = this.stringEnd();
    if (this.escaped) {
      // Venues never escape keys; matching one would need decoding, ignoring it could misread.
      this.fail(ScanError.escaped);
      return false;
    }
    this.ws();
    if (b[this.pos] !== COLON) {
      this.fail(ScanError.badSyntax);
      return false;
    }
    this.pos++;
    this.ws();
    if (this.pos >= this.n) {
      this.fail(ScanError.badSyntax);
      return false;
    }
    return this.failed === 0;
  }

  /** Moves to the next element of the current array: true at a value, false at `]` or on error. */
  nextItem(): boolean {
    return this.beforeMember(RS);
  }

  private beforeMember(close: number): boolean {
    if (this.failed !== 0) return false;
    this.ws();
    const b = this.b;
    const d = this.depth;
    if (this.pos >= this.n) {
      this.fail(ScanError.badSyntax);
      return false;
    }
    if (b[this.pos] === close) {
      this.pos++;
      this.depth--;
      return false;
    }
    if (this.first[d] === 1) this.first[d] = 0;
    else if (b[this.pos] === COMMA) {
      this.pos++;
      this.ws();
      if (b[this.pos] === close) {
        this.fail(ScanError.badSyntax); // trailing comma
        return false;
      }
    } else {
      this.fail(ScanError.badSyntax);
      return false;
    }
    return true;
  }

  keyIs(k: Uint8Array): boolean {
    const len = k.length;
    if (this.ke - this.ks !== len) return false;
    const b = this.b;
    const s = this.ks;
    for (let i = 0; i < len; i++) if (b[s + i] !== k[i]) return false;
    return true;
  }

  /** Key of length 1 equal to the char code c (the common case for venue fields). */
  key1(c: number): boolean {
    return this.ke - this.ks === 1 && this.b[this.ks] === c;
  }

  /** Reads a string value into [vs, ve) (raw bytes, escapes left in place). */
  str(): boolean {
    if (this.failed !== 0) return false;
    this.ws();
    if (this.b[this.pos] !== Q) {
      this.fail(ScanError.badType);
      return false;
    }
    this.vs = this.pos + 1;
    this.ve = this.stringEnd();
    return this.failed === 0;
  }

  /**
   * A string that names something (symbols are interned by their bytes): [vs, ve) is its content
   * in the frame, or, when it has escapes (`BTC\/USD`, `\u0042TC`), UNESCAPED + where it was
   * written decoded in `sink`, so that both spellings are the same bytes. A lone surrogate, which
   * no UTF-8 can hold, is refused as escaped.
   */
  symbol(sink: ByteSink): boolean {
    if (!this.str()) return false;
    if (!this.escaped) return true;
    const need = sink.unescapedLen + (this.ve - this.vs);
    if (need > sink.unescaped.length) {
      const next = new Uint8Array(Math.max(need, sink.unescaped.length * 2));
      next.set(sink.unescaped.subarray(0, sink.unescapedLen));
      sink.unescaped = next;
    }
    const at = sink.unescapedLen;
    const end = this.unescapeInto(sink.unescaped, at);
    if (end < 0) {
      this.fail(ScanError.escaped);
      return false;
    }
    sink.unescapedLen = end;
    this.vs = UNESCAPED + at;
    this.ve = UNESCAPED + end;
    return true;
  }

  /** Decodes the last string value into out[at..] as UTF-8 (never longer); the end, or -1. */
  private unescapeInto(out: Uint8Array, at: number): number {
    const b = this.b;
    const e = this.ve;
    let i = this.vs;
    let o = at;
    while (i < e) {
      let c = b[i]!;
      if (c !== BS) {
        out[o++] = c;
        i++;
        continue;
      }
      const x = b[i + 1]!;
      if (x !== 0x75) {
        c = x === 0x62 ? 8 : x === 0x66 ? 12 : x === 0x6e ? 10 : x === 0x72 ? 13 : x === 0x74 ? 9 : x;
        out[o++] = c;
        i += 2;
        continue;
      }
      c = hex4(b, i + 2);
      i += 6;
      if (c >= 0xd800 && c <= 0xdbff) {
        // A surrogate pair, as \uD83D\uDE00: one code point of four UTF-8 bytes.
        if (i + 6 > e || b[i] !== BS || b[i + 1] !== 0x75) return -1;
        const lo = hex4(b, i + 2);
        if (lo < 0xdc00 || lo > 0xdfff) return -1;
        i += 6;
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
      } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
      if (c < 0x80) out[o++] = c;
      else if (c < 0x800) {
        out[o++] = 0xc0 | (c >> 6);
        out[o++] = 0x80 | (c & 0x3f);
      } else if (c < 0x10000) {
        out[o++] = 0xe0 | (c >> 12);
        out[o++] = 0x80 | ((c >> 6) & 0x3f);
        out[o++] = 0x80 | (c & 0x3f);
      } else {
        out[o++] = 0xf0 | (c >> 18);
        out[o++] = 0x80 | ((c >> 12) & 0x3f);
        out[o++] = 0x80 | ((c >> 6) & 0x3f);
        out[o++] = 0x80 | (c & 0x3f);
      }
    }
    return o;
  }

  /** The last string value equals the literal k (escapes decoded: "p\u006fng" is "pong"). */
  strIs(k: Uint8Array): boolean {
    if (this.escaped) return this.escapedIs(k, false);
    const len = k.length;
    if (this.ve - this.vs !== len) return false;
    const b = this.b;
    const s = this.vs;
    for (let i = 0; i < len; i++) if (b[s + i] !== k[i]) return false;
    return true;
  }

  /**
   * Reads a decimal, quoted ("67250.10") or bare (67250.1), into num[slot]; sets `frac`. Exactly
   * parseFloat's double (see decimal.ts).
   */
  decimal(slot: number): boolean {
    if (this.failed !== 0) return false;
    this.ws();
    const b = this.b;
    let s: number;
    let e: number;
    if (b[this.pos] === Q) {
      s = this.pos + 1;
      e = this.stringEnd();
      if (this.failed !== 0) return false;
    } else {
      s = this.pos;
      e = this.tokenEnd();
      if (!this.isJsonNumber(s, e)) {
        this.fail(ScanError.badNumber);
        return false;
      }
    }
    // Finite only: "1e309" is valid JSON but no price or size.
    if (!parseDecimalTo(b, s, e, this.num, slot) || !Number.isFinite(this.num[slot]!)) {
      this.fail(ScanError.badNumber);
      return false;
    }
    this.frac = fractionDigits(b, s, e);
    return true;
  }

  /**
   * Reads an integer, quoted or bare, into num[slot]. Exact below 2^53; larger ids (Bybit's
   * 19-digit trade ids) are kept as the nearest double. Any JSON number whose value is an integer
   * counts (`1.5e3`, `"1.784107800846e12"`), as Number() would read it.
   */
  integer(slot: number): boolean {
    if (this.failed !== 0) return false;
    this.ws();
    const b = this.b;
    let s: number;
    let e: number;
    const bare = b[this.pos] !== Q;
    if (!bare) {
      s = this.pos + 1;
      e = this.stringEnd();
      if (this.failed !== 0) return false;
    } else {
      s = this.pos;
      e = this.tokenEnd();
    }
    if (parseIntegerTo(b, s, e, this.num, slot)) {
      const d = b[s] === 0x2d ? s + 1 : s;
      // Bare "0123" is not JSON; 400 digits overflow to Infinity.
      if ((bare && b[d] === 0x30 && e - d > 1) || !Number.isFinite(this.num[slot]!)) {
        this.fail(ScanError.badNumber);
        return false;
      }
      return true;
    }
    // 1.5e3, 1.0 and friends: valid JSON, rare; exact (parseFloat's double) or refused.
    if (
      this.isJsonNumber(s, e) &&
      parseDecimalTo(b, s, e, this.num, slot) &&
      Number.isInteger(this.num[slot]!)
    )
      return true;
    this.fail(ScanError.badNumber);
    return false;
  }

  /** The last string value starts with the literal k. */
  strStarts(k: Uint8Array): boolean {
    if (this.escaped) return this.escapedIs(k, true);
    const len = k.length;
    if (this.ve - this.vs < len) return false;
    const b = this.b;
    const s = this.vs;
    for (let i = 0; i < len; i++) if (b[s + i] !== k[i]) return false;
    return true;
  }

  /** strIs/strStarts on a value with escapes, decoding as it compares (literals are ASCII). */
  private escapedIs(k: Uint8Array, prefix: boolean): boolean {
    const b = this.b;
    const e = this.ve;
    let i = this.vs;
    let j = 0;
    while (i < e) {
      if (j === k.length) return prefix;
      let c = b[i]!;
      if (c === BS) {
        const x = b[i + 1]!;
        if (x === 0x75) {
          c = 0;
          for (let h = i + 2; h < i + 6; h++) {
            const d = b[h]!;
            c = c * 16 + (d <= 0x39 ? d - 0x30 : (d | 0x20) - 0x57);
          }
          i += 6;
        } else {
          c = x === 0x62 ? 8 : x === 0x66 ? 12 : x === 0x6e ? 10 : x === 0x72 ? 13 : x === 0x74 ? 9 : x;
          i += 2;
        }
      } else i++;
      if (c !== k[j]) return false;
      j++;
    }
    return j === k.length;
  }

  /** Reads true/false; returns the value (false on error, with `failed` set). */
  bool(): boolean {
    if (this.failed !== 0) return false;
    this.ws();
    const s = this.pos;
    const e = this.tokenEnd();
    if (this.rangeIs(s, e, TRUE)) return true;
    if (!this.rangeIs(s, e, FALSE)) this.fail(ScanError.badType);
    return false;
  }

  /** True (and consumed) if the value is null. */
  isNull(): boolean {
    this.ws();
    if (this.b[this.pos] !== 0x6e) return false;
    const s = this.pos;
    const e = this.tokenEnd();
    if (this.rangeIs(s, e, NULL)) return true;
    this.fail(ScanError.badSyntax);
    return false;
  }

  /** Skips any JSON value, validating its syntax. */
  skip(): void {
    if (this.failed !== 0) return;
    this.ws();
    if (this.pos >= this.n) {
      this.fail(ScanError.badSyntax);
      return;
    }
    const c = this.b[this.pos]!;
    if (c === Q) {
      this.stringEnd();
      return;
    }
    if (c === LB) {
      if (this.enterObject()) while (this.nextKey()) this.skip();
      return;
    }
    if (c === LS) {
      if (this.enterArray()) while (this.nextItem()) this.skip();
      return;
    }
    const s = this.pos;
    const e = this.tokenEnd();
    if (!this.rangeIs(s, e, TRUE) && !this.rangeIs(s, e, FALSE) && !this.rangeIs(s, e, NULL)) {
      if (!this.isJsonNumber(s, e)) this.fail(ScanError.badSyntax);
    }
  }

  /** The current key as a string, for error messages only (allocates). */
  keyText(): string {
    return latin1.decode(this.b.subarray(this.ks, this.ke));
  }

  private rangeIs(s: number, e: number, k: Uint8Array): boolean {
    if (e - s !== k.length) return false;
    for (let i = 0; i < k.length; i++) if (this.b[s + i] !== k[i]) return false;
    return true;
  }

  /** At an opening quote: returns the content end; pos moves after the closing quote. */
  private stringEnd(): number {
    const b = this.b;
    const n = this.n;
    let p = this.pos + 1;
    this.escaped = false;
    while (p < n) {
      const c = b[p]!;
      if (c === Q) {
        this.pos = p + 1;
        return p;
      }
      if (c === BS) {
        this.escaped = true;
        const e = b[p + 1];
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) if (!isHex(b[p + k])) return this.badString();
          p += 6;
        } else if (
          e === Q ||
          e === BS ||
          e === 0x2f ||
          e === 0x62 ||
          e === 0x66 ||
          e === 0x6e ||
          e === 0x72 ||
          e === 0x74
        ) {
          p += 2;
        } else return this.badString();
      } else if (c < 0x20) return this.badString();
      else p++;
    }
    return this.badString();
  }

  private badString(): number {
    this.fail(ScanError.badSyntax);
    return this.n;
  }

  private tokenEnd(): number {
    const b = this.b;
    const n = this.n;
    let p = this.pos;
    while (p < n) {
      const d = b[p]!;
      if (d === COMMA || d === RB || d === RS || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
      p++;
    }
    this.pos = p;
    return p;
  }

  /** RFC 8259 number grammar on bytes[s, e). */
  private isJsonNumber(s: number, e: number): boolean {
    const b = this.b;
    let i = s;
    if (b[i] === 0x2d) i++;
    if (i >= e) return false;
    if (b[i] === 0x30) i++;
    else if (b[i]! >= 0x31 && b[i]! <= 0x39) while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
    else return false;
    if (i < e && b[i] === 0x2e) {
      i++;
      const d = i;
      while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
      if (i === d) return false;
    }
    if (i < e && (b[i] === 0x65 || b[i] === 0x45)) {
      i++;
      if (i < e && (b[i] === 0x2b || b[i] === 0x2d)) i++;
      const d = i;
      while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
      if (i === d) return false;
    }
    return i === e;
  }
}

/**
 * Fraction digits of the number text in b[s, e) written out positionally: those after the point,
 * less a positive exponent, plus a negative one (at most 255).
 */
function fractionDigits(b: Uint8Array, s: number, e: number): number {
  let f = 0;
  let i = s;
  while (i < e && b[i] !== 0x2e && (b[i]! | 0x20) !== 0x65) i++;
  if (i < e && b[i] === 0x2e) {
    i++;
    while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39) {
      f++;
      i++;
    }
  }
  if (i < e && (b[i]! | 0x20) === 0x65) {
    i++;
    const neg = b[i] === 0x2d;
    if (neg || b[i] === 0x2b) i++;
    let x = 0;
    while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39 && x < 1000) x = x * 10 + (b[i++]! - 0x30);
    f = neg ? f + x : f - x;
  }
  return f < 0 ? 0 : Math.min(f, 255);
}

/** The value of the four hex digits at b[at..] (checked by stringEnd). */
function hex4(b: Uint8Array, at: number): number {
  let c = 0;
  for (let h = at; h < at + 4; h++) {
    const d = b[h]!;
    c = c * 16 + (d <= 0x39 ? d - 0x30 : (d | 0x20) - 0x57);
  }
  return c;
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

const EMPTY = new Uint8Array(0);
