/**
 * A deterministic session on a virtual clock: the simulator's seeded market model produces the
 * trades, seeded latency draws stamp their receive and read times, and the real ring, metrics
 * reader, buffer pool and frame publisher turn them into frames — the same code paths as live,
 * minus sockets and threads, whose timing no test can fix. Every run with the same seed yields the
 * same bytes, so the dashboard it feeds can be compared with screenshot baselines.
 *
 * All frames are computed up front (one per metrics interval); each new sink receives them all.
 */
import { FEED_COUNTER_COUNT, FeedState, type FeedStatus, type InstrumentInfo } from '../../common/frame.ts';
import { Off, RECORD_SIZE, RecordFlag, RecordKind, Venue } from '../../common/record.ts';
import { createRing, RingWriter } from '../../common/ring.ts';
import { createFeedStats, FEED_STAT_COUNT, FeedStat } from '../feeds/feed-protocol.ts';
import { normaliseBinanceSymbol } from '../feeds/symbols.ts';
import { ComponentRegistry } from '../metrics/components.ts';
import { MetricsReader } from '../metrics/metrics-reader.ts';
import { BufferPool } from '../pipeline/buffer-pool.ts';
import { FramePublisher } from '../publisher/frame-publisher.ts';
import type { FrameSink } from '../publisher/frame-sink.ts';
import { MarketReader } from '../publisher/market-reader.ts';
import { DEFAULT_SYMBOLS, MarketModel } from '../sim/market-model.ts';
import { Rng } from '../sim/rng.ts';

export interface VirtualSessionOptions {
  seed?: number;
  symbols?: string[];
  /** Mean trades per second. */
  rate?: number;
  /** Session length in seconds of virtual time. */
  seconds?: number;
  intervalMs?: number;
  /** Virtual start, epoch ms. */
  start?: number;
}

/** 2026-07-15 14:30:00 UTC: a fixed, plausible wall-clock start for the axis labels. */
export const VIRTUAL_START = Date.UTC(2026, 6, 15, 14, 30, 0);
const FEED_ID = 1;

export class VirtualSession {
  readonly frames: Uint8Array[];
  readonly end: number;

  private constructor(frames: Uint8Array[], end: number) {
    this.frames = frames;
    this.end = end;
  }

  get frameCount(): number {
    return this.frames.length;
  }

  static create(opts: VirtualSessionOptions): VirtualSession {
    const seed = opts.seed ?? 1;
    const symbols = opts.symbols ?? [...DEFAULT_SYMBOLS];
    const rate = opts.rate ?? 1000;
    const seconds = opts.seconds ?? 120;
    const intervalMs = opts.intervalMs ?? 250;
    const start = opts.start ?? VIRTUAL_START;

    const ring = createRing({ capacity: 1 << 14, maxReaders: 2, recordSize: RECORD_SIZE });
    const writer = new RingWriter(ring);
    const statsBuf = createFeedStats();
    const stats = new Float64Array(statsBuf, 0, FEED_STAT_COUNT);
    const pool = new BufferPool({ minSize: 512, maxSize: 64 * 1024, perClass: 4 });
    let clock = start;
    const metrics = new MetricsReader({ pool, start, clock: () => clock });
    metrics.addFeed(FEED_ID, ring, statsBuf);
    const market = new MarketReader();
    market.addRing(ring);
    const components = new ComponentRegistry();
    components.addRing('ring binance-sim', writer);
    components.addPool('frame pool', pool);
    const instruments: InstrumentInfo[] = symbols.map((s, i) => ({
      instrumentId: (FEED_ID << 16) | i,
      feedId: FEED_ID,
      venue: Venue.binance,
      symbol: normaliseBinanceSymbol(s),
    }));
    const feed: FeedStatus = {
      feedId: FEED_ID,
      venue: Venue.binance,
      state: FeedState.live,
      reconnects: 0,
      transitions: 3,
      since: start,
      messages: 0,
      name: 'binance-sim',
      url: 'ws://127.0.0.1/stream?timeUnit=MICROSECOND',
      counters: new Array<number>(FEED_COUNTER_COUNT).fill(0),
    };
    const publisher = new FramePublisher({
      metrics,
      market,
      components,
      pool,
      intervalMs,
      start,
      feeds: () => [{ ...feed, messages: stats[FeedStat.messages]! }],
      instruments: () => instruments,
    });
    const frames: Uint8Array[] = [];
    const keep = (f: Uint8Array): void => {
      frames.push(f.slice());
    };

    const model = new MarketModel({ seed, symbols, rate, start });
    const latency = new Rng(seed ^ 0x5eed);
    const symbolIndex = new Map(symbols.map((s, i) => [s, i]));
    const end = start + seconds * 1000;
    for (let t = start + intervalMs; t <= end; t += intervalMs) {
      model.advanceTo(t, (trade) => {
        // Wire: a lognormal around 0.9 ms with a heavy tail; pipeline: around 40 µs.
        const wire =
          0.9 * Math.exp(0.35 * latency.normal()) + (latency.uniform() < 0.002 ? 4 * latency.uniform() : 0);
        const pipe = 0.04 * Math.exp(0.5 * latency.normal());
        const receive = trade.time + wire;
        const bytes = 150 + trade.symbol.length * 2;
        stats[FeedStat.messages]! += 1;
        stats[FeedStat.bytes]! += bytes;
        if (writer.claim(1) !== 1) return;
        const at = writer.offsetOf(writer.nextIndex);
        const v = writer.data;
        v.setUint8(at + Off.kind, RecordKind.trade);
        v.setUint8(at + Off.venue, Venue.binance);
        v.setUint16(at + Off.flags, trade.buyerMaker ? RecordFlag.aggressorSell : 0, true);
        v.setUint16(at + Off.feedId, FEED_ID, true);
        v.setUint16(at + Off.connectionId, 1, true);
        v.setUint32(at + Off.instrumentId, (FEED_ID << 16) | symbolIndex.get(trade.symbol)!, true);
        v.setUint32(at + Off.wireBytes, bytes, true);
        v.setFloat64(at + Off.price, trade.price, true);
        v.setFloat64(at + Off.quantity, trade.quantity, true);
        v.setFloat64(at + Off.exchangeTime, trade.time, true);
        v.setFloat64(at + Off.receiveTime, receive, true);
        v.setFloat64(at + Off.sequence, trade.tradeId, true);
        v.setFloat64(at + Off.eventTime, receive, true);
        writer.publish(1);
        clock = receive + pipe;
        metrics.drain();
      });
      clock = t;
      publisher.tick(t, keep);
    }
    return new VirtualSession(frames, end);
  }

  /** Sends every frame of the session to the sink, in order. */
  addSink(sink: FrameSink): () => void {
    let i = 0;
    let stopped = false;
    const next = (): void => {
      if (stopped || i >= this.frames.length) return;
      if (sink.busy?.()) {
        setTimeout(next, 5);
        return;
      }
      sink.send(this.frames[i++]!, () => {});
      setImmediate(next);
    };
    setImmediate(next);
    return () => {
      stopped = true;
    };
  }
}
