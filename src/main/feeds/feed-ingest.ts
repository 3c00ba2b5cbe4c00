/**
 * The feed's hot path for any venue: one frame's bytes → the venue's decoder → the books' sync
 * rules → 64-byte records in the ring, with the counters and the overflow policy. No allocation
 * per frame in steady state (new instruments, malformed samples, venue errors, resyncs and the
 * diffs buffered while a REST snapshot is on its way allocate, rarely).
 *
 * Book sync (each venue module's BookRule, venues/venue-spec.ts): the worker keeps the true book of every
 * instrument; a snapshot writes a bookReset record and its levels, a delta its changed levels. A
 * gap — a sequence that skips, or a checksum that does not match our book — writes a gap record
 * (flagged sequenceGap / checksumMismatch, counted), marks the book unsynced and asks for a fresh
 * snapshot (a REST call or a resubscribe, as the rule says); deltas until it arrives are counted as
 * discarded (the snapshot covers them). Overflow: when the ring returns a write, the records are
 * counted as dropped and a gap record with the count precedes the next write.
 */
import { nowMs } from '../../common/clock.ts';
import { Stream } from '../../common/feed-model.ts';
import { Off, RecordFlag, RecordKind } from '../../common/record.ts';
import type { RingWriter } from '../../common/ring.ts';
import { L2Book } from './book/l2-book.ts';
import { FeedStat } from './feed-protocol.ts';
import { InstrumentTable } from './instrument-table.ts';
import { JsonScanner, UNESCAPED } from './json-scan.ts';
import {
  FeedMessage,
  MSG_KIND_NAMES,
  MsgKind,
  Sec,
  T_ID,
  T_PRICE,
  T_QTY,
  T_SELL,
  T_TIME,
  TRADE_STRIDE,
} from './venues/message.ts';
import { type BookRule, SEQ_FIRST_MISSING, SEQ_MISSING, Seq, type VenueSpec } from './venues/venue-spec.ts';

export interface IngestEvents {
  onInstrument(instrumentId: number, venueSymbol: string): void;
  onMalformed(reason: number, data: Uint8Array): void;
  /** Acks, errors, pongs, shutdown notices: low-rate, after counting. */
  onControl(kind: MsgKind, msg: FeedMessage, data: Uint8Array): void;
  /** Send these messages on the current connection (resubscribes). */
  send(messages: string[]): void;
  /**
   * A 'rest' book rule: fetch a REST snapshot of this venue symbol, call `onSnapshot` with the body;
   * `retry` > 0 when the last one was too old for the buffered diffs (back off before asking).
   */
  requestSnapshot(venueSymbol: string, retry: number): void;
}

/** Slots of the staging array `f` (see put). */
const F_PRICE = 0;
const F_QTY = 1;
const F_EXCH = 2;
const F_RECV = 3;
const F_SEQ = 4;
const F_EVT = 5;

/** The Stream each MsgKind counts under (malformed, heartbeats, acks, errors… are 'other'). */
const STREAM_OF_KIND = new Uint8Array(MSG_KIND_NAMES.length).fill(Stream.other);
STREAM_OF_KIND[MsgKind.trades] = Stream.trades;
STREAM_OF_KIND[MsgKind.top] = Stream.top;
STREAM_OF_KIND[MsgKind.book] = Stream.book;

/** Diffs buffered per instrument while its REST snapshot is fetched; beyond this, start over. */
const MAX_PENDING = 20_000;

