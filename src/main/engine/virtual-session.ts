/**
 * A deterministic session on a virtual clock: the simulator's seeded order-book model produces
 * each venue's trades and book changes (one market: every venue's books follow the same prices,
 * each venue at its own activity and lag), seeded latency draws stamp their receive and read times,
 * and the real rings, metrics reader, market reader, buffer pool and frame publisher turn them into
 * frames — the same code paths as live, minus sockets and threads, whose timing no test can fix.
 * A scripted outage (one feed goes stale, backs off, reconnects and resyncs its books) shows the
 * connection states. Every run with the same seed yields the same bytes, so the dashboard it feeds
 * can be compared with screenshot baselines.
 *
 * All frames are computed up front (one per metrics interval); each new sink receives them all.
 */

import { FeedState, type FeedStatus, type InstrumentInfo, Stream } from '../../common/feed-model.ts';
import { Off, RECORD_SIZE, RecordFlag, RecordKind, venueOf } from '../../common/record.ts';
import { createRing, RingWriter } from '../../common/ring.ts';
import { VENUE_NAMES, type VenueName } from '../../common/venues.ts';
import { feedCounters } from '../feeds/feed-host.ts';
import { createFeedStats, FEED_STAT_COUNT, FeedStat } from '../feeds/feed-protocol.ts';
import { ComponentRegistry } from '../metrics/components.ts';
import { MetricsReader } from '../metrics/metrics-reader.ts';
import { BufferPool } from '../pipeline/buffer-pool.ts';
import { FramePublisher } from '../publisher/frame-publisher.ts';
import type { FrameSink } from '../publisher/frame-sink.ts';
import { MarketReader } from '../publisher/market-reader.ts';
import {
  ASK,
  BID,
  type Book,
  type BookEvent,
  BookModel,
  type Instrument,
  makeInstruments,
} from '../sim/book-model.ts';
import { Rng } from '../sim/rng.ts';

export interface VirtualSessionOptions {
  seed?: number;
  symbols?: string[];
  venues?: VenueName[];
  /** Mean market events (trades, adds, cancels, modifies) per second, per venue. */
  rate?: number;
  /** Session length in seconds of virtual time. */
  seconds?: number;
  intervalMs?: number;
  /** Virtual start, epoch ms. */
  start?: number;
  /** The scripted outage: which venue, when (seconds from start); null for none. */
  outage?: { venue: VenueName; at: number } | null;
}

/** 2026-07-15 14:30:00 UTC: a fixed, plausible wall-clock start for the axis labels. */
export const VIRTUAL_START = Date.UTC(2026, 6, 15, 14, 30, 0);
export const VIRTUAL_VENUES: readonly VenueName[] = VENUE_NAMES;
export const VIRTUAL_SYMBOLS: readonly string[] = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'];
/** Levels a side of the snapshots the session's feeds start (and resync) from. */
const SNAPSHOT_DEPTH = 50;
/** The outage's phases in ms: stale, backoff, connecting, subscribing; then live again. */
const OUTAGE_PHASES: readonly [FeedState, number][] = [
  [FeedState.stale, 1500],
  [FeedState.backoff, 1800],
  [FeedState.connecting, 450],
  [FeedState.subscribing, 250],
];
/** Each venue's share of the session's event rate, so their throughput lines are told apart. */
const VENUE_ACTIVITY: readonly number[] = [1.25, 0.8, 0.55, 1.0, 0.7];
/** Typical wire sizes per venue (bytes of a trade message, of a book message); others: OTHER_WIRE. */
const WIRE_BYTES: Partial<Record<VenueName, readonly [number, number]>> = {
  binance: [172, 260],
  coinbase: [330, 290],
  kraken: [205, 240],
  bybit: [250, 235],
  okx: [265, 300],
};

const OTHER_WIRE: readonly [number, number] = [250, 250];

