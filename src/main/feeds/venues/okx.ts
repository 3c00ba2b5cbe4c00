/**
 * OKX v5 public: `books` (snapshot/update with seqId/prevSeqId — added in 2023, so recordings from
 * before carry none — and a signed CRC-32 checksum, fixed to 0 since 2026, in which case it is not
 * checked), `trades`, `bbo-tbt`/`books5` as top of book, events (subscribe acks, errors, the 64008
 * shutdown notice) and the bare-text `pong`. A `books` section has NaN first/last when it carries
 * no sequence: its checksum alone guards the book.
 */

import { venueSpotSymbol } from '../../../common/instruments.ts';
import { Venue } from '../../../common/venues.ts';
import { okxChecksumMatches } from '../book/checksum.ts';
import type { L2Book } from '../book/l2-book.ts';
import { type JsonScanner, lit, ScanError } from '../json-scan.ts';
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

const K_ARG = lit('arg');
const K_CHANNEL = lit('channel');
const K_INST_ID = lit('instId');
const K_ACTION = lit('action');
const K_DATA = lit('data');
const K_EVENT = lit('event');
const K_CODE = lit('code');
const K_ASKS = lit('asks');
const K_BIDS = lit('bids');
const K_TS = lit('ts');
const K_CHECKSUM = lit('checksum');
const K_PREV_SEQ = lit('prevSeqId');
const K_SEQ = lit('seqId');
const K_TRADE_ID = lit('tradeId');
const K_PX = lit('px');
const K_SZ = lit('sz');
const K_SIDE = lit('side');
const V_BOOKS = lit('books');
const V_BOOKS_L2 = lit('books-l2-tbt');
const V_BOOKS50 = lit('books50-l2-tbt');
const V_BBO = lit('bbo-tbt');
const V_BOOKS5 = lit('books5');
const V_TRADES = lit('trades');
const V_SNAPSHOT = lit('snapshot');
const V_ERROR = lit('error');
const V_NOTICE = lit('notice');
const V_SELL = lit('sell');
const V_BUY = lit('buy');
const PONG = lit('pong');

const CH_NONE = 0;
const CH_BOOK = 1;
const CH_TOP = 2;
const CH_TRADE = 3;
const CH_OTHER = 4;

let symS = 0;
let symE = 0;

function arg(sc: JsonScanner, msg: FeedMessage): number {
  let ch = CH_NONE;
  symS = 0; // a repeated `arg` replaces the first, as with JSON.parse
  symE = 0;
  if (!sc.enterObject()) return ch;
  while (sc.nextKey()) {
    if (sc.keyIs(K_CHANNEL)) {
      if (!sc.str()) return ch;
      ch =
        sc.strIs(V_BOOKS) || sc.strIs(V_BOOKS_L2) || sc.strIs(V_BOOKS50)
          ? CH_BOOK
          : sc.strIs(V_BBO) || sc.strIs(V_BOOKS5)
            ? CH_TOP
            : sc.strIs(V_TRADES)
              ? CH_TRADE
              : CH_OTHER;
    } else if (sc.keyIs(K_INST_ID)) {
      if (!sc.symbol(msg)) return ch;
      symS = sc.vs;
      symE = sc.ve;
    } else sc.skip();
  }
  return ch;
}

function book(sc: JsonScanner, msg: FeedMessage, flags: number, top: boolean): void {
  if (!sc.enterObject()) return;
  const s = msg.addSection(flags);
  msg.secSym[s * 2] = symS;
  msg.secSym[s * 2 + 1] = symE;
  let have = 0;
  while (sc.nextKey()) {
    if (sc.keyIs(K_ASKS) || sc.keyIs(K_BIDS)) {
      // A repeat would add its levels to the first one's (JSON.parse keeps only the last).
      const bit = sc.keyIs(K_ASKS) ? 1 : 2;
      if ((have & bit) !== 0) return sc.fail(ScanError.duplicateKey);
      have |= bit;
      readPairArray(sc, msg, bit === 2);
    } else if (sc.keyIs(K_TS)) {
      if (!sc.integer(0)) return;
      msg.secTime[s] = toMs(sc.num[0]!);
    } else if (sc.keyIs(K_CHECKSUM)) {
      if (!sc.integer(0)) return;
      msg.secCheck[s] = sc.num[0]!;
      const flags = msg.secFlags[s]! & ~Sec.hasChecksum;
      msg.secFlags[s] = sc.num[0] !== 0 ? flags | Sec.hasChecksum : flags;
    } else if (sc.keyIs(K_PREV_SEQ)) {
      if (!sc.integer(0)) return;
      msg.secFirst[s] = sc.num[0]!;
      have |= 8;
    } else if (sc.keyIs(K_SEQ)) {
      if (!sc.integer(0)) return;
      msg.secLast[s] = sc.num[0]!;
      have |= 4;
    } else sc.skip();
  }
  if (sc.failed !== 0) return;
  if ((have & 3) !== 3) return sc.fail(ScanError.missingField);
  if (top) return;
  // A book is guarded by its sequence (seqId/prevSeqId, since 2023), its checksum (until 2026: 0
  // since), or both. Half a sequence is none, and a book with no guard at all cannot be trusted.
  const seq = have & 12;
  if (seq === 4 || seq === 8 || (seq === 0 && (msg.secFlags[s]! & Sec.hasChecksum) === 0))
    sc.fail(ScanError.missingField);
}

