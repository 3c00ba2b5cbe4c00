/**
 * The UI publisher's own reader on every feed's ring (lossy: the UI must never hold a feed back):
 * per instrument the last price, the first price of the session, trade count and volume — what the
 * header's market strip shows — and, for the Market panel, an L2 book rebuilt from the records,
 * the last top of book and a bounded buffer of recent trades.
 *
 * The book: bookReset clears it and marks it in sync (the snapshot's levels follow as bookDelta
 * records); bookDelta sets a level's absolute size (0 deletes). A gap record for the instrument,
 * or for instrument 0 (the whole feed), marks it out of sync until the next reset, and so does any
 * record this lossy reader skipped on the instrument's ring (lapped or torn): what it missed may
 * have changed the book.
 *
 * Drained once per frame; allocates only when a new instrument first appears (and when a book
 * side outgrows its capacity, rarely). `bookSection()` fills a reused BOOK section for the frame.
 */
import {
  BOOK_DEPTH,
  type BookEntry,
  type BookSection,
  createBookEntry,
  createTradeBatch,
  MAX_FRAME_TRADES,
  MAX_INSTRUMENTS,
  type MarketTick,
} from '../../common/frame.ts';
import { Off, RecordFlag, RecordKind } from '../../common/record.ts';
import { RingReader } from '../../common/ring.ts';
import { type BookSide, L2Book } from '../feeds/book/l2-book.ts';

/** Recent trades kept per instrument (a ring): what a frame can carry of one instrument at most. */
export const RECENT_TRADES = 256;
/** Fields of a recent trade: exchange time, receive time, price, quantity, flags. */
const TF = 5;

