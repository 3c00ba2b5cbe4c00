/**
 * The recording block: the unit a session is written in and recovered by. A 48-byte little-endian
 * header, then the payload in one of three codecs, each readable forever:
 * - 0 shuffled: the block's 64-byte records byte-shuffled by column (byte k of every record
 *   together), stored as is — what a block becomes when no compressor is idle;
 * - 1 zstd (v1): the shuffled records, zstd-compressed;
 * - 2 columnar (v2): the records as integer columns per kind (codec-v2.ts), zstd-compressed.
 *
 * | offset | size | field                                                              |
 * |-------:|-----:|--------------------------------------------------------------------|
 * |      0 |    4 | magic "TSB1"                                                       |
 * |      4 |    4 | CRC-32 of header bytes 8..47 (a header can be trusted on its own)  |
 * |      8 |    4 | payload length in bytes (as stored)                                |
 * |     12 |    4 | record count                                                       |
 * |     16 |    1 | codec (0 shuffled, 1 shuffled + zstd, 2 columnar + zstd)           |
 * |     17 |    1 | record layout version (RECORD_LAYOUT)                              |
 * |     18 |    2 | flags (reserved, 0)                                                |
 * |     20 |    4 | CRC-32 of the payload as stored                                    |
 * |     24 |    8 | first receive time (epoch ms, f64)                                 |
 * |     32 |    8 | last receive time (epoch ms, f64)                                  |
 * |     40 |    4 | block sequence number in the session                               |
 * |     44 |    4 | reserved, 0                                                        |
 *
 * The header's own CRC lets a reader tell a damaged header from a damaged payload: with a good
 * header a bad payload is skipped by its length; with a bad header the reader searches forward for
 * the next magic whose header checks out. CRC-32 is node:zlib's.
 */
