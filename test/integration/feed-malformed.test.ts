/**
 * A feed worker against a scripted loopback server that sends malformed frames between valid
 * trades: every malformed frame is counted and reported once per kind, every valid trade still
 * reaches the ring, and the worker never crashes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { FeedState } from '../../src/common/feed-model.ts';
import { Off, RecordKind, Venue } from '../../src/common/record.ts';
import { RingReader } from '../../src/common/ring.ts';
import { sourceFeedWorkerUrl } from '../../src/main/cli/paths.ts';
import { FeedHost } from '../../src/main/feeds/feed-host.ts';
import { FeedStat } from '../../src/main/feeds/feed-protocol.ts';

const trade = (id: number): string =>
  `{"stream":"btcusdt@trade","data":{"e":"trade","E":${Date.now() * 1000},"s":"BTCUSDT","t":${id},"p":"67250.10000000","q":"0.04000000","T":${Date.now() * 1000},"m":false,"M":true}}`;

const MALFORMED = [
  'not json at all',
  '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT"',
  '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"x","q":"1","T":1,"m":false,"M":true}}',
  '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1","q":"1","T":1,"M":true}}',
  '[1,2,3]',
];

test('malformed frames are counted and reported; valid trades around them all arrive', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as { port: number }).port;
  wss.on('connection', (ws) => {
    ws.on('message', (m) => {
      const req = JSON.parse(m.toString());
      ws.send(JSON.stringify({ result: null, id: req.id }));
      let id = 100;
      for (let round = 0; round < 20; round++) {
        for (const bad of MALFORMED) {
          ws.send(trade(id++));
          ws.send(bad);
        }
      }
      ws.send(Buffer.from([0xff, 0x00, 0x01]), { binary: true });
      ws.send(trade(id++));
    });
  });
  const logs: string[] = [];
  const feed = new FeedHost(
    { feedId: 3, venue: Venue.binance, name: 'bad', url: `ws://127.0.0.1:${port}`, symbols: ['BTCUSDT'] },
    sourceFeedWorkerUrl(),
    { onChange() {}, onLog: (l) => logs.push(l) },
  );
  const reader = new RingReader(feed.ring, 'lossless');
  feed.start();
  try {
    const expected = 20 * MALFORMED.length + 1;
    let trades = 0;
    const t0 = Date.now();
    while (trades < expected && Date.now() - t0 < 10_000) {
      const n = reader.available();
      for (let k = 0; k < n; k++) {
        if (reader.data.getUint8(reader.offsetOf(reader.cursor + k) + Off.kind) === RecordKind.trade)
          trades++;
      }
      reader.advance(n);
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(trades, expected, 'every valid trade reached the ring');
    assert.equal(feed.stats[FeedStat.malformed], 20 * MALFORMED.length + 1, 'every malformed frame counted');
    assert.equal(feed.state, FeedState.live, 'the feed stayed up');
    assert.equal(feed.stats[FeedStat.reconnects], 0);
    // Reported once per kind, with a sample, not once per frame.
    const reported = logs.filter((l) => l.startsWith('feed bad:'));
    assert.ok(reported.length >= 3 && reported.length <= 6, reported.join('\n'));
    assert.equal(new Set(reported).size, reported.length);
  } finally {
    await feed.stop();
    wss.close();
  }
});