class BookSlot {
  readonly book = new L2Book();
  /** Last bookTop: bid, bid size, ask, ask size (NaN until seen). */
  readonly top = new Float64Array([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
  readonly trades = new Float64Array(RECENT_TRADES * TF);
  /** Trades seen in all, and up to which the frames have carried them. */
  total = 0;
  sent = 0;
  /** Scratch of bookSection(): trades not sent yet that are still held, and how many go now. */
  fresh = 0;
  take = 0;
  readonly entry: BookEntry;
  readonly instrumentId: number;
  readonly feedId: number;
  readonly reader: RingReader;
  constructor(instrumentId: number, feedId: number, reader: RingReader) {
    this.instrumentId = instrumentId;
    this.feedId = feedId;
    this.reader = reader;
    this.entry = createBookEntry(instrumentId);
  }
}

export class MarketReader {
  readonly ticks: MarketTick[] = [];
  private readonly readers: RingReader[] = [];
  private readonly slots = new Map<number, number>();
  /** Books by slot, in order of first appearance. */
  readonly books: BookSlot[] = [];
  private readonly bookSlots = new Map<number, number>();
  private readonly section: BookSection & { entries: BookEntry[] } = {
    count: 0,
    entries: [],
    trades: createTradeBatch(),
  };
  /** Rotates which instrument is served first when a frame cannot carry every trade. */
  private firstBook = 0;

  addRing(ring: SharedArrayBuffer): RingReader {
    const r = new RingReader(ring, 'lossy');
    this.readers.push(r);
    return r;
  }

  removeRing(ring: SharedArrayBuffer): void {
    const i = this.readers.findIndex((r) => r.sab === ring);
    if (i < 0) return;
    const reader = this.readers[i]!;
    reader.close();
    this.readers.splice(i, 1);
    // The ring's books stop updating: they are out of sync from now on.
    for (let k = 0; k < this.books.length; k++)
      if (this.books[k]!.reader === reader) this.books[k]!.book.synced = false;
  }

  /** Reads everything available on every ring. */
  drain(): void {
    for (let k = 0; k < this.readers.length; k++) this.drainOne(this.readers[k]!);
  }

  // The read loop mirrors MetricsReader.drainOne on purpose: each is a monomorphic hot loop that
  // reads only its fields; a shared loop with a per-record callback would cost a call per record.
  private drainOne(reader: RingReader): void {
    const before = reader.cursor;
    const n = reader.available();
    // A lapped lossy reader jumped ahead: the records it skipped may have changed any book of this ring.
    if (reader.cursor !== before) this.unsyncRing(reader);
    if (n === 0) return;
    const data = reader.data;
    const start = reader.cursor;
    let torn = 0;
    for (let k = 0; k < n; k++) {
      const i = (start + k) >>> 0;
      const at = reader.offsetOf(i);
      const kind = data.getUint8(at + Off.kind);
      const flags = data.getUint16(at + Off.flags, true);
      const feedId = data.getUint16(at + Off.feedId, true);
      const instrument = data.getUint32(at + Off.instrumentId, true);
      const price = data.getFloat64(at + Off.price, true);
      const qty = data.getFloat64(at + Off.quantity, true);
      const exchangeTime = data.getFloat64(at + Off.exchangeTime, true);
      const receiveTime = data.getFloat64(at + Off.receiveTime, true);
      if (!reader.intact(i)) {
        torn++;
        continue;
      }
      if (kind === RecordKind.gap) {
        if (instrument === 0) this.unsyncFeed(feedId);
        else {
          const b = this.bookSlotOf(instrument, feedId, reader);
          if (b >= 0) this.books[b]!.book.synced = false;
        }
        continue;
      }
      if (kind === RecordKind.none) continue;
      const b = this.bookSlotOf(instrument, feedId, reader);
      if (kind === RecordKind.trade) {
        if (b >= 0) {
          const slot = this.books[b]!;
          const o = (slot.total % RECENT_TRADES) * TF;
          const tr = slot.trades;
          tr[o] = exchangeTime;
          tr[o + 1] = receiveTime;
          tr[o + 2] = price;
          tr[o + 3] = qty;
          tr[o + 4] = flags;
          slot.total++;
        }
        const t = this.slotOf(instrument);
        if (t < 0) continue;
        const tick = this.ticks[t]!;
        if (tick.trades === 0) tick.open = price;
        tick.last = price;
        tick.trades++;
        tick.volume += qty;
        continue;
      }
      if (b < 0) continue;
      const slot = this.books[b]!;
      if (kind === RecordKind.bookDelta) {
        const side: BookSide = flags & RecordFlag.bid ? slot.book.bids : slot.book.asks;
        side.key[0] = price;
        side.key[1] = qty;
        side.set(0, 0);
      } else if (kind === RecordKind.bookReset) {
        slot.book.clear();
        slot.book.synced = true;
      } else if (kind === RecordKind.bookTop) {
        const o = flags & RecordFlag.bid ? 0 : 2;
        slot.top[o] = price;
        slot.top[o + 1] = qty;
      }
    }
    reader.advance(n, torn);
    if (torn > 0) this.unsyncRing(reader);
  }

  private unsyncRing(reader: RingReader): void {
    for (let k = 0; k < this.books.length; k++) {
      const b = this.books[k]!;
      if (b.reader === reader) b.book.synced = false;
    }
  }

  private unsyncFeed(feedId: number): void {
    for (let k = 0; k < this.books.length; k++) {
      const b = this.books[k]!;
      if (b.feedId === feedId) b.book.synced = false;
    }
  }

  /** The instrument's book slot (created at its first record), or -1 when the table is full. */
  private bookSlotOf(instrumentId: number, feedId: number, reader: RingReader): number {
    const slot = this.bookSlots.get(instrumentId);
    if (slot !== undefined) return slot;
    if (this.books.length >= MAX_INSTRUMENTS) return -1;
    const b = new BookSlot(instrumentId, feedId, reader);
    this.bookSlots.set(instrumentId, this.books.length);
    this.books.push(b);
    this.section.entries.push(b.entry);
    return this.books.length - 1;
  }

  /** The book of an instrument (tests, debugging), or undefined if it never appeared. */
  bookOf(instrumentId: number): L2Book | undefined {
    const slot = this.bookSlots.get(instrumentId);
    return slot === undefined ? undefined : this.books[slot]!.book;
  }

  /**
   * The BOOK section for the next frame: every instrument's top of book, ladder and sync state,
   * and the trades since the previous call — at most MAX_FRAME_TRADES, shared fairly between
   * instruments (newest kept), the rest counted as omitted. Reuses the same object every call.
   */
  bookSection(): BookSection {
    const sec = this.section;
    const tr = sec.trades;
    const count = this.books.length;
    sec.count = count;
    tr.count = 0;
    tr.omitted = 0;
    if (count === 0) return sec;
    // Fair share: first every instrument up to an equal share, then what is left, in turn (the
    // first instrument served rotates each frame).
    const share = Math.floor(MAX_FRAME_TRADES / count);
    let left = MAX_FRAME_TRADES;
    for (let k = 0; k < count; k++) {
      const b = this.books[k]!;
      const unsent = b.total - b.sent;
      b.fresh = Math.min(unsent, RECENT_TRADES);
      tr.omitted += unsent - b.fresh;
      b.take = Math.min(b.fresh, share);
      left -= b.take;
    }
    const first = this.firstBook % count;
    this.firstBook = (first + 1) % count;
    for (let j = 0; j < count && left > 0; j++) {
      const b = this.books[(first + j) % count]!;
      const extra = Math.min(b.fresh - b.take, left);
      b.take += extra;
      left -= extra;
    }
    for (let j = 0; j < count; j++) {
      const b = this.books[(first + j) % count]!;
      const e = b.entry;
      fillTop(b, e);
      const take = b.take;
      tr.omitted += b.fresh - take;
      // Entries keep their order; the trade arrays are grouped by entry, in visiting order.
      e.tradeStart = tr.count;
      e.tradeCount = take;
      const src = b.trades;
      for (let t = b.total - take; t < b.total; t++) {
        const o = (t % RECENT_TRADES) * TF;
        const d = tr.count++;
        tr.exchangeTime[d] = src[o]!;
        tr.receiveTime[d] = src[o + 1]!;
        tr.price[d] = src[o + 2]!;
        tr.qty[d] = src[o + 3]!;
        tr.flags[d] = src[o + 4]!;
      }
      b.sent = b.total;
    }
    return sec;
  }

  /** The instrument's slot (created at its first trade), or -1 when the table is full. */
  private slotOf(instrumentId: number): number {
    const slot = this.slots.get(instrumentId);
    if (slot !== undefined) return slot;
    if (this.ticks.length >= MAX_INSTRUMENTS) return -1;
    this.slots.set(instrumentId, this.ticks.length);
    this.ticks.push({ instrumentId, last: 0, open: 0, trades: 0, volume: 0 });
    return this.ticks.length - 1;
  }
}

/** Ladder and top of book of one slot into its entry. The top is the venue's, else the book's. */
function fillTop(b: BookSlot, e: BookEntry): void {
  const book = b.book;
  e.synced = book.synced;
  const bids = book.bids;
  const asks = book.asks;
  e.bidLevels = Math.min(bids.n, BOOK_DEPTH);
  e.askLevels = Math.min(asks.n, BOOK_DEPTH);
  for (let k = 0; k < e.bidLevels; k++) {
    e.bidPx[k] = bids.px[k]!;
    e.bidQty[k] = bids.qty[k]!;
  }
  for (let k = 0; k < e.askLevels; k++) {
    e.askPx[k] = asks.px[k]!;
    e.askQty[k] = asks.qty[k]!;
  }
  const top = b.top;
  const venueTop = !Number.isNaN(top[0]!) || !Number.isNaN(top[2]!);
  // A book in sync is the freshest truth; the venue's bookTop stream is the fallback.
  if (book.synced && bids.n > 0 && asks.n > 0) {
    e.bid = bids.px[0]!;
    e.bidSize = bids.qty[0]!;
    e.ask = asks.px[0]!;
    e.askSize = asks.qty[0]!;
  } else if (venueTop) {
    e.bid = top[0]!;
    e.bidSize = top[1]!;
    e.ask = top[2]!;
    e.askSize = top[3]!;
  } else {
    e.bid = bids.n > 0 ? bids.px[0]! : Number.NaN;
    e.bidSize = bids.n > 0 ? bids.qty[0]! : Number.NaN;
    e.ask = asks.n > 0 ? asks.px[0]! : Number.NaN;
    e.askSize = asks.n > 0 ? asks.qty[0]! : Number.NaN;
  }
}
