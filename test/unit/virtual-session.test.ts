import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { FeedState, Stage } from '../../src/common/feed-model.ts';
import { createDecodedFrame, decodeFrame } from '../../src/common/frame.ts';
import { VIRTUAL_VENUES, VirtualSession } from '../../src/main/engine/virtual-session.ts';

/** Every venue of the venue list is in the session. */
const VENUES = VIRTUAL_VENUES.length;

function digest(s: VirtualSession): string {
  const h = createHash('sha256');
  for (const f of s.frames) h.update(f);
  return h.digest('hex');
}

test('a virtual session is byte-for-byte reproducible and runs the real metrics path', () => {
  const a = VirtualSession.create({ seed: 1, seconds: 20 });
  const b = VirtualSession.create({ seed: 1, seconds: 20 });
  const c = VirtualSession.create({ seed: 2, seconds: 20 });
  assert.equal(a.frameCount, 80, 'one frame per 250 ms interval');
  assert.equal(digest(a), digest(b));
  assert.notEqual(digest(a), digest(c));

  const d = createDecodedFrame();
  let samples = 0;
  for (const f of a.frames) {
    decodeFrame(f, d);
    assert.equal(d.hasMetrics, true);
    assert.equal(d.metrics.feedCount, VENUES, 'one feed per venue');
    const wire = d.metrics.stages[Stage.wire]!;
    samples += wire.count;
    if (wire.count > 0) assert.ok(wire.p50 > 300 && wire.p50 < 3000, `wire p50 ≈ 1 ms, got ${wire.p50} µs`);
  }
  // 5 venues × 400 events/s × 20 s = 40,000 events; the wire stage times the timed ones.
  assert.ok(samples > 2_000 * VENUES && samples < 12_000 * VENUES, `wire samples, got ${samples}`);
  decodeFrame(a.frames.at(-1)!, d);
  assert.equal(d.marketCount, 3 * VENUES, '3 instruments on each venue');
  assert.ok(d.hasBook);
  const synced = d.book.entries.slice(0, d.book.count).filter((e) => e.synced && e.bidLevels === 10);
  assert.equal(
    synced.length,
    3 * VENUES,
    'every book rebuilt from its snapshot and deltas, 10 levels a side',
  );
  for (const e of synced.slice(0, d.book.count)) assert.ok(e.bid < e.ask, 'a book never crosses');
});

test('the scripted outage goes stale, backs off, reconnects and resyncs one feed', () => {
  const s = VirtualSession.create({ seed: 1, seconds: 20, outage: { venue: 'kraken', at: 8 } });
  const d = createDecodedFrame();
  const states: number[] = [];
  for (const f of s.frames) {
    decodeFrame(f, d);
    const kraken = d.feeds?.find((x) => x.name === 'kraken-sim');
    if (kraken && states.at(-1) !== kraken.state) states.push(kraken.state);
  }
  assert.deepEqual(states, [
    FeedState.live,
    FeedState.stale,
    FeedState.backoff,
    FeedState.connecting,
    FeedState.subscribing,
    FeedState.live,
  ]);
  const kraken = d.feeds?.find((x) => x.name === 'kraken-sim');
  assert.equal(kraken?.reconnects, 1);
  const book = d.book.entries.slice(0, d.book.count).find((e) => e.instrumentId >> 16 === kraken?.feedId);
  assert.equal(book?.synced, true, 'the books are back in sync after the resync');
});
