/**
 * Block codec v2 (columnar): every record decodes bit-identical — doubles off the integer model
 * (NaN payloads, -0, ±∞, sub-µs times, prices finer than the tick, times before the block's
 * first) included, through the exception column; unknown kinds fall back to an exact raw
 * section; the default simulator's mix is a third of v1's size; a v1 session committed as a
 * fixture (and a session mixing v1 and v2 blocks) reads unchanged; and hostile payloads — corrupt
 * bytes caught by the CRC, or CRC-valid but inconsistent columns — are refused with a reason,
 * never read out of bounds (fast-check, fixed seed, FC_SEED to replay).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import {
  emptyRecord,
  Off,
  RECORD_SIZE,
  RecordFlag,
  RecordKind,
  writeRecord,
} from '../../src/common/record.ts';
import { mixedRecords } from '../../src/main/bench/mixed-stream.ts';
import {
  BLOCK_HEADER_SIZE,
  Codec,
  compress,
  decodePayload,
  encodeBlock,
  encodePayload,
  readHeader,
} from '../../src/main/recorder/block.ts';
import { decodeColumnar, encodeColumnar } from '../../src/main/recorder/codec-v2.ts';
import { scanSegmentBytes } from '../../src/main/recorder/segment-scan.ts';
import { inspectSession, openSession, readRecords } from '../../src/main/recorder/session-reader.ts';
import { seededCheck } from '../helpers/fc-check.ts';

const { check } = seededCheck('test/unit/codec-v2.test.ts', 20_260_407);

const header = (records: number) =>
  ({ codec: Codec.columnar, layout: 1, records }) as Parameters<typeof decodePayload>[0];

function roundTrip(records: Uint8Array): Uint8Array {
  const n = records.length / RECORD_SIZE;
  const back = decodePayload(header(n), encodePayload(Codec.columnar, records, n));
  assert.equal(
    Buffer.compare(Buffer.from(back), Buffer.from(records)),
    0,
    'records out = records in, bit for bit',
  );
  return back;
}

test('the simulator mix round-trips bit for bit and is about a third of v1', () => {
  const n = 40_000;
  const r = mixedRecords(n, 5);
  let v1 = 0;
  let v2 = 0;
  for (let i = 0; i < n; i += 16_384) {
    const k = Math.min(16_384, n - i);
    const block = r.subarray(i * RECORD_SIZE, (i + k) * RECORD_SIZE);
    roundTrip(block);
    v1 += encodePayload(Codec.zstd, block, k).length;
    v2 += encodePayload(Codec.columnar, block, k).length;
  }
  assert.ok(v2 / n < 7, `v2 ${(v2 / n).toFixed(2)} bytes/record`);
  assert.ok(v2 < v1 * 0.45, `v2 ${(v2 / n).toFixed(2)} vs v1 ${(v1 / n).toFixed(2)} bytes/record`);
});

test('values off the integer model go to exceptions, exactly, and cost only themselves', () => {
  const n = 5000;
  const r = mixedRecords(n, 2);
  const v = new DataView(r.buffer);
  const odd: [number, number, (at: number) => void][] = [
    [Off.price, 0, (at) => v.setFloat64(at, 67_250.123456789, true)], // finer than the tick
    [Off.price, 1, (at) => v.setFloat64(at, -0, true)],
    [Off.quantity, 2, (at) => v.setFloat64(at, Number.POSITIVE_INFINITY, true)],
    [Off.quantity, 3, (at) => v.setUint32(at + 4, 0x7ff80000 | 0x1234, true)], // a NaN with a payload
    [Off.receiveTime, 4, (at) => v.setFloat64(at, v.getFloat64(at, true) + 0.0002, true)], // sub-µs
    [Off.exchangeTime, 5, (at) => v.setFloat64(at, 1, true)], // long before the block's base
    [Off.eventTime, 6, (at) => v.setFloat64(at, Number.MIN_VALUE, true)], // subnormal
    [Off.sequence, 7, (at) => v.setFloat64(at, 12.5, true)], // not an integer
    [Off.sequence, 8, (at) => v.setFloat64(at, 2 ** 60, true)], // beyond 2^53
  ];
  const clean = encodePayload(Codec.columnar, r, n).length;
  for (const [off, k, set] of odd) set((1000 + k * 397) * RECORD_SIZE + off);
  roundTrip(r);
  const dirty = encodePayload(Codec.columnar, r, n).length;
  assert.ok(dirty - clean < odd.length * 40, `${odd.length} exceptions cost ${dirty - clean} bytes`);
});

test('unknown kinds are stored raw and exact; a tick of 0.5 and a lot of 25 are found', () => {
  const n = 3000;
  const out = new Uint8Array(n * RECORD_SIZE);
  const v = new DataView(out.buffer);
  const r = emptyRecord();
  for (let i = 0; i < n; i++) {
    r.kind = i % 10 === 0 ? 42 : i % 10 === 1 ? RecordKind.none : RecordKind.trade;
    r.venue = 4;
    r.flags = i % 2 ? RecordFlag.aggressorSell : 0;
    r.feedId = 4;
    r.connectionId = 1;
    r.instrumentId = 4 << 16;
    r.wireBytes = 200 + (i % 7);
    r.price = 21_000 + Math.round(Math.sin(i / 50) * 40) * 0.5;
    r.quantity = 25 * (1 + (i % 9));
    r.receiveTime = 1_796_410_110_000 + i * 0.731;
    r.receiveTime = Math.round(r.receiveTime * 1000) / 1000;
    r.exchangeTime = Math.floor(r.receiveTime - 1);
    r.eventTime = r.exchangeTime;
    r.sequence = 9_000_000 + i;
    writeRecord(v, i * RECORD_SIZE, r);
  }
  roundTrip(out);
  const bytes = encodePayload(Codec.columnar, out, n).length;
  // The raw kinds (a fifth of the records) dominate; the trades are a few bytes each.
  assert.ok(bytes < n * 0.2 * 40 + n * 4, `${(bytes / n).toFixed(2)} bytes/record`);
});

test('a v1 session committed as a fixture reads, inspects and re-encodes unchanged', async () => {
  const s = await openSession('test/fixtures/session-v1');
  const h = createHash('sha256');
  let n = 0;
  for await (const b of readRecords(s)) {
    h.update(b);
    n += b.length / RECORD_SIZE;
    roundTrip(b); // the same records through v2: identical
  }
  assert.equal(n, 8000);
  assert.equal(h.digest('hex'), '0fce7b4627a1dbef2387fcff4a3fb8a62efdc63d3a4b791397ab5bc6f5c8d173');
  const info = await inspectSession(s);
  assert.deepEqual(Object.keys(info.codecs), ['zstd']);
  assert.equal(info.codecs.zstd!.records, 8000);
  assert.equal(info.corruptBlocks, 0);
  assert.ok(info.bytesPerRecordByKind.trade! > 0 && info.bytesPerRecordByKind.bookDelta! > 0);
});

/** A segment of blocks: v1, v2, v2 with a corrupt payload byte, v1 — as a writer would lay them. */
function segment(records: Uint8Array[], corrupt: number): Uint8Array {
  const parts = records.map((r, i) => {
    const n = r.length / RECORD_SIZE;
    const codec = i % 3 === 0 ? Codec.zstd : Codec.columnar;
    const b = encodeBlock(encodePayload(codec, r, n), {
      records: n,
      codec,
      firstTime: 0,
      lastTime: 0,
      sequence: i,
    });
    if (i === corrupt) b[BLOCK_HEADER_SIZE + 5]! ^= 0x40;
    return b;
  });
  return Buffer.concat(parts);
}

