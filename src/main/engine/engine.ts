/**
 * The engine: the composition root of everything that is not Electron. It starts the embedded
 * simulator when no feed is configured, one feed worker per feed (each writing its own ring), the
 * metrics reader on the main thread (woken by Atomics.waitAsync, so the pipeline stage measures
 * real hand-off latency), and the frame publisher. Electron, the headless host, the CLI and the
 * tests all run this same object under plain Node 24.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { nowMs } from '../../common/clock.ts';
import { enabledFeeds, type TickscopeConfig } from '../../common/config.ts';
import type { FeedStatus, InstrumentInfo } from '../../common/feed-model.ts';
import { Venue } from '../../common/record.ts';
import type { RingReader } from '../../common/ring.ts';
import { type FeedConfig, FeedHost } from '../feeds/feed-host.ts';
import type { FeedSource } from '../feeds/feed-source.ts';
import { ReplayHost, type ReplayOptions } from '../recorder/replay-host.ts';

export type { FeedSource };

import { VENUE_SPECS } from '../feeds/venues/registry.ts';
import { ComponentRegistry } from '../metrics/components.ts';
import { MetricsReader } from '../metrics/metrics-reader.ts';
import { BufferPool } from '../pipeline/buffer-pool.ts';
import { FramePublisher } from '../publisher/frame-publisher.ts';
import type { FrameSink } from '../publisher/frame-sink.ts';
import { MarketReader } from '../publisher/market-reader.ts';
import { DEFAULT_SYMBOLS } from '../sim/market-model.ts';
import { type SimHandle, SimThread } from '../sim/sim-thread.ts';
import { parseFaultSchedule, VenueSim } from '../sim/venue-sim.ts';

export interface SimSettings {
  rate: number | 'max';
  seed: number;
  symbols: string[];
}

export interface EngineConfig {
  /**
   * What to connect to (config file, command line, settings panel). With it, the engine connects
   * the enabled feeds, or when there is none runs the five-venue simulator (VenueSim) with one feed
   * per venue. Without it: `feeds`, or the simulator's trade-only Binance stream (tests and benchmarks).
   */
  config?: TickscopeConfig;
  /** Replay a recorded session instead of connecting anything. */
  replay?: Omit<ReplayOptions, 'onChange' | 'onLog'>;
  /** File URL of the feed worker entry (source .ts under Node, bundled .js in Electron). */
  feedWorkerUrl: URL;
  /** File URL of the simulator's worker entry; without it the simulator runs on the main thread. */
  simWorkerUrl?: URL;
  /** Feeds to connect. Empty or absent: one Binance feed on the embedded simulator. */
  feeds?: FeedConfig[];
  /** Simulator settings when it is used. */
  sim?: Partial<SimSettings>;
  /** Feed workers (connections) the symbols are spread over when the engine builds its feeds. */
  feedWorkers?: number;
  /** Frames per second to the UI (30–60). */
  fps?: number;
  /** Metrics interval in ms. */
  intervalMs?: number;
  /**
   * Build everything, but start no feed until `startFeeds()`: a recording attaches its lossless
   * readers in between, so it holds each feed's first record (a book snapshot arriving within
   * milliseconds of the connection) — a reader attached later starts where the ring is then.
   */
  holdFeeds?: boolean;
  log?: (line: string) => void;
}

/**
 * Frames a second to the UI. 60: a trade waits for the next frame, so at 30 the UI stage's median
 * alone was a frame longer (33 → 19 ms measured) and its p99 over the 50 ms target.
 */
export const DEFAULT_FPS = 60;

export const DEFAULT_SIM: SimSettings = {
  rate: 1000,
  seed: 1,
  symbols: [...DEFAULT_SYMBOLS],
};

/** Records one wake of the metrics reader handles before it yields to the event loop. */
const DRAIN_BUDGET = 4096;

export class Engine {
  readonly sim: SimHandle | null;
  /** Live feeds, or one replay of a recorded session. */
  readonly feeds: FeedSource[];
  readonly metrics: MetricsReader;
  readonly market: MarketReader;
  readonly components: ComponentRegistry;
  readonly pool: BufferPool;
  readonly publisher: FramePublisher;
  readonly fps: number;
  readonly intervalMs: number;
  private readonly log: (line: string) => void;
  private running = true;
  private readonly holdFeeds: boolean;
  private feedsStarted = false;
  private frameTimer: NodeJS.Timeout | null = null;
  private readonly loops: Promise<void>[] = [];
  /** The drain loops' readers, woken by stop(). */
  private readonly readers: RingReader[] = [];

