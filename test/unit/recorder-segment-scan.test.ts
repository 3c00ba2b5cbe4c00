/**
 * Scanning a segment: every good block back bit-exact, and every kind of damage — torn tails at
 * every offset, flipped bits anywhere, garbage, payloads that do not decode — reported with its
 * offset, never thrown.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { crc32 } from 'node:zlib';
import { RECORD_SIZE } from '../../src/common/record.ts';
import { BLOCK_HEADER_SIZE, Codec, compress, encodeBlock, shuffle } from '../../src/main/recorder/block.ts';
import { type SegmentScan, scanSegmentBytes, scanSegmentFile } from '../../src/main/recorder/segment-scan.ts';
import { type Fixture, makeRecords, recordsOfBlocks, rng, writeSession } from '../helpers/session-fixture.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tickscope-scan-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const newDir = (): string => join(tmp, `s${dirs++}`);

/** A one-segment fixture and its bytes. */
function segment(count: number, blockRecords: number, codec: number | 'alternate' = 'alternate') {
  const f = writeSession(newDir(), makeRecords(count, count), {
    blockRecords,
    blocksPerSegment: 1 << 20,
    codec,
  });
  const bytes = readFileSync(join(f.dir, f.segments[0]!));
  return { f, bytes };
}

async function scan(bytes: Uint8Array): Promise<{ r: SegmentScan; records: Uint8Array; offsets: number[] }> {
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  const r = await scanSegmentBytes(bytes, {
    onBlock: (b) => {
      parts.push(b.records);
      offsets.push(b.offset);
    },
  });
  return { r, records: Buffer.concat(parts), offsets };
}

function sameBytes(a: Uint8Array, b: Uint8Array, msg?: string): void {
  assert.equal(a.length, b.length, msg);
  assert.ok(Buffer.from(a.buffer, a.byteOffset, a.length).equals(b), msg ?? 'records differ');
}

test('round trip: every record back bit-exact, both codecs, odd floats included', async () => {
  const records = makeRecords(1000, 7);
  // NaN with a payload, -0, infinities, subnormals: bytes are bytes.
  const odd = [0x7ff8dead_beef0001n, 0x8000000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, 1n];
  const v = new DataView(records.buffer);
  odd.forEach((bits, i) => {
    v.setBigUint64(i * RECORD_SIZE + 16, bits, true);
    v.setBigUint64(i * RECORD_SIZE + 24, bits, true);
  });
  for (const codec of [Codec.zstd, Codec.shuffled, 'alternate'] as const) {
    const f = writeSession(newDir(), records, { blockRecords: 97, blocksPerSegment: 1000, codec });
    const { r, records: back, offsets } = await scan(readFileSync(join(f.dir, f.segments[0]!)));
    sameBytes(back, records);
    assert.equal(r.blocks, f.blocks.length);
    assert.equal(r.records, 1000);
    assert.deepEqual(r.corrupt, []);
    assert.equal(r.truncatedAt, null);
    assert.equal(r.truncatedBytes, 0);
    assert.deepEqual(
      offsets,
      f.blocks.map((b) => b.offset),
    );
  }
});

test('an empty segment is an empty segment', async () => {
  const { r } = await scan(new Uint8Array(0));
  assert.equal(r.blocks, 0);
  assert.equal(r.truncatedAt, null);
});

/** What a scan of the segment cut at `cut` must find: the blocks that end by then, a torn rest. */
function expectCut(
  f: Fixture,
  cut: number,
  got: { r: SegmentScan; records: Uint8Array },
  label: string,
): void {
  const whole = f.blocks.filter((b) => b.offset + b.size <= cut);
  const torn = f.blocks.find((b) => b.offset < cut && b.offset + b.size > cut);
  sameBytes(
    got.records,
    recordsOfBlocks(f, (b) => b.offset + b.size <= cut),
    label,
  );
  assert.equal(got.r.blocks, whole.length, label);
  assert.deepEqual(got.r.corrupt, [], label);
  if (torn) {
    assert.equal(got.r.truncatedAt, torn.offset, label);
    assert.equal(got.r.truncatedBytes, cut - torn.offset, label);
  } else {
    assert.equal(got.r.truncatedAt, null, label);
    assert.equal(got.r.truncatedBytes, 0, label);
  }
}

test('torn tail: cut at every byte of the last block (both codecs) → the blocks before, the rest reported', async () => {
  for (const codec of [Codec.zstd, Codec.shuffled]) {
    const { f, bytes } = segment(100, 20, codec);
    const last = f.blocks.at(-1)!;
    for (let cut = last.offset; cut <= bytes.length; cut++) {
      expectCut(f, cut, await scan(bytes.subarray(0, cut)), `codec ${codec} cut ${cut}`);
    }
  }
});

test('torn tail: cut at random offsets anywhere', async () => {
  const { f, bytes } = segment(600, 25);
  const rand = rng(42);
  for (let i = 0; i < 400; i++) {
    const cut = Math.floor(rand() * (bytes.length + 1));
    expectCut(f, cut, await scan(bytes.subarray(0, cut)), `cut ${cut}`);
  }
});

