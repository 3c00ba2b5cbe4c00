/**
 * Reading one segment file back, whatever happened to it. A segment is a run of blocks
 * (block.ts); the scan walks them in order and never throws on bad data:
 *
 * - a header that checks out, a payload whose CRC matches and that decodes to `records × 64`
 *   bytes → a block;
 * - a header that checks out but a payload CRC that does not match, or a payload that does not
 *   decode (zstd error, wrong length, unknown codec or layout, a v2 payload whose columns do not
 *   add up) → a corrupt span at the block's offset, skipped by the header's length;
 * - a header that does not check out (magic or header CRC) → the scan searches forward for the
 *   next offset where a header checks out; the bytes skipped are one corrupt span at the offset
 *   of the bad header;
 * - the end of the file inside a block (fewer bytes than a header, or a good header whose payload
 *   runs past the end) → a torn tail, reported as truncated bytes at its offset.
 *
 * The file is read through a bounded window (a few MiB), so a segment of any size streams.
 *
 * Repair (`repair: true`): when everything after the last good block is bad — a torn tail, a
 * corrupt tail, or both — the file is truncated to the end of the last good block and fsynced, so
 * a writer can append to it again. Corrupt spans followed by good blocks are left in place (they
 * are skipped on every read and reported).
 */
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { RECORD_SIZE } from '../../common/record.ts';
import {
  BLOCK_HEADER_SIZE,
  BLOCK_MAGIC,
  type BlockHeader,
  Codec,
  decodePayload,
  readHeader,
} from './block.ts';
import type { ColumnarKinds } from './codec-v2.ts';

/** A block whose header, payload CRC and decoding all checked out. */
export interface ScannedBlock {
  /** Byte offset of the block's header in the segment. */
  offset: number;
  /** Header + payload bytes. */
  size: number;
  header: BlockHeader;
  /** The block's records, `header.records × 64` bytes, in written order (a fresh array). */
  records: Uint8Array;
  /** A columnar (v2) block's encoded bytes per kind, for inspection; absent for v1 blocks. */
  kinds?: ColumnarKinds;
}

export interface CorruptSpan {
  offset: number;
  bytes: number;
  reason: string;
}

export type ScanEvent =
  | ({ type: 'block' } & ScannedBlock)
  | ({ type: 'corrupt' } & CorruptSpan)
  | { type: 'truncated'; offset: number; bytes: number };

/** Random access to a segment's bytes; a returned view is valid until the next call. */
export interface SegmentSource {
  readonly size: number;
  read(position: number, length: number): Promise<Uint8Array>;
}

export interface SegmentScan {
  /** Bytes in the segment when the scan started. */
  size: number;
  blocks: number;
  records: number;
  corrupt: CorruptSpan[];
  /** Offset where a torn tail starts, null if the segment ends on a block boundary. */
  truncatedAt: number | null;
  truncatedBytes: number;
  /** End of the last good block (0 if none). */
  validEnd: number;
  /** Bytes cut off the end of the file by a repair (0 if none or not asked). */
  repairedBytes: number;
}

const MAGIC_BYTES = new Uint8Array([0x54, 0x53, 0x42, 0x31]); // "TSB1"
/** Read window: large enough that most blocks are served from one read. */
const WINDOW = 4 << 20;

if (new DataView(MAGIC_BYTES.buffer).getUint32(0, true) !== BLOCK_MAGIC) throw new Error('magic mismatch');

/** A source over bytes already in memory. */
export function bytesSource(bytes: Uint8Array): SegmentSource {
  return {
    size: bytes.length,
    read: async (position, length) => bytes.subarray(position, Math.min(bytes.length, position + length)),
  };
}

