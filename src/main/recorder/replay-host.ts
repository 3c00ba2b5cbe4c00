/**
 * Main-thread side of a replay: a ring and shared counters like a feed's, filled by the replay
 * worker from a recorded session, so that the engine's readers, publisher and panels take it for
 * a feed. Its status names the session (the app shows it is replaying, and from where) and its
 * state: live while replaying, idle while paused, closed at the end.
 */
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { nowMs } from '../../common/clock.ts';
import { FeedState, type FeedStatus, type InstrumentInfo } from '../../common/feed-model.ts';
import { RECORD_SIZE, Venue, venueOf } from '../../common/record.ts';
import { createRing } from '../../common/ring.ts';
import { type FeedConfig, feedCounters } from '../feeds/feed-host.ts';
import { createFeedStats, FEED_STAT_COUNT } from '../feeds/feed-protocol.ts';
import type { FeedSource } from '../feeds/feed-source.ts';
import type { FromReplay, ReplayProgress, ReplayWorkerData, ToReplay } from './replay-worker.ts';

export interface ReplayOptions {
  dir: string;
  speed: number | 'max';
  from?: number;
  loop?: boolean;
  workerUrl: URL;
  feedId?: number;
  onChange?: () => void;
  onLog?: (line: string) => void;
}

export class ReplayHost implements FeedSource {
  readonly config: FeedConfig;
  readonly ring: SharedArrayBuffer;
  readonly statsBuffer: SharedArrayBuffer;
  readonly stats: Float64Array;
  readonly instruments: InstrumentInfo[] = [];
  progress: ReplayProgress | null = null;
  error: string | null = null;
  private worker: Worker | null = null;
  private readonly opts: ReplayOptions;
  private state: FeedState = FeedState.idle;
  private since = nowMs();
  private transitions = 0;
  private finished!: () => void;
  /** Resolves when the session has been replayed to its end (or stopped). */
  readonly done = new Promise<void>((resolve) => {
    this.finished = resolve;
  });

  constructor(opts: ReplayOptions) {
    this.opts = opts;
    this.config = {
      feedId: opts.feedId ?? 1,
      venue: Venue.unknown,
      name: `replay ${basename(opts.dir)}`,
      url: opts.dir,
      symbols: [],
    };
    this.ring = createRing({ capacity: 1 << 16, maxReaders: 8, recordSize: RECORD_SIZE });
    this.statsBuffer = createFeedStats();
    this.stats = new Float64Array(this.statsBuffer, 0, FEED_STAT_COUNT);
  }

  private setState(s: FeedState): void {
    if (s === this.state) return;
    this.state = s;
    this.since = nowMs();
    this.transitions++;
    this.opts.onChange?.();
  }

  start(): void {
    const data: ReplayWorkerData = {
      dir: this.opts.dir,
      ring: this.ring,
      stats: this.statsBuffer,
      speed: this.opts.speed,
      ...(this.opts.from ? { from: this.opts.from } : {}),
      ...(this.opts.loop ? { loop: true } : {}),
    };
    const w = new Worker(this.opts.workerUrl, { workerData: data, name: 'replay' });
    this.worker = w;
    w.on('message', (m: FromReplay) => {
      if (m.type === 'opened') {
        for (const i of m.instruments)
          this.instruments.push({
            instrumentId: i.instrumentId,
            feedId: i.feedId,
            venue: venueOf(i.venue),
            symbol: i.symbol,
          });
        this.setState(FeedState.live);
      } else if (m.type === 'progress') {
        this.progress = m.progress;
        this.setState(m.progress.paused ? FeedState.idle : FeedState.live);
      } else if (m.type === 'error') {
        this.error = m.message;
        this.opts.onLog?.(`replay ${this.opts.dir}: ${m.message}`);
      } else if (m.type === 'done') {
        this.progress = m.progress;
        this.setState(FeedState.closed);
        this.finished();
      }
    });
    w.on('error', (err) => {
      this.error = err.message;
      this.opts.onLog?.(`replay worker failed: ${err.message}`);
      this.setState(FeedState.closed);
      this.finished();
    });
  }

  private send(m: ToReplay): void {
    this.worker?.postMessage(m);
  }

  pause(): void {
    this.send({ type: 'pause' });
  }

  resume(): void {
    this.send({ type: 'resume' });
  }

  setSpeed(speed: number | 'max'): void {
    this.send({ type: 'speed', speed });
  }

  seek(to: number): void {
    this.send({ type: 'seek', to });
  }

  status(): FeedStatus {
    return {
      feedId: this.config.feedId,
      venue: this.config.venue,
      state: this.state,
      reconnects: 0,
      transitions: this.transitions,
      since: this.since,
      messages: this.stats[0]!,
      name: this.config.name,
      url: this.config.url,
      counters: feedCounters(this.stats),
    };
  }

  // A replay has no connection: the feed commands do nothing.
  dropConnection(): void {}
  roll(): void {}
  resync(): void {}
  /** A replay's books come from the session: nothing to write. */
  writeBookImages(): void {}

  async stop(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.send({ type: 'stop' });
    await Promise.race([this.done, new Promise((r) => setTimeout(r, 2000))]);
    await w.terminate();
    this.worker = null;
  }
}
