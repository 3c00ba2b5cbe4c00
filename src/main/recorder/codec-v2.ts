/**
 * Block codec v2 ("columnar"): a block's 64-byte records as integer columns per kind, before zstd.
 * It knows what the records are — times on a µs clock, prices on a tick, sizes in lots, ids that
 * count up — and codes each field as the small residual left after predicting it, so that zstd
 * sees streams of mostly tiny numbers. Lossless: every record decodes bit-identical, doubles
 * included; a value that does not fit the integer model goes to an exception column as its 8 raw
 * bytes, never rounded.
 *
 * The raw payload (everything is LEB128 varints unless said otherwise; zstd is applied on top by
 * block.ts):
 *
 *   u8 format (1) · n records · base µs (the first record's receive time)
 *   tags: count, then 12 raw bytes each — record bytes 0..11 (kind, venue, flags, feed,
 *         connection, instrument) — in order of first appearance
 *   tag column: u8 mode (0 one varint per record, 1 runs of (tag, length)) · byte length · bytes
 *   scales: count, then (u8 group, instrument slot, u8 decimals, step) — value = ticks × step / 10^decimals
 *   sections, one per kind present: u8 kind · u8 layout · record count, then
 *     layout 0 (raw: a kind the codec has no columns for): count × 64 bytes as they were
 *     layout 1 (columnar): u8 price group · u8 quantity group, then for each of the 7 fields
 *       (receive, exchange, event time, price, quantity, sequence, wire bytes):
 *       u8 mode · values length · exception count · exceptions length · values · exceptions
 *
 * A field's value is an integer in its domain — µs for times, ticks / lots of the instrument's
 * scale for price and quantity, the integer itself for sequences and wire bytes — coded as the
 * zig-zag residual against a prediction chosen per block, per kind and field by trying the
 * candidates and keeping the cheapest (mode = op << 4 | context):
 *   op RAW (no prediction), DELTA (previous value in the context), DOD (previous + previous
 *   delta: delta-of-delta), REL_RECV / REL_EXCH (this record's receive / exchange time);
 *   context FEED_ALL (the feed, all kinds), FEED (kind × feed), INST (kind × instrument),
 *   SIDE (kind × instrument × bid/ask).
 * A context not seen yet in the block predicts from its fallback: for times this record's receive
 * time (the receive time itself: the block's previous one), for price and quantity the last value
 * of the same instrument and scale group in any kind, else 0.
 *
 * Exceptions: a value whose integer form does not decode back to the same bits (a price with more
 * digits than the instrument's tick, a time off the µs grid, NaN, -0, ±∞, beyond 2^53) is stored
 * as its raw 8 bytes, with its position, and changes no prediction state.
 *
 * The per-kind table (KIND_COLUMNS) is all a new record kind needs: its scale groups. A kind that
 * is not in it is stored as an exact raw section. The decoder reads groups, modes and scales from
 * the payload, never from the table, so a block decodes the same whatever the table becomes.
 *
 * The decoder trusts nothing: lengths that disagree, a column read past its end, a tag or slot
 * out of range, counts that do not add up, bytes left over — each refuses the block with a
 * reason (BlockError), never reads out of bounds, and every loop is bounded by n or by bytes.
 */
import { Off, RECORD_SIZE, RecordFlag, RecordKind } from '../../common/record.ts';

export class ColumnarError extends Error {
  override name = 'BlockError';
}

/** Scale groups: values of one group and instrument share one tick (decimals, step). */
export const ScaleGroup = { price: 0, size: 1, count: 2 } as const;
const GROUPS = 8;

export interface KindColumns {
  /** Scale group of the price field. */
  price: number;
  /** Scale group of the quantity field. */
  quantity: number;
}

/**
 * The columns of each record kind (by RecordKind). A new kind is one entry; a kind without one
 * is stored raw (exact, just not small).
 */
export const KIND_COLUMNS: readonly (KindColumns | undefined)[] = (() => {
  const t: (KindColumns | undefined)[] = [];
  t[RecordKind.trade] = { price: ScaleGroup.price, quantity: ScaleGroup.size };
  t[RecordKind.bookTop] = { price: ScaleGroup.price, quantity: ScaleGroup.size };
  t[RecordKind.bookDelta] = { price: ScaleGroup.price, quantity: ScaleGroup.size };
  t[RecordKind.bookReset] = { price: ScaleGroup.price, quantity: ScaleGroup.size };
  // Gap: quantity is how many events are missing.
  t[RecordKind.gap] = { price: ScaleGroup.price, quantity: ScaleGroup.count };
  return t;
})();

const FORMAT = 1;
const LAYOUT_RAW = 0;
const LAYOUT_COLUMNS = 1;

// Fields in coding order: a later one may be predicted from an earlier one of the same record.
const F_RECV = 0;
const F_EXCH = 1;
const F_EVT = 2;
const F_PRICE = 3;
const F_QTY = 4;
const F_SEQ = 5;
const F_WIRE = 6;
const FIELDS = 7;
const FIELD_OFF = [
  Off.receiveTime,
  Off.exchangeTime,
  Off.eventTime,
  Off.price,
  Off.quantity,
  Off.sequence,
  Off.wireBytes,
];

const OP_RAW = 0;
const OP_DELTA = 1;
const OP_DOD = 2;
const OP_REL_RECV = 3;
const OP_REL_EXCH = 4;
const CTX_FEED_ALL = 0;
const CTX_FEED = 1;
const CTX_INST = 2;
const CTX_SIDE = 3;
const CTXS = 4;

const mode = (op: number, ctx: number): number => (op << 4) | ctx;

/** The predictions the encoder tries for each field (the decoder accepts any valid mode). */
const CANDIDATES: readonly (readonly number[])[] = [
  [mode(OP_DELTA, CTX_FEED_ALL), mode(OP_DOD, CTX_FEED_ALL), mode(OP_DELTA, CTX_INST)],
  [mode(OP_REL_RECV, 0), mode(OP_DELTA, CTX_FEED), mode(OP_DELTA, CTX_INST), mode(OP_DOD, CTX_INST)],
  [mode(OP_REL_EXCH, 0), mode(OP_REL_RECV, 0), mode(OP_DELTA, CTX_FEED), mode(OP_DELTA, CTX_INST)],
  [mode(OP_DELTA, CTX_SIDE), mode(OP_DELTA, CTX_INST), mode(OP_RAW, 0)],
  [mode(OP_RAW, 0), mode(OP_DELTA, CTX_SIDE)],
  [mode(OP_DELTA, CTX_INST), mode(OP_DELTA, CTX_FEED), mode(OP_DOD, CTX_INST), mode(OP_RAW, 0)],
  [mode(OP_RAW, 0), mode(OP_DELTA, CTX_FEED), mode(OP_DELTA, CTX_FEED_ALL)],
];

