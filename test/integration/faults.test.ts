/**
 * The feed worker against the simulator's injected faults, over loopback: every fault is seen,
 * counted, and recovered from — the feed ends up live and trading again.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FeedState } from '../../src/common/feed-model.ts';
import { Venue } from '../../src/common/record.ts';
import { sourceFeedWorkerUrl } from '../../src/main/cli/paths.ts';
import { FeedHost } from '../../src/main/feeds/feed-host.ts';
import { FeedStat } from '../../src/main/feeds/feed-protocol.ts';
import { VenueSim } from '../../src/main/sim/venue-sim.ts';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function setup(name: string) {
  // Binance's trade-only stream, as the engine's default feed reads it.
  const sim = await VenueSim.start({
    mode: 'trades',
    port: 0,
    rate: 500,
    seed: 21,
    pingIntervalMs: 100,
    stallMs: 1200,
  });
  cleanups.push(() => sim.close());
  const states: number[] = [];
  const logs: string[] = [];
  const feed: FeedHost = new FeedHost(
    {
      feedId: 1,
      venue: Venue.binance,
      name,
      url: sim.baseUrl,
      symbols: ['BTCUSDT', 'ETHUSDT'],
      staleAfterMs: 400,
      backoffInitialMs: 20,
      backoffMaxMs: 200,
    },
    sourceFeedWorkerUrl(),
    {
      onChange: () => {
        if (states.at(-1) !== feed.state) states.push(feed.state);
      },
      onLog: (l) => logs.push(l),
    },
  );
  feed.start();
  cleanups.push(() => feed.stop());
  await until('live and trading', () => feed.state === FeedState.live && feed.stats[FeedStat.trades]! > 20);
  return { sim, feed, states, logs };
}

async function tradingAgain(feed: FeedHost): Promise<void> {
  const before = feed.stats[FeedStat.trades]!;
  await until(
    'trading again',
    () => feed.state === FeedState.live && feed.stats[FeedStat.trades]! > before + 20,
  );
}

test('malformed frame: counted and reported, the connection stays up', async () => {
  const { sim, feed, logs } = await setup('malformed');
  sim.inject('malformed');
  await until('malformed counted', () => feed.stats[FeedStat.malformed] === 1);
  await tradingAgain(feed);
  assert.equal(feed.stats[FeedStat.reconnects], 0);
  assert.ok(
    logs.some((l) => l.includes('bad JSON syntax')),
    logs.join('\n'),
  );
  assert.equal(sim.stats().venues.binance.malformed, 1);
});

test('oversized frame: refused by maxPayload, counted as malformed, reconnected', async () => {
  const { sim, feed, logs } = await setup('oversized');
  sim.inject('oversized');
  await until('reconnected', () => feed.stats[FeedStat.reconnects] === 1);
  await tradingAgain(feed);
  assert.equal(feed.stats[FeedStat.malformed], 1);
  assert.ok(
    logs.some((l) => l.includes('oversized frame')),
    logs.join('\n'),
  );
});

test('stalled feed (no trades, no pings): detected as stale, reconnected, trading again', async () => {
  const { sim, feed, states } = await setup('stall');
  sim.inject('stall');
  await until('stale detected', () => states.includes(FeedState.stale));
  await tradingAgain(feed);
  assert.ok(feed.stats[FeedStat.reconnects]! >= 1);
});

test('disconnect: backoff, reconnect, resubscribe', async () => {
  const { sim, feed, states } = await setup('disconnect');
  sim.inject('disconnect');
  await until('reconnected', () => feed.stats[FeedStat.reconnects] === 1);
  await tradingAgain(feed);
  assert.ok(states.includes(FeedState.backoff));
  assert.equal(feed.stats[FeedStat.malformed], 0);
  // connecting → subscribing → live, then backoff → connecting → subscribing → live
  assert.ok(feed.transitions >= 7, `${feed.transitions} state transitions counted`);
  assert.equal(feed.status().transitions, feed.transitions);
});
