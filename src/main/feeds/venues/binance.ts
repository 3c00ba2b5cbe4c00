/**
 * Binance spot: decoding of combined (`{"stream":…,"data":{…}}`) and raw frames — trades,
 * diff-depth updates (U/u), bookTicker — control replies, errors and serverShutdown; and of the
 * REST depth snapshot. Sync rule (protocols/binance.md): buffer diffs, fetch the REST snapshot,
 * drop diffs with u ≤ lastUpdateId, the first applied must straddle lastUpdateId + 1, then each
 * U = previous u + 1.
 */
import { parseDecimalTo } from '../../../common/decimal.ts';
import { venueSpotSymbol } from '../../../common/instruments.ts';
import { Venue } from '../../../common/venues.ts';
import type { L2Book } from '../book/l2-book.ts';
import { JsonScanner, lit, ScanError } from '../json-scan.ts';
import { normaliseBinanceSymbol } from '../symbols.ts';
import { readPairArray, toMs } from './levels.ts';
import { type FeedMessage, MsgKind, Sec, T_ID, T_PRICE, T_QTY, T_SELL, T_TIME } from './message.ts';
import {
  type BookRule,
  chunks,
  nextRequestId,
  rootOr,
  SEQ_FIRST_MISSING,
  SEQ_MISSING,
  Seq,
  type SeqGap,
  type VenueSpec,
} from './venue-spec.ts';

const K_STREAM = lit('stream');
const K_DATA = lit('data');
const K_RESULT = lit('result');
const K_ERROR = lit('error');
const K_ID = lit('id');
const K_LAST_UPDATE_ID = lit('lastUpdateId');
const K_BIDS = lit('bids');
const K_ASKS = lit('asks');
const V_TRADE = lit('trade');
const V_DEPTH = lit('depthUpdate');
const V_SHUTDOWN = lit('serverShutdown');

const EV_NONE = 0;
const EV_TRADE = 1;
const EV_DEPTH = 2;
const EV_SHUTDOWN = 3;
const EV_OTHER = 4;

// Fields seen, as bits.
const F_E = 1;
const F_S = 2;
const F_T = 4;
const F_P = 8;
const F_Q = 16;
const F_TT = 32;
const F_M = 64;
const F_U1 = 128;
const F_U = 256;
const F_B = 512;
const F_A = 1024;
const F_BQ = 2048;
const F_AQ = 4096;
/** b/a as level arrays (a depth update) rather than numbers (a bookTicker). */
const F_BL = 8192;
const F_AL = 16384;
const TRADE_FIELDS = F_S | F_T | F_P | F_Q | F_TT | F_M;
const DEPTH_FIELDS = F_S | F_U1 | F_U | F_BL | F_AL;
const TICKER_FIELDS = F_S | F_U | F_B | F_BQ | F_A | F_AQ;

/** Scratch for one event's scalars (a module array: no boxing, no allocation). */
const f = new Float64Array(12);
const X_E = 0;
const X_T = 1;
const X_P = 2;
const X_Q = 3;
const X_TT = 4;
const X_U1 = 5;
const X_U = 6;
const X_B = 7;
const X_BQ = 8;
const X_A = 9;
const X_AQ = 10;
const X_BD = 11;
const digitsOf = new Uint8Array(4); // pd/qd of bookTicker b, B, a, A

let ev = EV_NONE;
let seen = 0;
let sell = false;
let symS = 0;
let symE = 0;