function predictsFromFeedAll(m: number): boolean {
  return (m & 15) === CTX_FEED_ALL && (m >> 4 === OP_DELTA || m >> 4 === OP_DOD);
}

/** Per field, a bit per context type its candidates predict from (the states worth keeping). */
const CANDIDATE_CTXS: readonly number[] = CANDIDATES.map((cands) =>
  cands.reduce((bits, m) => (m >> 4 === OP_DELTA || m >> 4 === OP_DOD ? bits | (1 << (m & 15)) : bits), 0),
);

/** Largest integer a double holds exactly, and the largest residual a zig-zag varint may carry. */
const MAX_EXACT = 2 ** 53;
const MAX_RESIDUAL = 2 ** 52;
/** Decimals tried for a price or quantity; 10^k is exact up to 22. */
const MAX_DECIMALS = 12;
const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** A block is refused beyond this many records (a header cannot make the decoder allocate GBs). */
export const MAX_COLUMNAR_RECORDS = 1 << 22;

// ---------------------------------------------------------------------------------------------
// Bytes out

/** A growable byte buffer, reused block after block. */
class Out {
  buf: Uint8Array;
  len = 0;
  constructor(size = 1024) {
    this.buf = new Uint8Array(size);
  }
  reset(): void {
    this.len = 0;
  }
  ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }
  /** An unsigned integer < 2^53 as LEB128. */
  varint(v: number): void {
    this.ensure(8);
    const b = this.buf;
    let n = this.len;
    while (v >= 0x80000000) {
      b[n++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    let x = v >>> 0;
    while (x >= 0x80) {
      b[n++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    b[n++] = x;
    this.len = n;
  }
  bytes(src: Uint8Array, from: number, to: number): void {
    this.ensure(to - from);
    this.buf.set(src.subarray(from, to), this.len);
    this.len += to - from;
  }
  /** 8 raw bytes of record field at src[at..at+8]. */
  raw8(src: Uint8Array, at: number): void {
    this.ensure(8);
    const b = this.buf;
    const n = this.len;
    for (let k = 0; k < 8; k++) b[n + k] = src[at + k]!;
    this.len = n + 8;
  }
}

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** Bits of a zig-zag residual: what the choice of prediction minimises. */
function cost(z: number): number {
  if (z < 0x100000000) return 33 - Math.clz32(z);
  return 65 - Math.clz32(Math.floor(z / 0x100000000));
}

/**
 * Where predictions from a time that is an exception start (the encoder and the decoder compute
 * it from the same raw double): its µs rounded, 0 if not finite.
 */
function timeAnchor(v: number): number {
  return Number.isFinite(v) && Math.abs(v) < 9e12 ? Math.round(v * 1000) : 0;
}

// ---------------------------------------------------------------------------------------------
// Encoder

/** Scratch arrays of the encoder, grown to the largest block seen and reused block after block. */
class EncodeScratch {
  cap = 0;
  tagOf = new Int32Array(0);
  /** Field f of record i at f × cap + i: its integer, and whether it has one (else an exception). */
  ints = new Float64Array(0);
  ok = new Uint8Array(0);
  /** Minimal decimals of each price / quantity (0..12, 13 = none). */
  decP = new Uint8Array(0);
  decQ = new Uint8Array(0);
  grow(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, this.cap * 2, 1024);
    this.cap = cap;
    this.tagOf = new Int32Array(cap);
    this.ints = new Float64Array(cap * FIELDS);
    this.ok = new Uint8Array(cap * FIELDS);
    this.decP = new Uint8Array(cap);
    this.decQ = new Uint8Array(cap);
  }
}

/** Prediction state, flat: field f, context type c, slot k at (f × CTXS + c) × size + k. */
class CtxState {
  size = 0;
  prev = new Float64Array(0);
  prevD = new Float64Array(0);
  seen = new Uint8Array(0);
  /** Ready for a block with `size` slots per context type; only `seen` needs clearing. */
  reset(size: number): void {
    if (size * FIELDS * CTXS > this.prev.length) {
      const len = Math.max(size * FIELDS * CTXS, this.prev.length * 2);
      this.prev = new Float64Array(len);
      this.prevD = new Float64Array(len);
      this.seen = new Uint8Array(len);
    }
    this.size = size;
    this.seen.fill(0, 0, size * FIELDS * CTXS);
  }
}

const es = new EncodeScratch();
const estimateState = new CtxState();
const emitState = new CtxState();
const payloadOut = new Out(1 << 16);
const valueOuts: Out[] = [];
const excOuts: Out[] = [];
const rawOuts: Out[] = [];
const tagColumn = new Out(1 << 12);
/** Records of a block the choice of predictions is made on (its first ones). */
const ESTIMATE_RECORDS = 2048;

/** Open-addressing table from 12 header bytes (3 words) to a tag index; reused. */
class TagTable {
  size = 0;
  keys = new Int32Array(0);
  vals = new Int32Array(0);
  reset(expected: number): void {
    let size = 64;
    while (size < expected * 2) size *= 2;
    if (size > this.vals.length) {
      this.keys = new Int32Array(size * 3);
      this.vals = new Int32Array(size);
    }
    this.size = size;
    this.vals.fill(-1, 0, size);
  }
  /** The index of (a, b, c), or -(slot + 1) when absent. */
  find(a: number, b: number, c: number): number {
    const mask = this.size - 1;
    let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b), 0xc2b2ae35) >>> 0;
    for (;;) {
      const s = h & mask;
      const v = this.vals[s]!;
      if (v < 0) return -(s + 1);
      const k = s * 3;
      if (this.keys[k] === a && this.keys[k + 1] === b && this.keys[k + 2] === c) return v;
      h = s + 1;
    }
  }
  put(slot: number, a: number, b: number, c: number, v: number): void {
    const k = slot * 3;
    this.keys[k] = a;
    this.keys[k + 1] = b;
    this.keys[k + 2] = c;
    this.vals[slot] = v;
  }
}
const tagTable = new TagTable();

