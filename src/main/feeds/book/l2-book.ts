/**
 * An L2 order book for one instrument: each side a sorted pair of typed arrays (price, size) plus
 * the number of fraction digits each was written with on the wire, so that checksums that print
 * levels "as sent" (Kraken, OKX) can be recomputed without keeping strings. Levels are set by
 * absolute size (0 deletes), found by binary search and moved with copyWithin: no allocation
 * except when a side outgrows its capacity (doubling, rare).
 */

export class BookSide {
  px: Float64Array;
  qty: Float64Array;
  /** Fraction digits of price and size as they arrived. */
  pd: Uint8Array;
  qd: Uint8Array;
  n = 0;
  /** Bids are kept best (highest) first, asks best (lowest) first. */
  readonly desc: boolean;
  readonly maxLevels: number;

  /**
   * The level to find or set, staged by the caller: [price, size]. Doubles passed as arguments
   * to a call that is not inlined are boxed on the heap; staged in a typed array they are not.
   */
  readonly key = new Float64Array(2);

  constructor(desc: boolean, capacity = 64, maxLevels = 50_000) {
    this.desc = desc;
    this.maxLevels = maxLevels;
    this.px = new Float64Array(capacity);
    this.qty = new Float64Array(capacity);
    this.pd = new Uint8Array(capacity);
    this.qd = new Uint8Array(capacity);
  }

  clear(): void {
    this.n = 0;
  }

  /**
   * Index of the staged price key[0], or -(insertion point) - 1 if absent. Best-first order.
   */
  find(): number {
    const price = this.key[0]!;
    const px = this.px;
    let lo = 0;
    let hi = this.n - 1;
    const desc = this.desc;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = px[mid]!;
      if (p === price) return mid;
      if (desc ? p > price : p < price) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  /**
   * Sets the staged size key[1] at the staged price key[0] (0 deletes); pd/qd are their fraction
   * digits on the wire. Returns false only when the side is full (maxLevels).
   */
  set(pd: number, qd: number): boolean {
    const i = this.find();
    const price = this.key[0]!;
    const qty = this.key[1]!;
    if (i >= 0) {
      if (qty === 0) {
        this.px.copyWithin(i, i + 1, this.n);
        this.qty.copyWithin(i, i + 1, this.n);
        this.pd.copyWithin(i, i + 1, this.n);
        this.qd.copyWithin(i, i + 1, this.n);
        this.n--;
      } else {
        this.qty[i] = qty;
        this.qd[i] = qd;
        this.pd[i] = pd;
      }
      return true;
    }
    if (qty === 0) return true; // deleting an absent level: venues do send these
    if (this.n === this.px.length && !this.grow()) return false;
    const at = -i - 1;
    const n = this.n;
    if (at < n) {
      this.px.copyWithin(at + 1, at, n);
      this.qty.copyWithin(at + 1, at, n);
      this.pd.copyWithin(at + 1, at, n);
      this.qd.copyWithin(at + 1, at, n);
    }
    this.px[at] = price;
    this.qty[at] = qty;
    this.pd[at] = pd;
    this.qd[at] = qd;
    this.n = n + 1;
    return true;
  }

  /** Keeps the best `depth` levels (Kraken: levels pushed out of the subscribed depth). */
  truncate(depth: number): void {
    if (this.n > depth) this.n = depth;
  }

  private grow(): boolean {
    const cap = this.px.length;
    if (cap >= this.maxLevels) return false;
    const next = Math.min(this.maxLevels, cap * 2);
    const px = new Float64Array(next);
    px.set(this.px);
    this.px = px;
    const qty = new Float64Array(next);
    qty.set(this.qty);
    this.qty = qty;
    const pd = new Uint8Array(next);
    pd.set(this.pd);
    this.pd = pd;
    const qd = new Uint8Array(next);
    qd.set(this.qd);
    this.qd = qd;
    return true;
  }
}

export class L2Book {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  /** The venue's sequence of the last applied update (meaning depends on the venue). */
  seq = 0;
  /** True between a snapshot and the next detected gap. */
  synced = false;

  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.seq = 0;
    this.synced = false;
  }

  /** Best bid ≥ best ask: a book that cannot be right. */
  crossed(): boolean {
    return this.bids.n > 0 && this.asks.n > 0 && this.bids.px[0]! >= this.asks.px[0]!;
  }

  /** Plain arrays for tests and debugging (allocates). */
  levels(depth = Number.POSITIVE_INFINITY): { bids: [number, number][]; asks: [number, number][] } {
    const side = (s: BookSide): [number, number][] => {
      const out: [number, number][] = [];
      for (let i = 0; i < Math.min(s.n, depth); i++) out.push([s.px[i]!, s.qty[i]!]);
      return out;
    };
    return { bids: side(this.bids), asks: side(this.asks) };
  }
}
