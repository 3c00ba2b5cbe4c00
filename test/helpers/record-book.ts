/**
 * Rebuilds order books from a feed's ring records alone (bookReset, bookDelta, gap), the way any
 * reader downstream of the feed must: so tests check what the feed *published*, not its private
 * state. A sequence or checksum gap marks the instrument's book unsynced until its next reset.
 */
import { Off, RecordFlag, RecordKind } from '../../src/common/record.ts';
import type { RingReader } from '../../src/common/ring.ts';

export interface RecordBook {
  bids: Map<number, number>;
  asks: Map<number, number>;
  synced: boolean;
  resets: number;
}

export class RecordBooks {
  readonly books = new Map<number, RecordBook>();
  trades = 0;
  gaps = 0;
  ringDropped = 0;

  drain(reader: RingReader): void {
    const n = reader.available();
    const v = reader.data;
    for (let k = 0; k < n; k++) {
      const at = reader.offsetOf(reader.cursor + k);
      const kind = v.getUint8(at + Off.kind);
      const flags = v.getUint16(at + Off.flags, true);
      const id = v.getUint32(at + Off.instrumentId, true);
      if (kind === RecordKind.trade) this.trades++;
      else if (kind === RecordKind.bookReset) {
        const b = this.book(id);
        b.bids.clear();
        b.asks.clear();
        b.synced = true;
        b.resets++;
      } else if (kind === RecordKind.bookDelta) {
        const b = this.book(id);
        const side = flags & RecordFlag.bid ? b.bids : b.asks;
        const px = v.getFloat64(at + Off.price, true);
        const qty = v.getFloat64(at + Off.quantity, true);
        if (qty === 0) side.delete(px);
        else side.set(px, qty);
      } else if (kind === RecordKind.gap) {
        if (flags & RecordFlag.ringOverflow) {
          this.ringDropped += v.getFloat64(at + Off.quantity, true);
          for (const b of this.books.values()) b.synced = false;
        } else {
          if ((flags & RecordFlag.reconnect) === 0) this.gaps++;
          if (id !== 0) this.book(id).synced = false;
          else for (const b of this.books.values()) b.synced = false;
        }
      }
    }
    reader.advance(n);
  }

  book(id: number): RecordBook {
    let b = this.books.get(id);
    if (!b) {
      b = { bids: new Map(), asks: new Map(), synced: false, resets: 0 };
      this.books.set(id, b);
    }
    return b;
  }

  /** Best-first levels, at most `depth` a side. */
  levels(id: number, depth: number): { bids: [number, number][]; asks: [number, number][] } {
    const b = this.book(id);
    const bids = [...b.bids].sort((x, y) => y[0] - x[0]).slice(0, depth);
    const asks = [...b.asks].sort((x, y) => x[0] - y[0]).slice(0, depth);
    return { bids, asks };
  }
}
