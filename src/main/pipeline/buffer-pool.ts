/**
 * A pool of pre-allocated byte buffers in size classes (powers of two), for frames now and for
 * recorder blocks and decode scratch later. `acquire(n)` hands out a buffer of the smallest class
 * that fits; an empty class allocates a new buffer (a *miss*). `release` returns it. The counts —
 * acquires, reuses, misses, high-water mark — are what the Buffer reuse panel shows.
 *
 * A buffer's ArrayBuffer is exactly its class size, so cloning a frame view (MessagePort) copies
 * no more than the class.
 */

export interface BufferPoolOptions {
  /** Smallest and largest class sizes in bytes (powers of two). */
  minSize: number;
  maxSize: number;
  /** Buffers pre-allocated per class. */
  perClass: number;
  /** Most buffers kept per class; releases beyond it are let go. */
  maxPerClass?: number;
}

export interface BufferPoolStats {
  acquires: number;
  reuses: number;
  misses: number;
  /** Acquires larger than the largest class, served by a one-off allocation. */
  oversize: number;
  inUse: number;
  highWater: number;
}

export class BufferPool {
  private readonly minShift: number;
  private readonly free: Uint8Array[][] = [];
  private readonly classSizes: number[] = [];
  private readonly maxPerClass: number;
  readonly stats: BufferPoolStats = {
    acquires: 0,
    reuses: 0,
    misses: 0,
    oversize: 0,
    inUse: 0,
    highWater: 0,
  };

  constructor(opts: BufferPoolOptions) {
    const { minSize, maxSize, perClass } = opts;
    if (!isPow2(minSize) || !isPow2(maxSize) || maxSize < minSize) {
      throw new RangeError('buffer pool sizes must be powers of two with min ≤ max');
    }
    this.minShift = Math.log2(minSize);
    this.maxPerClass = opts.maxPerClass ?? perClass * 4;
    for (let size = minSize; size <= maxSize; size *= 2) {
      const list: Uint8Array[] = [];
      for (let i = 0; i < perClass; i++) list.push(new Uint8Array(size));
      this.free.push(list);
      this.classSizes.push(size);
    }
  }

  private classOf(n: number): number {
    if (n <= this.classSizes[0]!) return 0;
    return Math.ceil(Math.log2(n)) - this.minShift;
  }

  /** A buffer of at least n bytes (its length is the class size). */
  acquire(n: number): Uint8Array {
    const s = this.stats;
    s.acquires++;
    s.inUse++;
    if (s.inUse > s.highWater) s.highWater = s.inUse;
    const k = this.classOf(n);
    const list = this.free[k];
    if (!list) {
      s.oversize++;
      s.misses++;
      return new Uint8Array(n);
    }
    const buf = list.pop();
    if (buf) {
      s.reuses++;
      return buf;
    }
    s.misses++;
    return new Uint8Array(this.classSizes[k]!);
  }

  release(buf: Uint8Array): void {
    this.stats.inUse--;
    const k = this.classOf(buf.byteLength);
    const list = this.free[k];
    if (!list || this.classSizes[k] !== buf.byteLength || list.length >= this.maxPerClass) return;
    list.push(buf);
  }
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}
