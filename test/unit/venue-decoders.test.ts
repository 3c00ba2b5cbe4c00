/**
 * The zero-allocation venue decoders against a JSON.parse-based reference (test/helpers/
 * venue-reference.ts): every fixture frame of every venue decodes to the same view (numbers `===`
 * parseFloat's double); seeded fuzz (truncation, byte noise, edge-case numbers, duplicate keys,
 * escapes, junk, deep nesting, non-JSON) never throws, malformed JSON is always reported malformed,
 * and accepted JSON is either refused with a reason or decoded exactly like the reference; the
 * session fixtures rebuild the same books through L2Book as through a reference book, with Kraken's
 * and OKX's checksums recomputed (and recomputed from the wire strings with zlib's CRC-32), and each
 * gap fixture breaks exactly once, at the documented line; parseIsoTimeTo agrees with Date.parse.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { VENUE_NAMES } from '../../src/common/venues.ts';
import { krakenChecksum, okxChecksum } from '../../src/main/feeds/book/checksum.ts';
import { L2Book } from '../../src/main/feeds/book/l2-book.ts';
import { parseIsoTimeTo } from '../../src/main/feeds/iso-time.ts';
import { JsonScanner } from '../../src/main/feeds/json-scan.ts';
import { decodeBinanceDepthSnapshot } from '../../src/main/feeds/venues/binance.ts';
import { FeedMessage, MsgKind } from '../../src/main/feeds/venues/message.ts';
import { decodeOkx } from '../../src/main/feeds/venues/okx.ts';
import { VENUE_SPECS } from '../../src/main/feeds/venues/registry.ts';
import {
  parseJson,
  Raw,
  type RefResult,
  refBinanceDepthSnapshot,
  refDecode,
  refIsoTime,
  type SectionView,
  type VenueName,
  type View,
  viewOf,
} from '../helpers/venue-reference.ts';

const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);
const VENUES = VENUE_NAMES;
/** Each venue's decoder, as the feed worker runs it (its VenueSpec). */
const DECODE = (venue: VenueName) => VENUE_SPECS[venue].decode;
/** 1-based line of each gap file where the loss must be detected (protocols/README.md). */
const GAP_LINE: Record<VenueName, number> = { binance: 20, coinbase: 23, kraken: 24, bybit: 21, okx: 23 };
const KRAKEN_DEPTH = 10;

const enc = new TextEncoder();
const utf8 = new TextDecoder();

