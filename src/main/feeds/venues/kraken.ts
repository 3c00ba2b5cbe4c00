/**
 * Kraken WebSocket v2: `book` (snapshot/update with a CRC-32 checksum of the top 10 levels),
 * `trade`, `ticker` (bbo), `heartbeat`, `status`, and method replies (subscribe/unsubscribe acks,
 * pong, errors). Numbers are bare JSON numbers printed at the pair's precision; the fraction digits
 * seen on the wire are kept per level for the checksum. `side` is the taker's side.
 */

import { venueSpotSymbol } from '../../../common/instruments.ts';
import { Venue } from '../../../common/venues.ts';
import { krakenChecksumMatches } from '../book/checksum.ts';
import { parseIsoTimeTo } from '../iso-time.ts';
import { type JsonScanner, lit, ScanError } from '../json-scan.ts';
import { readTop, readTrade, type TopLayout, type TradeLayout } from './fields.ts';
import { type FeedMessage, MsgKind, Sec } from './message.ts';
import { type BookRule, nextRequestId, rootOr, unsequenced, type VenueSpec } from './venue-spec.ts';

const K_CHANNEL = lit('channel');
const K_TYPE = lit('type');
const K_DATA = lit('data');
const K_METHOD = lit('method');
const K_SUCCESS = lit('success');
const K_REQ_ID = lit('req_id');
const K_SYMBOL = lit('symbol');
const K_BIDS = lit('bids');
const K_ASKS = lit('asks');
const K_PRICE = lit('price');
const K_QTY = lit('qty');
const K_CHECKSUM = lit('checksum');
const K_TIMESTAMP = lit('timestamp');
const K_SIDE = lit('side');
const K_TRADE_ID = lit('trade_id');
const K_BID = lit('bid');
const K_BID_QTY = lit('bid_qty');
const K_ASK = lit('ask');
const K_ASK_QTY = lit('ask_qty');
const V_BOOK = lit('book');
const V_TRADE = lit('trade');
const V_TICKER = lit('ticker');
const V_HEARTBEAT = lit('heartbeat');
const V_SNAPSHOT = lit('snapshot');
const V_PONG = lit('pong');
const V_SELL = lit('sell');
const V_BUY = lit('buy');

const CH_NONE = 0;
const CH_BOOK = 1;
const CH_TRADE = 2;
const CH_TICKER = 3;
const CH_HEARTBEAT = 4;
const CH_OTHER = 5;

function levels(sc: JsonScanner, msg: FeedMessage, bid: boolean): void {
  if (!sc.enterArray()) return;
  const num = sc.num;
  while (sc.nextItem()) {
    if (!sc.enterObject()) return;
    let have = 0;
    let pd = 0;
    let qd = 0;
    while (sc.nextKey()) {
      if (sc.keyIs(K_PRICE)) {
        if (!sc.decimal(0)) return;
        pd = sc.frac;
        have |= 1;
      } else if (sc.keyIs(K_QTY)) {
        if (!sc.decimal(1)) return;
        qd = sc.frac;
        have |= 2;
      } else sc.skip();
    }
    if (sc.failed !== 0) return;
    if (have !== 3) return sc.fail(ScanError.missingField);
    if (!(num[0]! > 0) || !(num[1]! >= 0)) return sc.fail(ScanError.badNumber);
    msg.addLevel(bid, num, 0, 1, pd, qd);
  }
}

function bookEntry(sc: JsonScanner, msg: FeedMessage, snapshot: boolean): void {
  if (!sc.enterObject()) return;
  const s = msg.addSection(snapshot ? Sec.snapshot : 0);
  let have = 0;
  while (sc.nextKey()) {
    if (sc.keyIs(K_SYMBOL)) {
      if (!sc.symbol(msg)) return;
      msg.secSym[s * 2] = sc.vs;
      msg.secSym[s * 2 + 1] = sc.ve;
      have |= 1;
    } else if (sc.keyIs(K_BIDS) || sc.keyIs(K_ASKS)) {
      // A repeat would add its levels to the first one's (JSON.parse keeps only the last).
      const bit = sc.keyIs(K_BIDS) ? 2 : 4;
      if ((have & bit) !== 0) return sc.fail(ScanError.duplicateKey);
      have |= bit;
      levels(sc, msg, bit === 2);
    } else if (sc.keyIs(K_CHECKSUM)) {
      if (!sc.integer(0)) return;
      msg.secCheck[s] = sc.num[0]!;
      msg.secFlags[s] = msg.secFlags[s]! | Sec.hasChecksum;
    } else if (sc.keyIs(K_TIMESTAMP)) {
      if (!sc.str()) return;
      if (parseIsoTimeTo(sc.b, sc.vs, sc.ve, sc.num, 0)) msg.secTime[s] = sc.num[0]!;
      else if (sc.escaped) return sc.fail(ScanError.escaped);
      else msg.secTime[s] = Number.NaN; // unreadable: no time (a repeated key replaces the first)
    } else sc.skip();
  }
  if (sc.failed === 0 && (have & 1) !== 1) sc.fail(ScanError.missingField);
}