function event(sc: JsonScanner, msg: FeedMessage): void {
  if (!sc.enterObject()) return;
  msg.addSection(0);
  const num = sc.num;
  while (sc.nextKey()) {
    if (sc.ke - sc.ks === 1) {
      const k = sc.b[sc.ks]!;
      switch (k) {
        case 0x65: // e
          if (!sc.str()) return;
          seen |= F_E;
          ev = sc.strIs(V_TRADE)
            ? EV_TRADE
            : sc.strIs(V_DEPTH)
              ? EV_DEPTH
              : sc.strIs(V_SHUTDOWN)
                ? EV_SHUTDOWN
                : EV_OTHER;
          break;
        case 0x45: // E
          if (!sc.integer(0)) return;
          f[X_E] = num[0]!;
          break;
        case 0x73: // s
          if (!sc.symbol(msg)) return;
          symS = sc.vs;
          symE = sc.ve;
          seen |= F_S;
          break;
        case 0x74: // t
          if (!sc.integer(0)) return;
          f[X_T] = num[0]!;
          seen |= F_T;
          break;
        case 0x70: // p
          if (!sc.decimal(0)) return;
          f[X_P] = num[0]!;
          seen |= F_P;
          break;
        case 0x71: // q
          if (!sc.decimal(0)) return;
          f[X_Q] = num[0]!;
          seen |= F_Q;
          break;
        case 0x54: // T
          if (!sc.integer(0)) return;
          f[X_TT] = num[0]!;
          seen |= F_TT;
          break;
        case 0x6d: // m
          sell = sc.bool();
          seen |= F_M;
          break;
        case 0x55: // U
          if (!sc.integer(0)) return;
          f[X_U1] = num[0]!;
          seen |= F_U1;
          break;
        case 0x75: // u
          if (!sc.integer(0)) return;
          f[X_U] = num[0]!;
          seen |= F_U;
          break;
        case 0x62: // b: depth bids, or the bookTicker's best bid
        case 0x61: {
          // a
          const bid = k === 0x62;
          // A repeat would add its levels to the first one's (JSON.parse keeps only the last).
          if ((seen & (bid ? F_B | F_BL : F_A | F_AL)) !== 0) return sc.fail(ScanError.duplicateKey);
          if (sc.peek() === 0x5b) {
            readPairArray(sc, msg, bid);
            seen |= bid ? F_BL : F_AL;
          } else {
            if (!sc.decimal(0)) return;
            f[bid ? X_B : X_A] = num[0]!;
            digitsOf[bid ? 0 : 2] = sc.frac;
            seen |= bid ? F_B : F_A;
          }
          break;
        }
        case 0x42: // B
        case 0x41: // A
          if (!sc.decimal(0)) return;
          f[k === 0x42 ? X_BQ : X_AQ] = num[0]!;
          digitsOf[k === 0x42 ? 1 : 3] = sc.frac;
          seen |= k === 0x42 ? F_BQ : F_AQ;
          break;
        default:
          sc.skip();
      }
    } else sc.skip();
  }
}

// ---- fast path: the exact layout Binance sends for trades ----

const P_STREAM = lit('{"stream":"');
const P_DATA_TRADE = lit('","data":{"e":"trade","E":');
const P_RAW_TRADE = lit('{"e":"trade","E":');
const P_S = lit(',"s":"');
const P_T = lit('","t":');
const P_P = lit(',"p":"');
const P_Q = lit('","q":"');
const P_TT = lit('","T":');
const P_M = lit(',"m":');
const P_MM = lit(',"M":');
const L_TRUE = lit('true');
const L_FALSE = lit('false');
const fp = new Float64Array(2);
let fpos = 0;

function match(b: Uint8Array, p: Uint8Array): boolean {
  const at = fpos;
  const n = p.length;
  for (let i = 0; i < n; i++) if (b[at + i] !== p[i]) return false;
  fpos = at + n;
  return true;
}

/** Plain digits up to the next byte that is not one (exact: below 2^53). Into fp[slot]. */
function digits(b: Uint8Array, end: number, slot: number): boolean {
  let p = fpos;
  const s = p;
  let v = 0;
  while (p < end) {
    const c = b[p]! - 0x30;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    p++;
  }
  const n = p - s;
  if (n === 0 || n > 16 || v > Number.MAX_SAFE_INTEGER || (n > 1 && b[s] === 0x30)) return false;
  fp[slot] = v;
  fpos = p;
  return true;
}

/** The content of a string without escapes or control bytes; returns its end (fpos after the quote). */
function plain(b: Uint8Array, end: number): number {
  let p = fpos;
  while (p < end) {
    const c = b[p]!;
    if (c === 0x22) {
      fpos = p + 1;
      return p;
    }
    if (c === 0x5c || c < 0x20) return -1;
    p++;
  }
  return -1;
}

