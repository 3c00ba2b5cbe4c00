/**
 * Epoch times in whatever unit the venue sent them: Binance honours `timeUnit=MICROSECOND` on some
 * streams and servers and not on others, and recordings from before it are in milliseconds; the
 * same decoder must read both, and a mix of both in one message. The unit is told from the value,
 * field by field (ms below 1e14, µs below 1e17, ns above), so that every record's exchange and
 * event time is epoch ms and a wire latency is never off by 1000×. Checked through the feed's real
 * ingest for every integer time field of every venue that sends one (Coinbase and Kraken send
 * RFC 3339 text), against the JSON.parse reference too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordKind } from '../../src/common/record.ts';
import { JsonScanner } from '../../src/main/feeds/json-scan.ts';
import { decodeBinance } from '../../src/main/feeds/venues/binance.ts';
import { decodeBybit } from '../../src/main/feeds/venues/bybit.ts';
import { FeedMessage } from '../../src/main/feeds/venues/message.ts';
import { decodeOkx } from '../../src/main/feeds/venues/okx.ts';
import { type PlainRecord, runIngest } from '../helpers/ingest-harness.ts';
import { refDecode, type VenueName, viewOf } from '../helpers/venue-reference.ts';

/** 2026-07-15T09:30:00.846Z and a µs / ns beyond it. */
const MS = 1784107800846;
const UNITS = {
  ms: { text: String(MS), ms: MS },
  us: { text: `${MS}456`, ms: MS + 0.456 },
  ns: { text: `${MS}456789`, ms: MS + 0.456789 },
} as const;
type Unit = keyof typeof UNITS;

interface Case {
  venue: VenueName;
  what: string;
  /** The frame with its time fields as {0}, {1}…: (field values) → text. */
  frame: (t: string[]) => string;
  fields: number;
  /** Frames to send first (a snapshot the delta applies to), same times. */
  before?: (t: string[]) => string[];
  /** Binance: the REST depth body fetched when the first diff asks for it. */
  depthSnapshot?: string;
  /** Which field each record's exchange and event time come from. */
  exchange: number;
  event: number;
  kind: number;
}

const bybitSnap = (t: string[]) =>
  `{"topic":"orderbook.50.BTCUSDT","ts":${t[0]},"type":"snapshot","data":{"s":"BTCUSDT","b":[["67250.00","0.381200"]],"a":[["67250.10","0.410000"]],"u":1,"seq":1},"cts":${t[0]}}`;
const okxSnap = (t: string[]) =>
  `{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[{"asks":[["67250.1","0.41","0","9"]],"bids":[["67250","0.3812","0","8"]],"ts":"${t[0]}","checksum":0,"prevSeqId":-1,"seqId":100}]}`;

