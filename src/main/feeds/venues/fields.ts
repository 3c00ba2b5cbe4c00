/**
 * The two objects every venue sends in its own words — a trade, and a best bid/ask — read by one
 * reader each, told the venue's key names. Keys may come in any order; a repeated key's last value
 * wins (as JSON.parse would have it).
 */
import { parseIsoTimeTo } from '../iso-time.ts';
import { type JsonScanner, ScanError } from '../json-scan.ts';
import { toMs } from './levels.ts';
import { type FeedMessage, T_ID, T_PRICE, T_QTY, T_SELL, T_TIME } from './message.ts';

export interface TradeLayout {
  symbol: Uint8Array;
  price: Uint8Array;
  size: Uint8Array;
  side: Uint8Array;
  /** The side value meaning the taker sold, and the other one (anything else is malformed). */
  sells: Uint8Array;
  buys: Uint8Array;
  time: Uint8Array;
  /** RFC 3339 string (Coinbase, Kraken) rather than an epoch integer (Bybit, OKX: ms, µs or ns). */
  timeIso: boolean;
  id: Uint8Array;
  /** The id must be present (Coinbase); a non-string id is then skipped, not refused. */
  idRequired: boolean;
}

/**
 * Reads one trade object into msg (nothing when `history`: trades from before our subscription).
 * `symS`/`symE` give the symbol when the object does not (OKX's arg.instId).
 */
export function readTrade(
  sc: JsonScanner,
  msg: FeedMessage,
  L: TradeLayout,
  history: boolean,
  symS = 0,
  symE = 0,
): void {
  if (!sc.enterObject()) return;
  const num = sc.num;
  let have = symE > symS ? 1 : 0;
  let s0 = symS;
  let s1 = symE;
  let sell = 0;
  let time = Number.NaN;
  let id = Number.NaN;
  while (sc.nextKey()) {
    if (sc.keyIs(L.symbol)) {
      if (!sc.symbol(msg)) return;
      s0 = sc.vs;
      s1 = sc.ve;
      have |= 1;
    } else if (sc.keyIs(L.price)) {
      if (!sc.decimal(0)) return;
      have |= 2;
    } else if (sc.keyIs(L.size)) {
      if (!sc.decimal(1)) return;
      have |= 4;
    } else if (sc.keyIs(L.side)) {
      if (!sc.str()) return;
      if (sc.strIs(L.sells)) sell = 1;
      else if (sc.strIs(L.buys)) sell = 0;
      else return sc.fail(ScanError.badType);
      have |= 8;
    } else if (sc.keyIs(L.id)) {
      id = Number.NaN;
      if (L.idRequired && sc.peek() !== 0x22) sc.skip();
      else if (sc.integer(2)) id = num[2]!;
      if (sc.failed !== 0) return;
      have |= 16;
    } else if (sc.keyIs(L.time)) {
      if (L.timeIso) {
        if (!sc.str()) return;
        if (!parseIsoTimeTo(sc.b, sc.vs, sc.ve, num, 3)) return sc.fail(ScanError.badNumber);
      } else {
        if (!sc.integer(3)) return;
        num[3] = toMs(num[3]!);
      }
      time = num[3]!;
    } else sc.skip();
  }
  if (sc.failed !== 0) return;
  const need = L.idRequired ? 31 : 15;
  // An empty symbol names no instrument: as good as missing.
  if ((have & need) !== need || s1 <= s0) return sc.fail(ScanError.missingField);
  if (!(num[0]! > 0) || !(num[1]! > 0)) return sc.fail(ScanError.badNumber);
  if (history) return;
  const t = msg.addTrade(s0, s1);
  const tr = msg.trades;
  tr[t + T_PRICE] = num[0]!;
  tr[t + T_QTY] = num[1]!;
  tr[t + T_TIME] = time;
  tr[t + T_ID] = id;
  tr[t + T_SELL] = sell;
}

export interface TopLayout {
  symbol: Uint8Array;
  bid: Uint8Array;
  bidSize: Uint8Array;
  ask: Uint8Array;
  askSize: Uint8Array;
  /** Kraken: a ticker without bid/ask is malformed; Coinbase: it is a ticker of another kind. */
  required: boolean;
}

/** Reads one best bid/ask object into a top section of msg (bid level, then ask level). */
export function readTop(sc: JsonScanner, msg: FeedMessage, L: TopLayout): void {
  if (!sc.enterObject()) return;
  const num = sc.num;
  let have = 0;
  let symS = 0;
  let symE = 0;
  let bpd = 0;
  let bqd = 0;
  let apd = 0;
  let aqd = 0;
  while (sc.nextKey()) {
    if (sc.keyIs(L.symbol)) {
      if (!sc.symbol(msg)) return;
      symS = sc.vs;
      symE = sc.ve;
      have |= 1;
    } else if (sc.keyIs(L.bid)) {
      if (!sc.decimal(0)) return;
      bpd = sc.frac;
      have |= 2;
    } else if (sc.keyIs(L.bidSize)) {
      if (!sc.decimal(1)) return;
      bqd = sc.frac;
      have |= 4;
    } else if (sc.keyIs(L.ask)) {
      if (!sc.decimal(2)) return;
      apd = sc.frac;
      have |= 8;
    } else if (sc.keyIs(L.askSize)) {
      if (!sc.decimal(3)) return;
      aqd = sc.frac;
      have |= 16;
    } else sc.skip();
  }
  if (sc.failed !== 0) return;
  if (have !== 31) {
    if (L.required) sc.fail(ScanError.missingField);
    return;
  }
  const s = msg.addSection(0);
  msg.secSym[s * 2] = symS;
  msg.secSym[s * 2 + 1] = symE;
  msg.addLevel(true, num, 0, 1, bpd, bqd);
  msg.addLevel(false, num, 2, 3, apd, aqd);
}