function boolLit(b: Uint8Array): number {
  if (match(b, L_TRUE)) return 1;
  if (match(b, L_FALSE)) return 0;
  return -1;
}

/**
 * Binance trade frames have one layout, key for key; reading it in one pass is several times
 * faster than walking a general JSON object. Anything that deviates by a byte returns false and
 * the general decoder (which the tests hold equal to JSON.parse) takes the frame.
 */
function fastTrade(b: Uint8Array, len: number, msg: FeedMessage): boolean {
  fpos = 0;
  const combined = match(b, P_STREAM);
  if (combined) {
    if (plain(b, len) < 0) return false;
    fpos--; // back onto the closing quote, which P_DATA_TRADE starts with
    if (!match(b, P_DATA_TRADE)) return false;
  } else if (!match(b, P_RAW_TRADE)) return false;
  if (!digits(b, len, 0)) return false;
  const eventTime = fp[0]!;
  if (!match(b, P_S)) return false;
  const symS = fpos;
  const symE = plain(b, len);
  if (symE <= symS) return false;
  fpos--;
  if (!match(b, P_T) || !digits(b, len, 0)) return false;
  const t = msg.addTrade(symS, symE);
  const tr = msg.trades;
  tr[t + T_ID] = fp[0]!;
  if (!match(b, P_P)) return false;
  let s = fpos;
  let e = plain(b, len);
  if (e < 0 || !parseDecimalTo(b, s, e, fp, 0)) return false;
  tr[t + T_PRICE] = fp[0]!;
  fpos--;
  if (!match(b, P_Q)) return false;
  s = fpos;
  e = plain(b, len);
  if (e < 0 || !parseDecimalTo(b, s, e, fp, 0)) return false;
  tr[t + T_QTY] = fp[0]!;
  fpos--;
  if (!match(b, P_TT) || !digits(b, len, 0)) return false;
  tr[t + T_TIME] = toMs(fp[0]!);
  if (!match(b, P_M)) return false;
  const m = boolLit(b);
  if (m < 0) return false;
  tr[t + T_SELL] = m;
  if (match(b, P_MM) && boolLit(b) < 0) return false;
  // The closing braces, then nothing: one for the raw form, two for the combined one.
  if (b[fpos] !== 0x7d) return false;
  fpos++;
  if (combined) {
    if (b[fpos] !== 0x7d) return false;
    fpos++;
  }
  if (fpos !== len) return false;
  // Positive and finite ("1e309" is Infinity): anything else is the general decoder's to refuse.
  const p = tr[t + T_PRICE]!;
  const q = tr[t + T_QTY]!;
  if (!(p > 0 && p < Number.POSITIVE_INFINITY) || !(q > 0 && q < Number.POSITIVE_INFINITY)) return false;
  msg.eventTime = toMs(eventTime);
  msg.kind = MsgKind.trades;
  return true;
}

