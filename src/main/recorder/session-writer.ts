/**
 * Writes a recording session: records are appended into a block buffer that is cut by size or by
 * time, handed to an idle compression worker that encodes it in the session's codec (v2 columnar
 * by default, v1 shuffled + zstd on request) — or, when every worker is busy, byte-shuffled here
 * and written uncompressed: never dropped, never waited for — and appended to the current segment
 * in block order. Segments rotate by size; the data is fsync'ed on a policy (every `fsyncMs`), and
 * manifest.json is replaced atomically at start, at each rotation, every few seconds and at the end.
 *
 * A write error (disk full, EIO) stops the session: `failed` holds the error, appends are refused,
 * and what was written stays readable (a torn last block is found and cut by the reader). Nothing
 * here throws into the caller's loop.
 */
import { type FileHandle, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { nowMs } from '../../common/clock.ts';
import { RECORD_KIND_NAMES, RECORD_SIZE } from '../../common/record.ts';
import type { SharedHistogram } from '../../common/shared-histogram.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { Codec, type CompressedCodec, encodeBlock, receiveTimeOf, shuffle } from './block.ts';
import { recordDurable } from './disk-latency.ts';

export interface ManifestInstrument {
  instrumentId: number;
  feedId: number;
  venue: string;
  symbol: string;
  venueSymbol?: string;
}

export interface SessionManifest {
  layout: 1;
  app: string;
  created: string;
  start: number | null;
  end: number | null;
  closed: boolean;
  venues: string[];
  instruments: ManifestInstrument[];
  segments: string[];
  counts: { records: number; byKind: Record<string, number> };
  gaps: number;
  blocks: number;
  compressedBlocks: number;
  /** Why recording stopped early (disk full, IO error), if it did. */
  error: string | null;
}

/** A block's payload as a compressor made it. */
export interface Compressed {
  codec: number;
  payload: Uint8Array;
}

/**
 * Encodes a block's records (64 bytes each) in `codec`; returns null at once when it cannot right
 * now, or resolves null when it failed — the block is then stored shuffled, uncompressed.
 */
export type Compressor = (
  records: Uint8Array,
  sequence: number,
  codec: CompressedCodec,
) => Promise<Compressed | null> | null;

export interface SessionWriterOptions {
  dir: string;
  app: string;
  /** Records per block before it is cut (default 16,384: 1 MiB raw). */
  blockRecords?: number;
  /** A block older than this is cut at the next tick (default 250 ms). */
  blockMs?: number;
  /** A segment is closed and the next opened beyond this size (default 256 MiB). */
  segmentBytes?: number;
  /** fsync the segment at most this often (default 1000 ms; 0 = after every block). */
  fsyncMs?: number;
  compressor?: Compressor;
  /** The codec blocks are compressed with (default v2, columnar); a busy pool stores them shuffled. */
  codec?: CompressedCodec;
  /** Venues and instruments for the manifest, asked for whenever it is written. */
  describe?: () => { venues: string[]; instruments: ManifestInstrument[] };
  onError?: (err: Error) => void;
  /**
   * The disk latency stage: when given, every record gets receive → durable (after the fsync that
   * covers its block) recorded here.
   */
  diskLatency?: SharedHistogram;
  /** Opens a segment file (tests inject a file system that fails: disk full, EIO). */
  openFile?: (path: string, flags: string, mode: number) => Promise<FileHandle>;
}

interface PendingBlock {
  sequence: number;
  records: number;
  firstTime: number;
  lastTime: number;
  /** The block's records as appended (for the fallback and the disk latency stage). */
  raw: Uint8Array;
  payload: Uint8Array | null;
  codec: number;
  ready: boolean;
}

export class SessionWriter {
  readonly dir: string;
  readonly stats = {
    records: 0,
    blocks: 0,
    compressedBlocks: 0,
    rawBlocks: 0,
    bytes: 0,
    rawBytes: 0,
    byKind: new Array<number>(RECORD_KIND_NAMES.length).fill(0),
    gaps: 0,
  };
  failed: Error | null = null;
  private readonly opts: Required<
    Omit<SessionWriterOptions, 'compressor' | 'describe' | 'onError' | 'openFile' | 'diskLatency' | 'codec'>
  > &
    SessionWriterOptions;
  private readonly buf: Uint8Array;
  private fill = 0;
  private blockStartedAt = 0;
  private sequence = 0;
  private nextToWrite = 0;
  private readonly pending = new Map<number, PendingBlock>();
  private segment: FileHandle | null = null;
  private segmentIndex = 0;
  private segmentBytes = 0;
  private readonly segments: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private lastSync = 0;
  /** Blocks written since the last fsync, waiting to become durable (for the disk stage). */
  private readonly unsynced: PendingBlock[] = [];
  private lastManifest = 0;
  private start: number | null = null;
  private end: number | null = null;
  private closed = false;
  private readonly created = new Date().toISOString();
  private readonly codec: CompressedCodec;

  private constructor(opts: SessionWriterOptions) {
    this.opts = {
      blockRecords: 16_384,
      blockMs: 250,
      segmentBytes: 256 * 1024 * 1024,
      fsyncMs: 1000,
      ...opts,
    };
    this.dir = opts.dir;
    this.codec = opts.codec ?? Codec.columnar;
    this.buf = new Uint8Array(this.opts.blockRecords * RECORD_SIZE);
  }

  /** The segment file being written (the last one, once closed). */
  get currentSegment(): string | null {
    const name = this.segments[this.segments.length - 1];
    return name ? join(this.dir, name) : null;
  }

  /** Creates the session folder (it must not hold a session already) and its first segment. */
  static async create(opts: SessionWriterOptions): Promise<SessionWriter> {
    await mkdir(opts.dir, { recursive: true });
    const existing = await readdir(opts.dir);
    if (existing.some((f) => f === 'manifest.json' || f.endsWith('.tsb')))
      throw new Error(`${opts.dir} already holds a session; choose a new folder`);
    const w = new SessionWriter(opts);
    await w.openSegment();
    await w.writeManifest();
    return w;
  }

  /**
   * Appends n records from `src` (bytes at `at`, 64 each). Copies them; cuts blocks as they fill.
   * Returns false once the session has failed or closed (the caller stops reading).
   */
  append(src: Uint8Array, at: number, n: number): boolean {
    if (this.failed || this.closed) return false;
    const cap = this.opts.blockRecords;
    let from = at;
    let left = n;
    while (left > 0) {
      if (this.fill === 0) this.blockStartedAt = Date.now();
      const take = Math.min(left, cap - this.fill);
      this.buf.set(src.subarray(from, from + take * RECORD_SIZE), this.fill * RECORD_SIZE);
      this.countKinds(from, take, src);
      this.fill += take;
      from += take * RECORD_SIZE;
      left -= take;
      if (this.fill === cap) this.cut();
    }
    return true;
  }

  /** Cuts the current block if it is older than blockMs; fsyncs and rewrites the manifest on policy. */
  tick(): void {
    if (this.failed || this.closed) return;
    const now = Date.now();
    if (this.fill > 0 && now - this.blockStartedAt >= this.opts.blockMs) this.cut();
    // A block must not wait for the next one to become durable: a quiet feed syncs on time too.
    if (this.unsynced.length > 0 && now - this.lastSync >= this.opts.fsyncMs) {
      this.lastSync = now;
      this.enqueue(async () => {
        await this.segment?.datasync();
        this.durable();
      });
    }
    if (now - this.lastManifest >= 5000) {
      this.lastManifest = now;
      this.enqueue(() => this.writeManifest());
    }
  }

  private countKinds(from: number, n: number, src: Uint8Array): void {
    const k = this.stats.byKind;
    for (let i = 0; i < n; i++) {
      const kind = src[from + i * RECORD_SIZE]!;
      if (kind < k.length) k[kind]! += 1;
    }
  }

  /** Ends the current block: encoded by a worker if one is idle, else shuffled here and stored. */
  private cut(): void {
    const n = this.fill;
    if (n === 0) return;
    this.fill = 0;
    const raw = this.buf.slice(0, n * RECORD_SIZE);
    const b: PendingBlock = {
      sequence: this.sequence++,
      records: n,
      firstTime: receiveTimeOf(raw, 0),
      lastTime: receiveTimeOf(raw, n - 1),
      raw,
      payload: null,
      codec: Codec.shuffled,
      ready: false,
    };
    if (this.start === null) this.start = b.firstTime;
    this.end = b.lastTime;
    this.stats.records += n;
    this.stats.rawBytes += n * RECORD_SIZE;
    this.pending.set(b.sequence, b);
    const job = this.opts.compressor?.(raw, b.sequence, this.codec) ?? null;
    if (job === null) this.settle(b, null);
    else
      job.then(
        (payload) => this.settle(b, payload),
        () => this.settle(b, null),
      );
  }

  private settle(b: PendingBlock, compressed: Compressed | null): void {
    if (compressed) {
      b.payload = compressed.payload;
      b.codec = compressed.codec;
      this.stats.compressedBlocks++;
    } else {
      // The return-to-sender path: shuffled (cheap, and what v1 readers always knew), stored.
      const shuffled = new Uint8Array(b.raw.length);
      shuffle(b.raw, b.records, shuffled);
      b.payload = shuffled;
      b.codec = Codec.shuffled;
      this.stats.rawBlocks++;
    }
    b.ready = true;
    // Blocks go to disk in order; a later one that finished first waits for its predecessors.
    while (this.pending.get(this.nextToWrite)?.ready) {
      const next = this.pending.get(this.nextToWrite)!;
      this.pending.delete(this.nextToWrite);
      this.nextToWrite++;
      this.enqueue(() => this.writeBlock(next));
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.writing = this.writing.then(async () => {
      if (this.failed) return;
      try {
        await step();
      } catch (err) {
        this.fail(err as Error);
      }
    });
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    this.opts.onError?.(err);
  }

  private async writeBlock(b: PendingBlock): Promise<void> {
    const block = encodeBlock(b.payload!, {
      records: b.records,
      codec: b.codec,
      firstTime: b.firstTime,
      lastTime: b.lastTime,
      sequence: b.sequence,
    });
    if (this.segmentBytes > 0 && this.segmentBytes + block.length > this.opts.segmentBytes) {
      await this.closeSegment();
      await this.openSegment();
      await this.writeManifest();
    }
    let off = 0;
    while (off < block.length) {
      const { bytesWritten } = await this.segment!.write(block, off, block.length - off);
      if (bytesWritten <= 0) throw new Error('the disk accepted no bytes');
      off += bytesWritten;
    }
    this.segmentBytes += block.length;
    this.stats.bytes += block.length;
    this.stats.blocks++;
    if (this.opts.diskLatency) this.unsynced.push(b);
    const now = Date.now();
    if (this.opts.fsyncMs === 0 || now - this.lastSync >= this.opts.fsyncMs) {
      this.lastSync = now;
      await this.segment!.datasync();
      this.durable();
    }
  }

  /** An fsync returned: every block written before it is durable now. */
  private durable(): void {
    const hist = this.opts.diskLatency;
    if (!hist || this.unsynced.length === 0) return;
    const at = nowMs();
    for (const b of this.unsynced) recordDurable(hist, b.raw, b.records, at);
    this.unsynced.length = 0;
  }

  private async openSegment(): Promise<void> {
    this.segmentIndex++;
    const name = `segment-${String(this.segmentIndex).padStart(6, '0')}.tsb`;
    this.segment = await (this.opts.openFile ?? open)(join(this.dir, name), 'wx', 0o644);
    this.segments.push(name);
    this.segmentBytes = 0;
  }

  private async closeSegment(): Promise<void> {
    const fh = this.segment;
    this.segment = null;
    if (!fh) return;
    try {
      await fh.sync();
      this.durable();
    } finally {
      await fh.close();
    }
  }

  manifest(): SessionManifest {
    const d = this.opts.describe?.() ?? { venues: [], instruments: [] };
    const byKind: Record<string, number> = {};
    this.stats.byKind.forEach((n, k) => {
      if (n > 0) byKind[RECORD_KIND_NAMES[k]!] = n;
    });
    return {
      layout: 1,
      app: this.opts.app,
      created: this.created,
      start: this.start,
      end: this.end,
      closed: this.closed,
      venues: d.venues,
      instruments: d.instruments,
      segments: [...this.segments],
      counts: { records: this.stats.records, byKind },
      gaps: this.stats.byKind[4] ?? 0,
      blocks: this.stats.blocks,
      compressedBlocks: this.stats.compressedBlocks,
      error: this.failed ? this.failed.message : null,
    };
  }

  private async writeManifest(): Promise<void> {
    await writeFileAtomic(join(this.dir, 'manifest.json'), `${JSON.stringify(this.manifest(), null, 2)}\n`);
  }

  /**
   * Cuts the last block, waits for every block to be written, fsyncs, writes the final manifest.
   * Resolves with the error that stopped the session, if one did.
   */
  async close(): Promise<Error | null> {
    if (!this.closed) {
      this.cut();
      this.closed = true;
    }
    // Blocks still compressing settle into the queue; wait until all are written.
    while (this.pending.size > 0 && !this.failed) await new Promise((r) => setTimeout(r, 5));
    await this.writing;
    try {
      await this.closeSegment();
    } catch (err) {
      this.fail(err as Error);
    }
    try {
      await this.writeManifest();
    } catch (err) {
      this.fail(err as Error);
    }
    return this.failed;
  }
}