  private constructor(cfg: EngineConfig, sim: SimHandle | null, feeds: FeedConfig[], replay?: ReplayHost) {
    this.sim = sim;
    this.log = cfg.log ?? (() => {});
    this.holdFeeds = cfg.holdFeeds === true;
    this.fps = clamp(cfg.fps ?? DEFAULT_FPS, 30, 60);
    this.intervalMs = cfg.intervalMs ?? 250;
    this.pool = new BufferPool({ minSize: 512, maxSize: 64 * 1024, perClass: 8 });
    this.metrics = new MetricsReader({ pool: this.pool });
    this.market = new MarketReader();
    this.components = new ComponentRegistry();
    this.components.addPool('frame pool', this.pool);
    this.publisher = new FramePublisher({
      metrics: this.metrics,
      market: this.market,
      components: this.components,
      pool: this.pool,
      feeds: () => this.feedStatuses(),
      instruments: () => this.instruments(),
      intervalMs: this.intervalMs,
      start: nowMs(),
    });
    const events = {
      onChange: () => this.publisher.markStateChanged(),
      onLog: (line: string) => this.log(line),
    };
    this.feeds = replay ? [replay] : feeds.map((f) => new FeedHost(f, cfg.feedWorkerUrl, events));
  }

  static async start(cfg: EngineConfig): Promise<Engine> {
    if (cfg.replay) {
      // The replay reports state changes to the publisher like a feed does.
      let engine: Engine | null = null;
      const replay = new ReplayHost({
        ...cfg.replay,
        onChange: () => engine?.publisher.markStateChanged(),
        onLog: (line) => cfg.log?.(line),
      });
      engine = new Engine(cfg, null, [], replay);
      engine.run();
      return engine;
    }
    if (cfg.config) return Engine.startConfigured(cfg, cfg.config);
    let sim: SimHandle | null = null;
    let feeds = cfg.feeds ?? [];
    if (feeds.length === 0) {
      const s = { ...DEFAULT_SIM, ...cfg.sim };
      const opts = { mode: 'trades' as const, port: 0, rate: s.rate, seed: s.seed, symbols: s.symbols };
      const log = cfg.log ?? (() => {});
      const started: SimHandle = cfg.simWorkerUrl
        ? await SimThread.start(cfg.simWorkerUrl, opts, log)
        : await VenueSim.start({ ...opts, log }).then(venueSimHandle);
      sim = started;
      const where = cfg.simWorkerUrl ? 'its own thread' : 'the main thread';
      log(
        `simulator: Binance spot protocol on ${started.url} at ${s.rate} trades/s (seed ${s.seed}), on ${where}`,
      );
      feeds = splitFeeds('binance-sim', started.url, s.symbols, cfg.feedWorkers ?? 1);
    }
    const engine = new Engine(cfg, sim, feeds);
    engine.run();
    return engine;
  }

