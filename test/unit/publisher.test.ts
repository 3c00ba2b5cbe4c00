import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComponentKind, FEED_COUNTER_COUNT, FeedState, Stage } from '../../src/common/feed-model.ts';
import { createDecodedFrame, decodeFrame } from '../../src/common/frame.ts';
import { Off, RECORD_SIZE, RecordKind, Venue } from '../../src/common/record.ts';
import { createRing, RingWriter } from '../../src/common/ring.ts';
import { createFeedStats, FeedStat } from '../../src/main/feeds/feed-protocol.ts';
import { ComponentRegistry } from '../../src/main/metrics/components.ts';
import { MetricsReader } from '../../src/main/metrics/metrics-reader.ts';
import { BufferPool } from '../../src/main/pipeline/buffer-pool.ts';
import { FramePublisher } from '../../src/main/publisher/frame-publisher.ts';
import type { FrameSink } from '../../src/main/publisher/frame-sink.ts';
import { MarketReader } from '../../src/main/publisher/market-reader.ts';

function setup() {
  const ring = createRing({ capacity: 1024, maxReaders: 4, recordSize: RECORD_SIZE });
  const statsBuf = createFeedStats();
  const stats = new Float64Array(statsBuf);
  const writer = new RingWriter(ring);
  const pool = new BufferPool({ minSize: 512, maxSize: 64 * 1024, perClass: 2 });
  const t0 = 1_000_000;
  const metrics = new MetricsReader({ pool, start: t0 });
  metrics.addFeed(1, ring, statsBuf);
  const market = new MarketReader();
  market.addRing(ring);
  const components = new ComponentRegistry();
  components.addRing('ring test', writer);
  components.addPool('frame pool', pool);
  const publisher = new FramePublisher({
    metrics,
    market,
    components,
    pool,
    intervalMs: 250,
    start: t0,
    feeds: () => [
      {
        feedId: 1,
        venue: Venue.binance,
        state: FeedState.live,
        reconnects: 0,
        transitions: 3,
        since: t0,
        messages: stats[0]!,
        name: 'f',
        url: 'ws://x',
        counters: new Array<number>(FEED_COUNTER_COUNT).fill(0),
      },
    ],
    instruments: () => [{ instrumentId: 65536, feedId: 1, venue: Venue.binance, symbol: 'BTC-USDT' }],
  });
  const trade = (price: number, exchange: number, receive: number): void => {
    assert.equal(writer.claim(1), 1);
    const at = writer.offsetOf(writer.nextIndex);
    writer.data.setUint8(at + Off.kind, RecordKind.trade);
    writer.data.setUint32(at + Off.instrumentId, 65536, true);
    writer.data.setFloat64(at + Off.price, price, true);
    writer.data.setFloat64(at + Off.quantity, 0.5, true);
    writer.data.setFloat64(at + Off.exchangeTime, exchange, true);
    writer.data.setFloat64(at + Off.receiveTime, receive, true);
    writer.publish(1);
    stats[FeedStat.messages]! += 1;
    stats[FeedStat.bytes]! += 150;
  };
  return { publisher, pool, trade, t0 };
}

test('publisher: one frame per tick, a metrics section per closed interval, state on change and each second', () => {
  const { publisher, pool, trade, t0 } = setup();
  const frames: Uint8Array[] = [];
  const sink: FrameSink = {
    name: 't',
    send: (f, done) => {
      frames.push(f.slice());
      done();
    },
  };
  publisher.addSink(sink);
  const now = performance.timeOrigin + performance.now();
  trade(100, now - 2, now - 1);
  trade(101, now - 3, now - 1);
  publisher.tick(t0 + 100);
  publisher.tick(t0 + 250);
  publisher.tick(t0 + 300);
  assert.equal(frames.length, 3);
  const d = createDecodedFrame();
  decodeFrame(frames[0]!, d);
  assert.equal(d.hasMetrics, false, 'interval not closed at +100 ms');
  assert.equal(d.feeds?.length, 1, 'state sent to a new sink');
  assert.equal(d.instruments?.[0]?.symbol, 'BTC-USDT');
  assert.equal(d.marketCount, 1);
  assert.equal(d.market[0]!.last, 101);
  assert.equal(d.market[0]!.open, 100);
  decodeFrame(frames[1]!, d);
  assert.equal(d.hasMetrics, true);
  assert.equal(d.metrics.feeds[0]!.messagesPerSec, 8, '2 messages in 0.25 s');
  assert.equal(d.metrics.feeds[0]!.bytesPerSec, 1200);
  const wire = d.metrics.stages[Stage.wire]!;
  assert.equal(wire.count, 2);
  assert.ok(wire.p50 >= 999 && wire.max <= 2002, `wire 1–2 ms in µs: ${wire.p50}..${wire.max}`);
  assert.equal(d.feeds, null, 'state not resent without a change');
  assert.deepEqual(
    d.components?.map((c) => c.name),
    ['ring test', 'frame pool'],
    'every component reports with the metrics section',
  );
  assert.equal(d.components?.[0]?.kind, ComponentKind.ring);
  assert.equal(d.components?.[0]?.values[2], 2, 'ring writes');
  assert.equal(d.components?.[0]?.values[4], 2, 'two readers attached: metrics and market');
  decodeFrame(frames[2]!, d);
  assert.equal(d.hasMetrics, false);
  publisher.tick(t0 + 1300);
  decodeFrame(frames[3]!, d);
  assert.notEqual(d.feeds, null, 'state refreshed after a second');
  assert.equal(pool.stats.inUse, 0, 'every frame buffer went back to the pool');
  assert.ok(pool.stats.reuses >= 3);
});

test('publisher: a busy sink is skipped and counted; a slow sink holds its buffer until done', () => {
  const { publisher, pool, t0 } = setup();
  let pending: (() => void) | null = null;
  publisher.addSink({
    name: 'busy',
    send: () => assert.fail('busy sink must not be sent to'),
    busy: () => true,
  });
  const remove = publisher.addSink({ name: 'slow', send: (_f, done) => (pending = done) });
  publisher.tick(t0 + 10);
  assert.equal(publisher.stats.skippedBusy, 1);
  assert.equal(pool.stats.inUse, 1, 'buffer held by the slow sink');
  pending!();
  assert.equal(pool.stats.inUse, 0);
  remove();
  assert.equal(publisher.stats.sinks, 1);
});