test('a mixed v1/v2 segment reads; a corrupt v2 payload is caught by its CRC and skipped', async () => {
  const r = mixedRecords(6000, 9);
  const blocks = [0, 1, 2, 3, 4].map((k) => r.subarray(k * 1200 * RECORD_SIZE, (k + 1) * 1200 * RECORD_SIZE));
  const got: Uint8Array[] = [];
  const scan = await scanSegmentBytes(segment(blocks, 2), { onBlock: (b) => void got.push(b.records) });
  assert.equal(scan.blocks, 4);
  assert.deepEqual(
    scan.corrupt.map((c) => c.reason),
    ['payload CRC mismatch'],
  );
  const want = [0, 1, 3, 4].map((k) => blocks[k]!);
  assert.equal(Buffer.compare(Buffer.concat(got), Buffer.concat(want)), 0);
});

test('inconsistent columns are refused with a reason', () => {
  const r = mixedRecords(2000, 4);
  const raw = encodeColumnar(r, 2000).slice();
  const refuse = (payload: Uint8Array, n: number, reason: RegExp): void =>
    assert.throws(
      () => decodeColumnar(payload, n),
      (e: Error) => e.name === 'BlockError' && reason.test(e.message),
    );
  refuse(raw, 1999, /payload says 2000 records, the header 1999/);
  refuse(raw.subarray(0, raw.length - 1), 2000, /past the end/);
  refuse(Buffer.concat([raw, Buffer.from([0])]), 2000, /left after the last section/);
  refuse(raw.subarray(0, 40), 2000, /past the end/);
  const wrongFormat = raw.slice();
  wrongFormat[0] = 9;
  refuse(wrongFormat, 2000, /unknown columnar format 9/);
});