/** Per-block tables derived from the tag list, built the same way by encoder and decoder. */
interface Tags {
  count: number;
  kind: Uint8Array;
  feedSlot: Int32Array;
  instSlot: Int32Array;
  side: Uint8Array;
  feeds: number;
  insts: number;
}

/** Feed and instrument slots in order of first appearance in the tag list. */
function slotTags(tagBytes: Uint8Array, tagAt: number, count: number): Tags {
  const t: Tags = {
    count,
    kind: new Uint8Array(count),
    feedSlot: new Int32Array(count),
    instSlot: new Int32Array(count),
    side: new Uint8Array(count),
    feeds: 0,
    insts: 0,
  };
  const feedIds = new Map<number, number>();
  const instIds = new Map<number, number>();
  const v = new DataView(tagBytes.buffer, tagBytes.byteOffset + tagAt, count * 12);
  for (let i = 0; i < count; i++) {
    const o = i * 12;
    t.kind[i] = v.getUint8(o + Off.kind);
    const feed = v.getUint16(o + Off.feedId, true);
    let fs = feedIds.get(feed);
    if (fs === undefined) {
      fs = feedIds.size;
      feedIds.set(feed, fs);
    }
    t.feedSlot[i] = fs;
    const inst = v.getUint32(o + Off.instrumentId, true);
    let is = instIds.get(inst);
    if (is === undefined) {
      is = instIds.size;
      instIds.set(inst, is);
    }
    t.instSlot[i] = is;
    t.side[i] = (v.getUint16(o + Off.flags, true) & RecordFlag.bid) !== 0 ? 1 : 0;
  }
  t.feeds = feedIds.size;
  t.insts = instIds.size;
  return t;
}

/** Slots per context type: enough for every (section, instrument, side) and (section, feed). */
function ctxSlots(sections: number, feeds: number, insts: number): number {
  return Math.max(1, sections * insts * 2, sections * feeds);
}

function ctxIndex(
  ctx: number,
  sec: number,
  feeds: number,
  insts: number,
  fs: number,
  is: number,
  side: number,
): number {
  return ctx === CTX_FEED_ALL
    ? fs
    : ctx === CTX_FEED
      ? sec * feeds + fs
      : ctx === CTX_INST
        ? sec * insts + is
        : (sec * insts + is) * 2 + side;
}

/**
 * The prediction of `op` from state slot `k` (a flat index into st), or the fallback for a slot
 * not seen yet in the block.
 */
function predict(
  st: CtxState,
  op: number,
  k: number,
  fallback: number,
  recvA: number,
  exchA: number,
): number {
  if (op === OP_DELTA) return st.seen[k] ? st.prev[k]! : fallback;
  if (op === OP_DOD) return st.seen[k] ? st.prev[k]! + st.prevD[k]! : fallback;
  if (op === OP_REL_RECV) return recvA;
  if (op === OP_REL_EXCH) return exchA;
  return 0;
}

function update(st: CtxState, k: number, x: number): void {
  if (st.seen[k]) st.prevD[k] = x - st.prev[k]!;
  else {
    st.prevD[k] = 0;
    st.seen[k] = 1;
  }
  st.prev[k] = x;
}

/**
 * Encodes `n` records (n × 64 bytes at records[0..]) into the columnar payload. The result is a
 * view of a reused buffer: valid until the next call (zstd copies it out).
 */
