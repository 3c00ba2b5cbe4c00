/**
 * A single-writer, many-reader ring of fixed-size records in one SharedArrayBuffer.
 *
 * Every attached reader has its own cursor and sees every record (Neobuffer semantics), so the
 * metrics reader, the UI publisher and later the recorder each read the same stream. A reader is
 * either *lossless* — the writer never overwrites what it has not read; a write that would is
 * returned to the sender, who counts it and writes a gap record — or *lossy* — the writer laps it
 * and the reader counts exactly how many records it skipped.
 *
 * Indices are unsigned 32-bit and wrap; every distance is `(a - b) >>> 0`, so capacity is a power
 * of two no larger than 2^30. Publication is batched: the writer claims k slots (one store of the
 * reserve index), fills them in place, then publishes with one store of the write index and at
 * most one notify. A lossy reader checks `intact(i)` after reading a record: if the writer's
 * reserve has moved past it, the slot may have been overwritten mid-read and is counted as skipped.
 *
 * The layout is plain Int32/Float64 words so any worker can attach with only the SAB, like
 * ringbuf.js. Header words sit on separate 64-byte lines to keep writer and readers from sharing
 * a cache line.
 */

const LINE = 16; // Int32 words per 64-byte line

// Line 0: geometry.
const H_CAPACITY = 0;
const H_MAX_READERS = 1;
const H_RECORD_SIZE = 2;
const H_MAGIC = 3;
/** Bumped whenever a reader attaches, closes or is detached: the writer rescans its readers. */
const H_EPOCH = 4;
// Line 1: writer.
const H_WRITE = LINE; // published write index
const H_RESERVE = LINE + 1; // write index + claimed slots
const H_WAITERS = LINE + 2; // readers blocked in wait(); the writer notifies only if > 0
// Lines 2..: one per reader.
const R_CURSOR = 0;
const R_STATE = 1;

const MAGIC = 0x52494e47; // 'RING'

/** Float64 counters after the header. Writer: [writes, returns, publishes]; reader: [reads, skipped, laps]. */
const W_WRITES = 0;
const W_RETURNS = 1;
const W_PUBLISHES = 2;
const W_DETACHED = 3;
const C_READS = 0;
const C_SKIPPED = 1;
const C_LAPS = 2;
/** Float64 counters per participant: one 64-byte line each, so no two threads share a line. */
const COUNTERS_PER = 8;

export const ReaderMode = {
  free: 0,
  lossless: 1,
  lossy: 2,
  /** Detached by policy (dead or stalled): the writer no longer waits for it. */
  detached: 3,
} as const;
export type ReaderMode = (typeof ReaderMode)[keyof typeof ReaderMode];

export interface RingGeometry {
  capacity: number;
  maxReaders: number;
  recordSize: number;
}

function headerWords(maxReaders: number): number {
  return LINE * (2 + maxReaders);
}

function counterOffset(maxReaders: number): number {
  return headerWords(maxReaders) * 4;
}

function dataOffset(maxReaders: number): number {
  const counters = (1 + maxReaders) * COUNTERS_PER * 8;
  return align64(counterOffset(maxReaders) + counters);
}

