/**
 * Reading a session folder: segments found by listing, records back bit-exact across segments and
 * codecs, counts from the data (not the manifest), damage reported per segment with its offset.
 */
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RECORD_SIZE, RecordKind, readRecord } from '../../src/common/record.ts';
import { Codec } from '../../src/main/recorder/block.ts';
import {
  flagNames,
  inspectSession,
  openSession,
  readRecords,
  readSession,
  SessionError,
} from '../../src/main/recorder/session-reader.ts';
import { makeRecords, recordsOfBlocks, writeSession } from '../helpers/session-fixture.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tickscope-reader-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const newDir = (): string => join(tmp, `s${dirs++}`);

async function all(dir: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const b of readRecords(await openSession(dir))) parts.push(b);
  return Buffer.concat(parts);
}

test('round trip across several segments and both codecs: records in = records out', async () => {
  for (const codec of [Codec.zstd, Codec.shuffled, 'alternate'] as const) {
    const records = makeRecords(5000, 11);
    const f = writeSession(newDir(), records, { blockRecords: 123, blocksPerSegment: 5, codec });
    assert.ok(f.segments.length >= 8);
    const back = await all(f.dir);
    assert.ok(Buffer.from(back).equals(records), `codec ${codec}`);
  }
});

test('segments are found by listing and ordered by number; other files are ignored', async () => {
  const records = makeRecords(900, 2);
  const f = writeSession(newDir(), records, { blockRecords: 100, blocksPerSegment: 1, manifest: false });
  // A ninth segment numbered past six digits sorts after the others by number.
  const ninth = join(f.dir, f.segments[8]!);
  writeFileSync(join(f.dir, 'segment-1000000.tsb'), readFileSync(ninth));
  unlinkSync(ninth);
  writeFileSync(join(f.dir, 'notes.txt'), 'hello');
  writeFileSync(join(f.dir, 'segment-abc.tsb'), 'x');
  const s = await openSession(f.dir);
  assert.equal(s.segments.at(-1)!.name, 'segment-1000000.tsb');
  assert.equal(s.segments.length, 9);
  assert.equal(s.manifest, null);
  assert.equal(s.manifestProblem, 'missing');
  assert.ok(Buffer.from(await all(f.dir)).equals(records));
});

test('inspect counts kinds, venues, instruments, gaps and time span from the data', async () => {
  const records = makeRecords(3000, 5);
  const f = writeSession(newDir(), records, { blockRecords: 250, blocksPerSegment: 3 });
  // The manifest says something else: the data wins.
  const manifest = JSON.parse(readFileSync(join(f.dir, 'manifest.json'), 'utf8'));
  manifest.counts.records = 17;
  writeFileSync(join(f.dir, 'manifest.json'), JSON.stringify(manifest));
  const byKind: Record<string, number> = { trade: 0, bookTop: 0, bookDelta: 0, gap: 0, bookReset: 0 };
  const byInstrument: Record<string, number> = {};
  let missing = 0;
  let start = Infinity;
  let end = -Infinity;
  const names = ['none', 'trade', 'bookTop', 'bookDelta', 'gap', 'bookReset'];
  const symbols: Record<number, string> = {
    1: 'binance:BTC-USDT',
    2: 'binance:ETH-USDT',
    3: 'coinbase:BTC-USD',
  };
  const v = new DataView(records.buffer);
  for (let i = 0; i < 3000; i++) {
    const r = readRecord(v, i * RECORD_SIZE);
    byKind[names[r.kind]!]!++;
    byInstrument[symbols[r.instrumentId]!] = (byInstrument[symbols[r.instrumentId]!] ?? 0) + 1;
    if (r.kind === RecordKind.gap) missing += r.quantity;
    start = Math.min(start, r.receiveTime);
    end = Math.max(end, r.receiveTime);
  }
  const i = await inspectSession(f.dir);
  assert.equal(i.records, 3000);
  assert.deepEqual(i.byKind, byKind);
  assert.deepEqual(i.byInstrument, byInstrument);
  assert.equal(i.byVenue.binance! + i.byVenue.coinbase!, 3000);
  assert.equal(i.gaps, byKind.gap);
  assert.equal(i.missing, missing);
  assert.equal(i.blocks, 12);
  assert.equal(i.corruptBlocks, 0);
  assert.equal(i.truncatedBytes, 0);
  assert.equal(i.start, start);
  assert.equal(i.end, end);
  const onDisk = f.segments.reduce((s, n) => s + statSync(join(f.dir, n)).size, 0);
  assert.equal(i.bytes, onDisk);
  assert.equal(i.rawBytes, 3000 * 64);
  assert.equal(i.compressionRatio, (3000 * 64) / onDisk);
  assert.equal(i.manifest.status, 'ok');
  assert.equal(i.manifest.records, 17);
});