  private static async startConfigured(cfg: EngineConfig, config: TickscopeConfig): Promise<Engine> {
    const log = cfg.log ?? (() => {});
    const live = enabledFeeds(config);
    if (live.length > 0) {
      const feeds = live.map((f, i) => {
        const spec = VENUE_SPECS[f.venue];
        const same = live.filter((g) => g.venue === f.venue).length > 1;
        return {
          feedId: i + 1,
          venue: spec.venue,
          name: same ? `${f.venue}-${i + 1}` : f.venue,
          url: f.url ?? spec.defaultUrl,
          ...(f.restUrl ? { restUrl: f.restUrl } : {}),
          symbols: f.symbols.map((s) => spec.venueSymbol(s)),
          books: f.books !== false,
        } satisfies FeedConfig;
      });
      log(`feeds: ${live.map((f) => `${f.venue} ${f.symbols.join(',')}`).join('; ')}`);
      const engine = new Engine(cfg, null, feeds);
      engine.run();
      return engine;
    }
    const s = config.simulator;
    const opts = {
      port: 0,
      venues: [...s.venues],
      symbols: [...s.symbols],
      rate: s.rate,
      seed: s.seed,
      ...(s.faults ? { faults: parseFaultSchedule(s.faults, 30_000) } : {}),
    };
    const sim: SimHandle = cfg.simWorkerUrl
      ? await SimThread.start(cfg.simWorkerUrl, opts, log)
      : await VenueSim.start({ ...opts, log }).then(venueSimHandle);
    const urls = sim.urls;
    log(
      `simulator: ${s.venues.join(', ')} on ${sim.url} at ${s.rate} events/s a venue (seed ${s.seed})${s.faults ? `, faults ${s.faults}` : ''}`,
    );
    const feeds = s.venues.map((v, i) => {
      const spec = VENUE_SPECS[v];
      return {
        feedId: i + 1,
        venue: spec.venue,
        name: `${v}-sim`,
        url: urls[v].ws,
        ...(urls[v].rest ? { restUrl: urls[v].rest } : {}),
        symbols: s.symbols.map((x) => spec.venueSymbol(x)),
      } satisfies FeedConfig;
    });
    const engine = new Engine(cfg, sim, feeds);
    engine.run();
    return engine;
  }

  private run(): void {
    for (const feed of this.feeds) {
      const reader = this.metrics.addFeed(feed.config.feedId, feed.ring, feed.statsBuffer);
      this.market.addRing(feed.ring);
      this.components.addRing(`ring ${feed.config.name}`, reader);
      this.readers.push(reader);
      this.loops.push(this.drainLoop(reader));
    }
    this.frameTimer = setInterval(() => this.publisher.tick(nowMs()), 1000 / this.fps);
    if (!this.holdFeeds) this.startFeeds();
  }

  /** Starts the feeds (once); for an engine started with `holdFeeds`, after its readers attached. */
  startFeeds(): void {
    if (this.feedsStarted || !this.running) return;
    this.feedsStarted = true;
    for (const feed of this.feeds) feed.start();
  }

  /** Wakes on the ring's write index (Atomics.waitAsync) and drains; yields between batches. */
  private async drainLoop(reader: RingReader): Promise<void> {
    while (this.running) {
      const n = await reader.waitAsync(100);
      if (!this.running) break;
      if (n === 0) continue;
      this.metrics.drainOne(reader, DRAIN_BUDGET);
      if (reader.available() > 0) await yieldToLoop();
    }
  }

  addSink(sink: FrameSink): () => void {
    return this.publisher.addSink(sink);
  }

  feedStatuses(): FeedStatus[] {
    return this.feeds.map((f) => f.status());
  }

  instruments(): InstrumentInfo[] {
    return this.feeds.flatMap((f) => f.instruments);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.frameTimer) clearInterval(this.frameTimer);
    // The drain loops sleep in waitAsync, whose timeout does not hold the event loop: with the
    // feeds quiet and then gone, nothing would, and the process would exit with this stop
    // unsettled. Woken now, each sees `running` false and ends.
    for (const reader of this.readers) reader.wake();
    await Promise.all(this.feeds.map((f) => f.stop()));
    await Promise.all(this.loops);
    await this.sim?.close();
  }
}

/**
 * Spreads symbols round-robin over `workers` Binance feeds (one worker thread, connection and ring
 * each), so that one busy connection does not hold the others back.
 */
export function splitFeeds(
  name: string,
  url: string,
  symbols: readonly string[],
  workers: number,
): FeedConfig[] {
  const n = Math.max(1, Math.min(workers, symbols.length));
  return Array.from({ length: n }, (_, i) => ({
    feedId: i + 1,
    venue: Venue.binance,
    name: n === 1 ? name : `${name}-${i + 1}`,
    url,
    symbols: symbols.filter((_, k) => k % n === i),
  }));
}

/** The in-thread VenueSim behind the SimHandle surface (tests without a worker URL). */
function venueSimHandle(sim: VenueSim): SimHandle {
  return {
    url: sim.baseUrl,
    urls: sim.urls,
    dropConnections: () => void sim.inject('disconnect'),
    injectFault: (fault, venue) => void sim.inject(fault, venue),
    close: () => sim.close(),
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
