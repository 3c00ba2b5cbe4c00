import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createDecodedFrame, decodeFrame, Stage } from '../../src/common/frame.ts';
import { VirtualSession } from '../../src/main/engine/virtual-session.ts';

function digest(s: VirtualSession): string {
  const h = createHash('sha256');
  for (const f of s.frames) h.update(f);
  return h.digest('hex');
}

test('a virtual session is byte-for-byte reproducible and runs the real metrics path', () => {
  const a = VirtualSession.create({ seed: 1, seconds: 20 });
  const b = VirtualSession.create({ seed: 1, seconds: 20 });
  const c = VirtualSession.create({ seed: 2, seconds: 20 });
  assert.equal(a.frameCount, 80, 'one frame per 250 ms interval');
  assert.equal(digest(a), digest(b));
  assert.notEqual(digest(a), digest(c));

  const d = createDecodedFrame();
  let trades = 0;
  for (const f of a.frames) {
    decodeFrame(f, d);
    assert.equal(d.hasMetrics, true);
    const wire = d.metrics.stages[Stage.wire]!;
    trades += wire.count;
    if (wire.count > 0) assert.ok(wire.p50 > 300 && wire.p50 < 3000, `wire p50 ≈ 0.9 ms, got ${wire.p50} µs`);
  }
  assert.ok(trades > 15_000 && trades < 25_000, `≈1000 trades/s for 20 s, got ${trades}`);
  decodeFrame(a.frames.at(-1)!, d);
  assert.equal(d.marketCount, 5);
});
