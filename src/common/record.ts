/**
 * The market-event record: every event a feed decodes becomes one fixed 64-byte little-endian
 * record in a shared-memory ring. This file owns the layout; nothing else hard-codes an offset.
 *
 * | offset | size | type | field                                                          |
 * |-------:|-----:|------|----------------------------------------------------------------|
 * |      0 |    1 | u8   | kind (RecordKind)                                              |
 * |      1 |    1 | u8   | venue (Venue)                                                  |
 * |      2 |    2 | u16  | flags (RecordFlag bits)                                        |
 * |      4 |    2 | u16  | feed id (which feed/connection manager wrote it)               |
 * |      6 |    2 | u16  | connection id (increments on every reconnect, wraps)           |
 * |      8 |    4 | u32  | instrument id (interned per session)                           |
 * |     12 |    4 | u32  | wire bytes (size of the message that carried the event)        |
 * |     16 |    8 | f64  | price                                                          |
 * |     24 |    8 | f64  | quantity (gap records: number of missing events)               |
 * |     32 |    8 | f64  | exchange time: epoch ms, µs precision (venue's match time)     |
 * |     40 |    8 | f64  | receive time: epoch ms on the shared clock (see clock.ts)      |
 * |     48 |    8 | f64  | sequence: trade id / update id (exact up to 2^53)              |
 * |     56 |    8 | f64  | event time: epoch ms the venue stamped on the message          |
 *
 * Accessors take a DataView and a byte offset so that callers read and write in place, with no
 * object per record.
 */

export const RECORD_SIZE = 64;

export const Off = {
  kind: 0,
  venue: 1,
  flags: 2,
  feedId: 4,
  connectionId: 6,
  instrumentId: 8,
  wireBytes: 12,
  price: 16,
  quantity: 24,
  exchangeTime: 32,
  receiveTime: 40,
  sequence: 48,
  eventTime: 56,
} as const;

export const RecordKind = {
  /** Empty slot; never written by a feed. */
  none: 0,
  trade: 1,
  /** Best bid/ask: price is the bid, quantity the bid size (ask follows in a second record). */
  bookTop: 2,
  bookDelta: 3,
  /** Events known to be missing: quantity = how many (0 if unknown), sequence = first missing id if known. */
  gap: 4,
  /** The instrument's book is cleared; the snapshot's levels follow as bookDelta records (flag snapshot). */
  bookReset: 5,
} as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export const RecordFlag = {
  /** Trade: the aggressor sold (Binance `m: true`). */
  aggressorSell: 1 << 0,
  /** Book: bid side. */
  bid: 1 << 1,
  /** Gap record written by the overflow policy of a ring writer, not by a venue sequence check. */
  ringOverflow: 1 << 2,
  /** Book level that is part of a snapshot. */
  snapshot: 1 << 3,
  /** Gap found by the venue's sequence rule (the book is resynced). */
  sequenceGap: 1 << 4,
  /** Gap found by a book checksum mismatch (the book is resynced). */
  checksumMismatch: 1 << 5,
  /** Gap at a new connection: what happened in between is unknown; books restart from snapshots. */
  reconnect: 1 << 6,
} as const;

// Venue numbers are the venue list's (venues.ts), written once there.
export { Venue, venueName, venueOf } from './venues.ts';

import { Venue } from './venues.ts';

/** RecordKind names by number, for manifests, inspection and export. */
export const RECORD_KIND_NAMES: readonly string[] = [
  'none',
  'trade',
  'bookTop',
  'bookDelta',
  'gap',
  'bookReset',
];

/** The plain-object form of a record, for tests, export and debugging (never on a hot path). */
export interface MarketRecord {
  kind: number;
  venue: number;
  flags: number;
  feedId: number;
  connectionId: number;
  instrumentId: number;
  wireBytes: number;
  price: number;
  quantity: number;
  exchangeTime: number;
  receiveTime: number;
  sequence: number;
  eventTime: number;
}

export function writeRecord(view: DataView, at: number, r: MarketRecord): void {
  view.setUint8(at + Off.kind, r.kind);
  view.setUint8(at + Off.venue, r.venue);
  view.setUint16(at + Off.flags, r.flags, true);
  view.setUint16(at + Off.feedId, r.feedId, true);
  view.setUint16(at + Off.connectionId, r.connectionId & 0xffff, true);
  view.setUint32(at + Off.instrumentId, r.instrumentId, true);
  view.setUint32(at + Off.wireBytes, r.wireBytes, true);
  view.setFloat64(at + Off.price, r.price, true);
  view.setFloat64(at + Off.quantity, r.quantity, true);
  view.setFloat64(at + Off.exchangeTime, r.exchangeTime, true);
  view.setFloat64(at + Off.receiveTime, r.receiveTime, true);
  view.setFloat64(at + Off.sequence, r.sequence, true);
  view.setFloat64(at + Off.eventTime, r.eventTime, true);
}

export function readRecord(view: DataView, at: number): MarketRecord {
  return {
    kind: view.getUint8(at + Off.kind),
    venue: view.getUint8(at + Off.venue),
    flags: view.getUint16(at + Off.flags, true),
    feedId: view.getUint16(at + Off.feedId, true),
    connectionId: view.getUint16(at + Off.connectionId, true),
    instrumentId: view.getUint32(at + Off.instrumentId, true),
    wireBytes: view.getUint32(at + Off.wireBytes, true),
    price: view.getFloat64(at + Off.price, true),
    quantity: view.getFloat64(at + Off.quantity, true),
    exchangeTime: view.getFloat64(at + Off.exchangeTime, true),
    receiveTime: view.getFloat64(at + Off.receiveTime, true),
    sequence: view.getFloat64(at + Off.sequence, true),
    eventTime: view.getFloat64(at + Off.eventTime, true),
  };
}

export function emptyRecord(): MarketRecord {
  return {
    kind: RecordKind.none,
    venue: Venue.unknown,
    flags: 0,
    feedId: 0,
    connectionId: 0,
    instrumentId: 0,
    wireBytes: 0,
    price: 0,
    quantity: 0,
    exchangeTime: 0,
    receiveTime: 0,
    sequence: 0,
    eventTime: 0,
  };
}