interface ReadableHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/** A source over an open file of known size, read through one reusable window. */
export function fileSource(handle: ReadableHandle, size: number): SegmentSource {
  let buf = Buffer.allocUnsafe(Math.min(WINDOW, Math.max(BLOCK_HEADER_SIZE, size)));
  let bufPos = 0;
  let bufLen = 0;
  return {
    size,
    async read(position, length) {
      const len = Math.max(0, Math.min(length, size - position));
      if (position >= bufPos && position + len <= bufPos + bufLen)
        return buf.subarray(position - bufPos, position - bufPos + len);
      if (len > buf.length) buf = Buffer.allocUnsafe(len);
      const want = Math.min(buf.length, size - position);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await handle.read(buf, got, want - got, position + got);
        if (bytesRead === 0) break; // the file shrank under us: what is there is what we have
        got += bytesRead;
      }
      bufPos = position;
      bufLen = got;
      return buf.subarray(0, Math.min(len, got));
    },
  };
}

/**
 * The blocks and the damage of one segment, in file order. Never throws on bad data (IO errors
 * from the source propagate).
 */
export async function* scanSegment(src: SegmentSource): AsyncGenerator<ScanEvent> {
  const size = src.size;
  let pos = 0;
  while (pos < size) {
    if (size - pos < BLOCK_HEADER_SIZE) {
      yield { type: 'truncated', offset: pos, bytes: size - pos };
      return;
    }
    const head = await src.read(pos, BLOCK_HEADER_SIZE);
    const h = readHeader(head, 0);
    if (!h) {
      const next = await findNextHeader(src, pos + 1);
      if (next.header < 0) {
        // Nothing further checks out: the rest is damage, except a header cut short at the very
        // end (a torn tail after a corrupt span).
        const cut = next.partial < 0 ? size : next.partial;
        yield { type: 'corrupt', offset: pos, bytes: cut - pos, reason: 'bad block header' };
        if (cut < size) yield { type: 'truncated', offset: cut, bytes: size - cut };
        return;
      }
      yield { type: 'corrupt', offset: pos, bytes: next.header - pos, reason: 'bad block header' };
      pos = next.header;
      continue;
    }
    const blockSize = BLOCK_HEADER_SIZE + h.payloadLength;
    if (pos + blockSize > size) {
      yield { type: 'truncated', offset: pos, bytes: size - pos };
      return;
    }
    const payload = await src.read(pos + BLOCK_HEADER_SIZE, h.payloadLength);
    if (crc32(payload) >>> 0 !== h.payloadCrc) {
      yield { type: 'corrupt', offset: pos, bytes: blockSize, reason: 'payload CRC mismatch' };
      pos += blockSize;
      continue;
    }
    let records: Uint8Array;
    const kinds: ColumnarKinds | undefined =
      h.codec === Codec.columnar ? { kind: [], records: [], bytes: [], shared: 0 } : undefined;
    try {
      records = decodePayload(h, payload, kinds);
      if (records.length !== h.records * RECORD_SIZE) throw new Error('record count mismatch');
    } catch (err) {
      yield {
        type: 'corrupt',
        offset: pos,
        bytes: blockSize,
        reason: `payload does not decode: ${(err as Error).message}`,
      };
      pos += blockSize;
      continue;
    }
    yield { type: 'block', offset: pos, size: blockSize, header: h, records, ...(kinds ? { kinds } : {}) };
    pos += blockSize;
  }
}

/**
 * The next offset ≥ from where a header checks out (`header`, -1 if none), and, when none does,
 * the first offset in the last header's worth of bytes where the magic begins a header cut short by the end of the file (`partial`, -1 if none).
 */
async function findNextHeader(
  src: SegmentSource,
  from: number,
): Promise<{ header: number; partial: number }> {
  const size = src.size;
  let pos = from;
  while (pos + BLOCK_HEADER_SIZE <= size) {
    // A chunk that holds every header starting in [pos, pos + step).
    const chunk = await src.read(pos, WINDOW);
    const step = chunk.length - BLOCK_HEADER_SIZE + 1;
    if (step <= 0) break; // the file shrank under us
    let i = 0;
    while (i < step) {
      const at = indexOfMagic(chunk, i);
      if (at < 0 || at >= step) break;
      if (readHeader(chunk, at)) return { header: pos + at, partial: -1 };
      i = at + 1;
    }
    pos += step;
  }
  // Fewer than a header's bytes left from pos: a header cut short starts with the magic.
  const at = pos < size ? indexOfMagic(await src.read(pos, size - pos), 0) : -1;
  return { header: -1, partial: at < 0 ? -1 : pos + at };
}

