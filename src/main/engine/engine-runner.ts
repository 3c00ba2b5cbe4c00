/**
 * Keeps one engine running for the configuration in force and swaps it when the configuration
 * changes (settings panel, IPC, POST /api/config): the new engine starts first, the frame sinks
 * move over, then the old one stops — if the new one cannot start, the old one keeps running and
 * the caller gets the reason. Changes are applied one at a time, validated, and saved.
 */
import type { ConfigReply, FeedCommand, FeedCommandReply } from '../../common/api.ts';
import { parseConfig, type TickscopeConfig } from '../../common/config.ts';
import { saveConfig } from '../config/config-file.ts';
import type { FrameSink } from '../publisher/frame-sink.ts';
import { Engine, type EngineConfig } from './engine.ts';

export type RunnerBase = Omit<EngineConfig, 'config' | 'feeds' | 'sim'>;

export class EngineRunner {
  engine: Engine;
  config: TickscopeConfig;
  /** Where changes are saved (null: not saved, e.g. a --config-less test run). */
  readonly savePath: string | null;
  private readonly base: RunnerBase;
  private readonly sinks = new Map<FrameSink, () => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  private constructor(base: RunnerBase, engine: Engine, config: TickscopeConfig, savePath: string | null) {
    this.base = base;
    this.engine = engine;
    this.config = config;
    this.savePath = savePath;
  }

  static async start(
    base: RunnerBase,
    config: TickscopeConfig,
    savePath: string | null,
  ): Promise<EngineRunner> {
    const engine = await Engine.start({ ...base, config });
    return new EngineRunner(base, engine, config, savePath);
  }

  addSink(sink: FrameSink): () => void {
    this.sinks.set(sink, this.engine.addSink(sink));
    return () => {
      this.sinks.get(sink)?.();
      this.sinks.delete(sink);
    };
  }

  /** Validates untrusted input, applies it and saves it; never throws. */
  apply(input: unknown): Promise<ConfigReply> {
    const run = this.queue.then(() => this.applyNow(input));
    this.queue = run.catch(() => {});
    return run;
  }

  private async applyNow(input: unknown): Promise<ConfigReply> {
    if (this.stopped) return { ok: false, errors: ['the engine is stopping'] };
    const parsed = parseConfig(input);
    if (!parsed.ok) return parsed;
    const log = this.base.log ?? (() => {});
    let next: Engine;
    try {
      next = await Engine.start({ ...this.base, config: parsed.config });
    } catch (err) {
      return { ok: false, errors: [`could not start: ${(err as Error).message}`] };
    }
    const old = this.engine;
    this.engine = next;
    this.config = parsed.config;
    // One unbroken frame stream for the page: the new engine numbers on from the old one.
    next.publisher.continueFrom(old.publisher.nextSeq);
    for (const [sink, remove] of this.sinks) {
      remove();
      this.sinks.set(sink, next.addSink(sink));
    }
    await old.stop();
    log('configuration applied');
    let savedTo: string | null = null;
    if (this.savePath) {
      try {
        await saveConfig(this.savePath, parsed.config);
        savedTo = this.savePath;
      } catch (err) {
        log(`configuration applied but not saved: ${(err as Error).message}`);
        return {
          ok: false,
          errors: [`applied, but saving ${this.savePath} failed: ${(err as Error).message}`],
        };
      }
    }
    return { ok: true, config: parsed.config, savedTo };
  }

  /** A command to one feed of the running engine. */
  feedCommand(feedId: number, command: FeedCommand): FeedCommandReply {
    const feed = this.engine.feeds.find((f) => f.config.feedId === feedId);
    if (!feed) return { ok: false, error: `no feed ${feedId}` };
    if (command === 'reconnect') feed.dropConnection();
    else if (command === 'roll') feed.roll();
    else feed.resync();
    return { ok: true };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue;
    await this.engine.stop();
  }
}
