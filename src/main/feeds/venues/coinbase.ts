/**
 * Coinbase Advanced Trade: `l2_data` (snapshot/update events per product), `market_trades`,
 * `ticker` (best bid/ask), `heartbeats`, `subscriptions`, errors. Every frame carries
 * `sequence_num`, one counter per connection across all channels (protocols/coinbase.md §A3), so
 * a gap cannot be pinned on one product: every book of the connection is resynced.
 * `side` on trades is the maker's side (documented), so the taker sold when side is BUY.
 */

import { venueSpotSymbol } from '../../../common/instruments.ts';
import { Venue } from '../../../common/venues.ts';
import { parseIsoTimeTo } from '../iso-time.ts';
import { type JsonScanner, lit, ScanError } from '../json-scan.ts';
import { readTop, readTrade, type TopLayout, type TradeLayout } from './fields.ts';
import { type FeedMessage, MsgKind, Sec } from './message.ts';
import { type BookRule, unsequenced, type VenueSpec } from './venue-spec.ts';

const K_CHANNEL = lit('channel');
const K_SEQ = lit('sequence_num');
const K_EVENTS = lit('events');
const K_TIMESTAMP = lit('timestamp');
const K_TYPE = lit('type');
const K_PRODUCT = lit('product_id');
const K_UPDATES = lit('updates');
const K_TRADES = lit('trades');
const K_TICKERS = lit('tickers');
const K_SIDE = lit('side');
const K_PRICE_LEVEL = lit('price_level');
const K_NEW_QTY = lit('new_quantity');
const K_EVENT_TIME = lit('event_time');
const K_TRADE_ID = lit('trade_id');
const K_PRICE = lit('price');
const K_SIZE = lit('size');
const K_TIME = lit('time');
const K_BEST_BID = lit('best_bid');
const K_BEST_BID_Q = lit('best_bid_quantity');
const K_BEST_ASK = lit('best_ask');
const K_BEST_ASK_Q = lit('best_ask_quantity');
const V_L2 = lit('l2_data');
const V_TRADES = lit('market_trades');
const V_TICKER = lit('ticker');
const V_HEARTBEATS = lit('heartbeats');
const V_SUBS = lit('subscriptions');
const V_ERROR = lit('error');
const V_SNAPSHOT = lit('snapshot');
const V_BID = lit('bid');
const V_OFFER = lit('offer');
const V_ASK = lit('ask');
const V_BUY = lit('BUY');
const V_SELL = lit('SELL');

const CH_NONE = 0;
const CH_L2 = 1;
const CH_TRADES = 2;
const CH_TICKER = 3;
const CH_HEARTBEATS = 4;
const CH_SUBS = 5;
const CH_OTHER = 6;

function level(sc: JsonScanner, msg: FeedMessage): void {
  if (!sc.enterObject()) return;
  let side = -1;
  let have = 0;
  let pd = 0;
  let qd = 0;
  let time = Number.NaN;
  const num = sc.num;
  while (sc.nextKey()) {
    if (sc.keyIs(K_SIDE)) {
      if (!sc.str()) return;
      side = sc.strIs(V_BID) ? 1 : sc.strIs(V_OFFER) || sc.strIs(V_ASK) ? 0 : -1;
    } else if (sc.keyIs(K_PRICE_LEVEL)) {
      if (!sc.decimal(2)) return;
      pd = sc.frac;
      have |= 1;
    } else if (sc.keyIs(K_NEW_QTY)) {
      if (!sc.decimal(3)) return;
      qd = sc.frac;
      have |= 2;
    } else if (sc.keyIs(K_EVENT_TIME)) {
      if (!sc.str()) return;
      if (parseIsoTimeTo(sc.b, sc.vs, sc.ve, num, 1)) time = num[1]!;
      else if (sc.escaped) return sc.fail(ScanError.escaped);
      else time = Number.NaN; // unreadable: no time (a repeated key replaces the first)
    } else sc.skip();
  }
  if (sc.failed !== 0) return;
  if (side < 0 || have !== 3 || !(num[2]! > 0) || !(num[3]! >= 0)) {
    sc.fail(side < 0 || have !== 3 ? ScanError.missingField : ScanError.badNumber);
    return;
  }
  // The section's time: its latest real event time (snapshots carry the epoch, i.e. none).
  const s = msg.nSections - 1;
  if (time > 0 && !(msg.secTime[s]! >= time)) msg.secTime[s] = time;
  msg.addLevel(side === 1, num, 2, 3, pd, qd);
}