export class FeedIngest {
  private readonly ring: RingWriter;
  private readonly view: DataView;
  private readonly stats: Float64Array;
  readonly instruments: InstrumentTable;
  private readonly sc = new JsonScanner();
  private readonly msg = new FeedMessage();
  private readonly snap = new FeedMessage();
  private readonly events: IngestEvents;
  private readonly spec: VenueSpec;
  private readonly rule: BookRule;
  /** What the rule's delta check says is missing, on a gap (reused: no allocation). */
  private readonly seqGap = new Float64Array(2);
  private readonly venue: number;
  private readonly feedId: number;
  private readonly bookDepth: number;
  private readonly onNew: (id: number, symbol: string) => void;
  /** By local instrument index. */
  readonly books: L2Book[] = [];
  private readonly resyncPending: boolean[] = [];
  private readonly pending: Uint8Array[][] = [];
  /** REST snapshots: one was applied and no diff yet; a diff that skips ahead means it was too old. */
  private readonly aligning: boolean[] = [];
  /** REST snapshots: while aligning, a buffered diff older than the snapshot was seen. */
  private readonly sawOlder: boolean[] = [];
  private readonly snapshotRetries: number[] = [];
  /** When each book last stopped being synced (or its instrument appeared), for checkStuck. */
  private readonly unsyncedSince: number[] = [];
  private lastTradeId = new Float64Array(64);
  private pendingGap = 0;
  /** Staged doubles of the record being written, and the frame's receive time (F_RECV). */
  private readonly f = new Float64Array(8);
  private lastFrameSeq = -1;
  /** While a REST snapshot and the buffered diffs are applied, records wait (see onSnapshot). */
  private quiet = false;
  /** After a roll, trades the old connection delivered are dropped by id (see startDedup). */
  dedupTrades = false;
  /** Per instrument: the highest trade id the old connection delivered before the switch. */
  private dedupBelow = new Float64Array(64);
  /** Connection epoch stamped into records; the worker bumps it on every (re)connect. */
  connectionId = 0;

  constructor(opts: {
    ring: RingWriter;
    stats: Float64Array;
    spec: VenueSpec;
    feedId: number;
    bookDepth?: number;
    events: IngestEvents;
  }) {
    this.ring = opts.ring;
    this.view = opts.ring.data;
    this.stats = opts.stats;
    this.spec = opts.spec;
    this.rule = opts.spec.book;
    this.venue = opts.spec.venue;
    this.feedId = opts.feedId;
    this.bookDepth = opts.bookDepth || opts.spec.bookDepth;
    this.events = opts.events;
    this.instruments = new InstrumentTable(opts.feedId);
    this.onNew = (id, symbol) => {
      const local = id & 0xffff;
      this.books[local] = new L2Book();
      this.resyncPending[local] = false;
      this.pending[local] = [];
      this.aligning[local] = false;
      this.snapshotRetries[local] = 0;
      this.unsyncedSince[local] = Date.now();
      if (local >= this.lastTradeId.length) {
        const next = new Float64Array(this.lastTradeId.length * 2);
        next.set(this.lastTradeId);
        this.lastTradeId = next;
      }
      this.lastTradeId[local] = -1;
      this.events.onInstrument(id, symbol);
    };
  }

  /** A new connection: books start over from its snapshots, its frame sequence from scratch. */
  onConnected(): void {
    this.lastFrameSeq = -1;
    this.f[F_RECV] = nowMs();
    for (let i = 0; i < this.books.length; i++) {
      // Readers must drop the book too: a reconnect gap record per instrument that had one.
      if (this.books[i]!.synced || this.pending[i]!.length > 0)
        this.writeGap(((this.feedId << 16) | i) >>> 0, 0, 0, RecordFlag.reconnect);
      this.books[i]!.clear();
      this.resyncPending[i] = false;
      this.pending[i]!.length = 0;
      this.aligning[i] = false;
      this.snapshotRetries[i] = 0;
      this.unsyncedSince[i] = Date.now();
    }
  }

  /** Handles one text frame of `len` bytes; the receive stamp is taken here, on the shared clock. */
  onFrame(data: Uint8Array, len: number): void {
    this.f[F_RECV] = nowMs();
    const stats = this.stats;
    const msg = this.msg;
    stats[FeedStat.messages]! += 1;
    stats[FeedStat.bytes]! += len;
    stats[FeedStat.lastMessageAt] = this.f[F_RECV]!;
    msg.reset();
    this.spec.decode(this.sc, data, len, msg);
    const kind = msg.kind;
    const stream = STREAM_OF_KIND[kind]!;
    stats[FeedStat.streamMessages + stream]! += 1;
    stats[FeedStat.streamBytes + stream]! += len;
    if (kind === MsgKind.malformed) {
      stats[FeedStat.malformed]! += 1;
      this.events.onMalformed(msg.malformed, data);
      return;
    }
    if (this.rule.frameSequence && !Number.isNaN(msg.frameSeq)) this.frameSequence();
    if (kind === MsgKind.trades) this.trades(data, len);
    else if (kind === MsgKind.book) this.book(data, len, msg, false);
    else if (kind === MsgKind.top) this.top(data, len);
    else {
      if (kind === MsgKind.heartbeat) stats[FeedStat.heartbeats]! += 1;
      else stats[FeedStat.control]! += 1;
      if (kind !== MsgKind.heartbeat && kind !== MsgKind.other) this.events.onControl(kind, msg, data);
    }
  }

