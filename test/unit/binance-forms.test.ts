/**
 * The Binance decoder's forms beyond the fixture sessions: raw and combined trades through the
 * fast path and the general decoder alike (same result), control replies, shutdown notices,
 * bookTicker and diff depth; and malformed input reported with a reason, never thrown.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonScanner } from '../../src/main/feeds/json-scan.ts';
import { decodeBinance } from '../../src/main/feeds/venues/binance.ts';
import {
  FeedMessage,
  MsgKind,
  T_ID,
  T_PRICE,
  T_QTY,
  T_SELL,
  T_TIME,
} from '../../src/main/feeds/venues/message.ts';

const sc = new JsonScanner();
const enc = new TextEncoder();

function decode(text: string): FeedMessage {
  const m = new FeedMessage();
  const b = enc.encode(text);
  m.reset();
  decodeBinance(sc, b, b.length, m);
  return m;
}

const raw =
  '{"e":"trade","E":1784107800847,"s":"BTCUSDT","t":5102934401,"p":"67250.10000000","q":"0.04000000","T":1784107800846,"m":true,"M":true}';

test('raw, combined (fast path) and reordered (general decoder) trades decode the same', () => {
  const reordered =
    '{"data":{"M":true,"m":true,"T":1784107800846,"q":"0.04000000","p":"67250.10000000","t":5102934401,"s":"BTCUSDT","E":1784107800847,"e":"trade"},"stream":"btcusdt@trade"}';
  const spaced = raw.replace(/,/g, ', ').replace(/:/g, ' : ');
  for (const text of [raw, `{"stream":"btcusdt@trade","data":${raw}}`, reordered, spaced]) {
    const m = decode(text);
    assert.equal(m.kind, MsgKind.trades, text);
    assert.equal(m.nTrades, 1);
    assert.equal(m.trades[T_PRICE], 67250.1);
    assert.equal(m.trades[T_QTY], 0.04);
    assert.equal(m.trades[T_ID], 5102934401);
    assert.equal(m.trades[T_TIME], 1784107800846);
    assert.equal(m.trades[T_SELL], 1, 'm: true → the taker sold');
    assert.equal(m.eventTime, 1784107800847);
  }
  const micros = decode(
    raw
      .replace('"E":1784107800847', '"E":1784107800847123')
      .replace('"T":1784107800846', '"T":1784107800846456'),
  );
  assert.equal(micros.trades[T_TIME], 1784107800846.456, 'µs times become ms with µs precision');
});

test('control replies, errors, shutdown notices, bookTicker and depth', () => {
  const r = decode(' \n{ "result" : null , "id" : 7 }\r\n');
  assert.equal(r.kind, MsgKind.ack);
  assert.equal(r.reqId, 7);
  assert.equal(
    decode('{"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":3}').kind,
    MsgKind.error,
  );
  assert.equal(decode('{"e":"serverShutdown","E":1770123456789}').kind, MsgKind.shutdown);
  assert.equal(
    decode('{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}').kind,
    MsgKind.shutdown,
  );
  const top = decode('{"u":1,"s":"BTCUSDT","b":"1.50","B":"2","a":"3","A":"4"}');
  assert.equal(top.kind, MsgKind.top);
  assert.deepEqual(
    [top.px[0], top.qty[0], top.bid[0], top.pd[0], top.px[1], top.bid[1]],
    [1.5, 2, 1, 2, 3, 0],
  );
  const depth = decode(
    '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":10,"u":12,"b":[["1.0","2.0"]],"a":[["3.00","0.00000000"]]}',
  );
  assert.equal(depth.kind, MsgKind.book);
  assert.deepEqual(
    [depth.secFirst[0], depth.secLast[0], depth.nLevels, depth.qty[1], depth.qd[1]],
    [10, 12, 2, 0, 8],
  );
});

test('malformed input is reported, never thrown, with a reason', () => {
  const bad = [
    '',
    '[]',
    'null',
    '{',
    '{"e":"trade"',
    '{"e":"trade","E":1,"s":"X","t":1,"p":"1","q":"1","T":1}',
    '{"e":"trade","E":1,"s":"X","t":1,"p":"abc","q":"1","T":1,"m":false}',
    '{"e":"trade","E":1,"s":"X","t":1,"p":"1","q":"1","T":1,"m":tru}',
    '{"e":"trade","E":1,"s":"X","t":1,"p":"1","q":"1","T":1,"m":false} x',
    '{"e":"trade","E":1,"s":"X","t":1,"p":"1e309","q":"1","T":1,"m":false}',
    '{"e":"trade","E":1,"s":"X","t":1,"p":"-1","q":"1","T":1,"m":false}',
    '{"e":"depthUpdate","E":1,"s":"X","U":1,"u":1,"b":"1","a":[]}',
    '{"a":[1,,2]}',
    '{"a":"\\x"}',
    `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`,
    raw.slice(0, -1),
    `${raw}}`,
  ];
  for (const text of bad) {
    const m = decode(text);
    assert.equal(m.kind, MsgKind.malformed, text);
    assert.ok(m.malformed > 0, `a reason for ${text}`);
  }
});
