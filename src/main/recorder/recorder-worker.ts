/**
 * The recorder (worker thread): a lossless reader on every feed's ring, appending what it reads to
 * the session's blocks (session-writer.ts) with a pool of compression workers. Lossless: a feed
 * whose ring fills because the recorder fell a full ring behind gets its writes returned and
 * counted — nothing is lost silently, and the dead-reader policy keeps a stuck recorder from
 * stalling the feed for long. A write error stops the recording and is reported; the session
 * stays readable.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RECORD_SIZE } from '../../common/record.ts';
import { RingReader } from '../../common/ring.ts';
import { SharedHistogram } from '../../common/shared-histogram.ts';
import type { CompressedCodec } from './block.ts';
import { CompressorPool } from './compressor-pool.ts';
import { type ManifestInstrument, SessionWriter } from './session-writer.ts';

export interface RecorderWorkerData {
  dir: string;
  app: string;
  rings: SharedArrayBuffer[];
  compressWorkerUrl: string;
  /** Compression workers (0: store every block uncompressed). */
  workers: number;
  /** Block codec: 1 (v1, shuffled + zstd) or 2 (v2, columnar + zstd, the default). */
  codec?: CompressedCodec;
  blockRecords?: number;
  blockMs?: number;
  segmentBytes?: number;
  fsyncMs?: number;
  /** The engine's disk-stage histogram (SharedHistogram): receive → durable, per record. */
  diskLatency?: SharedArrayBuffer;
}

export type ToRecorder =
  | { type: 'describe'; venues: string[]; instruments: ManifestInstrument[] }
  | { type: 'stop' };

export interface RecorderStats {
  records: number;
  blocks: number;
  compressedBlocks: number;
  rawBlocks: number;
  bytes: number;
  rawBytes: number;
  /** Compression jobs the pool returned at once because every worker was busy. */
  returned: number;
  /** The segment file being written. */
  segment: string | null;
}

export type FromRecorder =
  | { type: 'started' }
  | { type: 'stats'; stats: RecorderStats }
  | { type: 'error'; message: string }
  | { type: 'stopped'; stats: RecorderStats; error: string | null };

const cfg = workerData as RecorderWorkerData;
const port = parentPort!;
let described: { venues: string[]; instruments: ManifestInstrument[] } = { venues: [], instruments: [] };
const pool = cfg.workers > 0 ? new CompressorPool(cfg.workers, new URL(cfg.compressWorkerUrl)) : null;

const writer = await SessionWriter.create({
  dir: cfg.dir,
  app: cfg.app,
  ...(cfg.blockRecords ? { blockRecords: cfg.blockRecords } : {}),
  ...(cfg.blockMs ? { blockMs: cfg.blockMs } : {}),
  ...(cfg.segmentBytes ? { segmentBytes: cfg.segmentBytes } : {}),
  ...(cfg.fsyncMs !== undefined ? { fsyncMs: cfg.fsyncMs } : {}),
  ...(pool ? { compressor: pool.compress } : {}),
  ...(cfg.codec !== undefined ? { codec: cfg.codec } : {}),
  ...(cfg.diskLatency ? { diskLatency: new SharedHistogram(cfg.diskLatency) } : {}),
  describe: () => described,
  onError: (err) => port.postMessage({ type: 'error', message: err.message } satisfies FromRecorder),
});

const readers = cfg.rings.map((r) => new RingReader(r, 'lossless'));
const bytes = readers.map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength));
let running = true;

function stats(): RecorderStats {
  const s = writer.stats;
  return {
    records: s.records,
    blocks: s.blocks,
    compressedBlocks: s.compressedBlocks,
    rawBlocks: s.rawBlocks,
    bytes: s.bytes,
    rawBytes: s.rawBytes,
    returned: pool?.dispatcher.stats.returned ?? 0,
    segment: writer.currentSegment,
  };
}

/** Appends everything the rings hold; returns how many records. */
function drain(): number {
  let total = 0;
  for (let k = 0; k < readers.length; k++) {
    const r = readers[k]!;
    const n = r.available();
    if (n === 0) continue;
    // The records may wrap the ring's end: at most two contiguous runs.
    let done = 0;
    while (done < n) {
      const i = (r.cursor + done) >>> 0;
      const at = r.offsetOf(i);
      const run = Math.min(n - done, (r.data.byteLength - at) / RECORD_SIZE);
      if (!writer.append(bytes[k]!, at, run)) {
        running = false;
        return total;
      }
      done += run;
    }
    r.advance(n);
    total += n;
  }
  return total;
}

async function loop(): Promise<void> {
  // Sent only now that the readers are attached: the main thread may start the feeds on it.
  port.postMessage({ type: 'started' } satisfies FromRecorder);
  let lastStats = 0;
  while (running) {
    const n = drain();
    writer.tick();
    const now = Date.now();
    if (now - lastStats >= 500) {
      lastStats = now;
      port.postMessage({ type: 'stats', stats: stats() } satisfies FromRecorder);
    }
    if (n === 0) await readers[0]!.waitAsync(5);
    else await new Promise((r) => setImmediate(r));
  }
  drain();
  for (const r of readers) r.close();
  const error = await writer.close();
  await pool?.close();
  port.postMessage({ type: 'stopped', stats: stats(), error: error?.message ?? null } satisfies FromRecorder);
}

port.on('message', (m: ToRecorder) => {
  if (m.type === 'describe') described = { venues: m.venues, instruments: m.instruments };
  else if (m.type === 'stop') running = false;
});

void loop();
