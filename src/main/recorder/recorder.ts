/**
 * Main-thread side of a recording: starts the recorder worker on the feeds' rings, tells it the
 * venues and instruments for the manifest as they appear, keeps its latest figures, and stops it,
 * waiting until everything is on disk. A failure inside (disk full, IO error) is kept in `error`
 * and reported through `onError`; the engine and its feeds go on.
 */
import { Worker } from 'node:worker_threads';
import { venueName } from '../../common/record.ts';
import type { FeedSource } from '../feeds/feed-source.ts';
import type { CompressedCodec } from './block.ts';
import type { FromRecorder, RecorderStats, RecorderWorkerData, ToRecorder } from './recorder-worker.ts';

export interface RecorderOptions {
  dir: string;
  app: string;
  feeds: FeedSource[];
  workerUrl: URL;
  compressWorkerUrl: URL;
  /** Compression workers (default 2). */
  workers?: number;
  /** Block codec (default v2, columnar). */
  codec?: CompressedCodec;
  blockRecords?: number;
  blockMs?: number;
  segmentBytes?: number;
  fsyncMs?: number;
  /** Where the disk latency stage goes (the engine's MetricsReader.disk.sab). */
  diskLatency?: SharedArrayBuffer;
  onError?: (message: string) => void;
}

export class Recorder {
  readonly dir: string;
  stats: RecorderStats = {
    records: 0,
    blocks: 0,
    compressedBlocks: 0,
    rawBlocks: 0,
    bytes: 0,
    rawBytes: 0,
    returned: 0,
    segment: null,
  };
  error: string | null = null;
  readonly startedAt = Date.now();
  private readonly worker: Worker;
  private readonly feeds: FeedSource[];
  private readonly timer: NodeJS.Timeout;
  private stopped: Promise<{ stats: RecorderStats; error: string | null }> | null = null;
  /**
   * The worker's one 'stopped' report. It comes after stop(), or unasked when a write error ended
   * the session (the worker closes it at once): listened for from the start, so that a stop()
   * after an error finds it instead of waiting for a second one that never comes.
   */
  private readonly ended: Promise<{ stats: RecorderStats; error: string | null }>;

  private constructor(worker: Worker, opts: RecorderOptions) {
    this.worker = worker;
    this.dir = opts.dir;
    this.feeds = opts.feeds;
    let ended!: (r: { stats: RecorderStats; error: string | null }) => void;
    this.ended = new Promise((resolve) => {
      ended = resolve;
    });
    worker.on('message', (m: FromRecorder) => {
      if (m.type === 'stats') this.stats = m.stats;
      else if (m.type === 'error') {
        this.error = m.message;
        opts.onError?.(m.message);
      } else if (m.type === 'stopped') {
        this.stats = m.stats;
        if (m.error) this.error = m.error;
        ended({ stats: m.stats, error: m.error });
      }
    });
    // Instruments appear as the feeds see them: keep the manifest's table current.
    this.timer = setInterval(() => this.describe(), 1000);
    this.timer.unref();
    this.describe();
  }

  /**
   * Resolves once the worker's lossless readers are attached to every ring: each record written
   * from then on is recorded. A caller that wants a session from the feeds' first record starts
   * them after this (Engine `holdFeeds`).
   */
  static start(opts: RecorderOptions): Promise<Recorder> {
    const data: RecorderWorkerData = {
      dir: opts.dir,
      app: opts.app,
      rings: opts.feeds.map((f) => f.ring),
      compressWorkerUrl: opts.compressWorkerUrl.href,
      workers: opts.workers ?? 2,
      ...(opts.codec !== undefined ? { codec: opts.codec } : {}),
      ...(opts.blockRecords ? { blockRecords: opts.blockRecords } : {}),
      ...(opts.blockMs ? { blockMs: opts.blockMs } : {}),
      ...(opts.segmentBytes ? { segmentBytes: opts.segmentBytes } : {}),
      ...(opts.fsyncMs !== undefined ? { fsyncMs: opts.fsyncMs } : {}),
      ...(opts.diskLatency ? { diskLatency: opts.diskLatency } : {}),
    };
    const worker = new Worker(opts.workerUrl, { workerData: data, name: 'recorder' });
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromRecorder): void => {
        if (m.type !== 'started') return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve(new Recorder(worker, opts));
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  }

  private describe(): void {
    const venues = [...new Set(this.feeds.map((f) => venueName(f.config.venue)))];
    const instruments = this.feeds.flatMap((f) =>
      f.instruments.map((i) => ({
        instrumentId: i.instrumentId,
        feedId: i.feedId,
        venue: venueName(i.venue),
        symbol: i.symbol,
      })),
    );
    this.worker.postMessage({ type: 'describe', venues, instruments } satisfies ToRecorder);
  }

  /** Stops reading, writes what is left, closes the session (already closed after a write error). */
  stop(): Promise<{ stats: RecorderStats; error: string | null }> {
    if (this.stopped) return this.stopped;
    clearInterval(this.timer);
    this.describe();
    this.worker.postMessage({ type: 'stop' } satisfies ToRecorder);
    this.stopped = this.ended.then(async (result) => {
      await this.worker.terminate();
      return result;
    });
    return this.stopped;
  }
}
