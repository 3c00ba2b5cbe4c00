import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MAX_FRAME_TRADES } from '../../src/common/frame.ts';
import {
  emptyRecord,
  type MarketRecord,
  Off,
  RECORD_SIZE,
  RecordFlag,
  RecordKind,
  writeRecord,
} from '../../src/common/record.ts';
import { createRing, RingWriter } from '../../src/common/ring.ts';
import { MarketReader, RECENT_TRADES } from '../../src/main/publisher/market-reader.ts';

const BTC = (1 << 16) | 0;
const ETH = (1 << 16) | 1;

function setup(capacity = 1024) {
  const ring = createRing({ capacity, maxReaders: 2, recordSize: RECORD_SIZE });
  const writer = new RingWriter(ring);
  const reader = new MarketReader();
  reader.addRing(ring);
  const put = (...records: Partial<MarketRecord>[]): void => {
    assert.equal(writer.claim(records.length), records.length);
    records.forEach((r, k) => {
      writeRecord(writer.data, writer.offsetOf(writer.nextIndex + k), { ...emptyRecord(), feedId: 1, ...r });
    });
    writer.publish(records.length);
  };
  return { reader, put };
}

const reset = (instrumentId: number): Partial<MarketRecord> => ({ kind: RecordKind.bookReset, instrumentId });
const bid = (
  instrumentId: number,
  price: number,
  quantity: number,
  snapshot = false,
): Partial<MarketRecord> => ({
  kind: RecordKind.bookDelta,
  instrumentId,
  price,
  quantity,
  flags: RecordFlag.bid | (snapshot ? RecordFlag.snapshot : 0),
});
const ask = (
  instrumentId: number,
  price: number,
  quantity: number,
  snapshot = false,
): Partial<MarketRecord> => ({
  kind: RecordKind.bookDelta,
  instrumentId,
  price,
  quantity,
  flags: snapshot ? RecordFlag.snapshot : 0,
});
const trade = (
  instrumentId: number,
  price: number,
  quantity: number,
  sell = false,
  t = 1,
): Partial<MarketRecord> => ({
  kind: RecordKind.trade,
  instrumentId,
  price,
  quantity,
  flags: sell ? RecordFlag.aggressorSell : 0,
  exchangeTime: t,
  receiveTime: t + 1,
});

test('market reader: snapshot, deltas, gap, resync', () => {
  const { reader, put } = setup();
  // Deltas before any snapshot build a book that is not in sync.
  put(bid(BTC, 99, 1));
  reader.drain();
  assert.equal(reader.bookOf(BTC)?.synced, false);

  put(
    reset(BTC),
    bid(BTC, 100, 1, true),
    bid(BTC, 99.5, 2, true),
    ask(BTC, 101, 3, true),
    ask(BTC, 102, 4, true),
  );
  reader.drain();
  let book = reader.bookOf(BTC)!;
  assert.equal(book.synced, true);
  assert.deepEqual(book.levels(), {
    bids: [
      [100, 1],
      [99.5, 2],
    ],
    asks: [
      [101, 3],
      [102, 4],
    ],
  });

  // Deltas: set a new best bid, change a size, delete a level, delete an absent one.
  put(bid(BTC, 100.5, 5), ask(BTC, 101, 7), bid(BTC, 99.5, 0), ask(BTC, 103, 0));
  reader.drain();
  assert.deepEqual(book.levels(), {
    bids: [
      [100.5, 5],
      [100, 1],
    ],
    asks: [
      [101, 7],
      [102, 4],
    ],
  });
  let s = reader.bookSection();
  assert.equal(s.count, 1);
  const e = s.entries[0]!;
  assert.equal(e.synced, true);
  assert.deepEqual([e.bid, e.bidSize, e.ask, e.askSize], [100.5, 5, 101, 7]);
  assert.equal(e.bidLevels, 2);
  assert.deepEqual([...e.askPx.subarray(0, e.askLevels)], [101, 102]);

  // A gap for the instrument: out of sync until the next reset, deltas still applied.
  put(
    { kind: RecordKind.gap, instrumentId: BTC, flags: RecordFlag.sequenceGap, quantity: 3 },
    bid(BTC, 100.5, 6),
  );
  reader.drain();
  assert.equal(book.synced, false);
  assert.equal(book.bids.qty[0], 6);
  assert.equal(reader.bookSection().entries[0]!.synced, false);

  // Resync: the reset clears what was there and the snapshot's levels follow.
  put(reset(BTC), bid(BTC, 98, 1, true), ask(BTC, 98.5, 2, true));
  reader.drain();
  book = reader.bookOf(BTC)!;
  assert.equal(book.synced, true);
  assert.deepEqual(book.levels(), { bids: [[98, 1]], asks: [[98.5, 2]] });

  // A gap for instrument 0 is the whole feed: every book of that feed goes out of sync.
  put(reset(ETH), bid(ETH, 10, 1, true), ask(ETH, 11, 1, true));
  reader.drain();
  assert.equal(reader.bookOf(ETH)!.synced, true);
  put({ kind: RecordKind.gap, instrumentId: 0, flags: RecordFlag.reconnect });
  reader.drain();
  assert.equal(reader.bookOf(BTC)!.synced, false);
  assert.equal(reader.bookOf(ETH)!.synced, false);
  // A gap of another feed leaves these alone.
  put(reset(BTC), { kind: RecordKind.gap, instrumentId: 0, feedId: 2 });
  reader.drain();
  assert.equal(reader.bookOf(BTC)!.synced, true);
  s = reader.bookSection();
  assert.equal(s.count, 2);
});