const CASES: Case[] = [
  {
    venue: 'binance',
    what: 'trade (fast path)',
    fields: 2,
    frame: (t) =>
      `{"stream":"btcusdt@trade","data":{"e":"trade","E":${t[0]},"s":"BTCUSDT","t":5102934401,"p":"67250.10000000","q":"0.04000000","T":${t[1]},"m":false,"M":true}}`,
    exchange: 1,
    event: 0,
    kind: RecordKind.trade,
  },
  {
    venue: 'binance',
    what: 'trade (general decoder)',
    fields: 2,
    frame: (t) =>
      `{"data":{"M":true,"m":false,"T":${t[1]},"q":"0.04000000","p":"67250.10000000","t":5102934401,"s":"BTCUSDT","E":${t[0]},"e":"trade"},"stream":"btcusdt@trade"}`,
    exchange: 1,
    event: 0,
    kind: RecordKind.trade,
  },
  {
    venue: 'binance',
    what: 'depthUpdate',
    fields: 1,
    depthSnapshot:
      '{"lastUpdateId":100,"bids":[["67250.00000000","0.38120000"]],"asks":[["67250.10000000","0.41000000"]]}',
    before: (t) => [
      `{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":${t[0]},"s":"BTCUSDT","U":99,"u":101,"b":[],"a":[["67250.40000000","0.10000000"]]}}`,
    ],
    frame: (t) =>
      `{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":${t[0]},"s":"BTCUSDT","U":102,"u":103,"b":[["67249.90000000","1.02210000"]],"a":[]}}`,
    exchange: 0,
    event: 0,
    kind: RecordKind.bookDelta,
  },
  {
    venue: 'bybit',
    what: 'publicTrade',
    fields: 2,
    frame: (t) =>
      `{"topic":"publicTrade.BTCUSDT","ts":${t[0]},"type":"snapshot","data":[{"i":"2290000000913455120","T":${t[1]},"p":"67250.10","v":"0.040000","S":"Buy","s":"BTCUSDT","BT":false}]}`,
    exchange: 1,
    event: 0,
    kind: RecordKind.trade,
  },
  {
    venue: 'bybit',
    what: 'orderbook delta',
    fields: 1,
    before: (t) => [bybitSnap(t)],
    frame: (t) =>
      `{"topic":"orderbook.50.BTCUSDT","ts":${t[0]},"type":"delta","data":{"s":"BTCUSDT","b":[["67249.90","1.022100"]],"a":[],"u":2,"seq":2},"cts":${t[0]}}`,
    exchange: 0,
    event: 0,
    kind: RecordKind.bookDelta,
  },
  {
    venue: 'bybit',
    what: 'orderbook.1 top',
    fields: 1,
    frame: (t) =>
      `{"topic":"orderbook.1.BTCUSDT","ts":${t[0]},"type":"snapshot","data":{"s":"BTCUSDT","b":[["67250.00","0.381200"]],"a":[["67250.10","0.410000"]],"u":5,"seq":5},"cts":${t[0]}}`,
    exchange: 0,
    event: 0,
    kind: RecordKind.bookTop,
  },
  {
    venue: 'okx',
    what: 'trades',
    fields: 1,
    frame: (t) =>
      `{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474","px":"67250.1","sz":"0.04","side":"buy","ts":"${t[0]}","count":"1","source":"0","seqId":1234}]}`,
    exchange: 0,
    event: 0,
    kind: RecordKind.trade,
  },
  {
    venue: 'okx',
    what: 'books update',
    fields: 1,
    before: (t) => [okxSnap(t)],
    frame: (t) =>
      `{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[["67249.9","1.0221","0","8"]],"ts":"${t[0]}","checksum":0,"prevSeqId":100,"seqId":107}]}`,
    exchange: 0,
    event: 0,
    kind: RecordKind.bookDelta,
  },
  {
    venue: 'okx',
    what: 'bbo-tbt',
    fields: 1,
    frame: (t) =>
      `{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["67250.1","0.41","0","9"]],"bids":[["67250","0.3812","0","8"]],"ts":"${t[0]}","seqId":37720954518}]}`,
    exchange: 0,
    event: 0,
    kind: RecordKind.bookTop,
  },
];

function combos(n: number): Unit[][] {
  if (n === 0) return [[]];
  return combos(n - 1).flatMap((c) => (Object.keys(UNITS) as Unit[]).map((u) => [...c, u]));
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-3;
const DECODE = { binance: decodeBinance, bybit: decodeBybit, okx: decodeOkx } as Record<
  string,
  typeof decodeOkx
>;
const sc = new JsonScanner();
const enc = new TextEncoder();

for (const c of CASES) {
  test(`${c.venue} ${c.what}: every time field in ms, µs or ns, in any mix, is epoch ms`, () => {
    for (const units of combos(c.fields)) {
      const texts = units.map((u) => UNITS[u].text);
      const want = units.map((u) => UNITS[u].ms);
      const frame = c.frame(texts);
      const r = runIngest(
        c.venue,
        [...(c.before?.(texts) ?? []), frame],
        c.depthSnapshot ? { depthSnapshot: c.depthSnapshot } : {},
      );
      const label = `${c.venue} ${c.what} [${units.join(',')}]`;
      assert.deepEqual(r.malformed, [], label);
      const recs: PlainRecord[] = r.records.filter((x) => x.kind === c.kind);
      assert.ok(recs.length > 0, `${label}: no record`);
      const last = recs.at(-1)!;
      assert.ok(close(last.exchangeTime, want[c.exchange]!), `${label}: exchange time ${last.exchangeTime}`);
      assert.ok(close(last.eventTime, want[c.event]!), `${label}: event time ${last.eventTime}`);
      // The wire latency a record gives: receive − exchange, a few ms at most here, never ×1000.
      const wire = Date.now() - last.exchangeTime;
      assert.ok(Math.abs(wire) < 10 * 365 * 86400_000, `${label}: wire latency ${wire} ms`);
      // The reference reads the same times.
      const m = new FeedMessage();
      const b = enc.encode(frame);
      DECODE[c.venue]!(sc, b, b.length, m);
      assert.deepEqual(viewOf(b, m, c.venue), refDecode(c.venue, frame).view, label);
    }
  });
}