  /** One counter per connection over every channel (Coinbase); a jump loses frames of any kind. */
  private frameSequence(): void {
    const seq = this.msg.frameSeq;
    const last = this.lastFrameSeq;
    this.lastFrameSeq = seq;
    if (last < 0 || seq === last + 1) return;
    if (seq <= last) return; // a repeat or a reset: nothing missing that we can name
    const missing = seq - last - 1;
    this.stats[FeedStat.gaps]! += 1;
    this.stats[FeedStat.missingEvents]! += missing;
    this.writeGap(0, missing, last + 1, RecordFlag.sequenceGap);
    // The lost frame may have been any product's book delta: resync them all.
    const symbols: string[] = [];
    for (let i = 0; i < this.books.length; i++) {
      if (!this.books[i]!.synced && this.resyncPending[i]) continue;
      if (this.books[i]!.synced) this.unsyncedSince[i] = Date.now();
      this.books[i]!.synced = false;
      this.resyncPending[i] = true;
      symbols.push(this.instruments.symbols[i]!);
    }
    if (symbols.length > 0) {
      this.stats[FeedStat.resyncs]! += 1;
      this.events.send(this.spec.resubscribeBook(symbols, this.bookDepth));
    }
  }

  /**
   * Called about once a second: a book that has waited `afterMs` for its snapshot (the request or
   * the snapshot itself lost — a stalled or restarted server) asks again. Returns how many did.
   */
  checkStuck(afterMs: number): number {
    const now = Date.now();
    let n = 0;
    for (let i = 0; i < this.books.length; i++) {
      if (this.books[i]!.synced || now - this.unsyncedSince[i]! < afterMs) continue;
      this.unsyncedSince[i] = now;
      this.resyncPending[i] = false;
      this.pending[i]!.length = 0;
      this.resync(i, true);
      n++;
    }
    return n;
  }

  /**
   * A roll-over switched connections: until stopDedup, trades with an id up to what the old one
   * delivered are repeats. (Comparing with the running maximum instead would drop real trades of a
   * venue that batches newest first, like Coinbase.)
   */
  startDedup(): void {
    if (this.dedupBelow.length < this.lastTradeId.length)
      this.dedupBelow = new Float64Array(this.lastTradeId.length);
    this.dedupBelow.set(this.lastTradeId);
    this.dedupTrades = true;
  }

  stopDedup(): void {
    this.dedupTrades = false;
  }

  /**
   * Every synced book as it stands, as records: a bookReset and its levels, stamped now. A reader
   * that attaches to a running feed (a recording started from the app) gets a whole book to start
   * from without asking the venue for anything. Returns how many books were written.
   */
  writeBookImages(): number {
    this.f[F_RECV] = nowMs();
    let n = 0;
    for (let i = 0; i < this.books.length; i++) {
      const book = this.books[i]!;
      if (!book.synced) continue;
      this.writeBookImage(((this.feedId << 16) | i) >>> 0, book, 0);
      n++;
    }
    return n;
  }

  /** Every book asks for a fresh snapshot now (a command from the UI); returns how many. */
  resyncAll(): number {
    this.f[F_RECV] = nowMs();
    for (let i = 0; i < this.books.length; i++) {
      if (this.books[i]!.synced) this.writeGap(((this.feedId << 16) | i) >>> 0, 0, 0, RecordFlag.sequenceGap);
      this.books[i]!.synced = false;
      this.unsyncedSince[i] = Date.now();
      this.resyncPending[i] = false;
      this.pending[i]!.length = 0;
      this.resync(i, true);
    }
    return this.books.length;
  }

  /** The id of the symbol in range [s, e) of the frame, or of msg's decoded symbols (see FeedMessage). */
  private instrument(data: Uint8Array, msg: FeedMessage, s: number, e: number): number {
    const id =
      s >= UNESCAPED
        ? this.instruments.intern(msg.unescaped, s - UNESCAPED, e - UNESCAPED, this.onNew)
        : this.instruments.intern(data, s, e, this.onNew);
    if (id < 0) this.stats[FeedStat.unknownSymbols]! += 1;
    return id;
  }

