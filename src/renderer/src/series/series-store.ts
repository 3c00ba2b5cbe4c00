/**
 * The series store: a ring of metric rows in a SharedArrayBuffer, written by the frame receiver
 * (a Web Worker) and read by the charts on the UI thread at requestAnimationFrame. A version word
 * works as a seqlock — odd while a row is being written — so a reader never draws a torn row, and
 * the UI thread never waits for the worker or copies on every frame: only when the version moved.
 */
import { AGGREGATION, Agg } from './series-aggregation.ts';
import { COLUMNS, Col, ROWS } from './series-layout.ts';

/** What a chart wants to draw: a time range (seconds, the time column's unit) and its width. */
export interface ReadView {
  from: number;
  to: number;
  /** About the chart's width in pixels: more rows than this are folded into buckets. */
  maxPoints: number;
  /** Values of every column but the first are drawn no lower than this (log scales). */
  floor?: number;
}

/** A stored value as uPlot draws it: NaN is a gap (null); below the floor sits on it. */
function cell(x: number, k: number, floor: number): number | null {
  return Number.isNaN(x) ? null : k > 0 && x < floor ? floor : x;
}

const H_VERSION = 0;
const H_COUNT = 1;
const H_HEAD = 2;
const H_FEEDS = 3;
/** Byte offset of a f64: when the last row was written (epoch ms), for the UI-stage latency. */
const WRITTEN_AT = 32;
const HEADER_BYTES = 64;

export function createSeriesBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + COLUMNS * ROWS * 8);
}

