/**
 * Frames of text through the feed's real hot path (FeedIngest: decoder, book sync rules, checksums,
 * record writing) into a real ring, read back as plain records; the counters and the malformed
 * reasons beside them. For tests that must check what the feed *publishes* for a frame sequence.
 * Binance books need their REST snapshot: pass it as `depthSnapshot` and it is applied when the
 * ingest asks for it (after the frame that asked).
 */
import { Off, RECORD_SIZE } from '../../src/common/record.ts';
import { createRing, RingReader, RingWriter } from '../../src/common/ring.ts';
import { FeedIngest } from '../../src/main/feeds/feed-ingest.ts';
import { createFeedStats, FeedStat } from '../../src/main/feeds/feed-protocol.ts';
import { SCAN_ERROR_NAMES } from '../../src/main/feeds/json-scan.ts';
import { VENUE_SPECS, type VenueName } from '../../src/main/feeds/venues/registry.ts';

export interface PlainRecord {
  kind: number;
  flags: number;
  instrument: number;
  price: number;
  qty: number;
  exchangeTime: number;
  sequence: number;
  eventTime: number;
  /** Only when asked for (the receive time and wire size differ with every run and every mutation). */
  receiveTime?: number;
  wireBytes?: number;
}

export interface IngestRun {
  records: PlainRecord[];
  /** The same records, grouped by the frame that wrote them. */
  perFrame: PlainRecord[][];
  stats: Float64Array;
  /** Malformed reasons by name, in arrival order. */
  malformed: string[];
  instruments: string[];
  ingest: FeedIngest;
}

export function runIngest(
  venue: VenueName,
  frames: readonly (string | Uint8Array)[],
  opts: { depthSnapshot?: string; withWire?: boolean; bookDepth?: number } = {},
): IngestRun {
  const ring = createRing({ capacity: 1 << 16, maxReaders: 1, recordSize: RECORD_SIZE });
  const stats = new Float64Array(createFeedStats());
  const malformed: string[] = [];
  const instruments: string[] = [];
  let snapshotWanted: string | null = null;
  const ingest = new FeedIngest({
    ring: new RingWriter(ring),
    stats,
    spec: VENUE_SPECS[venue],
    feedId: 1,
    ...(opts.bookDepth ? { bookDepth: opts.bookDepth } : {}),
    events: {
      onInstrument: (_id, symbol) => instruments.push(symbol),
      onMalformed: (reason) => malformed.push(SCAN_ERROR_NAMES[reason] ?? String(reason)),
      onControl() {},
      send() {},
      requestSnapshot: (symbol) => {
        snapshotWanted = symbol;
      },
    },
  });
  const reader = new RingReader(ring, 'lossless');
  const records: PlainRecord[] = [];
  const perFrame: PlainRecord[][] = [];
  const drain = (): void => {
    const group: PlainRecord[] = [];
    perFrame.push(group);
    const n = reader.available();
    const v = reader.data;
    for (let k = 0; k < n; k++) {
      const at = reader.offsetOf(reader.cursor + k);
      const r: PlainRecord = {
        kind: v.getUint8(at + Off.kind),
        flags: v.getUint16(at + Off.flags, true),
        instrument: v.getUint32(at + Off.instrumentId, true),
        price: v.getFloat64(at + Off.price, true),
        qty: v.getFloat64(at + Off.quantity, true),
        exchangeTime: v.getFloat64(at + Off.exchangeTime, true),
        sequence: v.getFloat64(at + Off.sequence, true),
        eventTime: v.getFloat64(at + Off.eventTime, true),
      };
      if (opts.withWire) {
        r.receiveTime = v.getFloat64(at + Off.receiveTime, true);
        r.wireBytes = v.getUint32(at + Off.wireBytes, true);
      }
      records.push(r);
      group.push(r);
    }
    reader.advance(n);
  };
  const enc = new TextEncoder();
  for (const f of frames) {
    const bytes = typeof f === 'string' ? enc.encode(f) : f;
    ingest.onFrame(bytes, bytes.length);
    if (snapshotWanted !== null && opts.depthSnapshot !== undefined) {
      const symbol = snapshotWanted;
      snapshotWanted = null;
      ingest.onSnapshot(symbol, enc.encode(opts.depthSnapshot));
    }
    drain();
  }
  return { records, perFrame, stats, malformed, instruments, ingest };
}

export { FeedStat };