test('market reader: the top of book comes from bookTop records until a book is in sync', () => {
  const { reader, put } = setup();
  put(
    { kind: RecordKind.bookTop, instrumentId: BTC, flags: RecordFlag.bid, price: 100, quantity: 2 },
    { kind: RecordKind.bookTop, instrumentId: BTC, flags: 0, price: 100.5, quantity: 3 },
  );
  reader.drain();
  const e = reader.bookSection().entries[0]!;
  assert.deepEqual([e.bid, e.bidSize, e.ask, e.askSize], [100, 2, 100.5, 3]);
  assert.equal(e.synced, false);
  assert.equal(e.bidLevels, 0);
});

test('market reader: a lapped reader marks the ring’s books out of sync', () => {
  const { reader, put } = setup(64);
  put(reset(BTC), bid(BTC, 100, 1, true), ask(BTC, 101, 1, true));
  reader.drain();
  assert.equal(reader.bookOf(BTC)!.synced, true);
  for (let k = 0; k < 3; k++) put(...Array.from({ length: 40 }, (_, i) => bid(BTC, 90 + (i % 5), 1)));
  reader.drain();
  assert.equal(reader.bookOf(BTC)!.synced, false, 'skipped records may have changed the book');
  put(reset(BTC), bid(BTC, 100, 1, true));
  reader.drain();
  assert.equal(reader.bookOf(BTC)!.synced, true);
});

