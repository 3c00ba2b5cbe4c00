/**
 * Main-thread side of one feed: allocates the feed's ring and shared counters, starts the feed
 * worker, and keeps what the UI needs to know about it — connection state, reconnects, the
 * instruments it has seen, the first sample of each kind of malformed input. A worker that dies
 * is reported and restarted after a pause; it never takes the engine down.
 */
import { Worker } from 'node:worker_threads';
import { nowMs } from '../../common/clock.ts';
import {
  FEED_COUNTER_COUNT,
  FeedCounter,
  type FeedState,
  type FeedStatus,
  FeedState as FS,
  type InstrumentInfo,
} from '../../common/feed-model.ts';
import { RECORD_SIZE } from '../../common/record.ts';
import { createRing } from '../../common/ring.ts';
import {
  createFeedStats,
  FEED_STAT_COUNT,
  type FeedControlMessage,
  FeedStat,
  type FeedWorkerData,
  type FeedWorkerMessage,
} from './feed-protocol.ts';
import type { FeedSource } from './feed-source.ts';
import { specOfVenue } from './venues/registry.ts';

export interface FeedConfig {
  feedId: number;
  venue: number;
  name: string;
  url: string;
  /** REST base for book snapshots (Binance); the venue's default if absent. */
  restUrl?: string;
  symbols: string[];
  /** L2 books and top of book besides trades (default true). */
  books?: boolean;
  bookDepth?: number;
  /** Connection lifetime to roll over ahead of (tests shorten it); the venue's own if absent. */
  maxConnectionAgeMs?: number;
  rollAheadMs?: number;
  /** Application ping interval (the venue's if absent). */
  pingEveryMs?: number;
  ringCapacity?: number;
  /** Ring reader slots: metrics, publisher, recorder, tests. */
  maxReaders?: number;
  connectTimeoutMs?: number;
  staleAfterMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  maxPayloadBytes?: number;
}

export interface FeedEvents {
  onChange(): void;
  onLog(line: string): void;
}

const RESTART_AFTER_MS = 1000;

export class FeedHost implements FeedSource {
  readonly config: FeedConfig;
  readonly ring: SharedArrayBuffer;
  readonly statsBuffer: SharedArrayBuffer;
  readonly stats: Float64Array;
  readonly instruments: InstrumentInfo[] = [];
  state: FeedState = FS.idle;
  stateSince = nowMs();
  stateDetail = '';
  url: string;
  workerRestarts = 0;
  /** The most recent socket or venue error, for the UI and logs. */
  lastError = '';
  readonly malformedSamples = new Map<string, string>();
  private worker: Worker | null = null;
  private readonly workerUrl: URL;
  private readonly events: FeedEvents;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(config: FeedConfig, workerUrl: URL, events: FeedEvents) {
    this.config = config;
    this.workerUrl = workerUrl;
    this.events = events;
    this.url = config.url;
    this.ring = createRing({
      capacity: config.ringCapacity ?? 1 << 16,
      maxReaders: config.maxReaders ?? 8,
      recordSize: RECORD_SIZE,
    });
    this.statsBuffer = createFeedStats();
    this.stats = new Float64Array(this.statsBuffer, 0, FEED_STAT_COUNT);
  }