  private trades(data: Uint8Array, len: number): void {
    const f = this.f;
    const msg = this.msg;
    const tr = msg.trades;
    const n = msg.nTrades;
    for (let k = 0; k < n; k++) {
      const id = this.instrument(data, msg, msg.tradeSym[k * 2]!, msg.tradeSym[k * 2 + 1]!);
      if (id < 0) continue;
      const base = k * TRADE_STRIDE;
      const tradeId = tr[base + T_ID]!;
      const local = id & 0xffff;
      // Only exact ids can tell a repeat (Bybit's 19-digit ids are nearest doubles: not used).
      if (tradeId <= Number.MAX_SAFE_INTEGER) {
        if (this.dedupTrades && tradeId <= this.dedupBelow[local]!) {
          this.stats[FeedStat.duplicates]! += 1;
          continue;
        }
        if (tradeId > this.lastTradeId[local]!) this.lastTradeId[local] = tradeId;
      }
      const i = this.reserve(1);
      if (i < 0) continue;
      const t = tr[base + T_TIME]!;
      f[F_PRICE] = tr[base + T_PRICE]!;
      f[F_QTY] = tr[base + T_QTY]!;
      f[F_EXCH] = !Number.isNaN(t) ? t : msg.eventTime;
      f[F_SEQ] = tradeId;
      f[F_EVT] = !Number.isNaN(msg.eventTime) ? msg.eventTime : t;
      this.put(i, RecordKind.trade, tr[base + T_SELL] === 1 ? RecordFlag.aggressorSell : 0, id, len);
      this.ring.publish(this.reserved);
      this.stats[FeedStat.trades]! += 1;
    }
  }

  private top(data: Uint8Array, len: number): void {
    const f = this.f;
    const msg = this.msg;
    for (let s = 0; s < msg.nSections; s++) {
      const id = this.instrument(data, msg, msg.secSym[s * 2]!, msg.secSym[s * 2 + 1]!);
      if (id < 0) continue;
      this.stats[FeedStat.tops]! += 1;
      const start = msg.secStart(s);
      const end = msg.secEnd[s]!;
      if (end === start) continue;
      const i = this.reserve(end - start);
      if (i < 0) continue;
      this.sectionTime(msg, s);
      f[F_SEQ] = Number.isNaN(msg.secLast[s]!) ? 0 : msg.secLast[s]!;
      for (let l = start; l < end; l++) {
        f[F_PRICE] = msg.px[l]!;
        f[F_QTY] = msg.qty[l]!;
        this.put(i + l - start, RecordKind.bookTop, msg.bid[l] === 1 ? RecordFlag.bid : 0, id, len);
      }
      this.ring.publish(this.reserved);
    }
  }

  /** Stages section s's venue time (or the frame's, or the receive time) as exchange and event time. */
  private sectionTime(msg: FeedMessage, s: number): void {
    const f = this.f;
    const t = msg.secTime[s]!;
    const e = msg.eventTime;
    f[F_EXCH] = !Number.isNaN(t) ? t : !Number.isNaN(e) ? e : f[F_RECV]!;
    f[F_EVT] = f[F_EXCH]!;
  }

  /** Applies the book sections of `msg` (a frame, or a replayed/REST one when `replay`). */
  private book(data: Uint8Array, len: number, msg: FeedMessage, replay: boolean): void {
    const rule = this.rule;
    const gap = this.seqGap;
    for (let s = 0; s < msg.nSections; s++) {
      const id =
        msg.secSym[s * 2 + 1]! > msg.secSym[s * 2]!
          ? this.instrument(data, msg, msg.secSym[s * 2]!, msg.secSym[s * 2 + 1]!)
          : -1;
      if (id < 0) continue;
      const local = id & 0xffff;
      const book = this.books[local]!;
      if (!replay) this.stats[FeedStat.bookUpdates]! += 1;
      if (rule.snapshot === 'rest') {
        if (!book.synced) {
          this.bufferDiff(local, data, len);
          continue;
        }
        const verdict = rule.delta(book, msg, s, gap);
        if (verdict === Seq.repeat) {
          if (this.aligning[local]) this.sawOlder[local] = true;
          continue; // already in the snapshot
        }
        if (verdict === Seq.gap) {
          // Only while replaying, when every diff we hold is newer than the snapshot, can the
          // snapshot be the one that is behind (fetch again, as the venue documents, before
          // readers see it); otherwise a diff went missing.
          if (replay && this.aligning[local] && !this.sawOlder[local]) {
            book.synced = false;
            this.unsyncedSince[local] = Date.now();
            this.snapshotRetries[local]! += 1;
          } else this.gap(local, id, gap[SEQ_MISSING]!, gap[SEQ_FIRST_MISSING]!, RecordFlag.sequenceGap);
          this.bufferDiff(local, data, len);
          continue;
        }
        this.aligning[local] = false;
        this.snapshotRetries[local] = 0;
        this.apply(msg, s, id, book, len, false);
        book.seq = msg.secLast[s]!;
        continue;
      }
      if ((msg.secFlags[s]! & Sec.snapshot) !== 0) {
        this.applySnapshot(msg, s, id, book, len);
        if (rule.sequenced) book.seq = msg.secLast[s]!;
        this.verify(msg, s, local, id, book);
        continue;
      }
      if (!book.synced) {
        this.stats[FeedStat.bookDiscarded]! += 1;
        continue;
      }
      const verdict = rule.delta(book, msg, s, gap);
      if (verdict === Seq.repeat) continue;
      if (verdict === Seq.gap) {
        this.gap(local, id, gap[SEQ_MISSING]!, gap[SEQ_FIRST_MISSING]!, RecordFlag.sequenceGap);
        continue;
      }
      if (rule.sequenced) book.seq = msg.secLast[s]!;
      this.apply(msg, s, id, book, len, false);
      this.verify(msg, s, local, id, book);
    }
  }