test('market reader: trades since the last frame, newest kept, bounded and counted', () => {
  const { reader, put } = setup(4096);
  put(trade(BTC, 100, 1, false, 10), trade(BTC, 101, 2, true, 11), trade(ETH, 10, 3, false, 12));
  reader.drain();
  let s = reader.bookSection();
  assert.equal(s.trades.count, 3);
  assert.equal(s.trades.omitted, 0);
  const btc = s.entries.find((e) => e.instrumentId === BTC)!;
  assert.equal(btc.tradeCount, 2);
  const i = btc.tradeStart;
  assert.deepEqual(
    [
      s.trades.price[i],
      s.trades.qty[i],
      s.trades.flags[i],
      s.trades.exchangeTime[i],
      s.trades.receiveTime[i],
    ],
    [100, 1, 0, 10, 11],
  );
  assert.equal(s.trades.flags[i + 1], RecordFlag.aggressorSell);
  assert.equal(reader.bookSection().trades.count, 0, 'sent trades are not sent again');

  // More than a frame can carry: the newest of each instrument go, shared between instruments.
  for (let k = 0; k < 3; k++) {
    put(...Array.from({ length: 300 }, (_, j) => trade(BTC, 1000 + k * 300 + j, 1)));
    reader.drain();
  }
  put(...Array.from({ length: 10 }, (_, j) => trade(ETH, 2000 + j, 1)));
  reader.drain();
  s = reader.bookSection();
  assert.equal(s.trades.count, Math.min(MAX_FRAME_TRADES, RECENT_TRADES + 10));
  assert.equal(s.trades.omitted, 900 + 10 - s.trades.count);
  const b = s.entries.find((e) => e.instrumentId === BTC)!;
  assert.equal(s.trades.price[b.tradeStart + b.tradeCount - 1], 1000 + 899, 'the newest trade is kept');
  assert.equal(
    s.entries.find((e) => e.instrumentId === ETH)!.tradeCount,
    10,
    'a quiet instrument is not starved',
  );
  assert.equal(reader.ticks.find((t) => t.instrumentId === BTC)!.trades, 902);

  // Three busy instruments: a frame carries MAX_FRAME_TRADES, an equal share each.
  const SOL = (1 << 16) | 2;
  for (const id of [BTC, ETH, SOL]) put(...Array.from({ length: 250 }, (_, j) => trade(id, 3000 + j, 1)));
  reader.drain();
  s = reader.bookSection();
  assert.equal(s.trades.count, MAX_FRAME_TRADES);
  assert.equal(s.trades.omitted, 750 - MAX_FRAME_TRADES);
  for (const e of s.entries) assert.ok(e.tradeCount >= Math.floor(MAX_FRAME_TRADES / 3), `${e.tradeCount}`);
});

test('market reader: no garbage per record — book deltas, resets, tops and trades over 2 million records', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const ring = createRing({ capacity: 1 << 14, maxReaders: 2, recordSize: RECORD_SIZE });
  const writer = new RingWriter(ring);
  const reader = new MarketReader();
  reader.addRing(ring);
  const d = writer.data;
  const batch = 8192;
  const write = (round: number): void => {
    writer.claim(batch);
    const first = writer.nextIndex;
    for (let k = 0; k < batch; k++) {
      const at = writer.offsetOf(first + k);
      const n = round * batch + k;
      const kind =
        k === 0
          ? RecordKind.bookReset
          : k % 4 === 0
            ? RecordKind.trade
            : k % 97 === 0
              ? RecordKind.bookTop
              : RecordKind.bookDelta;
      d.setUint8(at + Off.kind, kind);
      d.setUint16(at + Off.flags, n % 2 === 0 ? RecordFlag.bid : 0, true);
      d.setUint16(at + Off.feedId, 1, true);
      d.setUint32(at + Off.instrumentId, (1 << 16) | (n % 5), true);
      d.setFloat64(at + Off.price, n % 2 === 0 ? 100 - (n % 50) * 0.5 : 101 + (n % 50) * 0.5, true);
      d.setFloat64(at + Off.quantity, n % 7 === 0 ? 0 : (n % 13) + 0.25, true);
      d.setFloat64(at + Off.exchangeTime, 1e12 + n, true);
      d.setFloat64(at + Off.receiveTime, 1e12 + n + 1, true);
    }
    writer.publish(batch);
  };
  // The records are written once (both halves of the ring); from then on each round publishes the
  // same slots again, so that only the reader's work is measured, not the test's writing.
  write(0);
  reader.drain();
  write(1);
  reader.drain();
  const run = (rounds: number): void => {
    for (let r = 0; r < rounds; r++) {
      writer.claim(batch);
      writer.publish(batch);
      reader.drain();
      reader.bookSection();
    }
  };
  run(20); // warm up: slots, book capacity, JIT
  gc();
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  const before = process.memoryUsage().heapUsed;
  run(256);
  const growth = process.memoryUsage().heapUsed - before;
  await new Promise((resolve) => setTimeout(resolve, 50));
  obs.disconnect();
  console.log(
    `market reader: ${256 * batch} records, ${gcs} GCs, heap growth ${Math.round(growth / 1024)} KiB`,
  );
  assert.equal(gcs, 0);
  assert.ok(growth < 256 * 1024, `heap grew ${growth} bytes`);
  assert.equal(reader.books.length, 5);
});
