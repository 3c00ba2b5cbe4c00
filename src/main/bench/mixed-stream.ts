/**
 * The `mixed` stream of `bench record`: the records a recording of the default simulator holds —
 * five venues, three instruments each, trades, top of book and book deltas (with the snapshots
 * they start from) — generated from the simulator's seeded order-book model (sim/book-model.ts)
 * on a virtual clock, so a million of them take a second, not three minutes of wall time.
 *
 * Each venue's records take the shape its decoder gives them in a live recording (measured on a
 * 20-s recording of `tickscope record`): which times a venue sends and at what precision (ms or
 * µs, or none: the receive time stands in), what its sequence numbers count (trade ids, update
 * ids per message, nothing), how big its messages are; receive times are the event time plus a
 * lognormal wire latency, on the µs clock (clock.ts), shared by every record of one message.
 */
import { Off, RECORD_SIZE, RecordFlag, RecordKind, venueName } from '../../common/record.ts';
import { ASK, BID, type BookEvent, BookModel, makeInstruments } from '../sim/book-model.ts';
import { Rng } from '../sim/rng.ts';

interface VenueShape {
  venue: number;
  /** Event rate share (the default simulator's venues differ a little). */
  activity: number;
  /** Exchange time precision of trades and of book messages: µs, ms, or the receive time. */
  tradeTime: 'us' | 'ms';
  bookTime: 'us' | 'ms';
  topTime: 'us' | 'ms' | 'receive';
  /** A trade's event time: the exchange time, or the send time (just before receive). */
  tradeEvent: 'exchange' | 'send';
  /** What a book message's sequence counts: an update id per message, or nothing (0). */
  bookSeq: 'update' | 'none';
  /** Typical message bytes: trade, book delta message, top of book. */
  wire: readonly [number, number, number];
  /** Mean wire latency, ms. */
  latency: number;
}

const SHAPES: readonly VenueShape[] = [
  {
    venue: 1,
    activity: 1.0,
    tradeTime: 'us',
    bookTime: 'ms',
    topTime: 'receive',
    tradeEvent: 'send',
    bookSeq: 'update',
    wire: [173, 240, 146],
    latency: 0.7,
  },
  {
    venue: 2,
    activity: 1.0,
    tradeTime: 'us',
    bookTime: 'us',
    topTime: 'us',
    tradeEvent: 'send',
    bookSeq: 'none',
    wire: [330, 259, 446],
    latency: 0.9,
  },
  {
    venue: 3,
    activity: 1.25,
    tradeTime: 'us',
    bookTime: 'us',
    topTime: 'receive',
    tradeEvent: 'exchange',
    bookSeq: 'none',
    wire: [350, 184, 316],
    latency: 0.8,
  },
  {
    venue: 4,
    activity: 1.2,
    tradeTime: 'ms',
    bookTime: 'ms',
    topTime: 'ms',
    tradeEvent: 'send',
    bookSeq: 'update',
    wire: [250, 177, 202],
    latency: 1.1,
  },
  {
    venue: 5,
    activity: 1.15,
    tradeTime: 'ms',
    bookTime: 'ms',
    topTime: 'ms',
    tradeEvent: 'exchange',
    bookSeq: 'update',
    wire: [212, 239, 176],
    latency: 1.0,
  },
];

const SYMBOLS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'];
/** Events per second per venue (the default simulator's rate, 600 over all instruments). */
const RATE = 600;
const SNAPSHOT_DEPTH = 50;
const START = 1_796_410_110_000;

const us = (t: number): number => Math.round(t * 1000) / 1000;

