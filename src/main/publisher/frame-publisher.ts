/**
 * The UI publisher: 30–60 times a second it builds one binary frame — the metrics interval that
 * closed since the last frame, connection states and the instrument table when they changed (and
 * once a second for late joiners), the market figures and the books and trades, and with each
 * metrics interval the latency stages' bucket counts (HISTOGRAM) — encodes it into a pooled buffer and
 * hands it to every sink. The buffer returns to the pool when the last sink is done with it.
 *
 * Time is passed in, so the same publisher runs on the wall clock (live) or on a virtual clock
 * (deterministic sessions for screenshot tests).
 */

import type { FeedStatus, InstrumentInfo } from '../../common/feed-model.ts';
import { encodeFrame, type FrameParts, type MarketTick, measureFrame } from '../../common/frame.ts';
import type { ComponentRegistry } from '../metrics/components.ts';
import type { MetricsReader } from '../metrics/metrics-reader.ts';
import type { BufferPool } from '../pipeline/buffer-pool.ts';
import type { FrameSink } from './frame-sink.ts';
import type { MarketReader } from './market-reader.ts';

export interface PublisherOptions {
  metrics: MetricsReader;
  /** The publisher's own (lossy) readers on the feeds' rings, for the market figures. */
  market: MarketReader;
  /** Rings, pools and dispatchers reported with every metrics section. */
  components?: ComponentRegistry;
  pool: BufferPool;
  feeds: () => FeedStatus[];
  instruments: () => InstrumentInfo[];
  /** Metrics interval length; one METRICS section per interval. */
  intervalMs: number;
  /** Time of the first interval's start. */
  start: number;
}

/** State sections are repeated this often even without a change, for sinks that missed one. */
const STATE_REFRESH_MS = 1000;

export interface PublisherStats {
  frames: number;
  bytes: number;
  /** Frames not sent to a sink because it was still busy with earlier ones. */
  skippedBusy: number;
  sinks: number;
}

export class FramePublisher {
  private readonly opts: PublisherOptions;
  private readonly sinks: FrameSink[] = [];
  private seq = 0;
  private nextIntervalAt: number;
  private stateDirty = true;
  private lastStateAt = Number.NEGATIVE_INFINITY;
  private readonly parts: FrameParts = { seq: 0, time: 0 };
  private readonly market: { count: number; ticks: readonly MarketTick[] } = { count: 0, ticks: [] };
  readonly stats: PublisherStats = { frames: 0, bytes: 0, skippedBusy: 0, sinks: 0 };

  /** The sequence number the next frame will carry. */
  get nextSeq(): number {
    return this.seq;
  }

  /**
   * Continues another publisher's numbering (an engine replaced after a configuration change), so
   * that the page sees one unbroken stream and does not count missing frames.
   */
  continueFrom(nextSeq: number): void {
    this.seq = nextSeq >>> 0;
    this.stateDirty = true;
  }

  constructor(opts: PublisherOptions) {
    this.opts = opts;
    this.nextIntervalAt = opts.start + opts.intervalMs;
  }

  /** Adds a sink; it gets full state in the next frame. Returns a function that removes it. */
  addSink(sink: FrameSink): () => void {
    this.sinks.push(sink);
    this.stats.sinks = this.sinks.length;
    this.stateDirty = true;
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i >= 0) this.sinks.splice(i, 1);
      this.stats.sinks = this.sinks.length;
    };
  }

  /** Connection states or instruments changed: send them in the next frame. */
  markStateChanged(): void {
    this.stateDirty = true;
  }

  /**
   * Builds the frame for time `now`, sends it to every sink and returns its byte length. `onFrame`
   * sees the encoded bytes before they go back to the pool (for recording frames in tests).
   */
  tick(now: number, onFrame?: (frame: Uint8Array) => void): number {
    const o = this.opts;
    const p = this.parts;
    o.metrics.drain();
    p.seq = this.seq++;
    p.time = now;
    p.metrics = undefined;
    p.components = undefined;
    p.histograms = undefined;
    if (now >= this.nextIntervalAt) {
      p.metrics = o.metrics.closeInterval(now);
      p.histograms = o.metrics.histograms;
      p.components = o.components?.snapshot();
      // Keep interval boundaries on the grid; after a stall, skip ahead rather than burst.
      this.nextIntervalAt += o.intervalMs;
      if (this.nextIntervalAt <= now) this.nextIntervalAt = now + o.intervalMs;
    }
    const sendState = this.stateDirty || now - this.lastStateAt >= STATE_REFRESH_MS;
    if (sendState) {
      p.feeds = o.feeds();
      p.instruments = o.instruments();
      this.stateDirty = false;
      this.lastStateAt = now;
    } else {
      p.feeds = undefined;
      p.instruments = undefined;
    }
    o.market.drain();
    this.market.ticks = o.market.ticks;
    this.market.count = o.market.ticks.length;
    p.market = this.market;
    p.book = o.market.bookSection();

    const size = measureFrame(p);
    const buf = o.pool.acquire(size);
    const len = encodeFrame(buf, p);
    const frame = buf.subarray(0, len);
    this.stats.frames++;
    this.stats.bytes += len;
    onFrame?.(frame);
    let pending = 1;
    const pool = o.pool;
    const done = (): void => {
      if (--pending === 0) pool.release(buf);
    };
    for (let i = 0; i < this.sinks.length; i++) {
      const sink = this.sinks[i]!;
      if (sink.busy?.()) {
        this.stats.skippedBusy++;
        // A skipped sink may have missed state: resend it next frame.
        if (sendState) this.stateDirty = true;
        continue;
      }
      pending++;
      try {
        sink.send(frame, done);
      } catch {
        done();
      }
    }
    done();
    return len;
  }
}