/** Decodes one frame of `len` bytes into msg (which the caller has reset). */
export function decodeBinance(sc: JsonScanner, bytes: Uint8Array, len: number, msg: FeedMessage): void {
  if (fastTrade(bytes, len, msg)) return;
  msg.nTrades = 0;
  sc.reset(bytes, len);
  ev = EV_NONE;
  seen = 0;
  sell = false;
  f[X_E] = Number.NaN;
  f[X_BD] = 0;
  let sawResult = false;
  let sawError = false;
  let raw = false;
  let sawData = false;
  // An envelope (combined stream, control reply) has stream/data/result/error/id and nothing else
  // we know; an event's own fields are one letter. Unknown longer keys may come with either.
  let envelope = false;
  if (sc.enterObject()) {
    while (sc.nextKey()) {
      if (sc.keyIs(K_DATA)) {
        if (sawData) sc.fail(ScanError.duplicateKey);
        sawData = true;
        envelope = true;
        event(sc, msg);
      } else if (sc.keyIs(K_STREAM)) {
        envelope = true;
        sc.skip();
      } else if (sc.keyIs(K_RESULT)) {
        sawResult = true;
        envelope = true;
        sc.skip();
      } else if (sc.keyIs(K_ERROR)) {
        sawError = true;
        envelope = true;
        sc.skip();
      } else if (sc.keyIs(K_ID)) {
        envelope = true;
        if (sc.isNull()) continue;
        if (sc.peek() !== 0x22 && sc.integer(0)) msg.reqId = sc.num[0]!;
        else sc.skip();
      } else if (sc.ke - sc.ks === 1) {
        // A raw-stream event: its fields are at the top level. Rewind to parse it as an event.
        raw = true;
        break;
      } else sc.skip();
    }
  }
  // Neither: a raw event without one-letter fields (a partial book's lastUpdateId/bids/asks).
  if (!envelope && !raw && sc.failed === 0) raw = true;
  if (raw && sc.failed === 0) {
    // Nothing read from a `data`/`result`/`error` member may leak into the raw event.
    sc.reset(bytes, len);
    ev = EV_NONE;
    seen = 0;
    sell = false;
    f[X_E] = Number.NaN;
    sawResult = false;
    sawError = false;
    msg.reset();
    event(sc, msg);
  }
  if (sc.failed === 0 && !sc.atEnd()) sc.fail(ScanError.badSyntax);
  sc.release();
  finish(sc.failed, msg, sawResult, sawError);
}

function finish(failed: number, msg: FeedMessage, sawResult: boolean, sawError: boolean): void {
  if (failed !== 0) {
    msg.malformed = failed;
    msg.kind = MsgKind.malformed;
    return;
  }
  msg.eventTime = toMs(f[X_E]!);
  if (ev === EV_TRADE) {
    if ((seen & TRADE_FIELDS) !== TRADE_FIELDS) return missing(msg);
    msg.nSections = 0;
    msg.nLevels = 0;
    const t = msg.addTrade(symS, symE);
    const tr = msg.trades;
    tr[t + T_PRICE] = f[X_P]!;
    tr[t + T_QTY] = f[X_Q]!;
    tr[t + T_TIME] = toMs(f[X_TT]!);
    tr[t + T_ID] = f[X_T]!;
    tr[t + T_SELL] = sell ? 1 : 0;
    if (!(tr[t + T_PRICE]! > 0) || !(tr[t + T_QTY]! > 0)) {
      msg.malformed = ScanError.badNumber;
      msg.kind = MsgKind.malformed;
      return;
    }
    msg.kind = MsgKind.trades;
  } else if (ev === EV_DEPTH) {
    if ((seen & DEPTH_FIELDS) !== DEPTH_FIELDS) return missing(msg);
    msg.secSym[0] = symS;
    msg.secSym[1] = symE;
    msg.secFirst[0] = f[X_U1]!;
    msg.secLast[0] = f[X_U]!;
    msg.secTime[0] = msg.eventTime;
    msg.kind = MsgKind.book;
  } else if (ev === EV_SHUTDOWN) msg.kind = MsgKind.shutdown;
  else if (ev === EV_NONE && (seen & TICKER_FIELDS) === TICKER_FIELDS) {
    // bookTicker: no "e"; best bid and ask become one top section.
    msg.nSections = 0;
    msg.nLevels = 0;
    msg.addSection(0);
    msg.secSym[0] = symS;
    msg.secSym[1] = symE;
    msg.secLast[0] = f[X_U]!;
    msg.addLevel(true, f, X_B, X_BQ, digitsOf[0]!, digitsOf[1]!);
    msg.addLevel(false, f, X_A, X_AQ, digitsOf[2]!, digitsOf[3]!);
    msg.kind = MsgKind.top;
  } else if (sawError) msg.kind = MsgKind.error;
  else if (sawResult) msg.kind = MsgKind.ack;
  else if (ev === EV_OTHER) {
    msg.nSections = 0;
    msg.nLevels = 0;
    msg.kind = MsgKind.other;
  } else if (seen !== 0) missing(msg);
  else msg.kind = MsgKind.other;
}