export class SeriesStore {
  readonly sab: SharedArrayBuffer;
  private readonly h: Int32Array;
  private readonly cols: Float64Array[] = [];
  private readonly writtenAt: Float64Array;
  /** Fold accumulators, one per column read (grown once if a chart reads more columns). */
  private acc = new Float64Array(COLUMNS);
  private cnt = new Int32Array(COLUMNS);

  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.h = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.writtenAt = new Float64Array(sab, WRITTEN_AT, 1);
    for (let c = 0; c < COLUMNS; c++)
      this.cols.push(new Float64Array(sab, HEADER_BYTES + c * ROWS * 8, ROWS));
  }

  get version(): number {
    return Atomics.load(this.h, H_VERSION);
  }

  get count(): number {
    return Atomics.load(this.h, H_COUNT);
  }

  /** When the newest row was written (epoch ms, the worker's clock), read under the version. */
  get lastWrittenAt(): number {
    return this.writtenAt[0]!;
  }

  get feedCount(): number {
    return Atomics.load(this.h, H_FEEDS);
  }

  /** Writer side: appends one row; `row[c]` is the value of column c. */
  append(row: Float64Array, feedCount: number): void {
    const h = this.h;
    Atomics.add(h, H_VERSION, 1); // odd: writing
    const head = Atomics.load(h, H_HEAD);
    for (let c = 0; c < COLUMNS; c++) this.cols[c]![head] = row[c]!;
    Atomics.store(h, H_HEAD, (head + 1) % ROWS);
    Atomics.store(h, H_COUNT, Math.min(ROWS, Atomics.load(h, H_COUNT) + 1));
    Atomics.store(h, H_FEEDS, feedCount);
    this.writtenAt[0] = performance.timeOrigin + performance.now();
    Atomics.add(h, H_VERSION, 1); // even: stable
  }

  /** Writer side: forgets every row (a new session whose clock went backwards). */
  reset(): void {
    const h = this.h;
    Atomics.add(h, H_VERSION, 1);
    Atomics.store(h, H_HEAD, 0);
    Atomics.store(h, H_COUNT, 0);
    Atomics.add(h, H_VERSION, 1);
  }

  /**
   * Reader side: the rows of `columns` whose time lies in [view.from, view.to] (the first column
   * must be the time column), plus one row beyond each edge so lines run to the chart's edges,
   * oldest first, into `out` (one reused array per column, resized to the point count). When there
   * are more rows than `view.maxPoints` (the chart's width in pixels), rows are folded into
   * time-aligned buckets of (to − from) / maxPoints seconds, each column by its own aggregation
   * (series-aggregation.ts), in one pass; buckets are aligned to absolute time so that a live view
   * moving right does not make the folded line shimmer. NaN becomes null (uPlot draws a gap) and
   * values of every column but the first are raised to `floor` (a log scale cannot draw 0).
   *
   * Returns the number of rows in view (not the points drawn), or -1 if a write was in progress or
   * happened during the copy (try again next frame). Nothing is allocated once the output arrays
   * have grown to their steady length.
   */
  read(columns: readonly number[], out: (number | null)[][], view: ReadView): number {
    const v = this.version;
    if (v & 1) return -1;
    const n = this.count;
    const start = n < ROWS ? 0 : Atomics.load(this.h, H_HEAD);
    const lo = this.search(view.from, n, start, false);
    const hi = this.search(view.to, n, start, true);
    const a = lo > 0 ? lo - 1 : 0;
    const b = hi < n ? hi + 1 : n;
    const floor = view.floor ?? Number.NEGATIVE_INFINITY;
    const span = view.to - view.from;
    let points = 0;
    if (b - a <= view.maxPoints || !(span > 0)) {
      for (let k = 0; k < columns.length; k++) {
        const src = this.cols[columns[k]!]!;
        const dst = out[k]!;
        for (let i = a; i < b; i++) dst[i - a] = cell(src[(start + i) % ROWS]!, k, floor);
      }
      points = b - a;
    } else {
      points = this.fold(columns, out, start, a, b, span / view.maxPoints, floor);
    }
    for (let k = 0; k < columns.length; k++) if (out[k]!.length !== points) out[k]!.length = points;
    return this.version === v ? hi - lo : -1;
  }

  /** Rows a..b (logical) into buckets of `width` seconds; returns the bucket count. */
  private fold(
    columns: readonly number[],
    out: (number | null)[][],
    start: number,
    a: number,
    b: number,
    width: number,
    floor: number,
  ): number {
    const time = this.cols[Col.time]!;
    const K = columns.length;
    if (this.acc.length < K) {
      this.acc = new Float64Array(K);
      this.cnt = new Int32Array(K);
    }
    const acc = this.acc;
    const cnt = this.cnt;
    acc.fill(0, 0, K);
    cnt.fill(0, 0, K);
    let points = 0;
    let key = Math.floor(time[(start + a) % ROWS]! / width);
    for (let i = a; i < b; i++) {
      const p = (start + i) % ROWS;
      const kk = Math.floor(time[p]! / width);
      if (kk !== key) {
        this.flush(columns, out, points++, floor);
        key = kk;
      }
      for (let k = 0; k < K; k++) {
        const x = this.cols[columns[k]!]![p]!;
        const agg = AGGREGATION[columns[k]!] ?? Agg.max;
        if (agg === Agg.last) {
          acc[k] = x;
          cnt[k] = 1;
        } else if (!Number.isNaN(x)) {
          if (cnt[k] === 0) acc[k] = x;
          else if (agg === Agg.mean) acc[k]! += x;
          else if (agg === Agg.max ? x > acc[k]! : x < acc[k]!) acc[k] = x;
          cnt[k]!++;
        }
      }
    }
    this.flush(columns, out, points++, floor);
    return points;
  }

  /** Writes the bucket being folded as point j and clears the accumulators. */
  private flush(columns: readonly number[], out: (number | null)[][], j: number, floor: number): void {
    const acc = this.acc;
    const cnt = this.cnt;
    for (let k = 0; k < columns.length; k++) {
      const c = cnt[k]!;
      const x = c === 0 ? Number.NaN : AGGREGATION[columns[k]!] === Agg.mean ? acc[k]! / c : acc[k]!;
      out[k]![j] = cell(x, k, floor);
      acc[k] = 0;
      cnt[k] = 0;
    }
  }

  /** The first logical row whose time is ≥ t (or > t when `after`), by bisection; n if none. */
  private search(t: number, n: number, start: number, after: boolean): number {
    const time = this.cols[Col.time]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const x = time[(start + mid) % ROWS]!;
      if (after ? x <= t : x < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** How many rows are newer than time t (seconds): what arrived since a pause. */
  countAfter(t: number): number {
    const n = this.count;
    const start = n < ROWS ? 0 : Atomics.load(this.h, H_HEAD);
    return n - this.search(t, n, start, true);
  }

  /** The time of the oldest row kept, or NaN when empty. */
  oldest(): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    return this.cols[Col.time]![n < ROWS ? 0 : Atomics.load(this.h, H_HEAD)]!;
  }

  /** The newest value of column c, or NaN when empty. */
  latest(c: number): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    const head = Atomics.load(this.h, H_HEAD);
    return this.cols[c]![(head + ROWS - 1) % ROWS]!;
  }
}