const TRADE: TradeLayout = {
  symbol: K_SYMBOL,
  price: K_PRICE,
  size: K_QTY,
  side: K_SIDE,
  sells: V_SELL,
  buys: V_BUY,
  time: K_TIMESTAMP,
  timeIso: true,
  id: K_TRADE_ID,
  idRequired: false,
};

const TOP: TopLayout = {
  symbol: K_SYMBOL,
  bid: K_BID,
  bidSize: K_BID_QTY,
  ask: K_ASK,
  askSize: K_ASK_QTY,
  required: true,
};

export function decodeKraken(sc: JsonScanner, bytes: Uint8Array, len: number, msg: FeedMessage): void {
  sc.reset(bytes, len);
  let ch = CH_NONE;
  let snapshot = false;
  let dataAt = -1;
  let method = false;
  let pong = false;
  let success = true;
  if (sc.enterObject()) {
    while (sc.nextKey()) {
      if (sc.keyIs(K_CHANNEL)) {
        if (!sc.str()) break;
        ch = sc.strIs(V_BOOK)
          ? CH_BOOK
          : sc.strIs(V_TRADE)
            ? CH_TRADE
            : sc.strIs(V_TICKER)
              ? CH_TICKER
              : sc.strIs(V_HEARTBEAT)
                ? CH_HEARTBEAT
                : CH_OTHER;
      } else if (sc.keyIs(K_TYPE)) {
        if (sc.str()) snapshot = sc.strIs(V_SNAPSHOT);
      } else if (sc.keyIs(K_DATA)) {
        dataAt = sc.pos;
        sc.skip();
      } else if (sc.keyIs(K_METHOD)) {
        if (!sc.str()) break;
        method = true;
        pong = sc.strIs(V_PONG);
      } else if (sc.keyIs(K_SUCCESS)) success = sc.bool();
      else if (sc.keyIs(K_REQ_ID)) {
        if (sc.integer(0)) msg.reqId = sc.num[0]!;
      } else sc.skip();
    }
  }
  if (sc.failed === 0 && !sc.atEnd()) sc.fail(ScanError.badSyntax);
  if (sc.failed === 0 && dataAt >= 0 && (ch === CH_BOOK || ch === CH_TRADE || ch === CH_TICKER)) {
    sc.pos = dataAt;
    if (sc.enterArray()) {
      while (sc.nextItem()) {
        if (ch === CH_BOOK) bookEntry(sc, msg, snapshot);
        else if (ch === CH_TRADE) readTrade(sc, msg, TRADE, snapshot);
        else readTop(sc, msg, TOP);
      }
    }
  }
  sc.release();
  if (sc.failed !== 0) {
    msg.kind = MsgKind.malformed;
    msg.malformed = sc.failed;
  } else if (method) msg.kind = pong ? MsgKind.pong : success ? MsgKind.ack : MsgKind.error;
  else if (ch === CH_BOOK) msg.kind = MsgKind.book;
  else if (ch === CH_TRADE) msg.kind = MsgKind.trades;
  else if (ch === CH_TICKER) msg.kind = MsgKind.top;
  else if (ch === CH_HEARTBEAT) msg.kind = MsgKind.heartbeat;
  else if (ch === CH_NONE) {
    msg.kind = MsgKind.malformed;
    msg.malformed = ScanError.missingField;
  } else msg.kind = MsgKind.other;
}

// ---- the venue, as the feed side sees it ----

/** WS snapshots; no sequence: the CRC-32 of the top 10 after every update guards the book. */
const krakenBook: BookRule = {
  snapshot: 'ws',
  sequenced: false,
  delta: unsequenced,
  frameSequence: false,
  checksumMatches: krakenChecksumMatches,
  truncateToDepth: true,
};

export const kraken: VenueSpec = {
  name: 'kraken',
  venue: Venue.kraken,
  defaultUrl: 'wss://ws.kraken.com/v2',
  wsUrl: (base) => rootOr(base, '/v2'),
  subscribe(symbols, depth) {
    const symbol = [...symbols];
    return [
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'book', symbol, depth },
        req_id: nextRequestId(),
      }),
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'trade', symbol, snapshot: false },
        req_id: nextRequestId(),
      }),
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'ticker', symbol, event_trigger: 'bbo' },
        req_id: nextRequestId(),
      }),
    ];
  },
  resubscribeBook(symbols, depth) {
    const symbol = [...symbols];
    return [
      JSON.stringify({
        method: 'unsubscribe',
        params: { channel: 'book', symbol, depth },
        req_id: nextRequestId(),
      }),
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'book', symbol, depth },
        req_id: nextRequestId(),
      }),
    ];
  },
  ping: { text: '{"method":"ping"}', everyMs: 20_000 },
  staleAfterMs: 10_000,
  maxConnectionAgeMs: 0,
  book: krakenBook,
  bookDepth: 10,
  decode: decodeKraken,
  normalise: (s) => s.toUpperCase().replace('/', '-').replace(/^XBT-/, 'BTC-'),
  // XBT/USD, XBTUSD and XXBTZUSD are BTC/USD to WebSocket v2.
  venueSymbol: (s) => venueSpotSymbol('kraken', s),
};