function missing(msg: FeedMessage): void {
  msg.malformed = ScanError.missingField;
  msg.kind = MsgKind.malformed;
}

/**
 * Decodes the REST `GET /api/v3/depth` body into one snapshot section whose secLast is
 * lastUpdateId. The symbol range is left empty: the caller knows which symbol it asked for.
 */
export function decodeBinanceDepthSnapshot(
  sc: JsonScanner,
  bytes: Uint8Array,
  len: number,
  msg: FeedMessage,
): void {
  sc.reset(bytes, len);
  msg.reset();
  let have = 0;
  if (sc.enterObject()) {
    msg.addSection(Sec.snapshot);
    while (sc.nextKey()) {
      if (sc.keyIs(K_LAST_UPDATE_ID)) {
        if (sc.integer(0)) msg.secLast[0] = sc.num[0]!;
        have |= 1;
      } else if (sc.keyIs(K_BIDS)) {
        if ((have & 2) !== 0) sc.fail(ScanError.duplicateKey);
        readPairArray(sc, msg, true);
        have |= 2;
      } else if (sc.keyIs(K_ASKS)) {
        if ((have & 4) !== 0) sc.fail(ScanError.duplicateKey);
        readPairArray(sc, msg, false);
        have |= 4;
      } else sc.skip();
    }
  }
  if (sc.failed === 0 && !sc.atEnd()) sc.fail(ScanError.badSyntax);
  sc.release();
  if (sc.failed !== 0) {
    msg.kind = MsgKind.malformed;
    msg.malformed = sc.failed;
  } else if (have !== 7) missing(msg);
  else msg.kind = MsgKind.book;
}

export { JsonScanner };

// ---- the venue, as the feed side sees it ----

/**
 * Spot diff-depth (protocols/binance.md): diffs with u ≤ lastUpdateId are in the snapshot already;
 * the first applied straddles lastUpdateId + 1, and each next U is the previous u + 1.
 */
function spotDepthSequence(book: L2Book, msg: FeedMessage, s: number, gap: SeqGap): Seq {
  const seq = book.seq;
  const first = msg.secFirst[s]!;
  if (msg.secLast[s]! <= seq) return Seq.repeat;
  if (first > seq + 1) {
    gap[SEQ_MISSING] = first - seq - 1;
    gap[SEQ_FIRST_MISSING] = seq + 1;
    return Seq.gap;
  }
  return Seq.apply;
}

const binanceBook: BookRule = {
  snapshot: 'rest',
  sequenced: true,
  delta: spotDepthSequence,
  frameSequence: false,
  checksumMatches: null,
  truncateToDepth: false,
};

export const binance: VenueSpec = {
  name: 'binance',
  venue: Venue.binance,
  defaultUrl: 'wss://stream.binance.com:9443',
  defaultRestUrl: 'https://api.binance.com',
  wsUrl(base) {
    const u = new URL(rootOr(base, '/stream'));
    // µs timestamps (protocols/binance.md §1); decoders accept ms too.
    u.searchParams.set('timeUnit', 'MICROSECOND');
    return u.toString();
  },
  subscribe(symbols, _depth, books) {
    const params: string[] = [];
    for (const s of symbols) {
      const l = s.toLowerCase();
      if (books) params.push(`${l}@depth@100ms`, `${l}@trade`, `${l}@bookTicker`);
      else params.push(`${l}@trade`);
    }
    // 5 inbound messages/s are allowed: one SUBSCRIBE per 200 streams keeps well inside.
    return chunks(params, 200).map((p) =>
      JSON.stringify({ method: 'SUBSCRIBE', params: p, id: nextRequestId() }),
    );
  },
  resubscribeBook: () => [],
  ping: null, // the server pings every 20 s; ws answers with a pong
  staleAfterMs: 30_000,
  maxConnectionAgeMs: 24 * 3600_000,
  book: binanceBook,
  bookDepth: 1000,
  decode: decodeBinance,
  decodeSnapshot: decodeBinanceDepthSnapshot,
  normalise: normaliseBinanceSymbol,
  venueSymbol: (s) => venueSpotSymbol('binance', s),
};