export function encodeColumnar(records: Uint8Array, n: number): Uint8Array {
  if (n <= 0 || records.length < n * RECORD_SIZE) throw new RangeError('encodeColumnar: no records');
  es.grow(n);
  const cap = es.cap;
  const view = new DataView(records.buffer, records.byteOffset, n * RECORD_SIZE);
  const tagOf = es.tagOf;

  // 1. Tags: the 12 header bytes of each record, interned in order of first appearance.
  tagTable.reset(Math.min(n, 1024));
  const tagFirst: number[] = []; // record index where each tag first appears
  let lastA = 0;
  let lastB = 0;
  let lastC = 0;
  let lastTag = -1;
  for (let i = 0; i < n; i++) {
    const at = i * RECORD_SIZE;
    const a = view.getInt32(at, true);
    const b = view.getInt32(at + 4, true);
    const c = view.getInt32(at + 8, true);
    if (lastTag >= 0 && a === lastA && b === lastB && c === lastC) {
      tagOf[i] = lastTag;
      continue;
    }
    let t = tagTable.find(a, b, c);
    if (t < 0) {
      if (tagFirst.length * 2 >= tagTable.size) {
        // Rehash into a larger table: rare (a block with very many distinct headers).
        tagTable.reset(tagFirst.length * 2);
        for (let k = 0; k < tagFirst.length; k++) {
          const o = tagFirst[k]! * RECORD_SIZE;
          const ka = view.getInt32(o, true);
          const kb = view.getInt32(o + 4, true);
          const kc = view.getInt32(o + 8, true);
          tagTable.put(-tagTable.find(ka, kb, kc) - 1, ka, kb, kc, k);
        }
        t = tagTable.find(a, b, c);
      }
      tagTable.put(-t - 1, a, b, c, tagFirst.length);
      t = tagFirst.length;
      tagFirst.push(i);
    }
    tagOf[i] = t;
    lastA = a;
    lastB = b;
    lastC = c;
    lastTag = t;
  }
  const tagCount = tagFirst.length;
  const tagBytes = new Uint8Array(tagCount * 12);
  for (let k = 0; k < tagCount; k++) {
    const o = tagFirst[k]! * RECORD_SIZE;
    tagBytes.set(records.subarray(o, o + 12), k * 12);
  }
  const tags = slotTags(tagBytes, 0, tagCount);
  const { feeds, insts } = tags;

  // 2. Sections: one per kind, in order of first appearance.
  const secOfKind = new Int16Array(256).fill(-1);
  const secKind: number[] = [];
  const secCount: number[] = [];
  const tagSec = new Int32Array(tagCount);
  for (let k = 0; k < tagCount; k++) {
    const kind = tags.kind[k]!;
    if (secOfKind[kind]! < 0) {
      secOfKind[kind] = secKind.length;
      secKind.push(kind);
      secCount.push(0);
    }
    tagSec[k] = secOfKind[kind]!;
  }
  const sections = secKind.length;
  const columnar = new Uint8Array(sections);
  const priceGroup = new Int32Array(sections);
  const qtyGroup = new Int32Array(sections);
  for (let s = 0; s < sections; s++) {
    const cols = KIND_COLUMNS[secKind[s]!];
    columnar[s] = cols ? 1 : 0;
    priceGroup[s] = cols?.price ?? 0;
    qtyGroup[s] = cols?.quantity ?? 0;
  }
  // Per tag: its section, and the scale slots of its price and quantity.
  const tagCol = new Uint8Array(tagCount);
  const tagGp = new Int32Array(tagCount);
  const tagGq = new Int32Array(tagCount);
  for (let k = 0; k < tagCount; k++) {
    const s = tagSec[k]!;
    tagCol[k] = columnar[s]!;
    tagGp[k] = priceGroup[s]! * insts + tags.instSlot[k]!;
    tagGq[k] = qtyGroup[s]! * insts + tags.instSlot[k]!;
  }
  for (let i = 0; i < n; i++) secCount[tagSec[tagOf[i]!]!]!++;

  // 3. Integer domains of times, sequences and wire bytes; minimal decimals of prices and sizes.
  const ints = es.ints;
  const ok = es.ok;
  const decP = es.decP;
  const decQ = es.decQ;
  const decHist = new Int32Array(GROUPS * insts * 14);
  for (let i = 0; i < n; i++) {
    const tag = tagOf[i]!;
    if (tagCol[tag] === 0) continue;
    const at = i * RECORD_SIZE;
    for (let f = F_RECV; f <= F_EVT; f++) {
      const v = view.getFloat64(at + FIELD_OFF[f]!, true);
      const m = Math.round(v * 1000);
      const good = Math.abs(m) <= MAX_EXACT && m / 1000 === v && !(v === 0 && 1 / v < 0);
      ok[f * cap + i] = good ? 1 : 0;
      ints[f * cap + i] = m;
    }
    const s = view.getFloat64(at + Off.sequence, true);
    ok[F_SEQ * cap + i] = Number.isInteger(s) && Math.abs(s) <= MAX_EXACT && !(s === 0 && 1 / s < 0) ? 1 : 0;
    ints[F_SEQ * cap + i] = s;
    ok[F_WIRE * cap + i] = 1;
    ints[F_WIRE * cap + i] = view.getUint32(at + Off.wireBytes, true);
    const dp = decimalsOf(view.getFloat64(at + Off.price, true));
    decP[i] = dp;
    decHist[tagGp[tag]! * 14 + dp]!++;
    const dq = decimalsOf(view.getFloat64(at + Off.quantity, true));
    decQ[i] = dq;
    decHist[tagGq[tag]! * 14 + dq]!++;
  }

  // 4. A scale per (group, instrument): the fewest decimals that leave at most 1/64 of the values
  // as exceptions, then the largest step dividing every value (a tick of 0.5 or 25).
  const scaleDec = new Uint8Array(GROUPS * insts);
  const scaleStep = new Float64Array(GROUPS * insts);
  const scaleUsed = new Uint8Array(GROUPS * insts);
  for (let gi = 0; gi < GROUPS * insts; gi++) {
    let total = 0;
    for (let d = 0; d < 14; d++) total += decHist[gi * 14 + d]!;
    if (total === 0) continue;
    scaleUsed[gi] = 1;
    let above = total;
    let d = 0;
    for (; d < MAX_DECIMALS; d++) {
      above -= decHist[gi * 14 + d]!;
      if (above * 64 <= total) break;
    }
    scaleDec[gi] = d;
  }
  for (let i = 0; i < n; i++) {
    const tag = tagOf[i]!;
    if (tagCol[tag] === 0) continue;
    const at = i * RECORD_SIZE;
    for (let q = 0; q < 2; q++) {
      const gi = q === 0 ? tagGp[tag]! : tagGq[tag]!;
      const step = scaleStep[gi]!;
      if (step === 1) continue; // already 1: no larger step divides every value
      const d = scaleDec[gi]!;
      if ((q === 0 ? decP[i]! : decQ[i]!) > d) continue;
      const m = Math.abs(
        Math.round(view.getFloat64(at + (q === 0 ? Off.price : Off.quantity), true) * POW10[d]!),
      );
      if (m === 0 || m > MAX_EXACT) continue;
      scaleStep[gi] = gcd(step, m);
    }
  }
  for (let gi = 0; gi < GROUPS * insts; gi++) if (!(scaleStep[gi]! >= 1)) scaleStep[gi] = 1;
  for (let i = 0; i < n; i++) {
    const tag = tagOf[i]!;
    if (tagCol[tag] === 0) continue;
    const at = i * RECORD_SIZE;
    for (let q = 0; q < 2; q++) {
      const f = q === 0 ? F_PRICE : F_QTY;
      const gi = q === 0 ? tagGp[tag]! : tagGq[tag]!;
      const v = view.getFloat64(at + FIELD_OFF[f]!, true);
      const d = scaleDec[gi]!;
      const step = scaleStep[gi]!;
      const m = Math.round(v * POW10[d]!);
      const t = step === 1 ? m : m / step;
      const good =
        Math.abs(m) <= MAX_EXACT &&
        Number.isInteger(t) &&
        (d === 0 ? t * step : (t * step) / POW10[d]!) === v &&
        !(v === 0 && 1 / v < 0);
      ok[f * cap + i] = good ? 1 : 0;
      ints[f * cap + i] = t;
    }
  }

  // 5. Per section and field, the cheapest prediction, tried on the block's first records.
  const slots = ctxSlots(sections, feeds, insts);
  const secModes = new Uint8Array(sections * FIELDS);
  {
    const st = estimateState;
    st.reset(slots);
    const costs = new Float64Array(sections * FIELDS * 8);
    const last = new Float64Array(GROUPS * insts * 2);
    let lastRecv = timeAnchor(view.getFloat64(Off.receiveTime, true));
    const m = Math.min(n, ESTIMATE_RECORDS);
    for (let i = 0; i < m; i++) {
      const tag = tagOf[i]!;
      if (tagCol[tag] === 0) continue;
      const sec = tagSec[tag]!;
      const fs = tags.feedSlot[tag]!;
      const is = tags.instSlot[tag]!;
      const side = tags.side[tag]!;
      const recvA = ok[i] ? ints[i]! : timeAnchor(view.getFloat64(i * RECORD_SIZE + Off.receiveTime, true));
      const exchA = ok[cap + i]
        ? ints[cap + i]!
        : timeAnchor(view.getFloat64(i * RECORD_SIZE + Off.exchangeTime, true));
      for (let f = 0; f < FIELDS; f++) {
        if (ok[f * cap + i] === 0) continue;
        const x = ints[f * cap + i]!;
        const gi = f === F_PRICE ? tagGp[tag]! : tagGq[tag]! + GROUPS * insts;
        const fallback = f === F_RECV ? lastRecv : f <= F_EVT ? recvA : f <= F_QTY ? last[gi]! : 0;
        const cands = CANDIDATES[f]!;
        const base = (sec * FIELDS + f) * 8;
        for (let c = 0; c < cands.length; c++) {
          const md = cands[c]!;
          const k = (f * CTXS + (md & 15)) * slots + ctxIndex(md & 15, sec, feeds, insts, fs, is, side);
          costs[base + c]! += cost(zigzag(x - predict(st, md >> 4, k, fallback, recvA, exchA)));
        }
        const used = CANDIDATE_CTXS[f]!;
        for (let c = 0; c < CTXS; c++)
          if ((used & (1 << c)) !== 0)
            update(st, (f * CTXS + c) * slots + ctxIndex(c, sec, feeds, insts, fs, is, side), x);
        if (f === F_RECV) lastRecv = x;
        else if (f === F_PRICE || f === F_QTY) last[gi] = x;
      }
    }
    for (let s = 0; s < sections; s++)
      for (let f = 0; f < FIELDS; f++) {
        const cands = CANDIDATES[f]!;
        const base = (s * FIELDS + f) * 8;
        let best = 0;
        for (let c = 1; c < cands.length; c++) if (costs[base + c]! < costs[base + best]!) best = c;
        secModes[s * FIELDS + f] = cands[best]!;
      }
  }

  // 6. Emit: every column in record order with the chosen predictions.
  while (valueOuts.length < sections * FIELDS) {
    valueOuts.push(new Out(4096));
    excOuts.push(new Out(256));
  }
  while (rawOuts.length < sections) rawOuts.push(new Out(4096));
  for (let k = 0; k < sections * FIELDS; k++) {
    valueOuts[k]!.reset();
    excOuts[k]!.reset();
  }
  for (let s = 0; s < sections; s++) rawOuts[s]!.reset();
  // The feed-wide state of a field is kept only when some section predicts that field from it.
  let feedAllUsed = 0;
  for (let k = 0; k < sections * FIELDS; k++)
    if (columnar[Math.floor(k / FIELDS)] && predictsFromFeedAll(secModes[k]!))
      feedAllUsed |= 1 << (k % FIELDS);
  const excCount = new Int32Array(sections * FIELDS);
  const excLast = new Int32Array(sections * FIELDS).fill(-1);
  const ordOf = new Int32Array(sections);
  {
    const st = emitState;
    st.reset(slots);
    const last = new Float64Array(GROUPS * insts * 2);
    let lastRecv = timeAnchor(view.getFloat64(Off.receiveTime, true));
    for (let i = 0; i < n; i++) {
      const tag = tagOf[i]!;
      const sec = tagSec[tag]!;
      const at = i * RECORD_SIZE;
      const ord = ordOf[sec]!++;
      if (tagCol[tag] === 0) {
        rawOuts[sec]!.bytes(records, at, at + RECORD_SIZE);
        continue;
      }
      const fs = tags.feedSlot[tag]!;
      const is = tags.instSlot[tag]!;
      const side = tags.side[tag]!;
      let recvA = 0;
      let exchA = 0;
      for (let f = 0; f < FIELDS; f++) {
        const k = sec * FIELDS + f;
        const md = secModes[k]!;
        const x = ints[f * cap + i]!;
        let good = ok[f * cap + i] === 1;
        if (good) {
          const gi = f === F_PRICE ? tagGp[tag]! : tagGq[tag]! + GROUPS * insts;
          const fallback = f === F_RECV ? lastRecv : f <= F_EVT ? recvA : f <= F_QTY ? last[gi]! : 0;
          const ck = (f * CTXS + (md & 15)) * slots + ctxIndex(md & 15, sec, feeds, insts, fs, is, side);
          const r = x - predict(st, md >> 4, ck, fallback, recvA, exchA);
          if (Math.abs(r) > MAX_RESIDUAL) good = false;
          else {
            valueOuts[k]!.varint(r >= 0 ? r * 2 : -r * 2 - 1);
            update(st, ck, x);
            if ((md & 15) !== CTX_FEED_ALL && (feedAllUsed & (1 << f)) !== 0)
              update(st, (f * CTXS + CTX_FEED_ALL) * slots + fs, x);
            if (f === F_RECV) lastRecv = x;
            else if (f === F_PRICE || f === F_QTY) last[gi] = x;
          }
        }
        if (!good) {
          const e = excOuts[k]!;
          e.varint(ord - excLast[k]! - 1);
          e.raw8(records, at + FIELD_OFF[f]!);
          excLast[k] = ord;
          excCount[k]!++;
        }
        if (f === F_RECV) recvA = good ? x : timeAnchor(view.getFloat64(at + Off.receiveTime, true));
        else if (f === F_EXCH) exchA = good ? x : timeAnchor(view.getFloat64(at + Off.exchangeTime, true));
      }
    }
  }

  // 7. The payload.
  const out = payloadOut;
  out.reset();
  out.u8(FORMAT);
  out.varint(n);
  out.varint(timeAnchor(view.getFloat64(Off.receiveTime, true)));
  out.varint(tagCount);
  out.bytes(tagBytes, 0, tagBytes.length);
  // Tag column: runs when they are long enough to pay, else one varint per record.
  let runs = 1;
  for (let i = 1; i < n; i++) if (tagOf[i] !== tagOf[i - 1]) runs++;
  tagColumn.reset();
  if (runs * 3 < n) {
    let start = 0;
    for (let i = 1; i <= n; i++) {
      if (i === n || tagOf[i] !== tagOf[start]) {
        tagColumn.varint(tagOf[start]!);
        tagColumn.varint(i - start);
        start = i;
      }
    }
    out.u8(1);
  } else {
    for (let i = 0; i < n; i++) tagColumn.varint(tagOf[i]!);
    out.u8(0);
  }
  out.varint(tagColumn.len);
  out.bytes(tagColumn.buf, 0, tagColumn.len);
  let scales = 0;
  for (let gi = 0; gi < GROUPS * insts; gi++) if (scaleUsed[gi]) scales++;
  out.varint(scales);
  for (let gi = 0; gi < GROUPS * insts; gi++) {
    if (!scaleUsed[gi]) continue;
    out.u8(Math.floor(gi / insts));
    out.varint(gi % insts);
    out.u8(scaleDec[gi]!);
    out.varint(scaleStep[gi]!);
  }
  out.varint(sections);
  for (let s = 0; s < sections; s++) {
    out.u8(secKind[s]!);
    out.u8(columnar[s] ? LAYOUT_COLUMNS : LAYOUT_RAW);
    out.varint(secCount[s]!);
    if (!columnar[s]) {
      const o = rawOuts[s]!;
      out.bytes(o.buf, 0, o.len);
      continue;
    }
    out.u8(priceGroup[s]!);
    out.u8(qtyGroup[s]!);
    for (let f = 0; f < FIELDS; f++) {
      const k = s * FIELDS + f;
      out.u8(secModes[k]!);
      out.varint(valueOuts[k]!.len);
      out.varint(excCount[k]!);
      out.varint(excOuts[k]!.len);
      out.bytes(valueOuts[k]!.buf, 0, valueOuts[k]!.len);
      out.bytes(excOuts[k]!.buf, 0, excOuts[k]!.len);
    }
  }
  return out.buf.subarray(0, out.len);
}