function indexOfMagic(chunk: Uint8Array, from: number): number {
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).indexOf(MAGIC_BYTES, from);
}

export interface ScanOptions {
  /** Truncate a torn or corrupt tail (everything after the last good block) and fsync. */
  repair?: boolean;
  /** Called for every good block, in order; the scan waits for it. */
  onBlock?: (block: ScannedBlock) => void | Promise<void>;
  /** Called for every corrupt span and torn tail, in order. */
  onDamage?: (event: Exclude<ScanEvent, { type: 'block' }>) => void;
}

/** Scans a segment already in memory (no repair). */
export async function scanSegmentBytes(
  bytes: Uint8Array,
  options: Omit<ScanOptions, 'repair'> = {},
): Promise<SegmentScan> {
  return collect(scanSegment(bytesSource(bytes)), bytes.length, options);
}

/** Scans a segment file, streaming; with `repair`, truncates a bad tail and fsyncs. */
export async function scanSegmentFile(path: string, options: ScanOptions = {}): Promise<SegmentScan> {
  let size = 0;
  const result = await collect(
    scanSegmentFileEvents(path, options, (s) => {
      size = s;
    }),
    () => size,
    options,
  );
  return result;
}

export type FileScanEvent = ScanEvent | { type: 'repaired'; offset: number; bytes: number };

/**
 * scanSegment over a file, streamed through a bounded window; with `repair`, once the whole file
 * has been scanned, a bad tail (only damage after the last good block) is truncated and fsynced,
 * and a last `repaired` event says where and how much. Stopping early closes the file, no repair.
 */
export async function* scanSegmentFileEvents(
  path: string,
  options: { repair?: boolean } = {},
  onSize?: (size: number) => void,
): AsyncGenerator<FileScanEvent> {
  const handle = await open(path, options.repair ? 'r+' : 'r');
  try {
    const { size } = await handle.stat();
    onSize?.(size);
    let validEnd = 0;
    let badTail = false;
    for await (const e of scanSegment(fileSource(handle, size))) {
      if (e.type === 'block') {
        validEnd = e.offset + e.size;
        badTail = false;
      } else badTail = true;
      yield e;
    }
    if (options.repair && badTail && validEnd < size) {
      await handle.truncate(validEnd);
      await handle.sync();
      yield { type: 'repaired', offset: validEnd, bytes: size - validEnd };
    }
  } finally {
    await handle.close();
  }
}

async function collect(
  events: AsyncIterable<FileScanEvent>,
  size: number | (() => number),
  options: Omit<ScanOptions, 'repair'>,
): Promise<SegmentScan> {
  const result: SegmentScan = {
    size: 0,
    blocks: 0,
    records: 0,
    corrupt: [],
    truncatedAt: null,
    truncatedBytes: 0,
    validEnd: 0,
    repairedBytes: 0,
  };
  for await (const e of events) {
    if (e.type === 'block') {
      result.blocks++;
      result.records += e.header.records;
      result.validEnd = e.offset + e.size;
      if (options.onBlock) await options.onBlock(e);
    } else if (e.type === 'repaired') result.repairedBytes = e.bytes;
    else {
      if (e.type === 'corrupt') result.corrupt.push({ offset: e.offset, bytes: e.bytes, reason: e.reason });
      else {
        result.truncatedAt = e.offset;
        result.truncatedBytes = e.bytes;
      }
      options.onDamage?.(e);
    }
  }
  result.size = typeof size === 'number' ? size : size();
  return result;
}