  /** Checksum where the venue sends one; a mismatch is a gap. */
  private verify(msg: FeedMessage, s: number, local: number, id: number, book: L2Book): boolean {
    if ((msg.secFlags[s]! & Sec.hasChecksum) === 0) return true;
    const matches = this.rule.checksumMatches;
    if (matches === null || matches(book, msg.secCheck, s)) return true;
    this.stats[FeedStat.checksumErrors]! += 1;
    this.gap(local, id, 0, book.seq, RecordFlag.checksumMismatch);
    return false;
  }

  private applySnapshot(msg: FeedMessage, s: number, id: number, book: L2Book, len: number): void {
    book.clear();
    book.synced = true;
    this.resyncPending[id & 0xffff] = false;
    this.stats[FeedStat.snapshots]! += 1;
    const i = this.quiet ? -1 : this.reserve(1);
    if (i >= 0) {
      const f = this.f;
      this.sectionTime(msg, s);
      f[F_PRICE] = 0;
      f[F_QTY] = 0;
      f[F_SEQ] = msg.secLast[s]! || 0;
      this.put(i, RecordKind.bookReset, RecordFlag.snapshot, id, len);
      this.ring.publish(this.reserved);
    }
    this.apply(msg, s, id, book, len, true);
  }

  /** Applies section s's levels to the book and writes them as records (chunked). */
  private apply(msg: FeedMessage, s: number, id: number, book: L2Book, len: number, snapshot: boolean): void {
    const f = this.f;
    const start = msg.secStart(s);
    const end = msg.secEnd[s]!;
    this.sectionTime(msg, s);
    f[F_SEQ] = Number.isNaN(msg.secLast[s]!) ? 0 : msg.secLast[s]!;
    const flags0 = snapshot ? RecordFlag.snapshot : 0;
    let l = start;
    while (l < end) {
      const n = Math.min(256, end - l);
      const i = this.quiet ? -1 : this.reserve(n);
      for (let k = 0; k < n; k++, l++) {
        const bid = msg.bid[l] === 1;
        const side = bid ? book.bids : book.asks;
        side.key[0] = msg.px[l]!;
        side.key[1] = msg.qty[l]!;
        if (!side.set(msg.pd[l]!, msg.qd[l]!)) {
          // A side beyond its level cap: treat as a gap rather than hold a wrong book.
          this.stats[FeedStat.malformed]! += 1;
        }
        if (i >= 0) {
          f[F_PRICE] = msg.px[l]!;
          f[F_QTY] = msg.qty[l]!;
          this.put(i + k, RecordKind.bookDelta, flags0 | (bid ? RecordFlag.bid : 0), id, len);
        }
      }
      if (i >= 0) this.ring.publish(this.reserved);
    }
    if (this.rule.truncateToDepth) {
      this.truncate(book.bids, true, id, len);
      this.truncate(book.asks, false, id, len);
    }
  }