/** The fewest decimals k ≤ 12 with round(v · 10^k) / 10^k === v, else 13 (none). */
function decimalsOf(v: number): number {
  if (!(Math.abs(v) <= MAX_EXACT)) return 13;
  if (Math.round(v) === v) return 0;
  for (let d = 1; d <= MAX_DECIMALS; d++) {
    const p = POW10[d]!;
    const m = Math.round(v * p);
    if (m / p === v) return Math.abs(m) <= MAX_EXACT ? d : 13;
  }
  return 13;
}

function gcd(a: number, b: number): number {
  while (b > 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// Decoder

/** A bounded cursor over the payload's meta data: any read past `end` refuses the block. */
class In {
  readonly b: Uint8Array;
  pos: number;
  end: number;
  constructor(b: Uint8Array, pos: number, end: number) {
    this.b = b;
    this.pos = pos;
    this.end = end;
  }
  u8(what: string): number {
    if (this.pos >= this.end) throw new ColumnarError(`${what} runs past the end of the payload`);
    return this.b[this.pos++]!;
  }
  varint(what: string): number {
    const v = readVarint(this.b, this.pos, this.end);
    if (v < 0) throw new ColumnarError(varintProblem(v, what));
    this.pos = varintEnd;
    return v;
  }
  /** Skips the next `len` bytes, returning where they start. */
  skip(len: number, what: string): number {
    if (len > this.end - this.pos)
      throw new ColumnarError(`${what} (${len} bytes) runs past the end of the payload`);
    const at = this.pos;
    this.pos += len;
    return at;
  }
}

/** Where the last readVarint stopped (a module variable: no object per value). */
let varintEnd = 0;

/**
 * The LEB128 integer at b[pos..end), or a negative code: -1 past the end, -2 longer than 8
 * bytes, -3 beyond 2^53. Sets varintEnd.
 */
function readVarint(b: Uint8Array, pos: number, end: number): number {
  if (pos >= end) return -1;
  let c = b[pos]!;
  if (c < 0x80) {
    varintEnd = pos + 1;
    return c;
  }
  let v = c & 0x7f;
  let mul = 128;
  for (let k = 1; k < 8; k++) {
    if (pos + k >= end) return -1;
    c = b[pos + k]!;
    v += (c & 0x7f) * mul;
    if (c < 0x80) {
      varintEnd = pos + k + 1;
      return v > MAX_EXACT ? -3 : v;
    }
    mul *= 128;
  }
  return -2;
}

function varintProblem(code: number, what: string): string {
  return code === -1
    ? `${what} runs past the end of its column`
    : code === -2
      ? `${what}: varint longer than 8 bytes`
      : `${what}: integer beyond 2^53`;
}

/** What a decoded block holds per kind: records and the encoded (pre-zstd) bytes of its section. */
export interface ColumnarKinds {
  kind: number[];
  records: number[];
  bytes: number[];
  /** Bytes shared by every kind: the header, tags, tag column and scales. */
  shared: number;
}

const decodeState = new CtxState();

/**
 * Decodes a columnar payload of `n` records into n × 64 bytes (a fresh array). Throws a BlockError
 * (ColumnarError) with the reason when the payload is inconsistent.
 */
export function decodeColumnar(payload: Uint8Array, n: number, kinds?: ColumnarKinds): Uint8Array {
  if (!Number.isInteger(n) || n <= 0 || n > MAX_COLUMNAR_RECORDS)
    throw new ColumnarError(`record count ${n} is out of range`);
  const b = payload;
  const p = new In(b, 0, b.length);
  const format = p.u8('format');
  if (format !== FORMAT) throw new ColumnarError(`unknown columnar format ${format}`);
  const count = p.varint('record count');
  if (count !== n) throw new ColumnarError(`payload says ${count} records, the header ${n}`);
  const baseUs = p.varint('base time');
  const tagCount = p.varint('tag count');
  if (tagCount < 1 || tagCount > n) throw new ColumnarError(`tag count ${tagCount} for ${n} records`);
  const tagAt = p.skip(tagCount * 12, 'tag table');
  const tags = slotTags(b, tagAt, tagCount);
  const { feeds, insts } = tags;

  // Tag column.
  const tagMode = p.u8('tag column mode');
  const tcLen = p.varint('tag column length');
  const tc = new In(b, p.skip(tcLen, 'tag column'), p.pos);
  const tagOf = new Int32Array(n);
  if (tagMode === 0) {
    for (let i = 0; i < n; i++) {
      const t = tc.varint('tag column');
      if (t >= tagCount) throw new ColumnarError(`tag ${t} of record ${i} is not in the table (${tagCount})`);
      tagOf[i] = t;
    }
  } else if (tagMode === 1) {
    let i = 0;
    while (i < n) {
      const t = tc.varint('tag column');
      const len = tc.varint('tag run');
      if (t >= tagCount) throw new ColumnarError(`tag ${t} is not in the table (${tagCount})`);
      if (len < 1 || len > n - i) throw new ColumnarError(`tag run of ${len} at record ${i} of ${n}`);
      tagOf.fill(t, i, i + len);
      i += len;
    }
  } else throw new ColumnarError(`unknown tag column mode ${tagMode}`);
  if (tc.pos !== tc.end) throw new ColumnarError(`tag column has ${tc.end - tc.pos} bytes left over`);

  // Scales.
  const scaleDec = new Uint8Array(GROUPS * insts);
  const scaleStep = new Float64Array(GROUPS * insts).fill(1);
  const scales = p.varint('scale count');
  if (scales > GROUPS * insts) throw new ColumnarError(`${scales} scales for ${insts} instruments`);
  for (let k = 0; k < scales; k++) {
    const g = p.u8('scale group');
    const is = p.varint('scale instrument');
    const d = p.u8('scale decimals');
    const step = p.varint('scale step');
    if (g >= GROUPS || is >= insts)
      throw new ColumnarError(`scale for group ${g}, instrument slot ${is} is out of range`);
    if (d > MAX_DECIMALS || step < 1)
      throw new ColumnarError(`scale of ${d} decimals, step ${step} is invalid`);
    scaleDec[g * insts + is] = d;
    scaleStep[g * insts + is] = step;
  }

  // Sections: where each column's values and exceptions are.
  const secCount = p.varint('section count');
  if (secCount < 1 || secCount > 256) throw new ColumnarError(`${secCount} sections`);
  const secOfKind = new Int16Array(256).fill(-1);
  const secKind = new Uint8Array(secCount);
  const secColumnar = new Uint8Array(secCount);
  const secRecords = new Int32Array(secCount);
  const secGroups = new Int32Array(secCount * 2);
  const modes = new Uint8Array(secCount * FIELDS);
  // Per column: values cursor and end, exceptions cursor and end, exceptions left, distance to the next.
  const vPos = new Int32Array(secCount * FIELDS);
  const vEnd = new Int32Array(secCount * FIELDS);
  const ePos = new Int32Array(secCount * FIELDS);
  const eEnd = new Int32Array(secCount * FIELDS);
  const eLeft = new Int32Array(secCount * FIELDS);
  const eNext = new Float64Array(secCount * FIELDS).fill(-1);
  let total = 0;
  for (let s = 0; s < secCount; s++) {
    const kind = p.u8('section kind');
    if (secOfKind[kind]! >= 0) throw new ColumnarError(`kind ${kind} has two sections`);
    secOfKind[kind] = s;
    secKind[s] = kind;
    const layout = p.u8('section layout');
    const c = p.varint('section records');
    if (c > n - total) throw new ColumnarError(`sections hold more than ${n} records`);
    total += c;
    secRecords[s] = c;
    const start = p.pos;
    if (layout === LAYOUT_RAW) {
      vPos[s * FIELDS] = p.skip(c * RECORD_SIZE, `raw section of kind ${kind}`);
      vEnd[s * FIELDS] = p.pos;
    } else if (layout === LAYOUT_COLUMNS) {
      secColumnar[s] = 1;
      const gp = p.u8('price group');
      const gq = p.u8('quantity group');
      if (gp >= GROUPS || gq >= GROUPS) throw new ColumnarError('scale group out of range');
      secGroups[s * 2] = gp;
      secGroups[s * 2 + 1] = gq;
      for (let f = 0; f < FIELDS; f++) {
        const k = s * FIELDS + f;
        const m = p.u8('column mode');
        const op = m >> 4;
        const ctx = m & 15;
        if (
          op > OP_REL_EXCH ||
          ctx >= CTXS ||
          (op >= OP_REL_RECV && f === F_RECV) ||
          (op === OP_REL_EXCH && f === F_EXCH) ||
          (op >= OP_REL_RECV && f > F_EVT)
        )
          throw new ColumnarError(`column mode ${m} is not valid for field ${f}`);
        modes[k] = m;
        const vlen = p.varint('column length');
        const ec = p.varint('exception count');
        const elen = p.varint('exceptions length');
        if (ec > c) throw new ColumnarError(`${ec} exceptions in a column of ${c} records`);
        if (ec > 0 && f === F_WIRE) throw new ColumnarError('wire bytes cannot have exceptions');
        if (elen < ec * 9) throw new ColumnarError(`${ec} exceptions in ${elen} bytes`);
        vPos[k] = p.skip(vlen, `column ${f} of kind ${kind}`);
        vEnd[k] = p.pos;
        ePos[k] = p.skip(elen, `exceptions ${f} of kind ${kind}`);
        eEnd[k] = p.pos;
        eLeft[k] = ec;
        if (ec > 0) {
          const gap = readVarint(b, ePos[k]!, eEnd[k]!);
          if (gap < 0) throw new ColumnarError(varintProblem(gap, 'exception position'));
          ePos[k] = varintEnd;
          eNext[k] = gap;
        }
      }
    } else throw new ColumnarError(`unknown section layout ${layout}`);
    if (kinds) {
      kinds.kind.push(kind);
      kinds.records.push(c);
      kinds.bytes.push(p.pos - start);
    }
  }
  if (total !== n) throw new ColumnarError(`sections hold ${total} records, not ${n}`);
  if (p.pos !== p.end) throw new ColumnarError(`${p.end - p.pos} bytes left after the last section`);
  if (kinds) kinds.shared = b.length - kinds.bytes.reduce((a, x) => a + x, 0);
  const tagSec = new Int32Array(tagCount);
  for (let t = 0; t < tagCount; t++) {
    const s = secOfKind[tags.kind[t]!]!;
    if (s < 0) throw new ColumnarError(`tag ${t} is of kind ${tags.kind[t]}, which has no section`);
    tagSec[t] = s;
  }
  const perSec = new Int32Array(secCount);
  for (let i = 0; i < n; i++) perSec[tagSec[tagOf[i]!]!]!++;
  for (let s = 0; s < secCount; s++)
    if (perSec[s] !== secRecords[s])
      throw new ColumnarError(
        `kind ${secKind[s]}: ${perSec[s]} records by tag, ${secRecords[s]} in its section`,
      );

  let feedAllUsed = 0;
  for (let k = 0; k < secCount * FIELDS; k++)
    if (secColumnar[Math.floor(k / FIELDS)] && predictsFromFeedAll(modes[k]!))
      feedAllUsed |= 1 << (k % FIELDS);

  // Records, in order: the tag's 12 header bytes, then each field from its column.
  const out = new Uint8Array(n * RECORD_SIZE);
  const ov = new DataView(out.buffer);
  const slots = ctxSlots(secCount, feeds, insts);
  const st = decodeState;
  st.reset(slots);
  const last = new Float64Array(GROUPS * insts * 2);
  let lastRecv = baseUs;
  for (let i = 0; i < n; i++) {
    const tag = tagOf[i]!;
    const sec = tagSec[tag]!;
    const at = i * RECORD_SIZE;
    if (secColumnar[sec] === 0) {
      // A raw record, copied byte by byte (no view per record).
      const from = vPos[sec * FIELDS]!;
      for (let k = 0; k < RECORD_SIZE; k++) out[at + k] = b[from + k]!;
      vPos[sec * FIELDS] = from + RECORD_SIZE;
      continue;
    }
    const tp = tagAt + tag * 12;
    for (let k = 0; k < 12; k++) out[at + k] = b[tp + k]!;
    const fs = tags.feedSlot[tag]!;
    const is = tags.instSlot[tag]!;
    const side = tags.side[tag]!;
    const gp = secGroups[sec * 2]! * insts + is;
    const gq = secGroups[sec * 2 + 1]! * insts + is;
    let recvA = 0;
    let exchA = 0;
    for (let f = 0; f < FIELDS; f++) {
      const k = sec * FIELDS + f;
      const off = at + FIELD_OFF[f]!;
      if (eNext[k] === 0) {
        // An exception: its raw 8 bytes, then the distance to the next one.
        const e = ePos[k]!;
        if (eEnd[k]! - e < 8) throw new ColumnarError(`exceptions of field ${f} run past their end`);
        for (let j = 0; j < 8; j++) out[off + j] = b[e + j]!;
        ePos[k] = e + 8;
        if (--eLeft[k]! > 0) {
          const gap = readVarint(b, e + 8, eEnd[k]!);
          if (gap < 0) throw new ColumnarError(varintProblem(gap, 'exception position'));
          ePos[k] = varintEnd;
          eNext[k] = gap;
        } else eNext[k] = -1;
        if (f === F_RECV) recvA = timeAnchor(ov.getFloat64(off, true));
        else if (f === F_EXCH) exchA = timeAnchor(ov.getFloat64(off, true));
        continue;
      }
      if (eNext[k]! > 0) eNext[k]!--;
      const z = readVarint(b, vPos[k]!, vEnd[k]!);
      if (z < 0) throw new ColumnarError(varintProblem(z, `column ${f} of kind ${secKind[sec]}`));
      vPos[k] = varintEnd;
      const md = modes[k]!;
      const gi = f === F_PRICE ? gp : gq + GROUPS * insts;
      const fallback = f === F_RECV ? lastRecv : f <= F_EVT ? recvA : f <= F_QTY ? last[gi]! : 0;
      const ck = (f * CTXS + (md & 15)) * slots + ctxIndex(md & 15, sec, feeds, insts, fs, is, side);
      // Zig-zag back: with bit operations while it fits 31 bits (a double's % is slow).
      const r = z < 0x80000000 ? (z >>> 1) ^ -(z & 1) : z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      const x = predict(st, md >> 4, ck, fallback, recvA, exchA) + r;
      if (!(Math.abs(x) <= MAX_EXACT))
        throw new ColumnarError(`field ${f} of record ${i} decodes beyond 2^53`);
      update(st, ck, x);
      // The feed-wide state is only worth keeping when a section predicts this field from it.
      if ((md & 15) !== CTX_FEED_ALL && (feedAllUsed & (1 << f)) !== 0)
        update(st, (f * CTXS + CTX_FEED_ALL) * slots + fs, x);
      if (f <= F_EVT) {
        ov.setFloat64(off, x / 1000, true);
        if (f === F_RECV) {
          lastRecv = x;
          recvA = x;
        } else if (f === F_EXCH) exchA = x;
      } else if (f <= F_QTY) {
        const g = f === F_PRICE ? gp : gq;
        const d = scaleDec[g]!;
        ov.setFloat64(off, d === 0 ? x * scaleStep[g]! : (x * scaleStep[g]!) / POW10[d]!, true);
        last[gi] = x;
      } else if (f === F_SEQ) ov.setFloat64(off, x, true);
      else {
        if (x < 0 || x > 0xffffffff) throw new ColumnarError(`wire bytes ${x} of record ${i} out of range`);
        ov.setUint32(off, x, true);
      }
    }
  }
  for (let s = 0; s < secCount; s++) {
    if (secColumnar[s] === 0) continue;
    for (let f = 0; f < FIELDS; f++) {
      const k = s * FIELDS + f;
      if (vPos[k] !== vEnd[k])
        throw new ColumnarError(
          `column ${f} of kind ${secKind[s]} has ${vEnd[k]! - vPos[k]!} bytes left over`,
        );
      if (eLeft[k]! > 0 || ePos[k] !== eEnd[k])
        throw new ColumnarError(`exceptions of column ${f} of kind ${secKind[s]} do not add up`);
    }
  }
  return out;
}
