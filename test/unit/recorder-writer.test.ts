/**
 * The session writer on real files: blocks in order whatever order compression finishes in, both
 * codecs (a busy pool stores blocks uncompressed), segment rotation, the manifest; and a disk that
 * fills up (ENOSPC) or fails (EIO) mid-session — recording stops with the error, nothing throws,
 * and every block written before it reads back intact.
 */
import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, open, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyRecord, RECORD_SIZE, RecordKind, writeRecord } from '../../src/common/record.ts';
import {
  BLOCK_HEADER_SIZE,
  Codec,
  decodePayload,
  encodePayload,
  readHeader,
} from '../../src/main/recorder/block.ts';
import { SessionWriter } from '../../src/main/recorder/session-writer.ts';

function records(n: number, from = 0): Uint8Array {
  const out = new Uint8Array(n * RECORD_SIZE);
  const v = new DataView(out.buffer);
  const r = emptyRecord();
  for (let i = 0; i < n; i++) {
    r.kind = i % 7 === 0 ? RecordKind.bookDelta : RecordKind.trade;
    r.venue = 1 + (i % 5);
    r.instrumentId = (1 << 16) | (i % 3);
    r.price = 67250 + ((from + i) % 100) / 100;
    r.quantity = ((from + i) % 37) / 1000 + 0.001;
    r.receiveTime = 1784107800000 + (from + i) * 0.25;
    r.exchangeTime = r.receiveTime - 1.5;
    r.eventTime = r.exchangeTime;
    r.sequence = 5_000_000_000 + from + i;
    writeRecord(v, i * RECORD_SIZE, r);
  }
  return out;
}

/** Every block of every segment, in order; fails on any damage (a writer's own output has none). */
async function readSession(
  dir: string,
): Promise<{ records: Uint8Array; codecs: number[]; sequences: number[] }> {
  const segs = (await readdir(dir)).filter((f) => f.endsWith('.tsb')).sort();
  const parts: Uint8Array[] = [];
  const codecs: number[] = [];
  const sequences: number[] = [];
  for (const s of segs) {
    const bytes = await readFile(join(dir, s));
    let at = 0;
    while (at < bytes.length) {
      const h = readHeader(bytes, at);
      assert.ok(h, `${s}: a valid header at ${at}`);
      const payload = bytes.subarray(at + BLOCK_HEADER_SIZE, at + BLOCK_HEADER_SIZE + h.payloadLength);
      parts.push(decodePayload(h, payload));
      codecs.push(h.codec);
      sequences.push(h.sequence);
      at += BLOCK_HEADER_SIZE + h.payloadLength;
    }
  }
  return { records: Buffer.concat(parts), codecs, sequences };
}

test('blocks land in order with every codec, segments rotate, the manifest adds up', async () => {
  const dir = join(await mkdtemp(join(tmpdir(), 'tickscope-rec-')), 's');
  let calls = 0;
  const w = await SessionWriter.create({
    dir,
    app: 'test',
    blockRecords: 1000,
    segmentBytes: 40_000,
    fsyncMs: 0,
    // Every third block finds the pool busy (stored shuffled); the others finish in reverse-ish
    // order, in v2 or v1 by turns (a session whose codec changed mid-recording reads the same).
    compressor: (raw, _sequence, codec) => {
      calls++;
      if (calls % 3 === 0) return null;
      const delay = (7 - (calls % 7)) * 3;
      const c = calls % 2 === 0 ? codec : Codec.zstd;
      return new Promise((r) =>
        setTimeout(() => r({ codec: c, payload: encodePayload(c, raw, raw.length / RECORD_SIZE) }), delay),
      );
    },
    describe: () => ({ venues: ['binance'], instruments: [] }),
  });
  const input = records(25_500);
  for (let i = 0; i < 25_500; i += 700) w.append(input, i * RECORD_SIZE, Math.min(700, 25_500 - i));
  assert.equal(await w.close(), null);
  const back = await readSession(dir);
  assert.equal(
    Buffer.compare(Buffer.from(back.records), Buffer.from(input)),
    0,
    'records out = records in, bit for bit',
  );
  assert.deepEqual(
    back.sequences,
    Array.from({ length: 26 }, (_, i) => i),
    'blocks in order',
  );
  assert.deepEqual([...new Set(back.codecs)].sort(), [0, 1, 2], 'all three codecs present');
  const segs = (await readdir(dir)).filter((f) => f.endsWith('.tsb'));
  assert.ok(segs.length > 1, `rotated into ${segs.length} segments`);
  const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  assert.equal(m.closed, true);
  assert.equal(m.counts.records, 25_500);
  assert.equal(m.blocks, 26);
  assert.deepEqual(m.segments, segs.sort());
  await assert.rejects(SessionWriter.create({ dir, app: 'test' }), /already holds a session/);
});

for (const code of ['ENOSPC', 'EIO'] as const) {
  test(`${code} mid-session: recording stops with the error, nothing throws, what was written reads back`, async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'tickscope-rec-')), 's');
    let budget = 3 * (BLOCK_HEADER_SIZE + 1000 * RECORD_SIZE) + 100;
    const errors: string[] = [];
    const w = await SessionWriter.create({
      dir,
      app: 'test',
      blockRecords: 1000,
      fsyncMs: 0,
      onError: (e) => errors.push(e.message),
      // A file system that accepts `budget` bytes, then fails every write (a torn partial write first).
      openFile: async (path, flags, mode) => {
        const fh = await open(path, flags, mode);
        const write = fh.write.bind(fh) as (
          b: Uint8Array,
          o: number,
          l: number,
        ) => Promise<{ bytesWritten: number }>;
        return new Proxy(fh, {
          get(target, prop) {
            if (prop === 'write')
              return async (b: Uint8Array, o: number, l: number) => {
                if (budget <= 0) throw Object.assign(new Error(`${code}: simulated`), { code });
                const n = Math.min(l, budget);
                budget -= n;
                return write(b, o, n);
              };
            const v = Reflect.get(target, prop, target);
            return typeof v === 'function' ? v.bind(target) : v;
          },
        }) as FileHandle;
      },
    });
    const input = records(6000);
    let accepted = 0;
    for (let i = 0; i < 6000; i += 500) {
      if (w.append(input, i * RECORD_SIZE, 500)) accepted += 500;
      await new Promise((r) => setTimeout(r, 2));
    }
    const err = await w.close();
    assert.ok(err, 'close reports the error');
    assert.match(err.message, new RegExp(code));
    assert.equal(errors.length, 1, 'reported once');
    assert.equal(w.append(input, 0, 1), false, 'appends are refused after the failure');
    // The three whole blocks read back; the torn fourth is what a reader truncates.
    const bytes = await readFile(join(dir, 'segment-000001.tsb'));
    let at = 0;
    let blocks = 0;
    for (;;) {
      const h = readHeader(bytes, at);
      if (!h || at + BLOCK_HEADER_SIZE + h.payloadLength > bytes.length) break;
      decodePayload(h, bytes.subarray(at + BLOCK_HEADER_SIZE, at + BLOCK_HEADER_SIZE + h.payloadLength));
      at += BLOCK_HEADER_SIZE + h.payloadLength;
      blocks++;
    }
    assert.equal(blocks, 3);
    assert.equal(bytes.length - at, 100, 'a 100-byte torn tail');
    const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    assert.match(m.error, new RegExp(code), 'the manifest says why it stopped');
    assert.ok(accepted >= 3000);
  });
}
