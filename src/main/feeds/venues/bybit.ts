/**
 * Bybit v5 public spot: `orderbook.{1,50,200,1000}.SYM` (snapshot/delta; `u` +1 per delta, a
 * snapshot replaces the book), `publicTrade.SYM`, op replies (subscribe acks, pong, errors).
 * `orderbook.1` is the top of book (Bybit spot tickers carry no bid/ask). `S` is the taker side.
 */

import { venueSpotSymbol } from '../../../common/instruments.ts';
import { Venue } from '../../../common/venues.ts';
import type { L2Book } from '../book/l2-book.ts';
import { type JsonScanner, lit, ScanError } from '../json-scan.ts';
import { normaliseBinanceSymbol } from '../symbols.ts';
import { readTrade, type TradeLayout } from './fields.ts';
import { readPairArray, toMs } from './levels.ts';
import { type FeedMessage, MsgKind, Sec } from './message.ts';
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

const K_TOPIC = lit('topic');
const K_TYPE = lit('type');
const K_DATA = lit('data');
const K_TS = lit('ts');
const K_OP = lit('op');
const K_SUCCESS = lit('success');
const K_RET_MSG = lit('ret_msg');
const K_SEQ = lit('seq');
const V_ORDERBOOK_1 = lit('orderbook.1.');
const V_ORDERBOOK = lit('orderbook.');
const V_TRADE = lit('publicTrade.');
const V_SNAPSHOT = lit('snapshot');
const V_PONG = lit('pong');
const V_PING = lit('ping');
const V_SELL = lit('Sell');
const V_BUY = lit('Buy');

const CH_NONE = 0;
const CH_BOOK = 1;
const CH_TOP = 2;
const CH_TRADE = 3;
const CH_OTHER = 4;

function book(sc: JsonScanner, msg: FeedMessage, snapshot: boolean): void {
  if (!sc.enterObject()) return;
  const s = msg.addSection(snapshot ? Sec.snapshot : 0);
  let have = 0;
  while (sc.nextKey()) {
    if (sc.key1(0x73)) {
      // s
      if (!sc.symbol(msg)) return;
      msg.secSym[s * 2] = sc.vs;
      msg.secSym[s * 2 + 1] = sc.ve;
      have |= 1;
    } else if (sc.key1(0x62) || sc.key1(0x61)) {
      // A repeat would add its levels to the first one's (JSON.parse keeps only the last).
      const bit = sc.key1(0x62) ? 4 : 8;
      if ((have & bit) !== 0) return sc.fail(ScanError.duplicateKey);
      have |= bit;
      readPairArray(sc, msg, bit === 4);
    } else if (sc.key1(0x75)) {
      // u
      if (!sc.integer(0)) return;
      msg.secLast[s] = sc.num[0]!;
      have |= 2;
    } else if (sc.keyIs(K_SEQ)) {
      if (!sc.integer(0)) return;
      msg.secFirst[s] = sc.num[0]!; // cross sequence: informative only
    } else sc.skip();
  }
  if (sc.failed === 0 && (have & 3) !== 3) sc.fail(ScanError.missingField);
}

const TRADE: TradeLayout = {
  symbol: lit('s'),
  price: lit('p'),
  size: lit('v'),
  side: lit('S'),
  sells: V_SELL,
  buys: V_BUY,
  time: lit('T'),
  timeIso: false,
  id: lit('i'),
  idRequired: false,
};