function l2Event(sc: JsonScanner, msg: FeedMessage): void {
  if (!sc.enterObject()) return;
  const s = msg.addSection(0);
  let have = 0;
  while (sc.nextKey()) {
    if (sc.keyIs(K_TYPE)) {
      if (!sc.str()) return;
      msg.secFlags[s] = sc.strIs(V_SNAPSHOT) ? Sec.snapshot : 0;
    } else if (sc.keyIs(K_PRODUCT)) {
      if (!sc.symbol(msg)) return;
      msg.secSym[s * 2] = sc.vs;
      msg.secSym[s * 2 + 1] = sc.ve;
      have |= 1;
    } else if (sc.keyIs(K_UPDATES)) {
      if ((have & 2) !== 0) return sc.fail(ScanError.duplicateKey);
      if (!sc.enterArray()) return;
      while (sc.nextItem()) level(sc, msg);
      have |= 2;
    } else sc.skip();
  }
  if (sc.failed === 0 && have !== 3) sc.fail(ScanError.missingField);
}

const TRADE: TradeLayout = {
  symbol: K_PRODUCT,
  price: K_PRICE,
  size: K_SIZE,
  side: K_SIDE,
  // Maker side (documented): a resting buy was hit → the taker sold.
  sells: V_BUY,
  buys: V_SELL,
  time: K_TIME,
  timeIso: true,
  id: K_TRADE_ID,
  idRequired: true,
};

function tradesEvent(sc: JsonScanner, msg: FeedMessage): void {
  if (!sc.enterObject()) return;
  // "type" may follow "trades"; remember where the trades are and read them once the type is known.
  let history = false;
  let at = -1;
  while (sc.nextKey()) {
    if (sc.keyIs(K_TYPE)) {
      if (!sc.str()) return;
      history = sc.strIs(V_SNAPSHOT);
    } else if (sc.keyIs(K_TRADES)) {
      at = sc.pos;
      sc.skip();
    } else sc.skip();
  }
  if (sc.failed !== 0 || at < 0) {
    if (sc.failed === 0) sc.fail(ScanError.missingField);
    return;
  }
  const end = sc.pos;
  sc.pos = at;
  if (sc.enterArray()) while (sc.nextItem()) readTrade(sc, msg, TRADE, history);
  if (sc.failed === 0) sc.pos = end;
}

const TOP: TopLayout = {
  symbol: K_PRODUCT,
  bid: K_BEST_BID,
  bidSize: K_BEST_BID_Q,
  ask: K_BEST_ASK,
  askSize: K_BEST_ASK_Q,
  // A ticker without best bid/ask (ticker_batch-like) is not an error, just nothing for the book.
  required: false,
};

function tickerEvent(sc: JsonScanner, msg: FeedMessage): void {
  if (!sc.enterObject()) return;
  let seen = false;
  while (sc.nextKey()) {
    if (sc.keyIs(K_TICKERS)) {
      if (seen) return sc.fail(ScanError.duplicateKey);
      seen = true;
      if (sc.enterArray()) while (sc.nextItem()) readTop(sc, msg, TOP);
    } else sc.skip();
  }
}

