/**
 * The feed's hot path, in one place: one Binance frame's bytes → decode → one 64-byte record in
 * the ring, with the counters and the overflow policy. No allocation per frame in steady state
 * (a new instrument, a malformed frame's first sample and a venue error allocate, rarely); the
 * zero-allocation test and the worker run this same code.
 *
 * Overflow policy: when the ring returns a write (a lossless reader is a full ring behind), the
 * record is counted as dropped and a gap record carrying the count is written before the next
 * record that fits — never silent.
 */
import { nowMs } from '../../common/clock.ts';
import { Off, RecordFlag, RecordKind } from '../../common/record.ts';
import type { RingWriter } from '../../common/ring.ts';
import { type BinanceMessage, createBinanceMessage, decodeBinance, MessageKind } from './binance-decoder.ts';
import { FeedStat } from './feed-protocol.ts';
import { InstrumentTable } from './instrument-table.ts';

/** Binance: µs timestamps when the URL asks for them (see protocols/binance.md §1). */
const TIME_SCALE = 1 / 1000;

export interface IngestEvents {
  onInstrument(instrumentId: number, venueSymbol: string): void;
  onMalformed(reason: number, data: Uint8Array): void;
  /** A control reply, venue error or shutdown notice, already decoded into `msg`. */
  onControl(kind: MessageKind, msg: BinanceMessage, data: Uint8Array): void;
}

export class BinanceIngest {
  private readonly ring: RingWriter;
  private readonly view: DataView;
  private readonly stats: Float64Array;
  private readonly instruments: InstrumentTable;
  private readonly msg = createBinanceMessage();
  private readonly events: IngestEvents;
  private readonly venue: number;
  private readonly feedId: number;
  private readonly onNew: (id: number, symbol: string) => void;
  /** Records returned by the ring since the last gap record. */
  private pendingGap = 0;
  /** Connection epoch stamped into records; the worker bumps it on every reconnect. */
  connectionId = 0;

  constructor(opts: {
    ring: RingWriter;
    stats: Float64Array;
    venue: number;
    feedId: number;
    events: IngestEvents;
  }) {
    this.ring = opts.ring;
    this.view = opts.ring.data;
    this.stats = opts.stats;
    this.venue = opts.venue;
    this.feedId = opts.feedId;
    this.events = opts.events;
    this.instruments = new InstrumentTable(opts.feedId);
    this.onNew = (id, symbol) => this.events.onInstrument(id, symbol);
  }

  /**
   * Handles one text frame of `len` bytes, stamping its receive time here on the shared clock
   * (taking it as an argument would box the double on every call).
   */
  onFrame(data: Uint8Array, len: number): void {
    const receiveTime = nowMs();
    const stats = this.stats;
    const msg = this.msg;
    stats[FeedStat.messages]! += 1;
    stats[FeedStat.bytes]! += len;
    stats[FeedStat.lastMessageAt] = receiveTime;
    const kind = decodeBinance(data, len, msg);
    if (kind !== MessageKind.trade) {
      if (kind === MessageKind.malformed) {
        stats[FeedStat.malformed]! += 1;
        this.events.onMalformed(msg.malformed, data);
      } else {
        stats[FeedStat.control]! += 1;
        this.events.onControl(kind, msg, data);
      }
      return;
    }
    const instrumentId = this.instruments.intern(data, msg.symStart, msg.symEnd, this.onNew);
    if (instrumentId < 0) {
      stats[FeedStat.unknownSymbols]! += 1;
      return;
    }
    const ring = this.ring;
    const want = this.pendingGap > 0 ? 2 : 1;
    if (!ring.tryClaim(want)) {
      stats[FeedStat.dropped]! += 1;
      this.pendingGap += 1;
      return;
    }
    let i = ring.nextIndex;
    if (want === 2) this.writeGap(i++, receiveTime);
    const v = this.view;
    const at = ring.offsetOf(i);
    v.setUint8(at + Off.kind, RecordKind.trade);
    v.setUint8(at + Off.venue, this.venue);
    v.setUint16(at + Off.flags, msg.buyerMaker ? RecordFlag.aggressorSell : 0, true);
    v.setUint16(at + Off.feedId, this.feedId, true);
    v.setUint16(at + Off.connectionId, this.connectionId & 0xffff, true);
    v.setUint32(at + Off.instrumentId, instrumentId, true);
    v.setUint32(at + Off.wireBytes, len, true);
    v.setFloat64(at + Off.price, msg.price, true);
    v.setFloat64(at + Off.quantity, msg.quantity, true);
    v.setFloat64(at + Off.exchangeTime, msg.tradeTime * TIME_SCALE, true);
    v.setFloat64(at + Off.receiveTime, receiveTime, true);
    v.setFloat64(at + Off.sequence, msg.tradeId, true);
    v.setFloat64(at + Off.eventTime, msg.eventTime * TIME_SCALE, true);
    ring.publish(want);
    stats[FeedStat.trades]! += 1;
  }

  private writeGap(i: number, receiveTime: number): void {
    const v = this.view;
    const at = this.ring.offsetOf(i);
    v.setUint8(at + Off.kind, RecordKind.gap);
    v.setUint8(at + Off.venue, this.venue);
    v.setUint16(at + Off.flags, RecordFlag.ringOverflow, true);
    v.setUint16(at + Off.feedId, this.feedId, true);
    v.setUint16(at + Off.connectionId, this.connectionId & 0xffff, true);
    v.setUint32(at + Off.instrumentId, 0, true);
    v.setUint32(at + Off.wireBytes, 0, true);
    v.setFloat64(at + Off.price, 0, true);
    v.setFloat64(at + Off.quantity, this.pendingGap, true);
    v.setFloat64(at + Off.exchangeTime, receiveTime, true);
    v.setFloat64(at + Off.receiveTime, receiveTime, true);
    v.setFloat64(at + Off.sequence, 0, true);
    v.setFloat64(at + Off.eventTime, receiveTime, true);
    this.stats[FeedStat.gapRecords]! += 1;
    this.pendingGap = 0;
  }
}