export function decodeBybit(sc: JsonScanner, bytes: Uint8Array, len: number, msg: FeedMessage): void {
  sc.reset(bytes, len);
  let ch = CH_NONE;
  let snapshot = false;
  let dataAt = -1;
  let op = false;
  let opPong = false;
  let msgPong = false;
  let success = true;
  if (sc.enterObject()) {
    while (sc.nextKey()) {
      if (sc.keyIs(K_TOPIC)) {
        if (!sc.str()) break;
        ch = sc.strStarts(V_ORDERBOOK_1)
          ? CH_TOP
          : sc.strStarts(V_ORDERBOOK)
            ? CH_BOOK
            : sc.strStarts(V_TRADE)
              ? CH_TRADE
              : CH_OTHER;
      } else if (sc.keyIs(K_TYPE)) {
        if (sc.str()) snapshot = sc.strIs(V_SNAPSHOT);
      } else if (sc.keyIs(K_DATA)) {
        dataAt = sc.pos;
        sc.skip();
      } else if (sc.keyIs(K_TS)) {
        if (sc.integer(0)) msg.eventTime = toMs(sc.num[0]!);
      } else if (sc.keyIs(K_OP)) {
        if (!sc.str()) break;
        op = true;
        opPong = sc.strIs(V_PING) || sc.strIs(V_PONG);
      } else if (sc.keyIs(K_RET_MSG)) {
        if (sc.str()) msgPong = sc.strIs(V_PONG);
      } else if (sc.keyIs(K_SUCCESS)) success = sc.bool();
      else sc.skip();
    }
  }
  if (sc.failed === 0 && !sc.atEnd()) sc.fail(ScanError.badSyntax);
  if (sc.failed === 0 && (ch === CH_BOOK || ch === CH_TOP || ch === CH_TRADE)) {
    if (dataAt < 0) sc.fail(ScanError.missingField);
    else {
      sc.pos = dataAt;
      if (ch === CH_TRADE) {
        if (sc.enterArray()) while (sc.nextItem()) readTrade(sc, msg, TRADE, false);
      } else book(sc, msg, snapshot);
    }
  }
  sc.release();
  const pong = opPong || msgPong;
  if (sc.failed !== 0) {
    msg.kind = MsgKind.malformed;
    msg.malformed = sc.failed;
  } else if (ch === CH_BOOK) msg.kind = MsgKind.book;
  else if (ch === CH_TOP) {
    // orderbook.1: one bid and one ask (either may be missing when a side is empty)
    msg.kind = MsgKind.top;
    for (let s = 0; s < msg.nSections; s++) msg.secTime[s] = msg.eventTime;
  } else if (ch === CH_TRADE) msg.kind = MsgKind.trades;
  else if (op || pong) msg.kind = pong ? MsgKind.pong : success ? MsgKind.ack : MsgKind.error;
  else if (ch === CH_NONE) {
    msg.kind = MsgKind.malformed;
    msg.malformed = ScanError.missingField;
  } else msg.kind = MsgKind.other;
  if (msg.kind === MsgKind.book) for (let s = 0; s < msg.nSections; s++) msg.secTime[s] = msg.eventTime;
}

// ---- the venue, as the feed side sees it ----

/** WS snapshot (which sets u); each delta's u is the previous one + 1. */
function nextSequence(book: L2Book, msg: FeedMessage, s: number, gap: SeqGap): Seq {
  const seq = book.seq;
  const u = msg.secLast[s]!;
  if (u <= seq) return Seq.repeat;
  if (u !== seq + 1) {
    gap[SEQ_MISSING] = u - seq - 1;
    gap[SEQ_FIRST_MISSING] = seq + 1;
    return Seq.gap;
  }
  return Seq.apply;
}

const bybitBook: BookRule = {
  snapshot: 'ws',
  sequenced: true,
  delta: nextSequence,
  frameSequence: false,
  checksumMatches: null,
  truncateToDepth: false,
};

export const bybit: VenueSpec = {
  name: 'bybit',
  venue: Venue.bybit,
  defaultUrl: 'wss://stream.bybit.com/v5/public/spot',
  wsUrl: (base) => rootOr(base, '/v5/public/spot'),
  subscribe(symbols, depth, books) {
    const args: string[] = [];
    for (const s of symbols)
      if (books) args.push(`orderbook.${depth}.${s}`, `publicTrade.${s}`, `orderbook.1.${s}`);
      else args.push(`publicTrade.${s}`);
    // At most 10 args per request.
    return chunks(args, 10).map((a) =>
      JSON.stringify({ req_id: String(nextRequestId()), op: 'subscribe', args: a }),
    );
  },
  resubscribeBook(symbols, depth) {
    const args = symbols.map((s) => `orderbook.${depth}.${s}`);
    return [
      ...chunks(args, 10).map((a) =>
        JSON.stringify({ req_id: String(nextRequestId()), op: 'unsubscribe', args: a }),
      ),
      ...chunks(args, 10).map((a) =>
        JSON.stringify({ req_id: String(nextRequestId()), op: 'subscribe', args: a }),
      ),
    ];
  },
  ping: { text: '{"op":"ping"}', everyMs: 20_000 },
  staleAfterMs: 45_000,
  maxConnectionAgeMs: 0,
  book: bybitBook,
  bookDepth: 50,
  decode: decodeBybit,
  normalise: normaliseBinanceSymbol,
  venueSymbol: (s) => venueSpotSymbol('bybit', s),
};