  start(): void {
    const c = this.config;
    const data: FeedWorkerData = {
      feedId: c.feedId,
      venue: c.venue,
      name: c.name,
      url: c.url,
      ...(c.restUrl ? { restUrl: c.restUrl } : {}),
      symbols: c.symbols,
      books: c.books !== false,
      bookDepth: c.bookDepth ?? 0,
      maxConnectionAgeMs: c.maxConnectionAgeMs ?? 0,
      pingEveryMs: c.pingEveryMs ?? 0,
      ...(c.rollAheadMs !== undefined ? { rollAheadMs: c.rollAheadMs } : {}),
      ring: this.ring,
      stats: this.statsBuffer,
      connectTimeoutMs: c.connectTimeoutMs ?? 10_000,
      staleAfterMs: c.staleAfterMs ?? specOfVenue(c.venue).staleAfterMs,
      backoffInitialMs: c.backoffInitialMs ?? 250,
      backoffMaxMs: c.backoffMaxMs ?? 30_000,
      maxPayloadBytes: c.maxPayloadBytes ?? 1 << 20,
    };
    const w = new Worker(this.workerUrl, { workerData: data, name: `feed-${c.feedId}-${c.name}` });
    this.worker = w;
    w.on('message', (m: FeedWorkerMessage) => this.onMessage(m));
    w.on('error', (err) => this.events.onLog(`feed ${c.name}: worker error: ${err.message}`));
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = null;
      if (this.stopping) return;
      this.workerRestarts++;
      this.setState(FS.closed, `worker exited with code ${code}; restarting`);
      this.restartTimer = setTimeout(() => this.start(), RESTART_AFTER_MS);
    });
  }

  private onMessage(m: FeedWorkerMessage): void {
    switch (m.type) {
      case 'state':
        this.url = m.url;
        this.setState(m.state, m.detail ?? '', m.at);
        break;
      case 'instrument':
        this.instruments.push({
          instrumentId: m.instrumentId,
          feedId: this.config.feedId,
          venue: this.config.venue,
          symbol: m.symbol,
        });
        this.events.onChange();
        break;
      case 'malformed':
        if (!this.malformedSamples.has(m.reason)) {
          this.malformedSamples.set(m.reason, m.sample);
          this.events.onLog(`feed ${this.config.name}: ${m.reason}: ${m.sample.slice(0, 120)}`);
        }
        break;
      case 'error':
        // Reconnect loops repeat the same error; say each distinct one once.
        if (m.message !== this.lastError) {
          this.lastError = m.message;
          this.events.onLog(`feed ${this.config.name}: ${m.message}`);
        }
        break;
      case 'stopped':
        break;
    }
  }

  /** State changes since start, for the UI and the summary. */
  transitions = 0;

  private setState(state: FeedState, detail: string, at = nowMs()): void {
    if (state !== this.state) this.transitions++;
    this.state = state;
    this.stateSince = at;
    this.stateDetail = detail;
    this.events.onChange();
  }

  status(): FeedStatus {
    return {
      feedId: this.config.feedId,
      venue: this.config.venue,
      state: this.state,
      reconnects: this.stats[FeedStat.reconnects]!,
      transitions: this.transitions,
      since: this.stateSince,
      messages: this.stats[FeedStat.messages]!,
      name: this.config.name,
      url: this.url,
      counters: feedCounters(this.stats),
    };
  }

  /** A planned roll-over now: the next connection opens before the current one closes. */
  roll(): void {
    this.worker?.postMessage({ type: 'roll' } satisfies FeedControlMessage);
  }

  /** Fresh snapshots of every book (a resubscribe, or Binance's REST snapshot). */
  resync(): void {
    this.worker?.postMessage({ type: 'resync' } satisfies FeedControlMessage);
  }

  writeBookImages(): void {
    this.worker?.postMessage({ type: 'book-images' } satisfies FeedControlMessage);
  }

  /** Fault injection for tests and the UI: drop the socket, the worker reconnects. */
  dropConnection(): void {
    this.worker?.postMessage({ type: 'drop-connection' } satisfies FeedControlMessage);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const w = this.worker;
    if (!w) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void w.terminate().then(() => resolve()), 2000);
      w.on('message', (m: FeedWorkerMessage) => {
        if (m.type === 'stopped') {
          clearTimeout(timer);
          void w.terminate().then(() => resolve());
        }
      });
      w.postMessage({ type: 'stop' } satisfies FeedControlMessage);
    });
    this.worker = null;
  }
}

/** The UI's per-feed counters from the worker's shared ones. */
export function feedCounters(s: Float64Array): number[] {
  const c = new Array<number>(FEED_COUNTER_COUNT).fill(0);
  c[FeedCounter.trades] = s[FeedStat.trades]!;
  c[FeedCounter.bookUpdates] = s[FeedStat.bookUpdates]!;
  c[FeedCounter.topOfBook] = s[FeedStat.tops]!;
  c[FeedCounter.gaps] = s[FeedStat.gaps]!;
  c[FeedCounter.resyncs] = s[FeedStat.resyncs]!;
  c[FeedCounter.checksumErrors] = s[FeedStat.checksumErrors]!;
  c[FeedCounter.malformed] = s[FeedStat.malformed]!;
  c[FeedCounter.dropped] = s[FeedStat.dropped]!;
  c[FeedCounter.rolls] = s[FeedStat.rolls]!;
  c[FeedCounter.lastConnectMs] = s[FeedStat.lastConnectMs]!;
  c[FeedCounter.heartbeats] = s[FeedStat.heartbeats]!;
  for (let k = 0; k < 7; k++) c[FeedCounter.timeIn + k] = s[FeedStat.timeIn + k]!;
  return c;
}