const TRADE: TradeLayout = {
  symbol: K_INST_ID,
  price: K_PX,
  size: K_SZ,
  side: K_SIDE,
  sells: V_SELL,
  buys: V_BUY,
  time: K_TS,
  timeIso: false,
  id: K_TRADE_ID,
  idRequired: false,
};

export function decodeOkx(sc: JsonScanner, bytes: Uint8Array, len: number, msg: FeedMessage): void {
  if (
    len === 4 &&
    bytes[0] === PONG[0] &&
    bytes[1] === PONG[1] &&
    bytes[2] === PONG[2] &&
    bytes[3] === PONG[3]
  ) {
    msg.kind = MsgKind.pong;
    return;
  }
  sc.reset(bytes, len);
  symS = 0;
  symE = 0;
  let ch = CH_NONE;
  let snapshot = false;
  let dataAt = -1;
  let event = 0; // 1 ack, 2 error, 3 notice
  let code = 0;
  if (sc.enterObject()) {
    while (sc.nextKey()) {
      if (sc.keyIs(K_ARG)) ch = arg(sc, msg);
      else if (sc.keyIs(K_ACTION)) {
        if (sc.str()) snapshot = sc.strIs(V_SNAPSHOT);
      } else if (sc.keyIs(K_DATA)) {
        dataAt = sc.pos;
        sc.skip();
      } else if (sc.keyIs(K_EVENT)) {
        if (!sc.str()) break;
        event = sc.strIs(V_ERROR) ? 2 : sc.strIs(V_NOTICE) ? 3 : 1;
      } else if (sc.keyIs(K_CODE)) {
        if (sc.integer(0)) code = sc.num[0]!;
      } else sc.skip();
    }
  }
  if (sc.failed === 0 && !sc.atEnd()) sc.fail(ScanError.badSyntax);
  if (sc.failed === 0 && event === 0 && (ch === CH_BOOK || ch === CH_TOP || ch === CH_TRADE)) {
    if (dataAt < 0 || symE === symS) sc.fail(ScanError.missingField);
    else {
      sc.pos = dataAt;
      if (sc.enterArray()) {
        while (sc.nextItem()) {
          if (ch === CH_TRADE) readTrade(sc, msg, TRADE, false, symS, symE);
          else book(sc, msg, snapshot && ch === CH_BOOK ? Sec.snapshot : 0, ch === CH_TOP);
        }
      }
    }
  }
  sc.release();
  if (sc.failed !== 0) {
    msg.kind = MsgKind.malformed;
    msg.malformed = sc.failed;
  } else if (event === 1) msg.kind = MsgKind.ack;
  else if (event === 2) msg.kind = MsgKind.error;
  else if (event === 3) msg.kind = code === 64008 ? MsgKind.shutdown : MsgKind.other;
  else if (ch === CH_BOOK) msg.kind = MsgKind.book;
  else if (ch === CH_TOP) msg.kind = MsgKind.top;
  else if (ch === CH_TRADE) msg.kind = MsgKind.trades;
  else if (ch === CH_NONE) {
    msg.kind = MsgKind.malformed;
    msg.malformed = ScanError.missingField;
  } else msg.kind = MsgKind.other;
}

// ---- the venue, as the feed side sees it ----

/**
 * prevSeqId = the previous seqId. Books from before 2023 carry neither (NaN on both sides): the
 * checksum alone guards them (the decoder refuses a section with no guard at all).
 */
function prevSeqLink(book: L2Book, msg: FeedMessage, s: number, gap: SeqGap): Seq {
  const seq = book.seq;
  const prev = msg.secFirst[s]!;
  if (Number.isNaN(prev) || Number.isNaN(seq) || prev === seq) return Seq.apply;
  if (msg.secLast[s]! <= seq && prev < seq) return Seq.repeat;
  gap[SEQ_MISSING] = 0;
  gap[SEQ_FIRST_MISSING] = seq;
  return Seq.gap;
}

const okxBook: BookRule = {
  snapshot: 'ws',
  sequenced: true,
  delta: prevSeqLink,
  frameSequence: false,
  checksumMatches: okxChecksumMatches,
  truncateToDepth: false,
};

export const okx: VenueSpec = {
  name: 'okx',
  venue: Venue.okx,
  defaultUrl: 'wss://ws.okx.com:8443/ws/v5/public',
  wsUrl: (base) => rootOr(base, '/ws/v5/public'),
  subscribe(symbols) {
    const args: { channel: string; instId: string }[] = [];
    for (const s of symbols)
      args.push(
        { channel: 'books', instId: s },
        { channel: 'trades', instId: s },
        { channel: 'bbo-tbt', instId: s },
      );
    return chunks(args, 60).map((a) =>
      JSON.stringify({ id: String(nextRequestId()), op: 'subscribe', args: a }),
    );
  },
  resubscribeBook(symbols) {
    const args = symbols.map((s) => ({ channel: 'books', instId: s }));
    return [
      JSON.stringify({ id: String(nextRequestId()), op: 'unsubscribe', args }),
      JSON.stringify({ id: String(nextRequestId()), op: 'subscribe', args }),
    ];
  },
  // The server closes after 30 s without data; a text ping when idle keeps it open.
  ping: { text: 'ping', everyMs: 20_000 },
  staleAfterMs: 35_000,
  maxConnectionAgeMs: 0,
  book: okxBook,
  bookDepth: 400,
  decode: decodeOkx,
  normalise: (s) => s.toUpperCase(),
  venueSymbol: (s) => venueSpotSymbol('okx', s),
};