export function decodeCoinbase(sc: JsonScanner, bytes: Uint8Array, len: number, msg: FeedMessage): void {
  sc.reset(bytes, len);
  let ch = CH_NONE;
  let eventsAt = -1;
  let isError = false;
  if (sc.enterObject()) {
    while (sc.nextKey()) {
      if (sc.keyIs(K_CHANNEL)) {
        if (!sc.str()) break;
        ch = sc.strIs(V_L2)
          ? CH_L2
          : sc.strIs(V_TRADES)
            ? CH_TRADES
            : sc.strIs(V_TICKER)
              ? CH_TICKER
              : sc.strIs(V_HEARTBEATS)
                ? CH_HEARTBEATS
                : sc.strIs(V_SUBS)
                  ? CH_SUBS
                  : CH_OTHER;
      } else if (sc.keyIs(K_SEQ)) {
        if (sc.integer(0)) msg.frameSeq = sc.num[0]!;
      } else if (sc.keyIs(K_TIMESTAMP)) {
        if (sc.str()) {
          if (parseIsoTimeTo(sc.b, sc.vs, sc.ve, sc.num, 0)) msg.eventTime = sc.num[0]!;
          else if (sc.escaped) sc.fail(ScanError.escaped);
        }
      } else if (sc.keyIs(K_TYPE)) {
        if (sc.str()) isError = sc.strIs(V_ERROR);
      } else if (sc.keyIs(K_EVENTS)) {
        eventsAt = sc.pos;
        sc.skip();
      } else sc.skip();
    }
  }
  if (sc.failed === 0 && !sc.atEnd()) sc.fail(ScanError.badSyntax);
  if (sc.failed === 0 && eventsAt >= 0 && (ch === CH_L2 || ch === CH_TRADES || ch === CH_TICKER)) {
    sc.pos = eventsAt;
    if (sc.enterArray()) {
      while (sc.nextItem()) {
        if (ch === CH_L2) l2Event(sc, msg);
        else if (ch === CH_TRADES) tradesEvent(sc, msg);
        else tickerEvent(sc, msg);
      }
    }
  }
  sc.release();
  if (sc.failed !== 0) {
    msg.kind = MsgKind.malformed;
    msg.malformed = sc.failed;
  } else if (isError) msg.kind = MsgKind.error;
  else if (ch === CH_L2) msg.kind = MsgKind.book;
  else if (ch === CH_TRADES) msg.kind = MsgKind.trades;
  else if (ch === CH_TICKER) msg.kind = MsgKind.top;
  else if (ch === CH_HEARTBEATS) msg.kind = MsgKind.heartbeat;
  else if (ch === CH_SUBS) msg.kind = MsgKind.ack;
  else if (ch === CH_NONE) {
    msg.kind = MsgKind.malformed;
    msg.malformed = ScanError.missingField;
  } else msg.kind = MsgKind.other;
}

// ---- the venue, as the feed side sees it ----

/** WS snapshots; no per-book sequence: sequence_num counts every frame of the connection. */
const coinbaseBook: BookRule = {
  snapshot: 'ws',
  sequenced: false,
  delta: unsequenced,
  frameSequence: true,
  checksumMatches: null,
  truncateToDepth: false,
};

export const coinbase: VenueSpec = {
  name: 'coinbase',
  venue: Venue.coinbase,
  defaultUrl: 'wss://advanced-trade-ws.coinbase.com',
  wsUrl: (base) => base,
  subscribe(symbols, _depth, books) {
    const products = [...symbols];
    const sub = (channel: string) => JSON.stringify({ type: 'subscribe', product_ids: products, channel });
    return [
      ...(books ? [sub('level2')] : []),
      sub('market_trades'),
      ...(books ? [sub('ticker')] : []),
      JSON.stringify({ type: 'subscribe', channel: 'heartbeats' }),
    ];
  },
  resubscribeBook(symbols) {
    const products = [...symbols];
    return [
      JSON.stringify({ type: 'unsubscribe', product_ids: products, channel: 'level2' }),
      JSON.stringify({ type: 'subscribe', product_ids: products, channel: 'level2' }),
    ];
  },
  ping: null, // the heartbeats channel keeps the connection busy (1/s)
  staleAfterMs: 10_000,
  maxConnectionAgeMs: 0,
  book: coinbaseBook,
  bookDepth: 0,
  decode: decodeCoinbase,
  normalise: (s) => s.toUpperCase(),
  venueSymbol: (s) => venueSpotSymbol('coinbase', s),
};
