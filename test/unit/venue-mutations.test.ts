/**
 * Property tests (fast-check, fixed seed; FC_SEED=n replays another) over every frame of every
 * venue's fixture session, rewritten the ways a venue may write the same thing: keys in any order,
 * unknown fields, extra whitespace, numbers as JSON numbers rather than strings and back (Kraken v2
 * sends numbers), exponent forms (`1e-8`), escaped characters in instrument names (`BTC\/USD`,
 * `\u0042TC-USDT`). And a few ways it may write another thing: a channel we do not know, a number
 * out of range.
 *
 * 1. Each rewritten frame decodes exactly like the JSON.parse reference (test/helpers/
 *    venue-reference.ts), or both refuse it under the same name; a rewrite that means the same
 *    thing is never refused.
 * 2. A whole session, every frame rewritten, through the feed's real ingest (decoder, book sync,
 *    checksums, records), publishes the same records as the session as sent: same trades, books,
 *    instruments, times, sequences; no malformed frame, no gap.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { RecordFlag, RecordKind } from '../../src/common/record.ts';
import { VENUE_NAMES } from '../../src/common/venues.ts';
import { JsonScanner, SCAN_ERROR_NAMES } from '../../src/main/feeds/json-scan.ts';
import { FeedMessage } from '../../src/main/feeds/venues/message.ts';
import { VENUE_SPECS } from '../../src/main/feeds/venues/registry.ts';
import { seededCheck } from '../helpers/fc-check.ts';
import { FeedStat, type PlainRecord, runIngest } from '../helpers/ingest-harness.ts';
import {
  addUnknownFields,
  escapeStrings,
  flipQuotes,
  type Leaf,
  leaves,
  type Node,
  numberText,
  print,
  shuffleKeys,
  spacer,
  toExponents,
  toTree,
} from '../helpers/json-mutate.ts';
import { rng } from '../helpers/session-fixture.ts';
import { refDecode, type VenueName, viewOf } from '../helpers/venue-reference.ts';

const { check } = seededCheck('test/unit/venue-mutations.test.ts', 20_260_513);

const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);
const VENUES = VENUE_NAMES;
/** Each venue's decoder, as the feed worker runs it (its VenueSpec). */
const DECODE = (venue: VenueName) => VENUE_SPECS[venue].decode;
function lines(name: string): string[] {
  return readFileSync(new URL(name, FIXTURES), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}
const SESSION = Object.fromEntries(VENUES.map((v) => [v, lines(`${v}-session.jsonl`)])) as Record<
  VenueName,
  string[]
>;
const DEPTH_SNAPSHOT = readFileSync(new URL('binance-depth-snapshot.json', FIXTURES), 'utf8');

/** Strings that name an instrument in the fixtures (a Bybit topic or Binance stream carries one). */
const namesInstrument = (v: string): boolean => /BTC[-/]?USDT?|btcusdt/.test(v);

/**
 * What must stay as it is for a rewrite to mean the same thing to the venue's own rules: OKX's
 * checksum is over the level strings as sent, so an exponent form there is another checksum; and
 * a Coinbase trade_id is a string of digits (a number there is documented as not an id).
 */
const keepExponent = (venue: VenueName) => (l: Leaf) =>
  venue === 'okx' && (l.path.includes('asks') || l.path.includes('bids'));
const keepQuotes = (venue: VenueName) => (l: Leaf) => venue === 'coinbase' && l.path.at(-1) === 'trade_id';

const SAME = ['order', 'unknown', 'space', 'quotes', 'exponent', 'escape'] as const;
type Same = (typeof SAME)[number];

/** Rewrites one frame in the chosen ways (the same meaning). OKX's bare `pong` stays itself. */
function rewrite(venue: VenueName, line: string, ways: readonly Same[], seed: number): string {
  if (line === 'pong') return line;
  const rnd = rng(seed);
  const tree = toTree(line);
  for (const w of ways) {
    if (w === 'order') shuffleKeys(tree, rnd);
    else if (w === 'unknown') addUnknownFields(tree, rnd);
    else if (w === 'quotes') flipQuotes(tree, rnd, keepQuotes(venue));
    else if (w === 'exponent') toExponents(tree, rnd, keepExponent(venue));
    else if (w === 'escape') escapeStrings(tree, rnd, namesInstrument);
  }
  return print(tree, ways.includes('space') ? spacer(rnd) : undefined);
}

/** Renames the frame's channel (or event type) to one no decoder knows. */
function unknownChannel(venue: VenueName, tree: Node): boolean {
  const paths: Record<VenueName, string[]> = {
    binance: ['data/e', 'e'],
    coinbase: ['channel'],
    kraken: ['channel'],
    bybit: ['topic'],
    okx: ['arg/channel'],
  };
  let done = false;
  for (const l of leaves(tree)) {
    if (!paths[venue].includes(l.path.join('/')) || !l.node.s.startsWith('"')) continue;
    l.node.s = venue === 'bybit' ? '"zzTopic.BTCUSDT"' : '"zz_channel"';
    done = true;
  }
  return done;
}

const sc = new JsonScanner();
const enc = new TextEncoder();

function decode(venue: VenueName, text: string) {
  const m = new FeedMessage();
  const b = enc.encode(text);
  DECODE(venue)(sc, b, b.length, m);
  return { view: viewOf(b, m, venue), reason: SCAN_ERROR_NAMES[m.malformed]! };
}

for (const venue of VENUES) {
  test(`${venue}: every fixture frame, rewritten to mean the same, decodes exactly like the reference`, () => {
    const frames = SESSION[venue];
    check(
      `${venue} same meaning`,
      fc.property(
        fc.nat({ max: frames.length - 1 }),
        fc.subarray([...SAME], { minLength: 1 }),
        fc.nat(),
        (i, ways, seed) => {
          const text = rewrite(venue, frames[i]!, ways, seed);
          const got = decode(venue, text);
          const want = refDecode(venue, text);
          assert.equal(decode(venue, frames[i]!).view.kind === 'malformed', false);
          assert.notEqual(got.view.kind, 'malformed', `refused (${got.reason}): ${text}`);
          assert.deepEqual(got.view, want.view, text);
          // And it is what the frame as sent decodes to (but for the digits a checksum prints).
          assert.deepEqual(got.view.kind, decode(venue, frames[i]!).view.kind);
        },
      ),
      1500,
    );
  });

  test(`${venue}: unknown channels and out-of-range numbers: what the reference decodes, or its refusal by name`, () => {
    const frames = SESSION[venue].filter((l) => l !== 'pong');
    check(
      `${venue} other meaning`,
      fc.property(
        fc.nat({ max: frames.length - 1 }),
        fc.constantFrom('channel', 'overflow', 'zero'),
        fc.subarray([...SAME], { minLength: 0 }),
        fc.nat(),
        (i, what, ways, seed) => {
          const rnd = rng(seed ^ 0x9e3779b9);
          const tree = toTree(rewrite(venue, frames[i]!, ways, seed));
          if (what === 'channel') {
            if (!unknownChannel(venue, tree)) return;
          } else {
            const nums = leaves(tree).filter((l) => numberText(l.node) !== null);
            if (nums.length === 0) return;
            const l = nums[Math.floor(rnd() * nums.length)]!;
            const v =
              what === 'overflow' ? (rnd() < 0.5 ? '1e309' : '-1.5E+400') : rnd() < 0.5 ? '0e0' : '0.0E-3';
            l.node.s = numberText(l.node)!.quoted ? JSON.stringify(v) : v;
          }
          const text = print(tree);
          const got = decode(venue, text);
          const want = refDecode(venue, text);
          if (want.view.kind === 'malformed') {
            assert.equal(
              got.view.kind,
              'malformed',
              `accepted what the reference refused (${want.refusal}): ${text}`,
            );
            assert.equal(got.reason, want.refusal, text);
          } else {
            assert.notEqual(got.view.kind, 'malformed', `refused (${got.reason}): ${text}`);
            assert.deepEqual(got.view, want.view, text);
          }
          // A data frame of a channel we do not know is counted as other, not refused.
          const was = decode(venue, frames[i]!).view.kind;
          if (what === 'channel' && !['ack', 'error', 'pong', 'shutdown'].includes(was))
            assert.equal(got.view.kind, 'other', text);
        },
      ),
      1000,
    );
  });
}

/**
 * Records in an order that does not depend on the order of a frame's keys (its bid and ask levels,
 * of the book and the top of book),
 * with a time that is the receive time (no venue time: a REST book, a gap) shown as such, and
 * without the receive time and wire size themselves (they differ run to run and with the spelling).
 */
function canonical(r: ReturnType<typeof runIngest>): PlainRecord[][] {
  const order = (x: PlainRecord): number => {
    if (x.kind === RecordKind.bookReset) return 0;
    if (x.kind === RecordKind.bookDelta) return x.flags & RecordFlag.bid ? 1 : 2;
    if (x.kind === RecordKind.bookTop) return x.flags & RecordFlag.bid ? 3 : 4;
    return 5;
  };
  return r.perFrame.map((rs) =>
    rs
      .map((x, i) => ({ x, i }))
      .sort((a, b) => order(a.x) - order(b.x) || a.i - b.i)
      .map(({ x: { receiveTime, wireBytes: _, ...x } }) => ({
        ...x,
        exchangeTime: x.exchangeTime === receiveTime ? -1 : x.exchangeTime,
        eventTime: x.eventTime === receiveTime ? -1 : x.eventTime,
      })),
  );
}

for (const venue of VENUES) {
  test(`${venue}: the whole session, every frame rewritten to mean the same, publishes the same records`, () => {
    const frames = SESSION[venue];
    const opts = venue === 'binance' ? { depthSnapshot: DEPTH_SNAPSHOT, withWire: true } : { withWire: true };
    const sent = runIngest(venue, frames, opts);
    assert.equal(sent.stats[FeedStat.malformed], 0);
    assert.equal(sent.stats[FeedStat.gaps], 0);
    check(
      `${venue} session records`,
      fc.property(fc.subarray([...SAME], { minLength: 1 }), fc.nat(), (ways, seed) => {
        const rewritten = frames.map((l, i) => rewrite(venue, l, ways, seed + i));
        const r = runIngest(venue, rewritten, opts);
        assert.deepEqual(r.malformed, [], 'no frame refused');
        assert.equal(r.stats[FeedStat.gaps], 0, 'no gap');
        assert.equal(r.stats[FeedStat.checksumErrors], 0, 'no checksum error');
        assert.deepEqual(r.instruments, sent.instruments, 'the same instruments');
        assert.deepEqual(canonical(r), canonical(sent));
        for (const k of [
          'messages',
          'trades',
          'control',
          'heartbeats',
          'snapshots',
          'bookUpdates',
          'tops',
        ] as const)
          assert.equal(r.stats[FeedStat[k]], sent.stats[FeedStat[k]], k);
      }),
      60,
    );
  });
}

/** Frames of channels Tickscope does not read, as the venues document them. */
const UNKNOWN_CHANNELS: Record<VenueName, string[]> = {
  binance: [
    '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1784107800847,"s":"BTCUSDT","a":12345,"p":"67250.10000000","q":"0.04000000","f":100,"l":105,"T":1784107800846,"m":true,"M":true}}',
    '{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1784107800847,"s":"BTCUSDT","k":{"t":1784107800000,"T":1784107859999,"s":"BTCUSDT","i":"1m","o":"67250.1","c":"67250.2","h":"67251","l":"67249","v":"1.2","x":false}}}',
    '{"stream":"btcusdt@depth20@100ms","data":{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}}',
    '{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}',
    '{"e":"24hrTicker","E":1784107800847,"s":"BTCUSDT","p":"752.3","P":"1.13","b":"67250.0","B":"0.38","a":"67250.1","A":"0.41","c":"67250.1","v":"1984.6"}',
  ],
  coinbase: [
    '{"channel":"candles","timestamp":"2026-07-15T09:30:01.0Z","sequence_num":5,"events":[{"type":"update","candles":[{"start":"1784107800","high":"67251","low":"67249","open":"67250","close":"67250.1","volume":"1.2","product_id":"BTC-USD"}]}]}',
    '{"channel":"ticker_batch","timestamp":"2026-07-15T09:30:01.0Z","sequence_num":6,"events":[{"type":"update","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"67250.1","volume_24_h":"8211.4"}]}]}',
    '{"channel":"status","timestamp":"2026-07-15T09:30:01.0Z","sequence_num":7,"events":[{"type":"snapshot","products":[{"product_type":"SPOT","id":"BTC-USD","base_currency":"BTC","quote_currency":"USD","status":"online"}]}]}',
  ],
  kraken: [
    '{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","status":"enabled","precision":10}],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","price_precision":1,"qty_precision":8}]}}',
    '{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","open":67250.0,"high":67251.0,"low":67249.0,"close":67250.1,"volume":1.2,"interval":1,"interval_begin":"2026-07-15T09:30:00.000000000Z"}]}',
  ],
  bybit: [
    '{"topic":"tickers.BTCUSDT","ts":1784107800260,"type":"snapshot","cs":1,"data":{"symbol":"BTCUSDT","lastPrice":"67250.10","highPrice24h":"67899.90","volume24h":"1984.6"}}',
    '{"topic":"kline.1.BTCUSDT","ts":1784107800260,"type":"snapshot","data":[{"start":1784107800000,"end":1784107859999,"interval":"1","open":"67250","close":"67250.1","confirm":false}]}',
  ],
  okx: [
    '{"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instType":"SPOT","instId":"BTC-USDT","last":"67250.1","lastSz":"0.04","askPx":"67250.1","askSz":"0.41","bidPx":"67250","bidSz":"0.3812","ts":"1784107800846"}]}',
    '{"arg":{"channel":"candle1m","instId":"BTC-USDT"},"data":[["1784107800000","67250","67251","67249","67250.1","1.2","80700","80700","0"]]}',
  ],
};

test('channels Tickscope does not read are counted as other, never as malformed, by every venue', () => {
  for (const venue of VENUES) {
    for (const text of UNKNOWN_CHANNELS[venue]) {
      const got = decode(venue, text);
      assert.equal(got.view.kind, 'other', `${venue}: ${text}`);
      assert.deepEqual(got.view, refDecode(venue, text).view);
    }
    const r = runIngest(venue, UNKNOWN_CHANNELS[venue]);
    assert.equal(r.stats[FeedStat.malformed], 0, venue);
    assert.equal(r.stats[FeedStat.control], UNKNOWN_CHANNELS[venue].length, `${venue}: counted`);
    assert.equal(r.records.length, 0, `${venue}: no records`);
  }
});
