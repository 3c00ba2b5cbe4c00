/**
 * The planned roll-over (Binance cuts every connection at 24 h): ahead of the lifetime the worker
 * opens the next connection, switches at its first frame and closes the old one. Run here with a
 * lifetime of about a second: across several rolls no trade is missed or duplicated (ids stay
 * contiguous per instrument), no reconnect happens, and the book stays equal to the simulator's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeedState } from '../../src/common/feed-model.ts';
import { Off, RecordKind } from '../../src/common/record.ts';
import { RingReader } from '../../src/common/ring.ts';
import { FeedHost } from '../../src/main/feeds/feed-host.ts';
import { FeedStat } from '../../src/main/feeds/feed-protocol.ts';
import { VENUE_SPECS } from '../../src/main/feeds/venues/registry.ts';
import { VenueSim } from '../../src/main/sim/venue-sim.ts';
import { RecordBooks } from '../helpers/record-book.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('rolls ahead of the connection lifetime lose and repeat nothing', async () => {
  const sim = await VenueSim.start({
    venues: ['binance'],
    symbols: ['BTC-USDT', 'ETH-USDT'],
    rate: 400,
    seed: 9,
  });
  const spec = VENUE_SPECS.binance;
  const feed = new FeedHost(
    {
      feedId: 1,
      venue: spec.venue,
      name: 'binance',
      url: sim.urls.binance.ws,
      restUrl: sim.urls.binance.rest!,
      symbols: ['BTCUSDT', 'ETHUSDT'],
      maxConnectionAgeMs: 1600,
      rollAheadMs: 600,
    },
    new URL('../../src/main/feeds/feed-worker.ts', import.meta.url),
    { onChange() {}, onLog() {} },
  );
  const reader = new RingReader(feed.ring, 'lossless');
  const books = new RecordBooks();
  const ids = new Map<number, number[]>();
  const drain = () => {
    const n = reader.available();
    for (let k = 0; k < n; k++) {
      const at = reader.offsetOf(reader.cursor + k);
      if (reader.data.getUint8(at + Off.kind) !== RecordKind.trade) continue;
      const inst = reader.data.getUint32(at + Off.instrumentId, true);
      const list = ids.get(inst) ?? [];
      list.push(reader.data.getFloat64(at + Off.sequence, true));
      ids.set(inst, list);
    }
    books.drain(reader);
  };
  const pump = setInterval(drain, 5);
  try {
    feed.start();
    const s = feed.stats;
    const end = Date.now() + 15_000;
    while (s[FeedStat.rolls]! < 3 && Date.now() < end) await sleep(50);
    assert.ok(s[FeedStat.rolls]! >= 3, `rolled ${s[FeedStat.rolls]} times`);
    await sleep(300);
    sim.stopTrading();
    await sim.quiesce();
    const settle = Date.now() + 5000;
    while (
      !(feed.state === FeedState.live && [...books.books.values()].every((b) => b.synced)) &&
      Date.now() < settle
    )
      await sleep(20);
    await sleep(200);
    drain();
    assert.equal(s[FeedStat.reconnects], 0, 'rolls are not reconnects');
    let total = 0;
    for (const [inst, list] of ids) {
      for (let i = 1; i < list.length; i++)
        assert.equal(list[i], list[i - 1]! + 1, `instrument ${inst}: trade ids contiguous across rolls`);
      total += list.length;
    }
    assert.equal(total, sim.stats().tradesGenerated, 'every trade the market made arrived exactly once');
    assert.ok(s[FeedStat.duplicates]! >= 0);
    for (const inst of feed.instruments) {
      const want = sim.bookOf('binance', spec.venueSymbol(inst.symbol), 10);
      const got = books.levels(inst.instrumentId, 10);
      assert.deepEqual(got, { bids: want.bids, asks: want.asks }, inst.symbol);
    }
  } finally {
    clearInterval(pump);
    await feed.stop();
    await sim.close();
  }
});