  /** Kraken never deletes levels pushed out of the subscribed depth: we do, and say so in records. */
  private truncate(side: L2Book['bids'], bid: boolean, id: number, len: number): void {
    const depth = this.bookDepth;
    if (side.n <= depth) return;
    const extra = side.n - depth;
    const i = this.reserve(extra);
    if (i >= 0) {
      const f = this.f;
      f[F_QTY] = 0;
      for (let k = 0; k < extra; k++) {
        f[F_PRICE] = side.px[depth + k]!;
        this.put(i + k, RecordKind.bookDelta, bid ? RecordFlag.bid : 0, id, len);
      }
      this.ring.publish(this.reserved);
    }
    side.truncate(depth);
  }

  /** A gap in instrument `local`'s book: record it, count it, resync. */
  private gap(local: number, id: number, missing: number, firstMissing: number, flag: number): void {
    const book = this.books[local]!;
    book.synced = false;
    this.unsyncedSince[local] = Date.now();
    this.stats[FeedStat.gaps]! += 1;
    if (missing > 0) this.stats[FeedStat.missingEvents]! += missing;
    this.writeGap(id, missing, firstMissing, flag);
    this.resync(local, true);
  }

  /** Asks for a fresh snapshot; `afterGap` false for the first one of a connection (not a resync). */
  private resync(local: number, afterGap: boolean): void {
    if (this.resyncPending[local]) return;
    this.resyncPending[local] = true;
    if (afterGap) this.stats[FeedStat.resyncs]! += 1;
    const symbol = this.instruments.symbols[local]!;
    if (this.rule.snapshot === 'rest') this.events.requestSnapshot(symbol, this.snapshotRetries[local]!);
    else this.events.send(this.spec.resubscribeBook([symbol], this.bookDepth));
  }

  /** A 'rest' rule: keep the diff until the snapshot arrives (copied: the frame buffer is reused). */
  private bufferDiff(local: number, data: Uint8Array, len: number): void {
    const q = this.pending[local]!;
    if (q.length >= MAX_PENDING) {
      // The snapshot is taking too long: what is buffered can no longer be trusted to line up.
      this.stats[FeedStat.bookDiscarded]! += q.length;
      q.length = 0;
    }
    q.push(data.slice(0, len));
    this.resync(local, false);
  }

  /**
   * A 'rest' rule: the REST snapshot body for `venueSymbol` arrived. Applies it and replays the
   * buffered diffs under the rule's delta check; a failed body or a misaligned first diff resyncs again.
   */
  onSnapshot(venueSymbol: string, body: Uint8Array): boolean {
    this.f[F_RECV] = nowMs();
    const bytes = new TextEncoder().encode(venueSymbol);
    const id = this.instruments.intern(bytes, 0, bytes.length, this.onNew);
    if (id < 0) return false;
    const local = id & 0xffff;
    const book = this.books[local]!;
    const snap = this.snap;
    this.spec.decodeSnapshot!(this.sc, body, body.length, snap);
    this.resyncPending[local] = false;
    if (snap.kind !== MsgKind.book) {
      this.stats[FeedStat.malformed]! += 1;
      this.events.onMalformed(snap.malformed, body);
      this.resync(local, true);
      return false;
    }
    // Snapshot and buffered diffs go into the book first; readers see the result only once it is
    // known to line up (a snapshot older than every buffered diff is fetched again, silently).
    this.quiet = true;
    this.applySnapshot(snap, 0, id, book, body.length);
    book.seq = snap.secLast[0]!;
    this.aligning[local] = true;
    this.sawOlder[local] = false;
    const queued = this.pending[local]!.splice(0);
    // The frame message is free here: snapshots arrive from the REST callback, never mid-frame.
    const msg = this.msg;
    for (const frame of queued) {
      if (!book.synced) {
        // Out of line again (too old a snapshot, or a gap): the rest waits for the next one.
        this.pending[local]!.push(frame);
        continue;
      }
      msg.reset();
      this.spec.decode(this.sc, frame, frame.length, msg);
      if (msg.kind === MsgKind.book) this.book(frame, frame.length, msg, true);
    }
    this.quiet = false;
    if (book.synced) this.writeBookImage(id, book, body.length);
    return book.synced;
  }