test('bit-flip corpus: never a throw; each flipped block reported corrupt at its offset, every other block intact', async () => {
  const { f, bytes } = segment(400, 20);
  const rand = rng(1234);
  const total = bytes.length * 8;
  for (let trial = 0; trial < 600; trial++) {
    const copy = Buffer.from(bytes);
    const flips = 1 + Math.floor(rand() * 3);
    const hit = new Set<number>();
    // Half the trials aim at headers, where the damage is hardest to get past.
    for (let k = 0; k < flips; k++) {
      let bit: number;
      if (rand() < 0.5) {
        const b = f.blocks[Math.floor(rand() * f.blocks.length)]!;
        bit = b.offset * 8 + Math.floor(rand() * BLOCK_HEADER_SIZE * 8);
      } else bit = Math.floor(rand() * total);
      copy[bit >> 3]! ^= 1 << (bit & 7);
      hit.add(f.blocks.findIndex((b) => bit >> 3 >= b.offset && bit >> 3 < b.offset + b.size));
    }
    const label = `trial ${trial}, blocks ${[...hit].join(',')}`;
    const got = await scan(copy);
    sameBytes(
      got.records,
      recordsOfBlocks(f, (_b, i) => !hit.has(i)),
      label,
    );
    assert.equal(got.r.blocks, f.blocks.length - hit.size, label);
    assert.equal(got.r.truncatedBytes, 0, label);
    const flippedOffsets = new Set([...hit].map((i) => f.blocks[i]!.offset));
    for (const c of got.r.corrupt) assert.ok(flippedOffsets.has(c.offset), `${label}: span at ${c.offset}`);
    for (const i of hit) {
      const b = f.blocks[i]!;
      assert.ok(
        got.r.corrupt.some((c) => c.offset <= b.offset && b.offset + b.size <= c.offset + c.bytes),
        `${label}: block ${i} at ${b.offset} reported`,
      );
    }
    // Spans cover exactly the flipped blocks' bytes.
    const spanned = got.r.corrupt.reduce((s, c) => s + c.bytes, 0);
    const flippedBytes = [...hit].reduce((s, i) => s + f.blocks[i]!.size, 0);
    assert.equal(spanned, flippedBytes, label);
  }
});

test('garbage between blocks is one corrupt span with its exact offset and length', async () => {
  const { f, bytes } = segment(200, 20);
  const at = f.blocks[3]!.offset;
  const rand = rng(9);
  const garbage = Buffer.alloc(777);
  for (let i = 0; i < garbage.length; i++) garbage[i] = Math.floor(rand() * 256);
  garbage.write('TSB1', 100, 'latin1'); // a false magic inside the garbage
  const damaged = Buffer.concat([bytes.subarray(0, at), garbage, bytes.subarray(at)]);
  const got = await scan(damaged);
  sameBytes(got.records, f.records);
  assert.equal(got.r.corrupt.length, 1);
  assert.equal(got.r.corrupt[0]!.offset, at);
  assert.equal(got.r.corrupt[0]!.bytes, 777);
  // Zeros at the end (a file extended but never written): a corrupt tail, not a throw.
  const zeros = Buffer.concat([bytes, Buffer.alloc(5000)]);
  const z = await scan(zeros);
  sameBytes(z.records, f.records);
  assert.deepEqual(
    z.r.corrupt.map((c) => [c.offset, c.bytes]),
    [[bytes.length, 5000]],
  );
  // A corrupt block, then a header cut short: the corrupt span, then the torn tail.
  const last = f.blocks.at(-1)!;
  const cutShort = Buffer.concat([
    bytes,
    Buffer.alloc(300, 7),
    bytes.subarray(last.offset, last.offset + 20),
  ]);
  const c = await scan(cutShort);
  assert.deepEqual(
    c.r.corrupt.map((x) => [x.offset, x.bytes]),
    [[bytes.length, 300]],
  );
  assert.equal(c.r.truncatedAt, bytes.length + 300);
  assert.equal(c.r.truncatedBytes, 20);
});

/** A block with good CRCs whose payload is wrong in some other way. */
function badBlock(payload: Uint8Array, records: number, codec: number, layout?: number): Buffer {
  const b = encodeBlock(payload, { records, codec, firstTime: 1, lastTime: 2, sequence: 0 });
  if (layout !== undefined) {
    b[17] = layout;
    b.writeUInt32LE(crc32(b.subarray(8, BLOCK_HEADER_SIZE)) >>> 0, 4);
  }
  return b;
}

