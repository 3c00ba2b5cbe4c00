/**
 * Book checksums recomputed from our own book, without strings: the venue prints each level and
 * takes a CRC-32 of the text; we write the same digits into a scratch buffer and CRC that.
 *
 * - Kraken v2: top 10 asks (best first) then top 10 bids; each price and size printed at the pair's
 *   precision (which is what the wire carries, trailing zeros included), '.' removed and leading
 *   zeros stripped — i.e. the decimal digits of round(x * 10^digits). Unsigned.
 * - OKX v5 (legacy; fixed to 0 since 2026): first 25 bids and asks interleaved
 *   `bid:size:ask:size:…`, strings exactly as sent. Signed.
 */
import type { BookSide, L2Book } from './l2-book.ts';

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];

/** Running CRC over digits written into a scratch buffer. */
const buf = new Uint8Array(64);
let crc = 0;

function feed(len: number): void {
  let c = crc;
  for (let i = 0; i < len; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  crc = c;
}

/** Numbers in flight: doubles passed to calls that are not inlined would be boxed. */
const tmp = new Float64Array(1);

/** Writes the decimal digits of the non-negative integer tmp[0] at buf[at..]; returns the new end. */
function writeInt(at: number): number {
  const m = tmp[0]!;
  if (m === 0) {
    buf[at] = 0x30;
    return at + 1;
  }
  let len = 0;
  let t = m;
  while (t >= 1) {
    len++;
    t = Math.floor(t / 10);
  }
  let p = at + len - 1;
  t = m;
  while (p >= at) {
    buf[p--] = 0x30 + (t % 10);
    t = Math.floor(t / 10);
  }
  return at + len;
}

/** Kraken's form: the digits of round(x * 10^d) for x = tmp[0], no point, no leading zeros. */
function krakenNumber(d: number): void {
  tmp[0] = Math.round(tmp[0]! * POW10[d]!);
  feed(writeInt(0));
}

/** tmp[0] fixed-point with exactly d fraction digits (as on the wire) at buf[at..]; returns the end. */
function plainNumber(d: number, at: number): number {
  const scale = POW10[d]!;
  const m = Math.round(tmp[0]! * scale);
  const ip = Math.floor(m / scale);
  tmp[0] = ip;
  let end = writeInt(at);
  if (d > 0) {
    buf[end++] = 0x2e;
    let f = m - ip * scale;
    for (let k = end + d - 1; k >= end; k--) {
      buf[k] = 0x30 + (f % 10);
      f = Math.floor(f / 10);
    }
    end += d;
  }
  return end;
}

function krakenSide(s: BookSide, depth: number): void {
  const n = Math.min(s.n, depth);
  for (let i = 0; i < n; i++) {
    tmp[0] = s.px[i]!;
    krakenNumber(s.pd[i]!);
    tmp[0] = s.qty[i]!;
    krakenNumber(s.qd[i]!);
  }
}

/** Kraken v2 book checksum (unsigned 32-bit) of the top `depth` (10) levels. */
export function krakenChecksum(book: L2Book, depth = 10): number {
  krakenCrc(book, depth);
  return (crc ^ -1) >>> 0;
}

function krakenCrc(book: L2Book, depth: number): void {
  crc = -1;
  krakenSide(book.asks, depth);
  krakenSide(book.bids, depth);
}

/**
 * Whether our book's Kraken checksum equals the one the venue sent (`sent[s]`). Compared here, not
 * by the caller: a uint32 returned from a call that is not inlined, or passed to one, is boxed.
 */
export function krakenChecksumMatches(book: L2Book, sent: Float64Array, s: number): boolean {
  krakenCrc(book, 10);
  return (crc ^ -1) >>> 0 === sent[s];
}

function okxLevel(s: BookSide, i: number, sep: boolean): void {
  let at = 0;
  if (sep) buf[at++] = 0x3a;
  tmp[0] = s.px[i]!;
  at = plainNumber(s.pd[i]!, at);
  buf[at++] = 0x3a;
  tmp[0] = s.qty[i]!;
  at = plainNumber(s.qd[i]!, at);
  feed(at);
}

/** OKX legacy book checksum (signed 32-bit) of the first 25 levels each side. */
export function okxChecksum(book: L2Book, depth = 25): number {
  okxCrc(book, depth);
  return crc ^ -1;
}

/** Whether our book's OKX checksum equals the one the venue sent (`sent[s]`; see krakenChecksumMatches). */
export function okxChecksumMatches(book: L2Book, sent: Float64Array, s: number): boolean {
  okxCrc(book, 25);
  return (crc ^ -1) === sent[s];
}

function okxCrc(book: L2Book, depth: number): void {
  crc = -1;
  let first = true;
  for (let i = 0; i < depth; i++) {
    if (i < book.bids.n) {
      okxLevel(book.bids, i, !first);
      first = false;
    }
    if (i < book.asks.n) {
      okxLevel(book.asks, i, !first);
      first = false;
    }
  }
}
