/**
 * Decodes Binance spot market-stream frames from raw bytes, without JSON.parse and without
 * allocating: the result lands in a caller-owned `BinanceMessage`, the symbol as a byte range.
 *
 * Handles the raw form (`{"e":"trade",…}`), the combined form (`{"stream":…,"data":{…}}`),
 * control replies (`{"result":…,"id":…}`), errors (`{"error":{…},"id":…}`) and `serverShutdown`.
 * The scanner walks one JSON object level by level; nested objects other than `data` and arrays
 * are skipped with string-aware bracket matching. Anything that is not well-formed for what it
 * claims to be is reported as malformed with a reason, never thrown.
 */
import { parseDecimalTo, parseIntegerTo } from '../../common/decimal.ts';

export const MessageKind = {
  malformed: 0,
  trade: 1,
  /** SUBSCRIBE/UNSUBSCRIBE/… reply. */
  result: 2,
  error: 3,
  serverShutdown: 4,
  /** A well-formed event this decoder does not turn into records (yet). */
  other: 5,
} as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

export const Malformed = {
  none: 0,
  notObject: 1,
  badSyntax: 2,
  missingField: 3,
  badNumber: 4,
  badType: 5,
} as const;
export const MALFORMED_NAMES = [
  'none',
  'not a JSON object',
  'bad JSON syntax',
  'missing field',
  'bad number',
  'wrong field type',
];

export interface BinanceMessage {
  kind: MessageKind;
  malformed: number;
  symStart: number;
  symEnd: number;
  tradeId: number;
  price: number;
  quantity: number;
  /** T: trade (match) time, in the stream's time unit. */
  tradeTime: number;
  /** E: event time, in the stream's time unit. */
  eventTime: number;
  buyerMaker: boolean;
  /** Request id of a result/error reply; NaN if null or not an integer. */
  id: number;
}

export function createBinanceMessage(): BinanceMessage {
  return {
    kind: MessageKind.malformed,
    malformed: Malformed.none,
    symStart: 0,
    symEnd: 0,
    tradeId: 0,
    price: 0,
    quantity: 0,
    tradeTime: 0,
    eventTime: 0,
    buyerMaker: false,
    id: Number.NaN,
  };
}

const Q = 0x22; // "
const BS = 0x5c; // \
const LB = 0x7b; // {
const RB = 0x7d; // }
const LS = 0x5b; // [
const RS = 0x5d; // ]
const COLON = 0x3a;
const COMMA = 0x2c;

// Fields seen, as bits.
const F_E = 1;
const F_EV = 2;
const F_S = 4;
const F_T = 8;
const F_P = 16;
const F_Q = 32;
const F_TT = 64;
const F_M = 128;
const TRADE_FIELDS = F_E | F_EV | F_S | F_T | F_P | F_Q | F_TT | F_M;

// Values of "e" we recognise.
const EV_NONE = 0;
const EV_TRADE = 1;
const EV_SHUTDOWN = 2;
const EV_OTHER = 3;

/** Scanner state; module-level so decoding allocates nothing. */
let b: Uint8Array = new Uint8Array(0);
let n = 0;
let pos = 0;
let failed = 0;
let seen = 0;
let ev = EV_NONE;
let sawResult = false;
let sawError = false;

function ws(): void {
  while (pos < n) {
    const c = b[pos]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
    else break;
  }
}

function fail(reason: number): void {
  if (failed === 0) failed = reason;
}