import { crc32, constants as zlibConstants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { Off, RECORD_SIZE } from '../../common/record.ts';
import { type ColumnarKinds, decodeColumnar, encodeColumnar, MAX_COLUMNAR_RECORDS } from './codec-v2.ts';

export const BLOCK_MAGIC = 0x31425354; // "TSB1" little-endian
export const BLOCK_HEADER_SIZE = 48;
/** Version of the 64-byte record layout (src/common/record.ts). */
export const RECORD_LAYOUT = 1;

export const Codec = { shuffled: 0, zstd: 1, columnar: 2 } as const;
export type Codec = (typeof Codec)[keyof typeof Codec];
/** Names by codec id, for inspection (`v1` is zstd, `v2` columnar). */
export const CODEC_NAMES = ['shuffled', 'zstd', 'columnar'];

export function codecName(codec: number): string {
  return CODEC_NAMES[codec] ?? `codec${codec}`;
}

export interface BlockHeader {
  payloadLength: number;
  records: number;
  codec: number;
  layout: number;
  payloadCrc: number;
  firstTime: number;
  lastTime: number;
  sequence: number;
}

/** Byte-shuffles `count` records (src) into dst: byte k of record i goes to dst[k * count + i]. */
export function shuffle(src: Uint8Array, count: number, dst: Uint8Array): void {
  for (let k = 0; k < RECORD_SIZE; k++) {
    const base = k * count;
    for (let i = 0; i < count; i++) dst[base + i] = src[i * RECORD_SIZE + k]!;
  }
}

export function unshuffle(src: Uint8Array, count: number, dst: Uint8Array): void {
  for (let k = 0; k < RECORD_SIZE; k++) {
    const base = k * count;
    for (let i = 0; i < count; i++) dst[i * RECORD_SIZE + k] = src[base + i]!;
  }
}

/** zstd at a level that keeps up with a live feed on one core (see the record benchmark). */
export const ZSTD_LEVEL = 3;

export function compress(shuffled: Uint8Array): Buffer {
  return zstdCompressSync(shuffled, { params: { [zlibConstants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } });
}

/** The compressed codecs a recording can be written with. */
export type CompressedCodec = typeof Codec.zstd | typeof Codec.columnar;

let shuffleScratch = new Uint8Array(0);

/**
 * The payload of `n` records (raw, 64 bytes each) in a compressed codec: v1 shuffles then zstd,
 * v2 codes columns then zstd. Runs in a compression worker; the scratch buffers are reused.
 */
export function encodePayload(codec: CompressedCodec, records: Uint8Array, n: number): Buffer {
  if (codec === Codec.columnar) return compress(encodeColumnar(records, n));
  if (shuffleScratch.length < n * RECORD_SIZE) shuffleScratch = new Uint8Array(n * RECORD_SIZE);
  const shuffled = shuffleScratch.subarray(0, n * RECORD_SIZE);
  shuffle(records, n, shuffled);
  return compress(shuffled);
}

/** Builds a whole block (header + payload) from a finished payload. */
export function encodeBlock(
  payload: Uint8Array,
  h: Omit<BlockHeader, 'payloadLength' | 'payloadCrc' | 'layout'>,
): Buffer {
  const out = Buffer.allocUnsafe(BLOCK_HEADER_SIZE + payload.length);
  const v = new DataView(out.buffer, out.byteOffset, BLOCK_HEADER_SIZE);
  v.setUint32(0, BLOCK_MAGIC, true);
  v.setUint32(8, payload.length, true);
  v.setUint32(12, h.records, true);
  v.setUint8(16, h.codec);
  v.setUint8(17, RECORD_LAYOUT);
  v.setUint16(18, 0, true);
  v.setUint32(20, crc32(payload) >>> 0, true);
  v.setFloat64(24, h.firstTime, true);
  v.setFloat64(32, h.lastTime, true);
  v.setUint32(40, h.sequence >>> 0, true);
  v.setUint32(44, 0, true);
  v.setUint32(4, crc32(out.subarray(8, BLOCK_HEADER_SIZE)) >>> 0, true);
  out.set(payload, BLOCK_HEADER_SIZE);
  return out;
}

/** Reads and checks a header at bytes[at..]; null if the magic or the header CRC is wrong. */
export function readHeader(bytes: Uint8Array, at: number): BlockHeader | null {
  if (at + BLOCK_HEADER_SIZE > bytes.length) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset + at, BLOCK_HEADER_SIZE);
  if (v.getUint32(0, true) !== BLOCK_MAGIC) return null;
  if (crc32(bytes.subarray(at + 8, at + BLOCK_HEADER_SIZE)) >>> 0 !== v.getUint32(4, true)) return null;
  return {
    payloadLength: v.getUint32(8, true),
    records: v.getUint32(12, true),
    codec: v.getUint8(16),
    layout: v.getUint8(17),
    payloadCrc: v.getUint32(20, true),
    firstTime: v.getFloat64(24, true),
    lastTime: v.getFloat64(32, true),
    sequence: v.getUint32(40, true),
  };
}

export class BlockError extends Error {
  override name = 'BlockError';
}

/**
 * The records of a block whose payload checked out: records × 64 bytes, in written order. With
 * `kinds`, a columnar block also reports each kind's share of its encoded bytes (for inspect).
 */
export function decodePayload(h: BlockHeader, payload: Uint8Array, kinds?: ColumnarKinds): Uint8Array {
  if (h.layout !== RECORD_LAYOUT) throw new BlockError(`record layout ${h.layout} is not ${RECORD_LAYOUT}`);
  if (h.codec === Codec.columnar) {
    if (h.records < 1 || h.records > MAX_COLUMNAR_RECORDS)
      throw new BlockError(`record count ${h.records} is out of range`);
    let raw: Uint8Array;
    try {
      // Bounded: a payload cannot inflate past what its records could need (a zstd bomb).
      raw = zstdDecompressSync(payload, { maxOutputLength: h.records * 96 + 65_536 });
    } catch (err) {
      throw new BlockError(`zstd: ${(err as Error).message}`);
    }
    return decodeColumnar(raw, h.records, kinds);
  }
  let shuffled: Uint8Array;
  if (h.codec === Codec.zstd) shuffled = zstdDecompressSync(payload);
  else if (h.codec === Codec.shuffled) shuffled = payload;
  else throw new BlockError(`unknown codec ${h.codec}`);
  if (shuffled.length !== h.records * RECORD_SIZE)
    throw new BlockError(`payload holds ${shuffled.length} bytes, not ${h.records} records`);
  const out = new Uint8Array(shuffled.length);
  unshuffle(shuffled, h.records, out);
  return out;
}

/** Receive time of record i in a record array (for first/last times). */
export function receiveTimeOf(records: Uint8Array, i: number): number {
  return new DataView(records.buffer, records.byteOffset + i * RECORD_SIZE + Off.receiveTime, 8).getFloat64(
    0,
    true,
  );
}