test('a manifest that is not JSON, or not a manifest, is reported and instruments go by id', async () => {
  for (const [text, problem] of [
    ['{"layout": 1, "instr', /unreadable/],
    ['[1,2]', /not a JSON object/],
    ['{"layout": 7, "instruments": []}', /unknown layout/],
  ] as const) {
    const f = writeSession(newDir(), makeRecords(300, 1), { blockRecords: 100 });
    writeFileSync(join(f.dir, 'manifest.json'), text);
    const i = await inspectSession(f.dir);
    assert.equal(i.records, 300);
    assert.equal(i.manifest.status, 'invalid');
    assert.match(i.manifest.problem!, problem);
    assert.deepEqual(Object.keys(i.byInstrument).sort(), ['#1', '#2', '#3']);
  }
});

test('damage in several segments: reported with segment and offset, everything else read; repair cuts the torn tail', async () => {
  const records = makeRecords(2000, 8);
  const f = writeSession(newDir(), records, { blockRecords: 100, blocksPerSegment: 4 });
  // A flipped payload bit in block 5 (segment 2), a flipped header bit in block 10 (segment 3),
  // and the last block torn.
  const b5 = f.blocks[5]!;
  const b10 = f.blocks[10]!;
  const last = f.blocks.at(-1)!;
  const flip = (seg: string, at: number): void => {
    const p = join(f.dir, seg);
    const bytes = readFileSync(p);
    bytes[at]! ^= 0x08;
    writeFileSync(p, bytes);
  };
  flip(b5.segment, b5.offset + 48 + 17);
  flip(b10.segment, b10.offset + 30);
  truncateSync(join(f.dir, last.segment), last.offset + 100);
  const i = await inspectSession(f.dir);
  assert.deepEqual(
    i.corruptSpans.map((c) => [c.segment, c.offset, c.bytes]),
    [
      [b5.segment, b5.offset, b5.size],
      [b10.segment, b10.offset, b10.size],
    ],
  );
  assert.equal(i.corruptBlocks, 2);
  assert.deepEqual(i.truncated, [{ segment: last.segment, offset: last.offset, bytes: 100 }]);
  assert.equal(i.truncatedBytes, 100);
  assert.equal(i.missingBlocks, 2, 'blocks 5 and 10 are missing by sequence number');
  assert.equal(i.blocks, f.blocks.length - 3);
  const expected = recordsOfBlocks(f, (_b, k) => k !== 5 && k !== 10 && k !== f.blocks.length - 1);
  assert.equal(i.records, expected.length / RECORD_SIZE);
  assert.ok(Buffer.from(await all(f.dir)).equals(expected));

  const repaired = await inspectSession(f.dir, { repair: true });
  assert.equal(repaired.repairedBytes, 100);
  assert.equal(statSync(join(f.dir, last.segment)).size, last.offset);
  const again = await inspectSession(f.dir);
  assert.equal(again.truncatedBytes, 0);
  assert.equal(again.corruptBlocks, 2, 'corrupt blocks in the middle stay (and stay reported)');
});

test('stopping early closes the files; reading again works', async () => {
  const f = writeSession(newDir(), makeRecords(1000, 4), { blockRecords: 100, blocksPerSegment: 2 });
  const s = await openSession(f.dir);
  let n = 0;
  for await (const e of readSession(s)) {
    if (e.type === 'block' && ++n === 3) break;
  }
  assert.equal(n, 3);
  assert.equal((await all(f.dir)).length, 1000 * RECORD_SIZE);
});

test('a segment removed after the listing is skipped, not an error', async () => {
  const f = writeSession(newDir(), makeRecords(400, 4), { blockRecords: 100, blocksPerSegment: 2 });
  const s = await openSession(f.dir);
  unlinkSync(join(f.dir, f.segments[0]!));
  const parts: Uint8Array[] = [];
  for await (const b of readRecords(s)) parts.push(b);
  assert.equal(Buffer.concat(parts).length, 200 * RECORD_SIZE);
});

test('not a session: a missing folder, a file, a folder without manifest or segments', async () => {
  await assert.rejects(
    openSession(join(tmp, 'nope')),
    (e: Error) => e instanceof SessionError && /no such folder/.test(e.message),
  );
  const file = join(tmp, 'a-file');
  writeFileSync(file, 'x');
  await assert.rejects(openSession(file), /is not a folder/);
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  await assert.rejects(openSession(empty), /is not a session/);
  // A manifest and no segments yet (a recording that just started): an empty session.
  writeFileSync(join(empty, 'manifest.json'), JSON.stringify({ layout: 1, instruments: [] }));
  const i = await inspectSession(empty);
  assert.equal(i.records, 0);
  assert.equal(i.start, null);
  assert.equal(i.compressionRatio, 0);
});

test('flag names', () => {
  assert.deepEqual(flagNames(0), []);
  assert.deepEqual(flagNames(0b1010), ['bid', 'snapshot']);
  assert.deepEqual(flagNames(1 << 12), ['bit12']);
});
