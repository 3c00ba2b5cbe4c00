/**
 * The series store: a ring of metric rows in a SharedArrayBuffer, written by the frame receiver
 * (a Web Worker) and read by the charts on the UI thread at requestAnimationFrame. A version word
 * works as a seqlock — odd while a row is being written — so a reader never draws a torn row, and
 * the UI thread never waits for the worker or copies on every frame: only when the version moved.
 */
import { COLUMNS, ROWS } from './series-layout.ts';

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
   * Reader side: copies column c's rows, oldest first, into `out` (resized to the row count),
   * turning NaN into null so uPlot draws a gap, and raising values of every column but the first
   * to `floor` (a log scale cannot draw 0). Returns false if a write was in progress or
   * happened during the copy (try again next frame).
   */
  read(columns: readonly number[], out: (number | null)[][], floor = Number.NEGATIVE_INFINITY): boolean {
    const v = this.version;
    if (v & 1) return false;
    const n = this.count;
    const head = Atomics.load(this.h, H_HEAD);
    const start = n < ROWS ? 0 : head;
    for (let k = 0; k < columns.length; k++) {
      const src = this.cols[columns[k]!]!;
      const dst = out[k]!;
      if (dst.length !== n) dst.length = n;
      for (let i = 0; i < n; i++) {
        const x = src[(start + i) % ROWS]!;
        dst[i] = Number.isNaN(x) ? null : k > 0 && x < floor ? floor : x;
      }
    }
    return this.version === v;
  }

  /** The newest value of column c, or NaN when empty. */
  latest(c: number): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    const head = Atomics.load(this.h, H_HEAD);
    return this.cols[c]![(head + ROWS - 1) % ROWS]!;
  }
}