function lines(name: string): string[] {
  return readFileSync(new URL(name, FIXTURES), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

const sc = new JsonScanner();
const msg = new FeedMessage();

/** Our decoder on `bytes`, as a View (`reason` is msg.malformed). */
function ours(venue: VenueName, bytes: Uint8Array): { view: View; reason: number } {
  msg.reset();
  DECODE(venue)(sc, bytes, bytes.length, msg);
  return { view: viewOf(bytes, msg, venue), reason: msg.malformed };
}

// --- 1. Fixtures -------------------------------------------------------------------------------

test('every fixture frame decodes exactly like the JSON.parse reference', () => {
  const kinds: Record<string, number> = {};
  for (const venue of VENUES) {
    for (const file of [`${venue}-session.jsonl`, `${venue}-gap.jsonl`]) {
      lines(file).forEach((line, i) => {
        const got = ours(venue, enc.encode(line));
        const want = refDecode(venue, line).view;
        assert.notEqual(got.view.kind, 'malformed', `${file}:${i + 1} malformed (${got.reason})`);
        assert.deepEqual(got.view, want, `${file}:${i + 1}`);
        const k = `${venue}:${got.view.kind}`;
        kinds[k] = (kinds[k] ?? 0) + 1;
      });
    }
  }
  // The fixtures exercise every kind each venue sends (sanity: the comparison is not vacuous).
  for (const k of ['binance:trades', 'binance:book', 'binance:top', 'binance:ack', 'binance:shutdown'])
    assert.ok(kinds[k]! > 0, k);
  for (const k of ['coinbase:trades', 'coinbase:book', 'coinbase:top', 'coinbase:ack', 'coinbase:heartbeat'])
    assert.ok(kinds[k]! > 0, k);
  for (const k of [
    'kraken:trades',
    'kraken:book',
    'kraken:top',
    'kraken:ack',
    'kraken:heartbeat',
    'kraken:pong',
  ])
    assert.ok(kinds[k]! > 0, k);
  for (const k of ['bybit:trades', 'bybit:book', 'bybit:top', 'bybit:ack', 'bybit:pong'])
    assert.ok(kinds[k]! > 0, k);
  for (const k of ['okx:trades', 'okx:book', 'okx:top', 'okx:ack', 'okx:pong']) assert.ok(kinds[k]! > 0, k);
});

test('venue conventions on the fixtures: aggressor side, history trades, snapshots, checksums', () => {
  const trades = (venue: VenueName) =>
    lines(`${venue}-session.jsonl`).flatMap((l) => ours(venue, enc.encode(l)).view.trades);
  // The same market story everywhere: 7 live trades with the same aggressor sequence.
  const sides = VENUES.map((v) =>
    trades(v)
      .map((t) => (t.sell ? 'S' : 'B'))
      .join(''),
  );
  for (const s of sides) assert.equal(s, sides[0]);
  assert.equal(sides[0]!.length, 7);
  // Binance m=false → taker bought (first trade); Coinbase side SELL (maker) → taker bought.
  assert.equal(trades('binance')[0]!.sell, false);
  const cb = lines('coinbase-session.jsonl');
  assert.match(cb[13]!, /"side":"SELL"/);
  assert.equal(ours('coinbase', enc.encode(cb[13]!)).view.trades[0]!.sell, false);
  // Coinbase's snapshot of past trades (line 3) is history: no trades emitted.
  assert.match(cb[2]!, /"type":"snapshot","trades":\[\{/);
  assert.deepEqual(ours('coinbase', enc.encode(cb[2]!)).view.trades, []);
  // Snapshot flags and checksums.
  const kr = ours('kraken', enc.encode(lines('kraken-session.jsonl')[2]!)).view.sections[0]!;
  assert.equal(kr.snapshot, true);
  assert.equal(kr.checksum, 4238698213);
  const ok = ours('okx', enc.encode(lines('okx-session.jsonl')[3]!)).view.sections[0]!;
  assert.equal(ok.snapshot, true);
  assert.equal(ok.checksum, 1735644397);
  assert.equal(ok.first, -1);
  // Bybit's 19-digit trade ids are the nearest double, as Number() gives.
  assert.equal(trades('bybit')[0]!.id, Number('2290000000913455120'));
});

test('the Binance REST depth snapshot decodes like the reference', () => {
  const text = readFileSync(new URL('binance-depth-snapshot.json', FIXTURES), 'utf8');
  const bytes = enc.encode(text);
  msg.reset();
  decodeBinanceDepthSnapshot(sc, bytes, bytes.length, msg);
  const got = viewOf(bytes, msg, 'binance');
  assert.equal(got.kind, 'book');
  assert.deepEqual(got, refBinanceDepthSnapshot(text).view);
  assert.equal(got.sections[0]!.last, 81402118119);
});

// --- 2. Fuzz ---------------------------------------------------------------------------------

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EDGE_NUMBERS = [
  '1e-8',
  '0.000000012345678901234',
  '-0',
  '  12 ',
  '12345678901234567',
  '1.2345678901234567',
  '67250.123456789012345',
  '1e308',
  '1e309',
  '-1e400',
  '1e-400',
  '5e-324',
  '1E+2',
  '0',
  '0.0',
  '00012',
  '1.',
  '.5',
  '+5',
  '-5',
  '1.5',
  '0x10',
  'NaN',
  'Infinity',
  '9007199254740993',
  '123456789012345678901234567890',
  '1.7976931348623157e308',
  '',
  ' ',
  '1_000',
  '١٢',
  '7.0e1',
  '-0.0',
];
const EDGE_STRINGS = [
  '',
  'snapshot',
  'update',
  'delta',
  'sell',
  'buy',
  'SELL',
  'BUY',
  'Sell',
  'Buy',
  'bid',
  'offer',
  'ask',
  'book',
  'trade',
  'ticker',
  'heartbeat',
  'heartbeats',
  'pong',
  'ping',
  'error',
  'notice',
  'subscribe',
  'l2_data',
  'market_trades',
  'subscriptions',
  'depthUpdate',
  'serverShutdown',
  'orderbook.1.BTCUSDT',
  'orderbook.50.BTCUSDT',
  'publicTrade.BTCUSDT',
  'books',
  'bbo-tbt',
  'trades',
  'BTC-USD',
  'BTC-USDT',
  'BTC/USD',
  '2026-07-15T09:30:00.123456Z',
  '2026-07-15T09:30:00Z',
  '2026-13-15T09:30:00Z',
  'é€😀',
];
const JUNK = [
  'null',
  'true',
  'false',
  '[]',
  '{}',
  '""',
  '"x"',
  '0',
  '[[]]',
  '[["1"]]',
  '[["1","2"],{}]',
  '{"a":[1,{"b":null}],"c":"\\u0000"}',
  '[{"price":1,"qty":1}]',
  '[1,[2,[3,[4,{"x":[]}]]]]',
];

/** A JSON value as a tree that can hold duplicate keys. */
type Node = { t: 'o'; e: [string, Node][] } | { t: 'a'; e: Node[] } | { t: 'l'; s: string };

function toNode(x: unknown): Node {
  if (x instanceof Raw) return { t: 'l', s: x.src };
  if (Array.isArray(x)) return { t: 'a', e: x.map(toNode) };
  if (x !== null && typeof x === 'object')
    return { t: 'o', e: Object.entries(x).map(([k, v]) => [k, toNode(v)] as [string, Node]) };
  return { t: 'l', s: JSON.stringify(x) };
}
function ser(n: Node, keyText: (k: string) => string = (k) => JSON.stringify(k)): string {
  if (n.t === 'l') return n.s;
  if (n.t === 'a') return `[${n.e.map((c) => ser(c, keyText)).join(',')}]`;
  return `{${n.e.map(([k, v]) => `${keyText(k)}:${ser(v, keyText)}`).join(',')}}`;
}
function allNodes(n: Node, out: Node[] = []): Node[] {
  out.push(n);
  if (n.t !== 'l') for (const c of n.e) allNodes(Array.isArray(c) ? c[1] : c, out);
  return out;
}
/** A string escaped: every character as \uXXXX (all) or just one. */
function escapeString(s: string, rnd: () => number): string {
  const all = rnd() < 0.5;
  const at = Math.floor(rnd() * s.length);
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (all || i === at) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += JSON.stringify(s[i]).slice(1, -1);
  }
  return `${out}"`;
}

/** One structural mutation of a parsed frame, serialised. */
function mutateTree(text: string, rnd: () => number): string {
  let parsed: unknown;
  try {
    parsed = parseJson(text);
  } catch {
    return text; // an earlier round made it invalid
  }
  const root = toNode(parsed);
  const nodes = allNodes(root);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const leaves = nodes.filter((n) => n.t === 'l') as { t: 'l'; s: string }[];
  const objects = nodes.filter((n) => n.t === 'o') as { t: 'o'; e: [string, Node][] }[];
  const r = rnd();
  if (r < 0.3 && leaves.length > 0) {
    // A number (or any leaf) replaced by an edge case, quoted or bare.
    const numeric = leaves.filter((l) => /^"?-?\d/.test(l.s));
    const leaf = pick(numeric.length > 0 && rnd() < 0.8 ? numeric : leaves);
    const v = pick(EDGE_NUMBERS);
    leaf.s = rnd() < 0.5 ? JSON.stringify(v) : v;
  } else if (r < 0.45 && objects.length > 0) {
    // A duplicate key: the same member again, with the same value, another value, or junk.
    const o = pick(objects);
    if (o.e.length === 0) return ser(root);
    const [k, v] = pick(o.e);
    const other: Node =
      rnd() < 0.3
        ? v
        : rnd() < 0.5
          ? { t: 'l', s: rnd() < 0.5 ? JSON.stringify(pick(EDGE_NUMBERS)) : pick(EDGE_NUMBERS) }
          : toNode(parseJson(pick(JUNK)));
    const at = rnd() < 0.5 ? o.e.length : Math.floor(rnd() * (o.e.length + 1));
    o.e.splice(at, 0, [k, other]);
  } else if (r < 0.55 && leaves.length > 0) {
    // Unicode escapes in a string value.
    const strings = leaves.filter((l) => l.s.startsWith('"') && l.s.length > 2);
    if (strings.length === 0) return ser(root);
    const leaf = pick(strings);
    leaf.s = escapeString(JSON.parse(leaf.s) as string, rnd);
  } else if (r < 0.6) {
    // Unicode escapes in one key.
    const o = objects.length > 0 ? pick(objects) : undefined;
    if (!o || o.e.length === 0) return ser(root);
    const victim = pick(o.e)[0];
    return ser(root, (k) => (k === victim ? escapeString(k, rnd) : JSON.stringify(k)));
  } else if (r < 0.7 && leaves.length > 0) {
    // A string value replaced by another meaningful one (sides, types, channels…).
    pick(leaves).s = JSON.stringify(pick(EDGE_STRINGS));
  } else if (r < 0.8 && nodes.length > 1) {
    // Nested junk in place of any value.
    const target = pick(nodes.slice(1)) as Record<string, unknown>;
    for (const k of Object.keys(target)) delete target[k];
    Object.assign(target, toNode(parseJson(pick(JUNK))));
  } else if (r < 0.9 && objects.length > 0) {
    // A member removed.
    const o = pick(objects);
    if (o.e.length > 0) o.e.splice(Math.floor(rnd() * o.e.length), 1);
  } else {
    // Quoting flipped on a number.
    const numeric = leaves.filter((l) => /^"?-?\d[\d.eE+-]*"?$/.test(l.s));
    if (numeric.length === 0) return ser(root);
    const leaf = pick(numeric);
    leaf.s = leaf.s.startsWith('"') ? leaf.s.slice(1, -1) : `"${leaf.s}"`;
  }
  return ser(root);
}

const NOISE = enc.encode('{}[]":,\\ 0123456789-+.eEtrufalsn\t\n\u00ff');
function mutateBytes(src: Uint8Array, rnd: () => number): Uint8Array {
  const b = Array.from(src);
  const n = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * (b.length + 1));
    const r = rnd();
    if (r < 0.33 && b.length > 0) b[Math.min(at, b.length - 1)]! ^= 1 << Math.floor(rnd() * 8);
    else if (r < 0.66)
      b.splice(at, 0, rnd() < 0.7 ? NOISE[Math.floor(rnd() * NOISE.length)]! : Math.floor(rnd() * 256));
    else if (b.length > 0) b.splice(Math.min(at, b.length - 1), 1);
  }
  return Uint8Array.from(b);
}

interface Failure {
  venue: string;
  what: string;
  input: string;
  detail: string;
}

/**
 * The property: never throws; JSON.parse rejects → malformed; JSON.parse accepts → malformed with a
 * reason, or exactly the reference's view.
 */
/** Outcomes per venue: invalid JSON, refused valid JSON, equal to the reference. */
const outcomes: Record<string, { invalid: number; refused: number; equal: number }> = {};

function checkFrame(
  venue: VenueName,
  bytes: Uint8Array,
  what: string,
  failures: Failure[],
  snapshot = false,
): void {
  const key = snapshot ? 'binance-snapshot' : venue;
  outcomes[key] ??= { invalid: 0, refused: 0, equal: 0 };
  const o = outcomes[key];
  const text = utf8.decode(bytes);
  let got: { view: View; reason: number };
  try {
    if (snapshot) {
      msg.reset();
      decodeBinanceDepthSnapshot(sc, bytes, bytes.length, msg);
      got = { view: viewOf(bytes, msg, venue), reason: msg.malformed };
    } else got = ours(venue, bytes);
  } catch (e) {
    failures.push({ venue, what, input: text, detail: `threw ${(e as Error).stack}` });
    return;
  }
  let json = venue === 'okx' && text === 'pong' && !snapshot;
  if (!json) {
    try {
      JSON.parse(text);
      json = true;
    } catch {}
  }
  if (!json) {
    o.invalid++;
    if (got.view.kind !== 'malformed' || got.reason === 0)
      failures.push({ venue, what, input: text, detail: `invalid JSON decoded as ${got.view.kind}` });
    return;
  }
  if (got.view.kind === 'malformed') {
    o.refused++;
    if (got.reason === 0) failures.push({ venue, what, input: text, detail: 'malformed without a reason' });
    return;
  }
  const want: RefResult = snapshot ? refBinanceDepthSnapshot(text) : refDecode(venue, text);
  try {
    assert.deepEqual(got.view, want.view);
    o.equal++;
  } catch (e) {
    failures.push({ venue, what, input: text, detail: (e as Error).message });
  }
}

function report(failures: Failure[]): string {
  const byWhat = new Map<string, Failure[]>();
  for (const f of failures)
    byWhat.set(`${f.venue}/${f.what}`, [...(byWhat.get(`${f.venue}/${f.what}`) ?? []), f]);
  const out: string[] = [`${failures.length} failures`];
  for (const [k, fs] of byWhat) {
    out.push(`== ${k}: ${fs.length}`);
    for (const f of fs.slice(0, 3)) out.push(`  ${f.input.slice(0, 400)}\n    ${f.detail.slice(0, 1200)}`);
  }
  return out.join('\n');
}

const WHOLE_INPUTS = [
  '',
  ' ',
  'ping',
  'pong ',
  'null',
  'true',
  '1',
  '"x"',
  '[]',
  '[{}]',
  '{}',
  '{"a":1}',
  '{',
  '}',
  '{"',
  'not json at all',
  '\u00ef\u00bb\u00bf{}',
  `${'['.repeat(1000)}${']'.repeat(1000)}`,
  `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`,
  `{"data":${'['.repeat(1000)}${']'.repeat(1000)}}`,
];

const fuzzCounts: Record<string, number> = {};

for (const venue of VENUES) {
  test(`fuzz ${venue}: never throws, malformed JSON is malformed, accepted JSON equals the reference`, () => {
    const rnd = prng(0x5eed + venue.length * 7919 + venue.charCodeAt(0));
    const failures: Failure[] = [];
    let n = 0;
    const frames = lines(`${venue}-session.jsonl`);
    for (const w of WHOLE_INPUTS) {
      checkFrame(venue, enc.encode(w), 'whole', failures);
      n++;
    }
    for (const line of frames) {
      const bytes = enc.encode(line);
      // Truncated at every position.
      for (let i = 0; i < bytes.length; i++) {
        checkFrame(venue, bytes.subarray(0, i), 'truncate', failures);
        n++;
      }
      if (line === 'pong') continue;
      for (let k = 0; k < 40; k++) {
        checkFrame(venue, mutateBytes(bytes, rnd), 'bytes', failures);
        n++;
      }
      for (let k = 0; k < 120; k++) {
        let t = line;
        const rounds = 1 + Math.floor(rnd() * 2);
        for (let r = 0; r < rounds; r++) t = mutateTree(t, rnd);
        checkFrame(venue, enc.encode(t), 'tree', failures);
        n++;
      }
      // Deeply nested junk inside the frame.
      const deep = line.replace(/^\{/, `{"zz":${'['.repeat(1000)}${']'.repeat(1000)},`);
      checkFrame(venue, enc.encode(deep), 'deep', failures);
      n++;
    }
    fuzzCounts[venue] = n;
    assert.equal(failures.length, 0, report(failures));
    // Not vacuous: plenty of mutated frames are valid JSON and decode to the reference's view.
    assert.ok(outcomes[venue]!.equal > 2000, JSON.stringify(outcomes[venue]));
  });
}

test('fuzz the Binance REST depth snapshot', () => {
  const rnd = prng(424242);
  const text = readFileSync(new URL('binance-depth-snapshot.json', FIXTURES), 'utf8').trim();
  const bytes = enc.encode(text);
  const failures: Failure[] = [];
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    checkFrame('binance', bytes.subarray(0, i), 'truncate', failures, true);
    n++;
  }
  for (let k = 0; k < 1000; k++) {
    checkFrame('binance', enc.encode(mutateTree(text, rnd)), 'tree', failures, true);
    checkFrame('binance', mutateBytes(bytes, rnd), 'bytes', failures, true);
    n += 2;
  }
  fuzzCounts['binance-snapshot'] = n;
  assert.equal(failures.length, 0, report(failures));
});

// --- 3. Books and checksums ------------------------------------------------------------------

/** A reference book: levels keyed by price, with the wire text kept for string checksums. */
class RefBook {
  bids = new Map<number, { qty: number; pt: string; qt: string }>();
  asks = new Map<number, { qty: number; pt: string; qt: string }>();

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }
  apply(sec: SectionView, texts: [string, string][]): void {
    sec.levels.forEach(([bid, px, qty], i) => {
      const side = bid === 1 ? this.bids : this.asks;
      if (qty === 0) side.delete(px);
      else side.set(px, { qty, pt: texts[i]![0], qt: texts[i]![1] });
    });
  }
  sorted(bid: boolean) {
    const side = bid ? this.bids : this.asks;
    return [...side.entries()]
      .sort((a, b) => (bid ? b[0] - a[0] : a[0] - b[0]))
      .map(([px, v]) => ({ px, ...v }));
  }
  truncate(depth: number): void {
    for (const bid of [true, false]) {
      const side = bid ? this.bids : this.asks;
      for (const l of this.sorted(bid).slice(depth)) side.delete(l.px);
    }
  }
  levels() {
    const pairs = (bid: boolean) => this.sorted(bid).map((l): [number, number] => [l.px, l.qty]);
    return { bids: pairs(true), asks: pairs(false) };
  }
  /** Kraken: top 10 asks then bids, '.' removed, leading zeros stripped; unsigned. */
  krakenChecksum(): number {
    const digits = (s: string) => s.replace('.', '').replace(/^0+/, '') || '0';
    const part = (bid: boolean) =>
      this.sorted(bid)
        .slice(0, 10)
        .map((l) => digits(l.pt) + digits(l.qt))
        .join('');
    return crc32(part(false) + part(true)) >>> 0;
  }
  /** OKX legacy: bids/asks interleaved `bid:size:ask:size…`, first 25 each, strings verbatim; signed. */
  okxChecksum(): number {
    const b = this.sorted(true);
    const a = this.sorted(false);
    const parts: string[] = [];
    for (let i = 0; i < 25; i++) {
      if (b[i]) parts.push(`${b[i]!.pt}:${b[i]!.qt}`);
      if (a[i]) parts.push(`${a[i]!.pt}:${a[i]!.qt}`);
    }
    return crc32(parts.join(':')) | 0;
  }
}

function applyOurs(book: L2Book, m: FeedMessage, s: number, venue: VenueName): void {
  for (let l = m.secStart(s); l < m.secEnd[s]!; l++) {
    const side = m.bid[l] === 1 ? book.bids : book.asks;
    side.key[0] = m.px[l]!;
    side.key[1] = m.qty[l]!;
    assert.ok(side.set(m.pd[l]!, m.qd[l]!));
  }
  if (venue === 'kraken') {
    book.bids.truncate(KRAKEN_DEPTH);
    book.asks.truncate(KRAKEN_DEPTH);
  }
}

interface Replay {
  /** 1-based lines where a sequence break or checksum mismatch was detected. */
  breaks: number[];
  bookFrames: number;
  checksums: number;
}

/**
 * Replays a session through our decoder + L2Book and through the reference + RefBook side by side,
 * with each venue's sync rule (protocols/*.md) applied to both; asserts the books agree after every
 * book frame and that every checksum (ours, and the string one) matches the frame's while in sync.
 */
function replay(venue: VenueName, file: string): Replay {
  const book = new L2Book();
  const ref = new RefBook();
  const out: Replay = { breaks: [], bookFrames: 0, checksums: 0 };
  let synced = false;
  let seq = Number.NaN; // Binance u, Bybit u, OKX seqId
  let frameSeq = Number.NaN; // Coinbase sequence_num
  const fail = (line: number) => {
    out.breaks.push(line);
    synced = false;
  };
  if (venue === 'binance') {
    const text = readFileSync(new URL('binance-depth-snapshot.json', FIXTURES), 'utf8');
    const bytes = enc.encode(text);
    msg.reset();
    decodeBinanceDepthSnapshot(sc, bytes, bytes.length, msg);
    const r = refBinanceDepthSnapshot(text);
    applyOurs(book, msg, 0, venue);
    ref.apply(r.view.sections[0]!, r.texts[0]!);
    seq = msg.secLast[0]!;
    synced = true;
  }
  lines(file).forEach((line, i) => {
    const no = i + 1;
    const bytes = enc.encode(line);
    msg.reset();
    DECODE(venue)(sc, bytes, bytes.length, msg);
    const r = refDecode(venue, line);
    if (venue === 'coinbase') {
      // One counter per connection across all channels: any gap breaks every book.
      if (!Number.isNaN(frameSeq) && msg.frameSeq !== frameSeq + 1) fail(no);
      frameSeq = msg.frameSeq;
    }
    if (msg.kind !== MsgKind.book) return;
    assert.equal(r.view.kind, 'book');
    for (let s = 0; s < msg.nSections; s++) {
      const sec = r.view.sections[s]!;
      const snapshot = sec.snapshot;
      if (venue === 'binance') {
        if (!synced || sec.last <= seq) continue;
        if (sec.first > seq + 1) {
          fail(no);
          continue;
        }
        seq = sec.last;
      } else if (snapshot) {
        book.clear();
        ref.clear();
        synced = true;
        seq = sec.last;
      } else if (!synced) continue;
      else if (venue === 'bybit') {
        if (sec.last !== seq + 1) {
          fail(no);
          continue;
        }
        seq = sec.last;
      } else if (venue === 'okx') {
        if (sec.first !== seq) {
          fail(no);
          continue;
        }
        seq = sec.last;
      }
      applyOurs(book, msg, s, venue);
      ref.apply(sec, r.texts[s]!);
      if (venue === 'kraken') ref.truncate(KRAKEN_DEPTH);
      out.bookFrames++;
      assert.deepEqual(book.levels(), ref.levels(), `${file}:${no} books differ`);
      if (venue === 'kraken' || venue === 'okx') {
        assert.notEqual(sec.checksum, null, `${file}:${no} has a checksum`);
        const mine = venue === 'kraken' ? krakenChecksum(book) : okxChecksum(book);
        const strings = venue === 'kraken' ? ref.krakenChecksum() : ref.okxChecksum();
        assert.equal(mine, strings, `${file}:${no} our checksum vs the string one`);
        if (mine !== sec.checksum) fail(no);
        else out.checksums++;
      }
    }
  });
  return out;
}

for (const venue of VENUES) {
  test(`${venue}: session books equal the reference, checksums match; the gap file breaks once at line ${GAP_LINE[venue]}`, () => {
    const session = replay(venue, `${venue}-session.jsonl`);
    assert.deepEqual(session.breaks, []);
    assert.ok(session.bookFrames >= 15, `${session.bookFrames} book frames`);
    if (venue === 'kraken' || venue === 'okx') assert.equal(session.checksums, session.bookFrames);
    const gap = replay(venue, `${venue}-gap.jsonl`);
    assert.deepEqual(gap.breaks, [GAP_LINE[venue]]);
  });
}

test('okx: the gap frame, applied anyway, also fails the checksum', () => {
  const book = new L2Book();
  const bad: number[] = [];
  lines('okx-gap.jsonl').forEach((line, i) => {
    const bytes = enc.encode(line);
    msg.reset();
    decodeOkx(sc, bytes, bytes.length, msg);
    if (msg.kind !== MsgKind.book) return;
    if (msg.secFlags[0]! & 1) book.clear();
    applyOurs(book, msg, 0, 'okx');
    if (okxChecksum(book) !== msg.secCheck[0]) bad.push(i + 1);
  });
  assert.equal(bad[0], GAP_LINE.okx);
});

// --- 4. RFC 3339 times -------------------------------------------------------------------------

function iso(text: string): number {
  const b = enc.encode(`"${text}"`);
  const out = new Float64Array(1);
  out[0] = -1;
  return parseIsoTimeTo(b, 1, b.length - 1, out, 0) ? out[0]! : Number.NaN;
}

test('parseIsoTimeTo: equals Date.parse at ms precision, keeps µs beyond, refuses what is not RFC 3339', () => {
  const rnd = prng(1234);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  let n = 0;
  for (let k = 0; k < 20000; k++) {
    const ms = Math.floor(rnd() * 4102444800000); // 1970…2100
    const d = new Date(ms);
    const base = d.toISOString().slice(0, 19);
    const fracDigits = Math.floor(rnd() * 10);
    let frac = '';
    for (let i = 0; i < fracDigits; i++) frac += String(Math.floor(rnd() * 10));
    const oh = Math.floor(rnd() * 24);
    const om = Math.floor(rnd() * 60);
    const zone = rnd() < 0.5 ? 'Z' : `${rnd() < 0.5 ? '+' : '-'}${pad(oh, 2)}:${pad(om, 2)}`;
    const text = `${base}${fracDigits > 0 ? `.${frac}` : ''}${zone}`;
    const got = iso(text);
    if (fracDigits <= 3) assert.equal(got, Date.parse(text), text);
    else {
      // Date.parse keeps ms; the rest is the fraction beyond, to the µs.
      const msText = `${base}.${frac.slice(0, 3)}${zone}`;
      const extra = Math.round(Number(`0.${frac}`) * 1e6) / 1e3 - Number(`0.${frac.slice(0, 3)}`) * 1e3;
      assert.ok(Math.abs(got - (Date.parse(msText) + extra)) < 1e-6, `${text}: ${got}`);
      assert.equal(got, refIsoTime(text), text);
    }
    n++;
  }
  // The fixtures' shapes.
  assert.equal(iso('2026-07-15T09:30:00.902250Z'), Date.parse('2026-07-15T09:30:00.902Z') + 0.25);
  assert.equal(iso('2026-07-15T09:30:01.07606441Z'), Date.parse('2026-07-15T09:30:01.076Z') + 0.064);
  assert.equal(iso('1970-01-01T00:00:00Z'), 0);
  // Mutations: whatever parses must be what Date.parse gives (lowercase t/z and a space are RFC 3339
  // variants Date.parse also takes; a leap second :60 is RFC 3339's and counts as the next second).
  const good = '2026-07-15T09:30:00.123456Z';
  const alphabet = '0123456789-:.TtZz+ x';
  for (let k = 0; k < 20000; k++) {
    const chars = good.split('');
    const edits = 1 + Math.floor(rnd() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rnd() * chars.length);
      const r = rnd();
      const c = alphabet[Math.floor(rnd() * alphabet.length)]!;
      if (r < 0.5) chars[at] = c;
      else if (r < 0.75) chars.splice(at, 0, c);
      else chars.splice(at, 1);
    }
    const text = chars.join('');
    const got = iso(text);
    n++;
    if (Number.isNaN(got)) continue;
    const want = refIsoTime(text);
    if (/:60(\.|[Zz+-])/.test(text)) {
      assert.ok(Number.isNaN(want), text); // Date.parse refuses :60
      assert.equal(got, refIsoTime(text.replace(/:60(?=[.Zz+-])/, ':59')) + 1000, text);
    } else assert.equal(got, want, text);
  }
  for (const bad of [
    '',
    '2026-07-15',
    '2026-07-15T09:30:00',
    '2026-07-15T09:30:00.Z',
    '2026-07-15T09:30:00+24:00',
    '2026-07-15T09:30:00+05:60',
    '2026-07-15T09:30:00+0500',
    '2026-07-15T24:00:00Z',
    '2026-00-15T09:30:00Z',
    '2026-07-15T09:30:00Zx',
    '2026-07-15 09:30:01.015421337 +0000 UTC',
  ])
    assert.ok(Number.isNaN(iso(bad)), bad);
  fuzzCounts.iso = n;
});

test('case counts', () => {
  console.log('fuzz cases:', JSON.stringify(fuzzCounts));
  console.log('fuzz outcomes:', JSON.stringify(outcomes));
});
