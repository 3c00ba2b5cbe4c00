/**
 * Throughput per stream against the simulator: five venues through the real feed workers, the
 * metrics reader closing intervals and the frame codec carrying them. Every wire message lands in
 * exactly one stream (trades, top of book, book, other), so at rest each feed's streams sum to its
 * message and byte totals — and to what the simulator says it sent — and in every interval the
 * per-stream rates of a feed sum to its total rate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeedState, STREAM_COUNT, Stream } from '../../src/common/feed-model.ts';
import { createDecodedFrame, decodeFrame, encodeFrame, measureFrame } from '../../src/common/frame.ts';
import { FeedHost } from '../../src/main/feeds/feed-host.ts';
import { FeedStat } from '../../src/main/feeds/feed-protocol.ts';
import { VENUE_NAMES, VENUE_SPECS } from '../../src/main/feeds/venues/registry.ts';
import { MetricsReader } from '../../src/main/metrics/metrics-reader.ts';
import { VenueSim } from '../../src/main/sim/venue-sim.ts';

const workerUrl = new URL('../../src/main/feeds/feed-worker.ts', import.meta.url);
const SYMBOLS = ['BTC-USDT', 'ETH-USDT'];
const VENUES = VENUE_NAMES;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
};

test('per-stream messages and bytes of every feed sum to its totals: at rest, in the simulator’s counts, and in every metrics interval of the frames', async () => {
  const sim = await VenueSim.start({ venues: VENUES, symbols: SYMBOLS, rate: 400, seed: 61 });
  const feeds = VENUES.map((venue, i) => {
    const spec = VENUE_SPECS[venue];
    return new FeedHost(
      {
        feedId: i + 1,
        venue: spec.venue,
        name: venue,
        url: sim.urls[venue].ws,
        ...(sim.urls[venue].rest ? { restUrl: sim.urls[venue].rest } : {}),
        symbols: SYMBOLS.map((s) => spec.venueSymbol(s)),
        pingEveryMs: 200,
      },
      workerUrl,
      { onChange() {}, onLog() {} },
    );
  });
  const metrics = new MetricsReader();
  for (const f of feeds) metrics.addFeed(f.config.feedId, f.ring, f.statsBuffer);
  const frame = createDecodedFrame();
  let intervals = 0;
  let worst = 0;
  /** Per feed: the stream rates × interval seconds summed over every interval (telescopes to the total). */
  const carried = feeds.map(() => ({
    messages: new Float64Array(STREAM_COUNT),
    bytes: new Float64Array(STREAM_COUNT),
  }));
  const close = (): void => {
    metrics.drain();
    const m = metrics.closeInterval(performance.timeOrigin + performance.now());
    const buf = new Uint8Array(measureFrame({ seq: intervals, time: m.end, metrics: m }));
    decodeFrame(buf.subarray(0, encodeFrame(buf, { seq: intervals, time: m.end, metrics: m })), frame);
    const d = frame.metrics;
    const seconds = (d.end - d.start) / 1000;
    assert.equal(d.feedCount, feeds.length);
    for (let i = 0; i < d.feedCount; i++) {
      const f = d.feeds[i]!;
      // The worker adds the total and then the stream of a message a few instructions apart; an
      // interval closed between the two sees one message in flight, never more per feed.
      const off = Math.abs(sum(f.streamMessagesPerSec) - f.messagesPerSec) * seconds;
      worst = Math.max(worst, off);
      assert.ok(
        off <= 1 + 1e-6,
        `feed ${f.feedId}: streams ${[...f.streamMessagesPerSec]} vs ${f.messagesPerSec}`,
      );
      for (let k = 0; k < STREAM_COUNT; k++) {
        carried[i]!.messages[k]! += f.streamMessagesPerSec[k]! * seconds;
        carried[i]!.bytes[k]! += f.streamBytesPerSec[k]! * seconds;
      }
    }
    intervals++;
  };
  const ticker = setInterval(close, 250);
  try {
    for (const f of feeds) f.start();
    await until('every feed live', () => feeds.every((f) => f.state === FeedState.live));
    await sleep(1500);
    for (const v of VENUES) sim.inject('malformed', v);
    await until('malformed frames counted', () => feeds.every((f) => f.stats[FeedStat.malformed]! >= 1));
    await sleep(1000);
    sim.stopTrading();
    await sim.quiesce();
    await sleep(400);
    clearInterval(ticker);
    for (const f of feeds) await f.stop();
    close();

    const sent = sim.stats().venues;
    for (const [i, f] of feeds.entries()) {
      const s = f.stats;
      const venue = VENUES[i]!;
      const msgs = s.subarray(FeedStat.streamMessages, FeedStat.streamMessages + STREAM_COUNT);
      const bytes = s.subarray(FeedStat.streamBytes, FeedStat.streamBytes + STREAM_COUNT);
      const detail = `${venue}: streams ${[...msgs]} (bytes ${[...bytes]}), total ${s[FeedStat.messages]} (${s[FeedStat.bytes]} B), sim ${JSON.stringify(sent[venue])}`;
      // At rest, exactly: every message in one stream.
      assert.equal(sum(msgs), s[FeedStat.messages], `messages: ${detail}`);
      assert.equal(sum(bytes), s[FeedStat.bytes], `bytes: ${detail}`);
      // …and the totals are what the simulator wrote on the wire.
      assert.equal(s[FeedStat.messages], sent[venue].messages, `frames received = sent: ${detail}`);
      assert.equal(s[FeedStat.bytes], sent[venue].bytes, `bytes received = sent: ${detail}`);
      // Book frames are the book stream (Binance's snapshots come over REST, not the socket; Bybit's
      // top of book is its depth-1 book channel, which the simulator counts with the books).
      const restSnapshots = venue === 'binance' ? sent[venue].bookSnapshots : 0;
      const topAsBook = venue === 'bybit' ? msgs[Stream.top]! : 0;
      assert.equal(
        msgs[Stream.book]! + topAsBook,
        sent[venue].bookUpdates - restSnapshots,
        `book frames: ${detail}`,
      );
      assert.ok(msgs[Stream.book]! > 0, `book: ${detail}`);
      assert.ok(msgs[Stream.trades]! > 0 && msgs[Stream.trades]! <= sent[venue].trades, `trades: ${detail}`);
      assert.ok(
        msgs[Stream.other]! >= 1 + sent[venue].malformed,
        `acks, pongs and the malformed frame: ${detail}`,
      );
      // The frames carried the same numbers: their rates × seconds telescope to the counters.
      for (let k = 0; k < STREAM_COUNT; k++) {
        assert.ok(
          Math.abs(carried[i]!.messages[k]! - msgs[k]!) < 1e-6 * (1 + msgs[k]!),
          `stream ${k} messages carried: ${detail}`,
        );
        assert.ok(
          Math.abs(carried[i]!.bytes[k]! - bytes[k]!) < 1e-6 * (1 + bytes[k]!),
          `stream ${k} bytes carried: ${detail}`,
        );
      }
    }
    assert.ok(intervals >= 10, `${intervals} intervals`);
    console.log(
      `streams: ${intervals} intervals, worst per-interval in-flight difference ${worst.toFixed(2)} messages; ${VENUES.map((v, i) => `${v} ${[...feeds[i]!.stats.subarray(FeedStat.streamMessages, FeedStat.streamMessages + STREAM_COUNT)].join('/')}`).join(', ')}`,
    );
  } finally {
    clearInterval(ticker);
    for (const f of feeds) await f.stop();
    await sim.close();
  }
});