interface VirtualFeed {
  feedId: number;
  venue: VenueName;
  /** The venue's position in the market model's `venues`. */
  index: number;
  writer: RingWriter;
  stats: Float64Array;
  latency: Rng;
  status: FeedStatus;
  instrumentBase: number;
  connectionId: number;
}

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
    const instrumentsSpec = makeInstruments(opts.symbols ?? [...VIRTUAL_SYMBOLS]);
    const venues = opts.venues ?? [...VIRTUAL_VENUES];
    const rate = opts.rate ?? 400;
    const seconds = opts.seconds ?? 300;
    const intervalMs = opts.intervalMs ?? 250;
    const start = opts.start ?? VIRTUAL_START;
    const outage =
      opts.outage === undefined
        ? { venue: venues[Math.min(2, venues.length - 1)]!, at: seconds * 0.6 }
        : opts.outage;

    const pool = new BufferPool({ minSize: 512, maxSize: 64 * 1024, perClass: 4 });
    let clock = start;
    const metrics = new MetricsReader({ pool, start, clock: () => clock });
    const market = new MarketReader();
    const components = new ComponentRegistry();
    const instruments: InstrumentInfo[] = [];
    const feeds: VirtualFeed[] = venues.map((venue, i) => {
      const feedId = i + 1;
      const ring = createRing({ capacity: 1 << 15, maxReaders: 2, recordSize: RECORD_SIZE });
      const writer = new RingWriter(ring);
      const statsBuf = createFeedStats();
      metrics.addFeed(feedId, ring, statsBuf);
      market.addRing(ring);
      components.addRing(`ring ${venue}-sim`, writer);
      for (const inst of instrumentsSpec)
        instruments.push({
          instrumentId: (feedId << 16) | inst.index,
          feedId,
          venue: venueOf(venue),
          symbol: inst.id,
        });
      return {
        feedId,
        venue,
        index: i,
        writer,
        stats: new Float64Array(statsBuf, 0, FEED_STAT_COUNT),
        latency: new Rng((seed ^ 0x5eed) + i * 7919),
        status: {
          feedId,
          venue: venueOf(venue),
          state: FeedState.live,
          reconnects: 0,
          transitions: 3,
          since: start,
          messages: 0,
          name: `${venue}-sim`,
          url: `ws://127.0.0.1/${venue}`,
          counters: [],
        },
        instrumentBase: feedId << 16,
        connectionId: 1,
      };
    });
    // One market for every venue, each at its own share of the activity.
    const model = new BookModel({
      seed,
      instruments: instrumentsSpec,
      venues,
      activity: venues.map((_, i) => VENUE_ACTIVITY[i % VENUE_ACTIVITY.length]!),
      rate,
      start,
    });
    components.addPool('frame pool', pool);
    const publisher = new FramePublisher({
      metrics,
      market,
      components,
      pool,
      intervalMs,
      start,
      feeds: () =>
        feeds.map((f) => ({
          ...f.status,
          messages: f.stats[FeedStat.messages]!,
          counters: feedCounters(f.stats),
        })),
      instruments: () => instruments,
    });
    const frames: Uint8Array[] = [];
    const keep = (f: Uint8Array): void => {
      frames.push(f.slice());
    };

    /** Writes one record; the metrics reader reads it at receive + pipeline latency. */
    const write = (
      f: VirtualFeed,
      kind: number,
      flags: number,
      inst: number,
      price: number,
      qty: number,
      exchangeTime: number,
      receive: number,
      sequence: number,
      bytes: number,
      pipe: number,
    ): void => {
      const w = f.writer;
      if (w.claim(1) !== 1) return;
      const at = w.offsetOf(w.nextIndex);
      const v = w.data;
      v.setUint8(at + Off.kind, kind);
      v.setUint8(at + Off.venue, venueOf(f.venue));
      v.setUint16(at + Off.flags, flags, true);
      v.setUint16(at + Off.feedId, f.feedId, true);
      v.setUint16(at + Off.connectionId, f.connectionId, true);
      v.setUint32(at + Off.instrumentId, f.instrumentBase | inst, true);
      v.setUint32(at + Off.wireBytes, bytes, true);
      v.setFloat64(at + Off.price, price, true);
      v.setFloat64(at + Off.quantity, qty, true);
      v.setFloat64(at + Off.exchangeTime, exchangeTime, true);
      v.setFloat64(at + Off.receiveTime, receive, true);
      v.setFloat64(at + Off.sequence, sequence, true);
      v.setFloat64(at + Off.eventTime, receive, true);
      w.publish(1);
      clock = receive + pipe;
      metrics.drain();
    };

    /** Wire: a lognormal around 0.9 ms with a heavy tail (per venue a little apart); pipeline ≈ 40 µs. */
    const wireOf = (f: VirtualFeed): number =>
      (0.6 + 0.15 * f.feedId) * Math.exp(0.35 * f.latency.normal()) +
      (f.latency.uniform() < 0.002 ? 4 * f.latency.uniform() : 0);
    const pipeOf = (f: VirtualFeed): number => 0.04 * Math.exp(0.5 * f.latency.normal());

    const snapshot = (f: VirtualFeed, at: number): void => {
      const receive = at + wireOf(f);
      f.stats[FeedStat.messages]! += instrumentsSpec.length;
      f.stats[FeedStat.streamMessages + Stream.book]! += instrumentsSpec.length;
      for (const inst of instrumentsSpec) {
        const book: Book = model.book(f.index, inst.index);
        const bytes = 40 * SNAPSHOT_DEPTH;
        f.stats[FeedStat.bytes]! += bytes;
        f.stats[FeedStat.streamBytes + Stream.book]! += bytes;
        f.stats[FeedStat.snapshots]! += 1;
        f.stats[FeedStat.bookUpdates]! += 1;
        write(
          f,
          RecordKind.bookReset,
          RecordFlag.snapshot,
          inst.index,
          0,
          0,
          at,
          receive,
          0,
          bytes,
          pipeOf(f),
        );
        for (const side of [BID, ASK] as const) {
          const s = book.sides[side];
          const flag = RecordFlag.snapshot | (side === BID ? RecordFlag.bid : 0);
          for (let k = 0; k < Math.min(SNAPSHOT_DEPTH, s.size); k++) {
            const p = s.prices[k]!;
            write(
              f,
              RecordKind.bookDelta,
              flag,
              inst.index,
              px(inst, p),
              qx(inst, s.qty.get(p)!),
              at,
              receive,
              0,
              0,
              pipeOf(f),
            );
          }
        }
      }
    };

    const onEvent = (f: VirtualFeed, ev: BookEvent, live: boolean): void => {
      if (!live) return; // the feed is down: what happens now is never received
      const inst = ev.inst;
      const [tradeBytes, bookBytes] = WIRE_BYTES[f.venue] ?? OTHER_WIRE;
      const receive = ev.time + wireOf(f);
      for (const t of ev.trades) {
        f.stats[FeedStat.messages]! += 1;
        f.stats[FeedStat.bytes]! += tradeBytes;
        f.stats[FeedStat.streamMessages + Stream.trades]! += 1;
        f.stats[FeedStat.streamBytes + Stream.trades]! += tradeBytes;
        f.stats[FeedStat.trades]! += 1;
        const flags = t.taker === 'sell' ? RecordFlag.aggressorSell : 0;
        write(
          f,
          RecordKind.trade,
          flags,
          inst.index,
          px(inst, t.price),
          qx(inst, t.qty),
          ev.time,
          receive,
          t.tradeId,
          tradeBytes,
          pipeOf(f),
        );
      }
      if (ev.changes.length > 0) {
        f.stats[FeedStat.messages]! += 1;
        f.stats[FeedStat.bytes]! += bookBytes;
        f.stats[FeedStat.streamMessages + Stream.book]! += 1;
        f.stats[FeedStat.streamBytes + Stream.book]! += bookBytes;
        f.stats[FeedStat.bookUpdates]! += 1;
        for (const c of ev.changes) {
          const flags = c.side === BID ? RecordFlag.bid : 0;
          write(
            f,
            RecordKind.bookDelta,
            flags,
            inst.index,
            px(inst, c.price),
            qx(inst, c.qty),
            ev.time,
            receive,
            ev.seq,
            bookBytes,
            pipeOf(f),
          );
        }
      }
    };

    const setState = (f: VirtualFeed, state: FeedState, at: number): void => {
      f.stats[FeedStat.timeIn + f.status.state]! += at - f.status.since;
      f.stats[FeedStat.transitions]! += 1;
      f.status.state = state;
      f.status.since = at;
      f.status.transitions += 1;
      publisher.markStateChanged();
    };

    // The scripted outage as a timeline of (time, state) for one feed.
    const down = outage ? feeds.find((f) => f.venue === outage.venue) : undefined;
    const timeline: { at: number; state: FeedState }[] = [];
    if (down && outage) {
      let at = start + outage.at * 1000;
      for (const [state, ms] of OUTAGE_PHASES) {
        timeline.push({ at, state });
        at += ms;
      }
      timeline.push({ at, state: FeedState.live });
    }

    for (const f of feeds) snapshot(f, start);
    const end = start + seconds * 1000;
    // Each event goes to its venue's feed, unless that feed is down (then it is never received).
    const route = (ev: BookEvent): void => {
      const f = feeds[ev.venue]!;
      onEvent(f, ev, f.status.state === FeedState.live);
    };
    for (let t = start + intervalMs; t <= end; t += intervalMs) {
      // State changes of the outage inside this interval, in order, with the events between them.
      while (down && timeline.length > 0 && timeline[0]!.at <= t) {
        const step = timeline.shift()!;
        model.advanceTo(step.at, route);
        const f = down;
        if (step.state === FeedState.connecting) {
          f.stats[FeedStat.reconnects]! += 1;
          f.status.reconnects += 1;
          f.connectionId += 1;
        }
        setState(f, step.state, step.at);
        if (step.state === FeedState.live) {
          // Reconnected: what happened in between is unknown; the books restart from snapshots.
          f.stats[FeedStat.gapRecords]! += 1;
          f.stats[FeedStat.resyncs]! += instrumentsSpec.length;
          f.stats[FeedStat.connects]! += 1;
          f.stats[FeedStat.lastConnectMs] = OUTAGE_PHASES[2]![1] + OUTAGE_PHASES[3]![1];
          write(
            f,
            RecordKind.gap,
            RecordFlag.reconnect,
            0,
            0,
            0,
            step.at,
            step.at + wireOf(f),
            0,
            0,
            pipeOf(f),
          );
          snapshot(f, step.at);
        }
      }
      model.advanceTo(t, route);
      for (const f of feeds) if (f.status.state === FeedState.live) f.stats[FeedStat.lastMessageAt] = t;
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

/** Ticks to a price: divided by a power of ten, so 6700012 ticks of 0.1 is exactly 670001.2. */
function px(inst: Instrument, ticks: number): number {
  return ticks / 10 ** inst.priceDecimals;
}

function qx(inst: Instrument, lots: number): number {
  return lots / 10 ** inst.qtyDecimals;
}