function align64(n: number): number {
  return (n + 63) & ~63;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Allocates a ring's shared memory. Pass the returned SAB to any thread that writes or reads it. */
export function createRing(geometry: RingGeometry): SharedArrayBuffer {
  const { capacity, maxReaders, recordSize } = geometry;
  if (!isPowerOfTwo(capacity) || capacity > 2 ** 30) {
    throw new RangeError(`ring capacity must be a power of two ≤ 2^30, got ${capacity}`);
  }
  if (!Number.isInteger(maxReaders) || maxReaders < 1 || maxReaders > 64) {
    throw new RangeError(`ring maxReaders must be 1..64, got ${maxReaders}`);
  }
  if (!Number.isInteger(recordSize) || recordSize < 8 || recordSize % 8 !== 0) {
    throw new RangeError(`ring recordSize must be a multiple of 8, got ${recordSize}`);
  }
  const sab = new SharedArrayBuffer(dataOffset(maxReaders) + capacity * recordSize);
  const h = new Int32Array(sab, 0, headerWords(maxReaders));
  h[H_CAPACITY] = capacity;
  h[H_MAX_READERS] = maxReaders;
  h[H_RECORD_SIZE] = recordSize;
  h[H_MAGIC] = MAGIC;
  return sab;
}

/**
 * Test hook: start a fresh ring at an arbitrary index (e.g. just below 2^32) to exercise
 * wrap-around. Only valid before any reader attaches.
 */
export function setRingStartIndex(sab: SharedArrayBuffer, index: number): void {
  const h = new Int32Array(sab);
  Atomics.store(h, H_WRITE, index | 0);
  Atomics.store(h, H_RESERVE, index | 0);
}

/** Shared read-only view of a ring's geometry and counters, usable from any thread. */
export class RingView {
  readonly sab: SharedArrayBuffer;
  readonly capacity: number;
  readonly mask: number;
  readonly maxReaders: number;
  readonly recordSize: number;
  /** Byte view of the record slots; slot of index i starts at `offsetOf(i)`. */
  readonly bytes: Uint8Array;
  readonly data: DataView;
  /** The slots as float64 words (platform byte order, little-endian wherever Node runs). */
  readonly words: Float64Array;
  protected readonly h: Int32Array;
  protected readonly c: Float64Array;

  constructor(sab: SharedArrayBuffer) {
    const probe = new Int32Array(sab, 0, 4);
    if (probe[H_MAGIC] !== MAGIC) throw new TypeError('not a ring: bad magic');
    this.sab = sab;
    this.capacity = probe[H_CAPACITY]!;
    this.mask = this.capacity - 1;
    this.maxReaders = probe[H_MAX_READERS]!;
    this.recordSize = probe[H_RECORD_SIZE]!;
    this.h = new Int32Array(sab, 0, headerWords(this.maxReaders));
    this.c = new Float64Array(sab, counterOffset(this.maxReaders), (1 + this.maxReaders) * COUNTERS_PER);
    const dataAt = dataOffset(this.maxReaders);
    this.bytes = new Uint8Array(sab, dataAt, this.capacity * this.recordSize);
    this.data = new DataView(sab, dataAt, this.capacity * this.recordSize);
    this.words = new Float64Array(sab, dataAt, (this.capacity * this.recordSize) / 8);
  }

  /** Byte offset of index i's slot within `bytes`/`data`. */
  offsetOf(i: number): number {
    return (i & this.mask) * this.recordSize;
  }

  writeIndex(): number {
    return Atomics.load(this.h, H_WRITE) >>> 0;
  }

  readerMode(id: number): ReaderMode {
    return Atomics.load(this.h, LINE * (2 + id) + R_STATE) as ReaderMode;
  }

  readerCursor(id: number): number {
    return Atomics.load(this.h, LINE * (2 + id) + R_CURSOR) >>> 0;
  }

  /** Records written but not yet read by the slowest attached reader, as a fraction of capacity. */
  fill(): number {
    const w = this.writeIndex();
    let behind = 0;
    for (let id = 0; id < this.maxReaders; id++) {
      const mode = this.readerMode(id);
      if (mode !== ReaderMode.lossless && mode !== ReaderMode.lossy) continue;
      const d = Math.min((w - this.readerCursor(id)) >>> 0, this.capacity);
      if (d > behind) behind = d;
    }
    return behind / this.capacity;
  }

  get writes(): number {
    return this.c[W_WRITES]!;
  }
  /** Writes refused because a lossless reader was a full ring behind. */
  get returns(): number {
    return this.c[W_RETURNS]!;
  }
  get publishes(): number {
    return this.c[W_PUBLISHES]!;
  }
  /** Lossless readers the writer detached because they stalled a full ring behind. */
  get detachedReaders(): number {
    return this.c[W_DETACHED]!;
  }
  readerReads(id: number): number {
    return this.c[(1 + id) * COUNTERS_PER + C_READS]!;
  }
  readerSkipped(id: number): number {
    return this.c[(1 + id) * COUNTERS_PER + C_SKIPPED]!;
  }
  readerLaps(id: number): number {
    return this.c[(1 + id) * COUNTERS_PER + C_LAPS]!;
  }

  /** Readers attached now (lossless or lossy). */
  attachedReaders(): number {
    let n = 0;
    for (let id = 0; id < this.maxReaders; id++) {
      const m = this.readerMode(id);
      if (m === ReaderMode.lossless || m === ReaderMode.lossy) n++;
    }
    return n;
  }

  /** Laps of every reader slot since the ring was created. */
  totalLaps(): number {
    let n = 0;
    for (let id = 0; id < this.maxReaders; id++) n += this.readerLaps(id);
    return n;
  }

  /** Records skipped by every reader slot since the ring was created. */
  totalSkipped(): number {
    let n = 0;
    for (let id = 0; id < this.maxReaders; id++) n += this.readerSkipped(id);
    return n;
  }
}

/** The one writer of a ring. Not thread-safe against a second writer by design. */
export class RingWriter extends RingView {
  private w: number;
  /** Slots known to be free past `w`; rescanning the readers only when they run out keeps the
   * fast path to two stores per batch. */
  private known = 0;
  /** Reader epoch at the last rescan, and whether a lossy reader was attached then. */
  private epoch = -1;
  private lossy = true;

  /** Dead-reader policy: see `detachStalled`. */
  private readonly stallTimeoutMs: number;
  private readonly lastCursor: number[] = [];
  private readonly lastMoveAt: number[] = [];

  /**
   * `stallTimeoutMs`: a lossless reader that is a full ring behind and has not moved for this
   * long is detached, so a dead or hung reader cannot hold the writer back forever (0 = never).
   */
  constructor(sab: SharedArrayBuffer, opts: { stallTimeoutMs?: number } = {}) {
    super(sab);
    this.w = Atomics.load(this.h, H_WRITE) >>> 0;
    this.stallTimeoutMs = opts.stallTimeoutMs ?? 5000;
    for (let id = 0; id < this.maxReaders; id++) {
      this.lastCursor.push(-1);
      this.lastMoveAt.push(0);
    }
  }

  /**
   * Rescans the readers when they changed or the known free slots ran out. The reserve index
   * (which lossy readers use to detect slots being rewritten under them) is only maintained while
   * a lossy reader is attached: one store fewer per batch otherwise.
   */
  private ensure(k: number): void {
    const e = Atomics.load(this.h, H_EPOCH);
    if (e === this.epoch && this.known >= k) return;
    this.epoch = e;
    this.known = this.free();
    if (this.known < k && this.stallTimeoutMs > 0 && this.detachStalled()) this.known = this.free();
    let lossy = false;
    for (let id = 0; id < this.maxReaders; id++) {
      if (Atomics.load(this.h, LINE * (2 + id) + R_STATE) === ReaderMode.lossy) lossy = true;
    }
    this.lossy = lossy;
  }

  /** Index the next claimed slot will have. */
  get nextIndex(): number {
    return this.w;
  }

  /**
   * The dead-reader policy, run only when the ring is full for a lossless reader: each such
   * reader's cursor is watched, and one that has not moved for `stallTimeoutMs` is detached —
   * counted in `detachedReaders`, visible to the reader as `detached`, and no longer waited for.
   * Returns true if a reader was detached.
   */
  private detachStalled(): boolean {
    const now = performance.now();
    let detached = false;
    for (let id = 0; id < this.maxReaders; id++) {
      const base = LINE * (2 + id);
      if (Atomics.load(this.h, base + R_STATE) !== ReaderMode.lossless) continue;
      const cursor = Atomics.load(this.h, base + R_CURSOR) >>> 0;
      if (cursor !== this.lastCursor[id]) {
        this.lastCursor[id] = cursor;
        this.lastMoveAt[id] = now;
        continue;
      }
      const behind = (this.w - cursor) >>> 0;
      if (behind >= this.capacity && now - this.lastMoveAt[id]! >= this.stallTimeoutMs) {
        this.detachReader(id);
        this.c[W_DETACHED]! += 1;
        detached = true;
      }
    }
    return detached;
  }

  /** Free slots before the slowest lossless reader would be overwritten. */
  free(): number {
    let behind = 0;
    for (let id = 0; id < this.maxReaders; id++) {
      const base = LINE * (2 + id);
      if (Atomics.load(this.h, base + R_STATE) !== ReaderMode.lossless) continue;
      const d = (this.w - (Atomics.load(this.h, base + R_CURSOR) >>> 0)) >>> 0;
      if (d > behind) behind = d;
    }
    return this.capacity - Math.min(behind, this.capacity);
  }

  /**
   * Claims up to k slots starting at `nextIndex`. Returns how many were granted; 0 means the write
   * returns to the sender (counted), whose overflow policy must act. Fill the slots, then `publish`.
   */
  claim(k: number): number {
    this.ensure(k);
    const n = Math.min(k, this.known);
    if (n <= 0) {
      this.c[W_RETURNS]! += k;
      return 0;
    }
    if (n < k) this.c[W_RETURNS]! += k - n;
    if (this.lossy) Atomics.store(this.h, H_RESERVE, (this.w + n) | 0);
    return n;
  }

  /** Claims exactly k slots or none (the k writes are then counted as returned to the sender). */
  tryClaim(k: number): boolean {
    this.ensure(k);
    if (this.known < k) {
      this.c[W_RETURNS]! += k;
      return false;
    }
    if (this.lossy) Atomics.store(this.h, H_RESERVE, (this.w + k) | 0);
    return true;
  }

  /** Publishes n filled slots with one store and, if a reader sleeps, one notify. */
  publish(n: number): void {
    this.w = (this.w + n) >>> 0;
    this.known -= n;
    Atomics.store(this.h, H_WRITE, this.w | 0);
    this.c[W_WRITES]! += n;
    this.c[W_PUBLISHES]! += 1;
    if (Atomics.load(this.h, H_WAITERS) > 0) Atomics.notify(this.h, H_WRITE);
  }

  /** Detaches a reader by policy (dead or stalled), so it can no longer hold the writer back. */
  detachReader(id: number): void {
    Atomics.store(this.h, LINE * (2 + id) + R_STATE, ReaderMode.detached);
    Atomics.add(this.h, H_EPOCH, 1);
  }
}

/** One reader's cursor. Attach in the thread that reads; the cursor starts at the current write index. */
export class RingReader extends RingView {
  readonly id: number;
  readonly mode: ReaderMode;
  private r: number;
  /** Lossy by choice, or since the writer detached this (lossless) reader. */
  private lossyNow: boolean;
  private readonly base: number;
  private readonly cBase: number;

  constructor(sab: SharedArrayBuffer, mode: 'lossless' | 'lossy') {
    super(sab);
    this.mode = mode === 'lossless' ? ReaderMode.lossless : ReaderMode.lossy;
    let id = -1;
    for (let i = 0; i < this.maxReaders; i++) {
      const base = LINE * (2 + i);
      // Claim a free slot; the cursor is set before the mode is published so the writer never sees
      // a lossless reader at a stale cursor.
      if (Atomics.compareExchange(this.h, base + R_STATE, ReaderMode.free, ReaderMode.detached) === 0) {
        Atomics.store(this.h, base + R_CURSOR, Atomics.load(this.h, H_WRITE));
        Atomics.store(this.h, base + R_STATE, this.mode);
        Atomics.add(this.h, H_EPOCH, 1);
        id = i;
        break;
      }
    }
    if (id < 0) throw new RangeError(`ring has no free reader slot (max ${this.maxReaders})`);
    this.id = id;
    this.base = LINE * (2 + id);
    this.cBase = (1 + id) * COUNTERS_PER;
    this.r = Atomics.load(this.h, this.base + R_CURSOR) >>> 0;
    this.lossyNow = this.mode === ReaderMode.lossy;
  }

  /** Index of the next record this reader will read. */
  get cursor(): number {
    return this.r;
  }

  get detached(): boolean {
    return Atomics.load(this.h, this.base + R_STATE) === ReaderMode.detached;
  }

  /**
   * How many records can be read from `cursor` now. A lossy reader that was lapped first jumps
   * forward past every slot the writer may be overwriting, and counts what it skipped.
   */
  available(): number {
    const w = Atomics.load(this.h, H_WRITE) >>> 0;
    // A lossless reader can only be a full ring behind if the writer detached it; from then on it
    // reads like a lossy one and counts what it lost.
    if (!this.lossyNow && (w - this.r) >>> 0 > this.capacity) this.lossyNow = this.detached;
    if (this.lossyNow) {
      const reserve = this.reserveAtLeast(w);
      const oldest = (reserve - this.capacity) >>> 0; // first index whose slot is not being rewritten
      if ((w - this.r) >>> 0 > (w - oldest) >>> 0) {
        const skipped = (oldest - this.r) >>> 0;
        this.c[this.cBase + C_SKIPPED]! += skipped;
        this.c[this.cBase + C_LAPS]! += 1;
        this.r = oldest;
      }
    }
    return (w - this.r) >>> 0;
  }

  /**
   * For lossy (and detached) readers: true if index i, already read, was not overwritten while it
   * was read. Attached lossless readers are never overwritten, so this is always true for them.
   */
  intact(i: number): boolean {
    if (!this.lossyNow) return true;
    const reserve = this.reserveAtLeast(Atomics.load(this.h, H_WRITE) >>> 0);
    return (reserve - i) >>> 0 <= this.capacity;
  }

  /**
   * The writer's reserve index, or the write index if the reserve is stale (the writer keeps it
   * only while it knows of a lossy reader; until it notices a new one, its in-flight claim can
   * only rewrite slots older than anything the new reader reads).
   */
  private reserveAtLeast(w: number): number {
    const reserve = Atomics.load(this.h, H_RESERVE) >>> 0;
    return (reserve - w) >>> 0 <= this.capacity ? reserve : w;
  }

  /** Marks n records consumed (n − torn of them counted as reads, torn as skipped). */
  advance(n: number, torn = 0): void {
    this.r = (this.r + n) >>> 0;
    this.c[this.cBase + C_READS]! += n - torn;
    if (torn > 0) this.c[this.cBase + C_SKIPPED]! += torn;
    Atomics.store(this.h, this.base + R_CURSOR, this.r | 0);
  }

  /** Blocks (worker threads only) until records are available or the timeout passes. */
  wait(timeoutMs: number): number {
    let n = this.available();
    if (n > 0) return n;
    Atomics.add(this.h, H_WAITERS, 1);
    Atomics.wait(this.h, H_WRITE, this.r | 0, timeoutMs);
    Atomics.sub(this.h, H_WAITERS, 1);
    n = this.available();
    return n;
  }

  /**
   * Resolves when records are available, on `wake()`, or when the timeout passes; for threads that
   * must not block. Under Node the pending wait, timeout included, does not keep the event loop
   * alive (nodejs/node#61941): if nothing else does, the process exits with the wait unsettled. So
   * whoever ends a reading loop wakes it (`wake()`) rather than waiting for its timeout.
   */
  async waitAsync(timeoutMs: number): Promise<number> {
    const n = this.available();
    if (n > 0) return n;
    Atomics.add(this.h, H_WAITERS, 1);
    try {
      const res = Atomics.waitAsync(this.h, H_WRITE, this.r | 0, timeoutMs);
      if (res.async) await res.value;
    } finally {
      Atomics.sub(this.h, H_WAITERS, 1);
    }
    return this.available();
  }

  /**
   * Ends every wait on this ring now, in any thread: each re-checks and sees what there is (the
   * waits share the write index's address, so one cannot be woken alone). How a loop parked in
   * `waitAsync` is told to look at its stop flag.
   */
  wake(): void {
    Atomics.notify(this.h, H_WRITE);
  }

  /** Releases the reader slot; a lossless reader stops holding the writer back. */
  close(): void {
    Atomics.store(this.h, this.base + R_STATE, ReaderMode.free);
    Atomics.add(this.h, H_EPOCH, 1);
  }
}
