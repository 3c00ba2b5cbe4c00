/**
 * The book checksums proved on the venues' own worked examples, not only on our fixtures: Kraken's
 * "Book checksum (WebSocket v2)" guide (BTC/USD, top 10 each side → 3310070434) and OKX's two
 * documented check strings (→ −1881014294 and 831078360, the second with one bid and three asks).
 * Each example goes through the path a live frame takes: the venue's message as it sends it, our
 * decoder, the L2 book, our checksum; and the same strings through zlib's CRC-32.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { krakenChecksum, okxChecksum } from '../../src/main/feeds/book/checksum.ts';
import { L2Book } from '../../src/main/feeds/book/l2-book.ts';
import { JsonScanner } from '../../src/main/feeds/json-scan.ts';
import { decodeKraken } from '../../src/main/feeds/venues/kraken.ts';
import { FeedMessage, MsgKind, Sec } from '../../src/main/feeds/venues/message.ts';
import { decodeOkx } from '../../src/main/feeds/venues/okx.ts';

const enc = new TextEncoder();
const sc = new JsonScanner();

function decoded(decode: typeof decodeKraken, text: string): FeedMessage {
  const m = new FeedMessage();
  const b = enc.encode(text);
  decode(sc, b, b.length, m);
  assert.equal(m.kind, MsgKind.book, text.slice(0, 120));
  return m;
}

function bookOf(m: FeedMessage): L2Book {
  const book = new L2Book();
  for (let l = 0; l < m.nLevels; l++) {
    const side = m.bid[l] === 1 ? book.bids : book.asks;
    side.key[0] = m.px[l]!;
    side.key[1] = m.qty[l]!;
    assert.ok(side.set(m.pd[l]!, m.qd[l]!));
  }
  return book;
}

// Kraken's guide, BTC/USD (price_precision 1, qty_precision 8), as printed there.
const KRAKEN_ASKS: [string, string][] = [
  ['45285.2', '0.00100000'],
  ['45286.4', '1.54571953'],
  ['45286.6', '1.54571109'],
  ['45289.6', '1.54560911'],
  ['45290.2', '0.15890660'],
  ['45291.8', '1.54553491'],
  ['45294.7', '0.04454749'],
  ['45296.1', '0.35380000'],
  ['45297.5', '0.09945542'],
  ['45299.5', '0.18772827'],
];
const KRAKEN_BIDS: [string, string][] = [
  ['45283.5', '0.10000000'],
  ['45283.4', '1.54582015'],
  ['45282.1', '0.10000000'],
  ['45281.0', '0.10000000'],
  ['45280.3', '1.54592586'],
  ['45279.0', '0.07990000'],
  ['45277.6', '0.03310103'],
  ['45277.5', '0.30000000'],
  ['45277.3', '1.54602737'],
  ['45276.6', '0.15445238'],
];

test("Kraken v2: the guide's BTC/USD book, sent as Kraken sends it, checks to 3310070434", () => {
  // The guide's string, built by its rule: asks low→high then bids high→low, '.' and leading zeros gone.
  const strip = (s: string) => s.replace('.', '').replace(/^0+/, '');
  const text = [...KRAKEN_ASKS, ...KRAKEN_BIDS].map(([p, q]) => strip(p) + strip(q)).join('');
  assert.equal(crc32(text) >>> 0, 3310070434, 'the guide string');
  // Bare JSON numbers with the pair's precision (trailing zeros on the wire), levels in any order.
  const lv = (xs: [string, string][]) => xs.map(([p, q]) => `{"price":${p},"qty":${q}}`);
  const frame = `{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[${lv([...KRAKEN_BIDS].reverse()).join(',')}],"asks":[${lv(KRAKEN_ASKS).join(',')}],"checksum":3310070434,"timestamp":"2026-07-15T09:30:00.206907Z"}]}`;
  const m = decoded(decodeKraken, frame);
  assert.equal(m.secCheck[0], 3310070434);
  assert.ok((m.secFlags[0]! & Sec.hasChecksum) !== 0);
  assert.equal(krakenChecksum(bookOf(m)), 3310070434);
  // One digit of one quantity different → another checksum (the comparison is not vacuous).
  const off = decoded(decodeKraken, frame.replace('"qty":0.15445238', '"qty":0.15445239'));
  assert.notEqual(krakenChecksum(bookOf(off)), 3310070434);
});

test('OKX: the documented check strings, as books messages, give −1881014294 and 831078360', () => {
  const cases: { bids: [string, string][]; asks: [string, string][]; text: string; want: number }[] = [
    {
      bids: [
        ['3366.1', '7'],
        ['3366', '6'],
      ],
      asks: [
        ['3366.8', '9'],
        ['3368', '8'],
      ],
      text: '3366.1:7:3366.8:9:3366:6:3368:8',
      want: -1881014294,
    },
    {
      // One bid, three asks: the longer side's remaining levels follow in order.
      bids: [['3366.1', '7']],
      asks: [
        ['3366.8', '9'],
        ['3368', '8'],
        ['3372', '8'],
      ],
      text: '3366.1:7:3366.8:9:3368:8:3372:8',
      want: 831078360,
    },
  ];
  for (const c of cases) {
    assert.equal(crc32(c.text) | 0, c.want, c.text);
    const lv = (xs: [string, string][]) => JSON.stringify(xs.map(([p, q]) => [p, q, '0', '1']));
    const frame = `{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[{"asks":${lv(c.asks)},"bids":${lv(c.bids)},"ts":"1597026383085","checksum":${c.want},"prevSeqId":-1,"seqId":123456}]}`;
    const m = decoded(decodeOkx, frame);
    assert.equal(m.secCheck[0], c.want);
    assert.equal(okxChecksum(bookOf(m)), c.want, c.text);
  }
});
