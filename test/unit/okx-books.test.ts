/**
 * OKX `books` in every shape OKX has sent: with `seqId`/`prevSeqId` and the CRC-32 checksum (2023 to
 * mid-2026: both guard the book), with the sequence and the checksum fixed to 0 (since 2026: the
 * sequence alone), and without the sequence fields (archives from before 2023: the checksum alone).
 * Each through the feed's real ingest (decoder, sync rule, checksum, records): the book forms, the
 * records equal those of the full-shape session, and the gap fixture's missing delta is found at its
 * documented line by whatever guard the shape has. A `books` message with neither guard cannot be
 * trusted and is refused, counted and named.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RecordFlag, RecordKind } from '../../src/common/record.ts';
import { JsonScanner } from '../../src/main/feeds/json-scan.ts';
import { FeedMessage, MsgKind } from '../../src/main/feeds/venues/message.ts';
import { decodeOkx } from '../../src/main/feeds/venues/okx.ts';
import { FeedStat, type PlainRecord, runIngest } from '../helpers/ingest-harness.ts';
import { refDecode, viewOf } from '../helpers/venue-reference.ts';

const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);
const GAP_LINE = 23;

function lines(name: string): string[] {
  return readFileSync(new URL(name, FIXTURES), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

/** The pre-2023 shape: `books` data without seqId/prevSeqId (other channels untouched). */
function legacy(line: string): string {
  if (!line.includes('"channel":"books"') || !line.includes('"data"')) return line;
  return line.replace(/,"prevSeqId":-?\d+/, '').replace(/,"seqId":\d+/, '');
}
/** The 2026 shape: the checksum fixed to 0. */
function zeroChecksum(line: string): string {
  return line.includes('"channel":"books"') ? line.replace(/"checksum":-?\d+/, '"checksum":0') : line;
}

const enc = new TextEncoder();
const sc = new JsonScanner();

/** Book records without the sequence field (a legacy book has no sequence to stamp). */
const bookRecords = (rs: PlainRecord[]) =>
  rs
    .filter((r) => r.kind === RecordKind.bookReset || r.kind === RecordKind.bookDelta)
    .map(({ sequence: _, ...r }) => r);

test('the legacy shape decodes like the reference: a book section with its checksum and no sequence', () => {
  let books = 0;
  for (const line of lines('okx-session.jsonl').map(legacy)) {
    if (!line.includes('"channel":"books"') || line.includes('"event"')) continue;
    assert.doesNotMatch(line, /seqId/);
    const m = new FeedMessage();
    const b = enc.encode(line);
    decodeOkx(sc, b, b.length, m);
    assert.equal(m.kind, MsgKind.book, `${line.slice(0, 100)}: refused (${m.malformed})`);
    const view = viewOf(b, m, 'okx');
    assert.deepEqual(view, refDecode('okx', line).view);
    const s = view.sections[0]!;
    assert.ok(Number.isNaN(s.first) && Number.isNaN(s.last), 'no sequence');
    assert.equal(typeof s.checksum, 'number', 'the checksum guards it');
    books++;
  }
  assert.equal(books, 20);
});

test('each shape of the session forms the same book; the legacy one is guarded by its checksum alone', () => {
  const session = lines('okx-session.jsonl');
  const full = runIngest('okx', session);
  for (const [name, frames] of [
    ['full', session],
    ['legacy (no seqId)', session.map(legacy)],
    ['2026 (checksum 0)', session.map(zeroChecksum)],
  ] as const) {
    const r = runIngest('okx', frames);
    assert.deepEqual(r.malformed, [], name);
    assert.equal(r.stats[FeedStat.malformed], 0, name);
    assert.equal(r.stats[FeedStat.snapshots], 1, name);
    assert.equal(r.stats[FeedStat.gaps], 0, name);
    assert.equal(r.stats[FeedStat.checksumErrors], 0, name);
    const book = r.ingest.books[0]!;
    assert.ok(book.synced, `${name}: the book formed`);
    assert.deepEqual(book.levels(), full.ingest.books[0]!.levels(), name);
    assert.deepEqual(bookRecords(r.records), bookRecords(full.records), name);
    assert.equal(r.stats[FeedStat.trades], full.stats[FeedStat.trades], name);
  }
});