/** `n` records of the mixed stream, 64 bytes each, in the order a recorder reads them. */
export function mixedRecords(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n * RECORD_SIZE);
  const instruments = makeInstruments(SYMBOLS);
  // One market for every venue (the simulator's): each venue's books follow the shared price.
  const model = new BookModel({
    seed,
    instruments,
    venues: SHAPES.map((shape) => venueName(shape.venue)),
    activity: SHAPES.map((shape) => shape.activity),
    rate: RATE,
    start: START,
  });
  const venues = SHAPES.map((shape, i) => ({
    shape,
    index: i,
    feedId: i + 1,
    rng: new Rng(seed * 7919 + i),
    updateIds: instruments.map((_, k) => 40_000_000 + 10_000_000 * i + 1_000_000 * k),
    /** This feed's records of the current 5-ms slice, before they are copied out in feed order. */
    stage: new Uint8Array(4096 * RECORD_SIZE),
    staged: 0,
  }));
  let count = 0;
  const put = (
    f: (typeof venues)[number],
    kind: number,
    flags: number,
    inst: number,
    price: number,
    qty: number,
    exchange: number,
    receive: number,
    seq: number,
    event: number,
    wire: number,
  ): void => {
    if (f.staged * RECORD_SIZE >= f.stage.length) {
      const grown = new Uint8Array(f.stage.length * 2);
      grown.set(f.stage);
      f.stage = grown;
    }
    const v = new DataView(f.stage.buffer);
    const at = f.staged++ * RECORD_SIZE;
    v.setUint8(at + Off.kind, kind);
    v.setUint8(at + Off.venue, f.shape.venue);
    v.setUint16(at + Off.flags, flags, true);
    v.setUint16(at + Off.feedId, f.feedId, true);
    v.setUint16(at + Off.connectionId, 1, true);
    v.setUint32(at + Off.instrumentId, (f.feedId << 16) | inst, true);
    v.setUint32(at + Off.wireBytes, wire, true);
    v.setFloat64(at + Off.price, price, true);
    v.setFloat64(at + Off.quantity, qty, true);
    v.setFloat64(at + Off.exchangeTime, exchange, true);
    v.setFloat64(at + Off.receiveTime, receive, true);
    v.setFloat64(at + Off.sequence, seq, true);
    v.setFloat64(at + Off.eventTime, event, true);
  };
  const stamp = (t: number, p: 'us' | 'ms'): number => (p === 'ms' ? Math.floor(t) : us(t));
  const wireLatency = (f: (typeof venues)[number]): number =>
    f.shape.latency * Math.exp(0.45 * f.rng.normal()) + (f.rng.uniform() < 0.01 ? 8 * f.rng.uniform() : 0);

  // The snapshots every feed starts from: a reset, then the levels.
  for (const f of venues) {
    for (const inst of instruments) {
      const receive = us(START + wireLatency(f) + 40);
      put(f, RecordKind.bookReset, RecordFlag.snapshot, inst.index, 0, 0, receive, receive, 0, receive, 2400);
      const book = model.book(f.index, inst.index);
      for (const side of [BID, ASK] as const) {
        const s = book.sides[side];
        const flags = RecordFlag.snapshot | (side === BID ? RecordFlag.bid : 0);
        for (let k = 0; k < Math.min(SNAPSHOT_DEPTH, s.size); k++) {
          const p = s.prices[k]!;
          const price = p / 10 ** inst.priceDecimals;
          const qty = s.qty.get(p)! / 10 ** inst.qtyDecimals;
          put(f, RecordKind.bookDelta, flags, inst.index, price, qty, receive, receive, 0, receive, 2400);
        }
      }
    }
  }

  const onEvent = (f: (typeof venues)[number], ev: BookEvent): void => {
    const s = f.shape;
    const inst = ev.inst;
    const px = (ticks: number): number => ticks / 10 ** inst.priceDecimals;
    const qx = (lots: number): number => lots / 10 ** inst.qtyDecimals;
    const digits = (): number => Math.floor(f.rng.uniform() * 4);
    for (const t of ev.trades) {
      const send = ev.time + 0.05 + 0.3 * f.rng.uniform();
      const receive = us(send + wireLatency(f));
      const exchange = stamp(ev.time, s.tradeTime);
      const event = s.tradeEvent === 'send' ? stamp(send, s.tradeTime) : exchange;
      const flags = t.taker === 'sell' ? RecordFlag.aggressorSell : 0;
      put(
        f,
        RecordKind.trade,
        flags,
        inst.index,
        px(t.price),
        qx(t.qty),
        exchange,
        receive,
        t.tradeId,
        event,
        s.wire[0] + digits(),
      );
    }
    const receive = us(ev.time + 0.05 + wireLatency(f));
    if (ev.changes.length > 0) {
      if (s.bookSeq === 'update') f.updateIds[inst.index]! += 1 + Math.floor(f.rng.exponential(0.5));
      const seq = s.bookSeq === 'update' ? f.updateIds[inst.index]! : 0;
      const exchange = stamp(ev.time, s.bookTime);
      const wire = s.wire[1] + 38 * (ev.changes.length - 1) + digits();
      for (const c of ev.changes) {
        const flags = c.side === BID ? RecordFlag.bid : 0;
        put(
          f,
          RecordKind.bookDelta,
          flags,
          inst.index,
          px(c.price),
          qx(c.qty),
          exchange,
          receive,
          seq,
          exchange,
          wire,
        );
      }
    }
    if (ev.topChanged) {
      const exchange = s.topTime === 'receive' ? receive : stamp(ev.time, s.topTime);
      const seq = s.bookSeq === 'update' ? f.updateIds[inst.index]! : 0;
      const wire = s.wire[2] + digits();
      const bid = ev.book.bids.best();
      const ask = ev.book.asks.best();
      if (bid !== undefined)
        put(
          f,
          RecordKind.bookTop,
          RecordFlag.bid,
          inst.index,
          px(bid),
          qx(ev.book.bids.qty.get(bid) ?? 0),
          exchange,
          receive,
          seq,
          exchange,
          wire,
        );
      if (ask !== undefined)
        put(
          f,
          RecordKind.bookTop,
          0,
          inst.index,
          px(ask),
          qx(ev.book.asks.qty.get(ask) ?? 0),
          exchange,
          receive,
          seq,
          exchange,
          wire,
        );
    }
  };

  // The recorder drains each feed's ring in turn: records come in per-feed runs, a few ms apart.
  const flush = (): void => {
    for (const f of venues) {
      const take = Math.min(f.staged, n - count);
      out.set(f.stage.subarray(0, take * RECORD_SIZE), count * RECORD_SIZE);
      count += take;
      f.staged = 0;
    }
  };
  flush();
  for (let t = START + 5; count < n; t += 5) {
    model.advanceTo(t, (ev) => onEvent(venues[ev.venue]!, ev));
    flush();
  }
  return out;
}
