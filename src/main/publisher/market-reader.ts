/**
 * The UI publisher's own reader on every feed's ring (lossy: the UI must never hold a feed back):
 * per instrument the last price, the first price of the session, trade count and volume — what the
 * header's market strip shows. Drained once per frame; allocates only when a new instrument first
 * trades.
 */
import { MAX_INSTRUMENTS, type MarketTick } from '../../common/frame.ts';
import { Off, RecordKind } from '../../common/record.ts';
import { RingReader } from '../../common/ring.ts';

export class MarketReader {
  readonly ticks: MarketTick[] = [];
  private readonly readers: RingReader[] = [];
  private readonly slots = new Map<number, number>();

  addRing(ring: SharedArrayBuffer): RingReader {
    const r = new RingReader(ring, 'lossy');
    this.readers.push(r);
    return r;
  }

  removeRing(ring: SharedArrayBuffer): void {
    const i = this.readers.findIndex((r) => r.sab === ring);
    if (i < 0) return;
    this.readers[i]!.close();
    this.readers.splice(i, 1);
  }

  /** Reads everything available on every ring. */
  drain(): void {
    for (let k = 0; k < this.readers.length; k++) this.drainOne(this.readers[k]!);
  }

  // The read loop mirrors MetricsReader.drainOne on purpose: each is a monomorphic hot loop that
  // reads only its fields; a shared loop with a per-record callback would cost a call per record.
  private drainOne(reader: RingReader): void {
    const n = reader.available();
    if (n === 0) return;
    const data = reader.data;
    const start = reader.cursor;
    let torn = 0;
    for (let k = 0; k < n; k++) {
      const i = (start + k) >>> 0;
      const at = reader.offsetOf(i);
      const kind = data.getUint8(at + Off.kind);
      const instrument = data.getUint32(at + Off.instrumentId, true);
      const price = data.getFloat64(at + Off.price, true);
      const qty = data.getFloat64(at + Off.quantity, true);
      if (!reader.intact(i)) {
        torn++;
        continue;
      }
      if (kind !== RecordKind.trade) continue;
      const slot = this.slotOf(instrument);
      if (slot < 0) continue;
      const t = this.ticks[slot]!;
      if (t.trades === 0) t.open = price;
      t.last = price;
      t.trades++;
      t.volume += qty;
    }
    reader.advance(n, torn);
  }

  /** The instrument's slot (created at its first trade), or -1 when the table is full. */
  private slotOf(instrumentId: number): number {
    const slot = this.slots.get(instrumentId);
    if (slot !== undefined) return slot;
    if (this.ticks.length >= MAX_INSTRUMENTS) return -1;
    this.slots.set(instrumentId, this.ticks.length);
    this.ticks.push({ instrumentId, last: 0, open: 0, trades: 0, volume: 0 });
    return this.ticks.length - 1;
  }
}
