import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Stage } from '../../src/common/feed-model.ts';
import { Off, RECORD_SIZE, RecordFlag, RecordKind } from '../../src/common/record.ts';
import { createRing, RingWriter } from '../../src/common/ring.ts';
import { createFeedStats } from '../../src/main/feeds/feed-protocol.ts';
import { MetricsReader } from '../../src/main/metrics/metrics-reader.ts';

test('metrics reader: both stages per trade, gap records counted, negative wire latency counted not hidden', () => {
  const ring = createRing({ capacity: 64, maxReaders: 2, recordSize: RECORD_SIZE });
  const w = new RingWriter(ring);
  let now = 1_000_000;
  const metrics = new MetricsReader({ start: now, clock: () => now });
  metrics.addFeed(1, ring, createFeedStats());
  const put = (kind: number, exchange: number, receive: number, quantity = 1): void => {
    w.claim(1);
    const at = w.offsetOf(w.nextIndex);
    w.data.setUint8(at + Off.kind, kind);
    w.data.setUint16(at + Off.flags, kind === RecordKind.gap ? RecordFlag.ringOverflow : 0, true);
    w.data.setFloat64(at + Off.exchangeTime, exchange, true);
    w.data.setFloat64(at + Off.receiveTime, receive, true);
    w.data.setFloat64(at + Off.quantity, quantity, true);
    w.publish(1);
  };
  put(RecordKind.trade, now - 2, now - 1); // wire 1 ms
  put(RecordKind.trade, now - 3.5, now - 0.5); // wire 3 ms
  put(RecordKind.trade, now + 4, now - 0.25); // exchange clock 4.25 ms ahead: negative
  put(RecordKind.gap, now, now, 7);
  now += 0.1; // the reader reads 0.1 ms later
  metrics.drain();
  const m = metrics.closeInterval(now + 250);
  const wire = m.stages[Stage.wire]!;
  const pipe = m.stages[Stage.pipeline]!;
  assert.equal(wire.count, 3);
  assert.equal(wire.p50, 1000, 'µs, 3 significant digits');
  assert.equal(wire.max, 3000);
  assert.equal(m.pipeline.negativeWire, 1, 'the negative sample is counted');
  assert.equal(pipe.count, 3);
  assert.ok(pipe.max >= 1099 && pipe.max <= 1101, `pipeline max ≈ 1.1 ms, got ${pipe.max}`);
  assert.equal(metrics.gaps, 7, 'a gap record adds its count');
});