/** A CRC-valid block around a payload, through the segment scanner: a block or a corrupt span. */
function scanOne(payload: Uint8Array, n: number): Promise<{ blocks: number; reasons: string[] }> {
  const b = encodeBlock(payload, {
    records: n,
    codec: Codec.columnar,
    firstTime: 0,
    lastTime: 0,
    sequence: 0,
  });
  // encodeBlock computes the payload CRC: the scanner must rely on the decoder's own checks.
  assert.equal(new DataView(b.buffer, b.byteOffset).getUint32(20, true), crc32(payload) >>> 0);
  return scanSegmentBytes(b).then((s) => ({ blocks: s.blocks, reasons: s.corrupt.map((c) => c.reason) }));
}

test('fuzz: mutated columnar payloads (CRC-valid) decode exactly or are refused, never crash', async () => {
  const n = 700;
  const r = mixedRecords(n, 11);
  const raw = encodeColumnar(r, n).slice();
  const cases: { payload: Uint8Array; n: number }[] = [];
  check(
    'columnar decoder on mutated payloads',
    fc.property(
      fc.array(fc.tuple(fc.nat(raw.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      }),
      fc.oneof(fc.constant(0), fc.nat(raw.length)),
      fc.integer({ min: -2, max: 2 }),
      (edits, cut, dn) => {
        const p = raw.slice(0, cut > 0 ? cut : raw.length);
        for (const [at, byte] of edits) if (at < p.length) p[at] = byte;
        const count = Math.max(1, n + dn);
        try {
          const out = decodeColumnar(p, count);
          assert.equal(out.length, count * RECORD_SIZE);
        } catch (err) {
          assert.equal((err as Error).name, 'BlockError', `not a refusal: ${(err as Error).stack}`);
          assert.ok((err as Error).message.length > 5);
        }
        if (cases.length < 40) cases.push({ payload: compress(p), n: count });
      },
    ),
    600,
  );
  // Through the block and the scanner: a refusal is a corrupt span with the decoder's reason.
  for (const c of cases) {
    const s = await scanOne(c.payload, c.n);
    assert.equal(s.blocks + s.reasons.length, 1);
    for (const reason of s.reasons) assert.match(reason, /^payload does not decode: /);
  }
});

test('fuzz: random headers, tags and streams never read out of bounds', () => {
  check(
    'columnar decoder on random bytes',
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 400 }),
      fc.integer({ min: 1, max: 64 }),
      (bytes, n) => {
        const p = Uint8Array.from([1, n, ...bytes]); // a plausible start, then anything
        try {
          assert.equal(decodeColumnar(p, n).length, n * RECORD_SIZE);
        } catch (err) {
          assert.equal((err as Error).name, 'BlockError', `not a refusal: ${(err as Error).stack}`);
        }
      },
    ),
    2000,
  );
});

test('a block header claiming billions of records is refused before any allocation', () => {
  const b = encodeBlock(compress(new Uint8Array([1, 1])), {
    records: 3_000_000_000,
    codec: Codec.columnar,
    firstTime: 0,
    lastTime: 0,
    sequence: 0,
  });
  const h = readHeader(b, 0)!;
  assert.throws(() => decodePayload(h, b.subarray(BLOCK_HEADER_SIZE)), /out of range/);
});
