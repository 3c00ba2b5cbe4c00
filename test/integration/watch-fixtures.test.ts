/**
 * `tickscope watch` for every venue against its recorded fixture session served on loopback: the
 * real feed worker subscribes as the venue expects, decodes every frame, syncs the book (Binance
 * through its REST snapshot), verifies Kraken's and OKX's checksums, and its summary counts what
 * arrived. The gap variant of each session (one book delta removed) is detected exactly once and
 * resynced.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fixtureLines, serveFixture } from '../helpers/fixture-server.ts';

const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));

function watch(
  args: string[],
): Promise<{ code: number | null; lines: Record<string, number | string | boolean>[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'watch', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`watch did not end: ${err}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        lines: out
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      });
    });
  });
}

/** As a user types them: BASE-QUOTE, or the venue's spelling; each venue converts. */
const SYMBOLS: Record<string, string> = {
  binance: 'BTC-USDT',
  coinbase: 'BTC-USD',
  kraken: 'BTC-USD',
  bybit: 'BTC/USDT',
  okx: 'BTCUSDT',
};

/** The venue's own spelling of the fixture's instrument, which its subscription must use. */
const SPELLING: Record<string, string> = {
  binance: 'btcusdt@trade',
  coinbase: 'BTC-USD',
  kraken: 'BTC/USD',
  bybit: 'publicTrade.BTCUSDT',
  okx: 'BTC-USDT',
};

/** What each session holds (counted from the fixture files by their generator's story). */
const EXPECT: Record<string, { book: number; tops: number; heartbeats: number }> = {
  binance: { book: 18, tops: 12, heartbeats: 0 },
  coinbase: { book: 19, tops: 7, heartbeats: 5 },
  kraken: { book: 19, tops: 13, heartbeats: 2 },
  bybit: { book: 19, tops: 13, heartbeats: 0 },
  okx: { book: 20, tops: 13, heartbeats: 0 },
};

for (const venue of Object.keys(SYMBOLS)) {
  for (const kind of ['session', 'gap'] as const) {
    test(`watch ${venue} on its ${kind} fixture: counts, book sync, gaps`, async () => {
      const name = `${venue}-${kind}`;
      const lines = fixtureLines(name);
      const server = await serveFixture(name);
      try {
        const { code, lines: out } = await watch([
          '--venue',
          venue,
          '--symbols',
          SYMBOLS[venue]!,
          '--url',
          server.url,
          // Without --rest-url the REST base is the WebSocket's own host (checked on the session).
          ...(kind === 'gap' ? ['--rest-url', server.restUrl] : []),
          '--max-messages',
          String(lines.length),
          '--duration',
          '10',
          '--json',
        ]);
        assert.equal(code, 0);
        const s = out.at(-1)!;
        assert.equal(s.summary, true);
        assert.equal(s.messages, lines.length, 'every frame counted');
        assert.equal(s.malformed, 0);
        assert.equal(s.trades, 7, 'the story has 7 live trades on every venue');
        const gap = kind === 'gap';
        assert.equal(s.bookUpdates, EXPECT[venue]!.book - (gap ? 1 : 0));
        assert.equal(s.topOfBook, EXPECT[venue]!.tops);
        assert.equal(s.gaps, gap ? 1 : 0, 'the removed delta is detected once');
        assert.equal(s.resyncs, gap ? 1 : 0, 'and resynced');
        assert.equal(s.checksumErrors, gap && venue === 'kraken' ? 1 : 0, 'Kraken finds it by checksum');
        // What the client asked for: the subscriptions the fixture assumes, then a resync.
        const sent = server.received.join('\n');
        // The subscription names the instrument in the venue's own spelling, as the fixture assumes.
        assert.ok(
          sent.includes(JSON.stringify(SPELLING[venue]!)),
          `${venue} subscribes to ${SPELLING[venue]}: ${sent}`,
        );
        if (venue === 'binance') {
          assert.match(sent, /btcusdt@depth@100ms/);
          assert.ok(server.restCalls.length >= (gap ? 2 : 1), 'REST snapshot fetched (again after the gap)');
        } else if (gap) assert.match(sent, /unsubscribe/, 'the book is resubscribed after the gap');
      } finally {
        await server.close();
      }
    });
  }
}
