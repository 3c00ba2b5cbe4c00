/**
 * Writes recorded sessions for tests with the real block encoder (block.ts), independently of the
 * recorder: records in, a session folder out, and where every block landed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type MarketRecord,
  RECORD_SIZE,
  RecordFlag,
  RecordKind,
  writeRecord,
} from '../../src/common/record.ts';
import { Codec, compress, encodeBlock, receiveTimeOf, shuffle } from '../../src/main/recorder/block.ts';

export interface FixtureBlock {
  segment: string;
  offset: number;
  size: number;
  records: number;
  codec: number;
  sequence: number;
  /** Index of the block's first record in the session. */
  first: number;
}

export interface Fixture {
  dir: string;
  records: Uint8Array;
  count: number;
  blocks: FixtureBlock[];
  segments: string[];
}

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FIXTURE_INSTRUMENTS = [
  { instrumentId: 1, feedId: 1, venue: 'binance', symbol: 'BTC-USDT', venueSymbol: 'BTCUSDT' },
  { instrumentId: 2, feedId: 1, venue: 'binance', symbol: 'ETH-USDT', venueSymbol: 'ETHUSDT' },
  { instrumentId: 3, feedId: 2, venue: 'coinbase', symbol: 'BTC-USD', venueSymbol: 'BTC-USD' },
];

/** `count` plausible records: trades, book tops and deltas, the odd gap and reset, rising times. */
export function makeRecords(count: number, seed = 1): Uint8Array {
  const rand = rng(seed);
  const out = new Uint8Array(count * RECORD_SIZE);
  const v = new DataView(out.buffer);
  let t = 1_750_000_000_000 + Math.floor(rand() * 1000);
  let seq = 1000;
  for (let i = 0; i < count; i++) {
    t += rand() * 3;
    const inst = 1 + Math.floor(rand() * 3);
    const x = rand();
    const kind =
      x < 0.4
        ? RecordKind.trade
        : x < 0.6
          ? RecordKind.bookTop
          : x < 0.97
            ? RecordKind.bookDelta
            : x < 0.99
              ? RecordKind.gap
              : RecordKind.bookReset;
    const r: MarketRecord = {
      kind,
      venue: inst === 3 ? 2 : 1,
      flags:
        kind === RecordKind.gap
          ? rand() < 0.5
            ? RecordFlag.sequenceGap
            : RecordFlag.reconnect
          : rand() < 0.5
            ? RecordFlag.bid
            : RecordFlag.aggressorSell,
      feedId: inst === 3 ? 2 : 1,
      connectionId: 1 + Math.floor(rand() * 3),
      instrumentId: inst,
      wireBytes: 80 + Math.floor(rand() * 400),
      price: Math.round((60000 + rand() * 100) * 100) / 100,
      quantity: kind === RecordKind.gap ? Math.floor(rand() * 10) : Math.round(rand() * 1e6) / 1e6,
      exchangeTime: Math.round((t - 2 - rand()) * 1000) / 1000,
      receiveTime: t,
      sequence: seq++,
      eventTime: Math.round(t - 1),
    };
    writeRecord(v, i * RECORD_SIZE, r);
  }
  return out;
}

export interface WriteOptions {
  /** Records per block (default 100). */
  blockRecords?: number;
  /** Blocks per segment (default 4). */
  blocksPerSegment?: number;
  /** Codec per block: a fixed one, or alternating zstd / shuffled (default). */
  codec?: number | 'alternate';
  /** Write manifest.json (default true), or this object as the manifest. */
  manifest?: boolean | Record<string, unknown>;
}

/** Writes `records` as a session in `dir` (created). */
export function writeSession(dir: string, records: Uint8Array, options: WriteOptions = {}): Fixture {
  const per = options.blockRecords ?? 100;
  const perSegment = options.blocksPerSegment ?? 4;
  mkdirSync(dir, { recursive: true });
  const count = records.length / RECORD_SIZE;
  const blocks: FixtureBlock[] = [];
  const segments: string[] = [];
  let segmentParts: Buffer[] = [];
  let segmentBytes = 0;
  const flush = (): void => {
    if (segmentParts.length === 0) return;
    const name = `segment-${String(segments.length + 1).padStart(6, '0')}.tsb`;
    writeFileSync(join(dir, name), Buffer.concat(segmentParts));
    segments.push(name);
    segmentParts = [];
    segmentBytes = 0;
  };
  let sequence = 0;
  for (let first = 0; first < count; first += per) {
    const n = Math.min(per, count - first);
    const slice = records.subarray(first * RECORD_SIZE, (first + n) * RECORD_SIZE);
    const shuffled = new Uint8Array(n * RECORD_SIZE);
    shuffle(slice, n, shuffled);
    const codec =
      options.codec === undefined || options.codec === 'alternate'
        ? sequence % 2 === 0
          ? Codec.zstd
          : Codec.shuffled
        : options.codec;
    const payload = codec === Codec.zstd ? compress(shuffled) : shuffled;
    const block = encodeBlock(payload, {
      records: n,
      codec,
      firstTime: receiveTimeOf(slice, 0),
      lastTime: receiveTimeOf(slice, n - 1),
      sequence,
    });
    const segment = `segment-${String(segments.length + 1).padStart(6, '0')}.tsb`;
    blocks.push({ segment, offset: segmentBytes, size: block.length, records: n, codec, sequence, first });
    segmentParts.push(block);
    segmentBytes += block.length;
    sequence++;
    if (segmentParts.length >= perSegment) flush();
  }
  flush();
  if (options.manifest !== false) {
    const manifest =
      typeof options.manifest === 'object'
        ? options.manifest
        : {
            layout: 1,
            app: 'tickscope 0.1.0',
            created: new Date(1_750_000_000_000).toISOString(),
            start: count > 0 ? receiveTimeOf(records, 0) : null,
            end: count > 0 ? receiveTimeOf(records, count - 1) : null,
            closed: true,
            venues: ['binance', 'coinbase'],
            instruments: FIXTURE_INSTRUMENTS,
            segments,
            counts: { records: count, byKind: {} },
            gaps: 0,
          };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  }
  return { dir, records, count, blocks, segments };
}

/** Records of blocks [from, to) of a fixture, concatenated. */
export function recordsOfBlocks(f: Fixture, keep: (b: FixtureBlock, index: number) => boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  f.blocks.forEach((b, i) => {
    if (keep(b, i))
      parts.push(f.records.subarray(b.first * RECORD_SIZE, (b.first + b.records) * RECORD_SIZE));
  });
  return Buffer.concat(parts);
}