  /** A bookReset and every level of the book as it stands, for readers (after a REST sync). */
  private writeBookImage(id: number, book: L2Book, len: number): void {
    const f = this.f;
    f[F_EXCH] = f[F_RECV]!;
    f[F_EVT] = f[F_RECV]!;
    f[F_SEQ] = book.seq;
    f[F_PRICE] = 0;
    f[F_QTY] = 0;
    let i = this.reserve(1);
    if (i >= 0) {
      this.put(i, RecordKind.bookReset, RecordFlag.snapshot, id, len);
      this.ring.publish(this.reserved);
    }
    for (let b = 0; b < 2; b++) {
      const side = b === 0 ? book.bids : book.asks;
      const flags = RecordFlag.snapshot | (b === 0 ? RecordFlag.bid : 0);
      let l = 0;
      while (l < side.n) {
        const n = Math.min(256, side.n - l);
        i = this.reserve(n);
        for (let k = 0; k < n; k++, l++) {
          if (i < 0) continue;
          f[F_PRICE] = side.px[l]!;
          f[F_QTY] = side.qty[l]!;
          this.put(i + k, RecordKind.bookDelta, flags, id, len);
        }
        if (i >= 0) this.ring.publish(this.reserved);
      }
    }
  }

  // ---- records ----

  private reserved = 0;

  /** Claims n records (plus a pending overflow gap record); returns the first index or -1. */
  private reserve(n: number): number {
    const ring = this.ring;
    const want = this.pendingGap > 0 ? n + 1 : n;
    if (!ring.tryClaim(want)) {
      this.stats[FeedStat.dropped]! += n;
      this.pendingGap += n;
      return -1;
    }
    let i = ring.nextIndex;
    if (want > n) {
      this.putGap(i++, 0, this.pendingGap, 0, RecordFlag.ringOverflow);
      this.stats[FeedStat.gapRecords]! += 1;
      this.pendingGap = 0;
    }
    this.reserved = want;
    return i;
  }

  private writeGap(id: number, missing: number, first: number, flag: number): void {
    const i = this.reserve(1);
    if (i < 0) return;
    this.putGap(i, id, missing, first, flag);
    this.ring.publish(this.reserved);
    this.stats[FeedStat.gapRecords]! += 1;
  }

  /** Writes a gap record directly (not through `f`, which may hold a record being staged). */
  private putGap(i: number, id: number, missing: number, first: number, flag: number): void {
    const v = this.view;
    const at = this.ring.offsetOf(i);
    const t = this.f[F_RECV]!;
    v.setUint8(at + Off.kind, RecordKind.gap);
    v.setUint8(at + Off.venue, this.venue);
    v.setUint16(at + Off.flags, flag, true);
    v.setUint16(at + Off.feedId, this.feedId, true);
    v.setUint16(at + Off.connectionId, this.connectionId & 0xffff, true);
    v.setUint32(at + Off.instrumentId, id, true);
    v.setUint32(at + Off.wireBytes, 0, true);
    v.setFloat64(at + Off.price, 0, true);
    v.setFloat64(at + Off.quantity, missing, true);
    v.setFloat64(at + Off.exchangeTime, t, true);
    v.setFloat64(at + Off.receiveTime, t, true);
    v.setFloat64(at + Off.sequence, first, true);
    v.setFloat64(at + Off.eventTime, t, true);
  }

  /**
   * Writes record i from kind, flags, ids (small integers) and the doubles staged in `f`: doubles
   * passed as arguments to a call that is not inlined would be boxed on the heap.
   */
  private put(i: number, kind: number, flags: number, instrumentId: number, wireBytes: number): void {
    const v = this.view;
    const f = this.f;
    const at = this.ring.offsetOf(i);
    v.setUint8(at + Off.kind, kind);
    v.setUint8(at + Off.venue, this.venue);
    v.setUint16(at + Off.flags, flags, true);
    v.setUint16(at + Off.feedId, this.feedId, true);
    v.setUint16(at + Off.connectionId, this.connectionId & 0xffff, true);
    v.setUint32(at + Off.instrumentId, instrumentId, true);
    v.setUint32(at + Off.wireBytes, wireBytes, true);
    v.setFloat64(at + Off.price, f[F_PRICE]!, true);
    v.setFloat64(at + Off.quantity, f[F_QTY]!, true);
    v.setFloat64(at + Off.exchangeTime, f[F_EXCH]!, true);
    v.setFloat64(at + Off.receiveTime, f[F_RECV]!, true);
    v.setFloat64(at + Off.sequence, f[F_SEQ]!, true);
    v.setFloat64(at + Off.eventTime, f[F_EVT]!, true);
  }
}