test('payloads that pass their CRC but do not decode are corrupt, and the scan goes on', async () => {
  const { f, bytes } = segment(60, 20);
  const records = makeRecords(10, 3);
  const shuffled = new Uint8Array(records.length);
  shuffle(records, 10, shuffled);
  const cases: [string, Buffer, RegExp][] = [
    ['not zstd', badBlock(shuffled, 10, Codec.zstd), /does not decode/],
    [
      'zstd of the wrong length',
      badBlock(compress(shuffled.subarray(0, 600)), 10, Codec.zstd),
      /does not decode/,
    ],
    [
      'shuffled of the wrong length',
      badBlock(shuffled.subarray(0, 600), 10, Codec.shuffled),
      /does not decode/,
    ],
    ['unknown codec', badBlock(shuffled, 10, 9), /unknown codec/],
    ['unknown layout', badBlock(shuffled, 10, Codec.shuffled, 2), /layout/],
  ];
  for (const [label, block, reason] of cases) {
    const at = f.blocks[1]!.offset;
    const damaged = Buffer.concat([bytes.subarray(0, at), block, bytes.subarray(at)]);
    const got = await scan(damaged);
    sameBytes(got.records, f.records, label);
    assert.equal(got.r.corrupt.length, 1, label);
    assert.equal(got.r.corrupt[0]!.offset, at, label);
    assert.equal(got.r.corrupt[0]!.bytes, block.length, label);
    assert.match(got.r.corrupt[0]!.reason, reason, label);
  }
});

test('repair truncates a torn tail and fsyncs; a clean rescan follows', async () => {
  const { f, bytes } = segment(100, 20);
  const last = f.blocks.at(-1)!;
  const path = join(tmp, 'torn.tsb');
  writeFileSync(path, bytes.subarray(0, last.offset + 30));
  const before = await scanSegmentFile(path);
  assert.equal(before.truncatedAt, last.offset);
  assert.equal(before.truncatedBytes, 30);
  assert.equal(statSync(path).size, last.offset + 30, 'no repair unless asked');
  const repaired = await scanSegmentFile(path, { repair: true });
  assert.equal(repaired.repairedBytes, 30);
  assert.equal(statSync(path).size, last.offset);
  const after = await scanSegmentFile(path);
  assert.equal(after.truncatedBytes, 0);
  assert.equal(after.blocks, f.blocks.length - 1);
  assert.equal(after.repairedBytes, 0);
});

test('repair cuts a corrupt tail too, but leaves a corrupt block that good blocks follow', async () => {
  const { f, bytes } = segment(100, 20);
  const last = f.blocks.at(-1)!;
  const tailPath = join(tmp, 'corrupt-tail.tsb');
  const t = Buffer.from(bytes);
  t[last.offset + BLOCK_HEADER_SIZE + 5]! ^= 0x10;
  writeFileSync(tailPath, t);
  const r = await scanSegmentFile(tailPath, { repair: true });
  assert.equal(r.corrupt.length, 1);
  assert.equal(r.repairedBytes, last.size);
  assert.equal(statSync(tailPath).size, last.offset);

  const midPath = join(tmp, 'corrupt-middle.tsb');
  const m = Buffer.from(bytes);
  m[f.blocks[1]!.offset + 3]! ^= 0x01;
  writeFileSync(midPath, m);
  const r2 = await scanSegmentFile(midPath, { repair: true });
  assert.equal(r2.corrupt.length, 1);
  assert.equal(r2.repairedBytes, 0);
  assert.equal(statSync(midPath).size, bytes.length);
});

test('a segment larger than the read window, with a block larger than it, streams and recovers', async () => {
  // ~70 blocks of 1000 shuffled records (64 KiB) plus one 5 MiB block: past the 4 MiB window.
  const records = makeRecords(70_000 + 82_000, 5);
  const f = writeSession(newDir(), records.subarray(0, 70_000 * RECORD_SIZE), {
    blockRecords: 1000,
    blocksPerSegment: 1 << 20,
    codec: Codec.shuffled,
  });
  const big = records.subarray(70_000 * RECORD_SIZE);
  const shuffled = new Uint8Array(big.length);
  shuffle(big, 82_000, shuffled);
  const bigBlock = encodeBlock(shuffled, {
    records: 82_000,
    codec: Codec.shuffled,
    firstTime: 0,
    lastTime: 0,
    sequence: 70,
  });
  const path = join(f.dir, f.segments[0]!);
  const bytes = Buffer.concat([readFileSync(path), bigBlock]);
  // Damage a header right across the first window boundary.
  const victim = f.blocks.find((b) => b.offset + b.size > 4 << 20)!;
  bytes[victim.offset + 10]! ^= 0x40;
  writeFileSync(path, bytes);
  const parts: Uint8Array[] = [];
  const r = await scanSegmentFile(path, { onBlock: (b) => void parts.push(b.records) });
  assert.deepEqual(
    r.corrupt.map((c) => [c.offset, c.bytes]),
    [[victim.offset, victim.size]],
  );
  const victimIndex = f.blocks.indexOf(victim);
  sameBytes(Buffer.concat(parts), Buffer.concat([recordsOfBlocks(f, (_b, i) => i !== victimIndex), big]));
});
