import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  emptyRecord,
  type MarketRecord,
  Off,
  RECORD_SIZE,
  RecordKind,
  readRecord,
  Venue,
  writeRecord,
} from '../../src/common/record.ts';

test('record layout: 64 bytes, fields do not overlap and f64 fields are 8-byte aligned', () => {
  assert.equal(RECORD_SIZE, 64);
  const sizes: Record<keyof typeof Off, number> = {
    kind: 1,
    venue: 1,
    flags: 2,
    feedId: 2,
    connectionId: 2,
    instrumentId: 4,
    wireBytes: 4,
    price: 8,
    quantity: 8,
    exchangeTime: 8,
    receiveTime: 8,
    sequence: 8,
    eventTime: 8,
  };
  const used = new Uint8Array(RECORD_SIZE);
  for (const [name, off] of Object.entries(Off) as [keyof typeof Off, number][]) {
    const size = sizes[name];
    assert.equal(off % size, 0, `${name} is aligned to its size`);
    for (let i = off; i < off + size; i++) {
      assert.equal(used[i], 0, `${name} overlaps at byte ${i}`);
      used[i] = 1;
    }
  }
  assert.equal(
    used.reduce((a, b) => a + b, 0),
    RECORD_SIZE,
    'every byte is owned by a field',
  );
});

test('record round trip is bit-exact, little-endian, at any slot offset', () => {
  const buf = new ArrayBuffer(RECORD_SIZE * 3);
  const view = new DataView(buf);
  const r: MarketRecord = {
    kind: RecordKind.trade,
    venue: Venue.binance,
    flags: 0xbeef,
    feedId: 7,
    connectionId: 65535,
    instrumentId: 0x00070003,
    wireBytes: 163,
    price: 67250.1,
    quantity: 0.04,
    exchangeTime: 1784107800846.123,
    receiveTime: 1784107800847.5,
    sequence: 2 ** 53 - 1,
    eventTime: 1784107800847,
  };
  writeRecord(view, RECORD_SIZE * 2, r);
  assert.deepEqual(readRecord(view, RECORD_SIZE * 2), r);
  assert.deepEqual(readRecord(view, 0), emptyRecord(), 'neighbouring slot untouched');
  // Little-endian: the low byte of flags comes first.
  assert.equal(view.getUint8(RECORD_SIZE * 2 + Off.flags), 0xef);
  assert.equal(view.getFloat64(RECORD_SIZE * 2 + Off.price, true), 67250.1);
});