/** At an opening quote: returns the content end index and leaves pos after the closing quote. */
function stringEnd(): number {
  pos++;
  while (pos < n) {
    const c = b[pos]!;
    if (c === Q) {
      const end = pos;
      pos++;
      return end;
    }
    if (c === BS) {
      const e = b[pos + 1];
      if (e === 0x75) {
        // \uXXXX
        for (let k = 2; k < 6; k++) if (!isHex(b[pos + k])) return badString();
        pos += 6;
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
        pos += 2;
      } else return badString();
    } else if (c < 0x20) {
      fail(Malformed.badSyntax);
      return pos;
    } else pos++;
  }
  fail(Malformed.badSyntax);
  return pos;
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

function badString(): number {
  fail(Malformed.badSyntax);
  pos = n;
  return n;
}

/** True if bytes[s, e) is a JSON number (RFC 8259 grammar). */
function isJsonNumber(s: number, e: number): boolean {
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

/**
 * After a member of an object or array: true at a comma (another member follows), false at the
 * closing bracket (consumed) or on bad syntax (reported).
 */
function nextMember(close: number): boolean {
  ws();
  const d = b[pos];
  if (d === COMMA) {
    pos++;
    return true;
  }
  if (d === close) pos++;
  else fail(Malformed.badSyntax);
  return false;
}

/** Nesting deeper than this is refused (a hostile frame must not blow the stack). */
const MAX_DEPTH = 32;

/** Skips any JSON value at pos, validating its syntax. */
function skipValue(depth = 0): void {
  ws();
  if (pos >= n) {
    fail(Malformed.badSyntax);
    return;
  }
  if (depth > MAX_DEPTH) {
    fail(Malformed.badSyntax);
    return;
  }
  const c = b[pos]!;
  if (c === Q) {
    stringEnd();
    return;
  }
  if (c === LB || c === LS) {
    const close = c === LB ? RB : RS;
    pos++;
    ws();
    if (b[pos] === close) {
      pos++;
      return;
    }
    while (pos < n && failed === 0) {
      if (c === LB) {
        ws();
        if (b[pos] !== Q) {
          fail(Malformed.badSyntax);
          return;
        }
        stringEnd();
        ws();
        if (b[pos] !== COLON) {
          fail(Malformed.badSyntax);
          return;
        }
        pos++;
      }
      skipValue(depth + 1);
      if (failed !== 0 || !nextMember(close)) return;
    }
    fail(Malformed.badSyntax);
    return;
  }
  // number or literal
  const start = pos;
  const end = tokenEnd();
  if (!isLiteral(start, end, 'true') && !isLiteral(start, end, 'false') && !isLiteral(start, end, 'null')) {
    if (!isJsonNumber(start, end)) fail(Malformed.badSyntax);
  }
}

/** Where number fields land while decoding: returning doubles would box them on the heap. */
const num = new Float64Array(1);

/**
 * Reads a non-negative integer field (ids, times) into num[0]. Venues write plain digits; any
 * other valid JSON spelling of a safe integer (1.5e3) takes a slow path. False if it is not one.
 */
function intField(): boolean {
  const s = pos;
  const e = tokenEnd();
  if (!isJsonNumber(s, e)) return false;
  if (parseIntegerTo(b, s, e, num)) return num[0]! >= 0;
  const slow = Number(latin1.decode(b.subarray(s, e)));
  if (!Number.isSafeInteger(slow) || slow < 0) return false;
  num[0] = slow;
  return true;
}

const latin1 = new TextDecoder('latin1');

/** Reads a scalar token (number/literal) and returns its end; pos moves past it. */
function tokenEnd(): number {
  while (pos < n) {
    const d = b[pos]!;
    if (d === COMMA || d === RB || d === RS || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
    pos++;
  }
  return pos;
}

function keyIs(ks: number, ke: number, k0: number, k1 = -1, k2 = -1, k3 = -1, k4 = -1, k5 = -1): boolean {
  const len = ke - ks;
  const want = k1 < 0 ? 1 : k2 < 0 ? 2 : k3 < 0 ? 3 : k4 < 0 ? 4 : k5 < 0 ? 5 : 6;
  if (len !== want) return false;
  if (b[ks] !== k0) return false;
  if (len > 1 && b[ks + 1] !== k1) return false;
  if (len > 2 && b[ks + 2] !== k2) return false;
  if (len > 3 && b[ks + 3] !== k3) return false;
  if (len > 4 && b[ks + 4] !== k4) return false;
  if (len > 5 && b[ks + 5] !== k5) return false;
  return true;
}

function isLiteral(s: number, e: number, lit: string): boolean {
  if (e - s !== lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (b[s + i] !== lit.charCodeAt(i)) return false;
  return true;
}

/** Parses one object's fields into `out`; `top` allows the combined wrapper's keys. */
function parseObject(out: BinanceMessage, top: boolean): void {
  ws();
  if (pos >= n || b[pos] !== LB) {
    fail(top ? Malformed.notObject : Malformed.badType);
    return;
  }
  pos++;
  ws();
  if (b[pos] === RB) {
    pos++;
    return;
  }
  while (pos < n && failed === 0) {
    ws();
    if (b[pos] !== Q) {
      fail(Malformed.badSyntax);
      return;
    }
    const ks = pos + 1;
    const ke = stringEnd();
    ws();
    if (b[pos] !== COLON) {
      fail(Malformed.badSyntax);
      return;
    }
    pos++;
    ws();
    if (pos >= n) {
      fail(Malformed.badSyntax);
      return;
    }
    const c = b[pos]!;
    const len = ke - ks;
    if (len === 1) {
      const k = b[ks]!;
      switch (k) {
        case 0x65: {
          // e
          if (c !== Q) {
            fail(Malformed.badType);
            return;
          }
          const vs = pos + 1;
          const ve = stringEnd();
          seen |= F_E;
          ev = isLiteral(vs, ve, 'trade')
            ? EV_TRADE
            : isLiteral(vs, ve, 'serverShutdown')
              ? EV_SHUTDOWN
              : EV_OTHER;
          break;
        }
        case 0x45: // E
          if (!intField()) {
            fail(Malformed.badNumber);
            return;
          }
          out.eventTime = num[0]!;
          seen |= F_EV;
          break;
        case 0x73: // s
          if (c !== Q) {
            fail(Malformed.badType);
            return;
          }
          out.symStart = pos + 1;
          out.symEnd = stringEnd();
          // Symbols are interned by their raw bytes; an escaped one would intern a different key.
          for (let k = out.symStart; k < out.symEnd; k++)
            if (b[k] === BS) {
              fail(Malformed.badType);
              return;
            }
          seen |= F_S;
          break;
        case 0x74: // t
          if (!intField()) {
            fail(Malformed.badNumber);
            return;
          }
          out.tradeId = num[0]!;
          seen |= F_T;
          break;
        case 0x70: // p
        case 0x71: {
          // q
          if (c !== Q) {
            fail(Malformed.badType);
            return;
          }
          const vs = pos + 1;
          const ve = stringEnd();
          if (!parseDecimalTo(b, vs, ve, num)) {
            fail(Malformed.badNumber);
            return;
          }
          if (k === 0x70) {
            out.price = num[0]!;
            seen |= F_P;
          } else {
            out.quantity = num[0]!;
            seen |= F_Q;
          }
          break;
        }
        case 0x54: // T
          if (!intField()) {
            fail(Malformed.badNumber);
            return;
          }
          out.tradeTime = num[0]!;
          seen |= F_TT;
          break;
        case 0x6d: {
          // m
          const vs = pos;
          const ve = tokenEnd();
          if (isLiteral(vs, ve, 'true')) out.buyerMaker = true;
          else if (isLiteral(vs, ve, 'false')) out.buyerMaker = false;
          else {
            fail(Malformed.badType);
            return;
          }
          seen |= F_M;
          break;
        }
        default:
          skipValue();
      }
    } else if (top && keyIs(ks, ke, 0x64, 0x61, 0x74, 0x61)) {
      // "data": the combined stream's event
      if (c !== LB) {
        fail(Malformed.badType);
        return;
      }
      parseObject(out, false);
    } else if (top && keyIs(ks, ke, 0x72, 0x65, 0x73, 0x75, 0x6c, 0x74)) {
      sawResult = true; // "result"
      skipValue();
    } else if (top && keyIs(ks, ke, 0x65, 0x72, 0x72, 0x6f, 0x72)) {
      sawError = true; // "error"
      skipValue();
    } else if (top && keyIs(ks, ke, 0x69, 0x64)) {
      // "id"
      const vs = pos;
      skipValue();
      out.id = c !== Q && parseIntegerTo(b, vs, pos, num) ? num[0]! : Number.NaN;
    } else {
      skipValue();
    }
    if (failed !== 0 || !nextMember(RB)) return;
  }
  fail(Malformed.badSyntax);
}

/** Decodes bytes[0, length) into out and returns its kind. */
export function decodeBinance(bytes: Uint8Array, length: number, out: BinanceMessage): MessageKind {
  b = bytes;
  n = length;
  pos = 0;
  failed = 0;
  seen = 0;
  ev = EV_NONE;
  sawResult = false;
  sawError = false;
  out.malformed = Malformed.none;
  out.id = Number.NaN;
  parseObject(out, true);
  if (failed === 0) {
    ws();
    if (pos !== n) fail(Malformed.badSyntax);
  }
  b = EMPTY; // do not keep the caller's buffer alive
  if (failed !== 0) {
    out.malformed = failed;
    out.kind = MessageKind.malformed;
  } else if (ev === EV_TRADE) {
    if ((seen & TRADE_FIELDS) !== TRADE_FIELDS) {
      out.malformed = Malformed.missingField;
      out.kind = MessageKind.malformed;
    } else out.kind = MessageKind.trade;
  } else if (ev === EV_SHUTDOWN) out.kind = MessageKind.serverShutdown;
  else if (sawError) out.kind = MessageKind.error;
  else if (sawResult) out.kind = MessageKind.result;
  else out.kind = MessageKind.other;
  return out.kind;
}

const EMPTY = new Uint8Array(0);