test('the gap fixture breaks at its documented line under every guard the shape has', () => {
  const gap = lines('okx-gap.jsonl');
  const gapAt = (r: ReturnType<typeof runIngest>) =>
    r.records.filter((x) => x.kind === RecordKind.gap && (x.flags & RecordFlag.reconnect) === 0);
  // The frame at the gap line: how many records came before it tells which frame raised the gap.
  const before = (frames: string[]) => runIngest('okx', frames.slice(0, GAP_LINE - 1)).records.length;

  const both = runIngest('okx', gap);
  assert.equal(both.stats[FeedStat.gaps], 1);
  assert.equal(
    gapAt(both)[0]!.flags & RecordFlag.sequenceGap,
    RecordFlag.sequenceGap,
    'the sequence sees it first',
  );
  assert.equal(both.records.indexOf(gapAt(both)[0]!), before(gap));

  const legacyFrames = gap.map(legacy);
  const old = runIngest('okx', legacyFrames);
  assert.deepEqual(old.malformed, []);
  assert.equal(old.stats[FeedStat.gaps], 1);
  assert.equal(old.stats[FeedStat.checksumErrors], 1, 'the checksum alone guards it');
  assert.equal(gapAt(old)[0]!.flags & RecordFlag.checksumMismatch, RecordFlag.checksumMismatch);
  assert.ok(!old.ingest.books[0]!.synced, 'the book waits for a fresh snapshot');
  // The gap line's delta is applied, then the checksum fails: its gap record follows its levels.
  const upTo = runIngest('okx', legacyFrames.slice(0, GAP_LINE)).records;
  assert.equal(upTo.at(-1)!.kind, RecordKind.gap);
  assert.equal(runIngest('okx', legacyFrames.slice(0, GAP_LINE - 1)).stats[FeedStat.gaps], 0);

  const zero = runIngest('okx', gap.map(zeroChecksum));
  assert.equal(zero.stats[FeedStat.gaps], 1);
  assert.equal(zero.stats[FeedStat.checksumErrors], 0, 'a 0 checksum is not checked');
  assert.equal(gapAt(zero)[0]!.flags & RecordFlag.sequenceGap, RecordFlag.sequenceGap);
});

test('with both guards, each one alone still catches what the other lets through', () => {
  const session = lines('okx-session.jsonl');
  // Line 7: an update whose prevSeqId chains. A wrong checksum is caught though the sequence is right.
  const badSum = session.map((l, i) => (i === 6 ? l.replace(/"checksum":-?\d+/, '"checksum":12345') : l));
  const a = runIngest('okx', badSum);
  assert.equal(a.stats[FeedStat.checksumErrors], 1);
  assert.equal(a.stats[FeedStat.gaps], 1);
  // A prevSeqId that does not chain is caught though the checksum is right.
  const badSeq = session.map((l, i) => (i === 6 ? l.replace(/"prevSeqId":\d+/, '"prevSeqId":1') : l));
  const b = runIngest('okx', badSeq);
  assert.equal(b.stats[FeedStat.checksumErrors], 0);
  assert.equal(b.stats[FeedStat.gaps], 1);
});

test('a books message with neither sequence nor checksum is refused, counted and named', () => {
  const session = lines('okx-session.jsonl');
  const neither = session.map((l) => zeroChecksum(legacy(l)));
  const r = runIngest('okx', neither);
  const books = session.filter((l) => l.includes('"channel":"books"') && !l.includes('"event"')).length;
  assert.equal(r.stats[FeedStat.malformed], books);
  assert.deepEqual(new Set(r.malformed), new Set(['missing field']));
  assert.equal(r.stats[FeedStat.snapshots], 0);
  // Half a sequence (seqId without prevSeqId) is no sequence either.
  const half = session[5]!.replace(/,"prevSeqId":\d+/, '');
  const m = new FeedMessage();
  const b = enc.encode(half);
  decodeOkx(sc, b, b.length, m);
  assert.equal(m.kind, MsgKind.malformed);
  assert.equal(refDecode('okx', half).view.kind, 'malformed');
});
