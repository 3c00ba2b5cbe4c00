import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Off, RECORD_SIZE } from '../../src/common/record.ts';
import { createRing, RingReader, RingWriter, setRingStartIndex } from '../../src/common/ring.ts';

function ring(capacity = 16, maxReaders = 4): SharedArrayBuffer {
  return createRing({ capacity, maxReaders, recordSize: RECORD_SIZE });
}

function write(w: RingWriter, values: number[]): number {
  const n = w.claim(values.length);
  for (let k = 0; k < n; k++) w.data.setFloat64(w.offsetOf(w.nextIndex + k) + Off.sequence, values[k]!, true);
  w.publish(n);
  return n;
}

function readAll(r: RingReader): number[] {
  const out: number[] = [];
  const n = r.available();
  for (let k = 0; k < n; k++) {
    const i = (r.cursor + k) >>> 0;
    const v = r.data.getFloat64(r.offsetOf(i) + Off.sequence, true);
    if (r.intact(i)) out.push(v);
  }
  r.advance(n, n - out.length);
  return out;
}

test('createRing validates geometry', () => {
  assert.throws(() => createRing({ capacity: 12, maxReaders: 1, recordSize: 64 }), /power of two/);
  assert.throws(() => createRing({ capacity: 16, maxReaders: 0, recordSize: 64 }), /maxReaders/);
  assert.throws(() => createRing({ capacity: 16, maxReaders: 1, recordSize: 12 }), /multiple of 8/);
  assert.throws(() => new RingWriter(new SharedArrayBuffer(1024)), /bad magic/);
});

test('every reader sees every record; a lossless reader holds the writer back (return to sender)', () => {
  const sab = ring(8);
  const w = new RingWriter(sab);
  const a = new RingReader(sab, 'lossless');
  const b = new RingReader(sab, 'lossless');
  assert.equal(write(w, [1, 2, 3, 4, 5, 6, 7, 8]), 8);
  assert.equal(w.claim(1), 0, 'ring full for the lossless readers');
  assert.equal(w.returns, 1);
  assert.deepEqual(readAll(a), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(w.claim(1), 0, 'b still holds the writer');
  assert.deepEqual(readAll(b), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(write(w, [9, 10]), 2);
  assert.deepEqual(readAll(a), [9, 10]);
  assert.deepEqual(readAll(b), [9, 10]);
  assert.equal(w.writes, 10);
  assert.equal(w.returns, 2);
});

test('a partial claim grants what fits and counts the rest as returned', () => {
  const sab = ring(8);
  const w = new RingWriter(sab);
  const r = new RingReader(sab, 'lossless');
  write(w, [1, 2, 3, 4, 5, 6]);
  assert.equal(write(w, [7, 8, 9, 10]), 2);
  assert.equal(w.returns, 2);
  assert.deepEqual(readAll(r), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(w.tryClaim(9), false);
  assert.equal(w.returns, 11);
});

test('a lossy reader is lapped and counts exactly what it skipped', () => {
  const sab = ring(8);
  const w = new RingWriter(sab);
  const r = new RingReader(sab, 'lossy');
  for (let v = 0; v < 21; v++) write(w, [v]);
  const got = readAll(r);
  assert.deepEqual(got, [13, 14, 15, 16, 17, 18, 19, 20]);
  assert.equal(r.readerSkipped(r.id), 13);
  assert.equal(r.readerLaps(r.id), 1);
  assert.equal(r.readerReads(r.id) + r.readerSkipped(r.id), 21, 'reads + skipped = written');
});

test('a lossy reader detects records overwritten while it read them (torn) and counts them', () => {
  const sab = ring(8);
  const w = new RingWriter(sab);
  const r = new RingReader(sab, 'lossy');
  write(w, [0, 1, 2, 3, 4, 5, 6, 7]);
  const n = r.available();
  assert.equal(n, 8);
  // The writer claims 3 more slots while the reader is between available() and its checks.
  assert.equal(w.claim(3), 3);
  let intact = 0;
  for (let k = 0; k < n; k++) if (r.intact(r.cursor + k)) intact++;
  assert.equal(intact, 5, 'the 3 oldest slots are being rewritten');
  r.advance(n, n - intact);
  assert.equal(r.readerReads(r.id), 5);
  assert.equal(r.readerSkipped(r.id), 3);
});

test('indices wrap around 2^32 without losing or reordering records', () => {
  for (const mode of ['lossless', 'lossy'] as const) {
    const sab = ring(16);
    setRingStartIndex(sab, 2 ** 32 - 37);
    const w = new RingWriter(sab);
    const r = new RingReader(sab, mode);
    const seen: number[] = [];
    let v = 0;
    for (let round = 0; round < 20; round++) {
      const batch = [v, v + 1, v + 2, v + 3, v + 4];
      write(w, batch);
      v += 5;
      seen.push(...readAll(r));
    }
    assert.equal(seen.length, 100, mode);
    assert.deepEqual(
      seen,
      Array.from({ length: 100 }, (_, i) => i),
      mode,
    );
    assert.ok(w.nextIndex < 2 ** 32 - 37, 'the write index wrapped');
    assert.equal(r.readerSkipped(r.id), 0);
  }
});

test('ring fill reports the slowest reader and a detached reader stops holding the writer', () => {
  const sab = ring(8);
  const w = new RingWriter(sab);
  const r = new RingReader(sab, 'lossless');
  write(w, [1, 2, 3, 4]);
  assert.equal(w.fill(), 0.5);
  write(w, [5, 6, 7, 8]);
  assert.equal(w.claim(1), 0);
  w.detachReader(r.id);
  assert.equal(r.detached, true);
  assert.equal(w.claim(1), 1, 'detached reader no longer blocks');
});

test('readers beyond maxReaders are refused; a closed slot is reused', () => {
  const sab = ring(8, 2);
  const a = new RingReader(sab, 'lossy');
  new RingReader(sab, 'lossy');
  assert.throws(() => new RingReader(sab, 'lossy'), /no free reader slot/);
  a.close();
  assert.doesNotThrow(() => new RingReader(sab, 'lossy'));
});

test('waitAsync wakes on publish', async () => {
  const sab = ring(8);
  const w = new RingWriter(sab);
  const r = new RingReader(sab, 'lossy');
  const t0 = performance.now();
  setTimeout(() => write(w, [42]), 20);
  const n = await r.waitAsync(5000);
  assert.equal(n, 1);
  assert.ok(performance.now() - t0 < 4000, 'woken by the notify, not the timeout');
});

test('wake ends a waitAsync at once, with nothing to read (how a reading loop is stopped)', async () => {
  const sab = ring(8);
  new RingWriter(sab);
  const r = new RingReader(sab, 'lossless');
  const t0 = performance.now();
  setTimeout(() => r.wake(), 20);
  const n = await r.waitAsync(60_000);
  assert.equal(n, 0);
  assert.ok(performance.now() - t0 < 30_000, 'woken by wake, not the timeout');
});

function runWorker<T>(file: string, data: unknown, onMessage?: (m: T) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(file, import.meta.url), { workerData: data });
    let last: T;
    worker.on('message', (m: T) => {
      last = m;
      onMessage?.(m);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve(last) : reject(new Error(`worker exit ${code}`))));
  });
}

test('threads: lossless readers at random speeds see every record once, in order, uncorrupted', async () => {
  for (const seed of [1, 2, 3]) {
    const count = 200_000;
    const sab = ring(1024, 4);
    // Start near the wrap point so the run crosses it.
    setRingStartIndex(sab, 2 ** 32 - 50_000);
    let attached = 0;
    let release!: () => void;
    const allAttached = new Promise<void>((resolve) => {
      release = resolve;
    });
    const readers = [0, 1].map((k) =>
      runWorker<{ read?: number; errors?: number; attached?: boolean }>(
        '../helpers/ring-reader-worker.ts',
        { ring: sab, count, seed: seed * 10 + k, maxSleepMs: k === 0 ? 0.2 : 2 },
        (m) => {
          if (m.attached && ++attached === 2) release();
        },
      ),
    );
    await allAttached;
    const writer = runWorker<{ written: number; returns: number }>('../helpers/ring-writer-worker.ts', {
      ring: sab,
      count,
      seed,
      maxBatch: 64,
    });
    const [w, ...rs] = await Promise.all([writer, ...readers]);
    assert.equal(w.written, count);
    for (const r of rs) {
      assert.equal(r.read, count);
      assert.equal(r.errors, 0);
    }
  }
});

test('threads: a slow lossy reader beside a lossless one is lapped, reads a clean increasing subsequence, and reads + skipped = written', async () => {
  for (const seed of [7, 8]) {
    const count = 200_000;
    const sab = ring(512, 4);
    setRingStartIndex(sab, 2 ** 32 - 70_000);
    let attached = 0;
    let release!: () => void;
    const allAttached = new Promise<void>((resolve) => {
      release = resolve;
    });
    type Report = { read?: number; errors?: number; skipped?: number; laps?: number; attached?: boolean };
    const onAttach = (m: Report): void => {
      if (m.attached && ++attached === 2) release();
    };
    const lossless = runWorker<Report>(
      '../helpers/ring-reader-worker.ts',
      { ring: sab, count, seed, maxSleepMs: 0.05, mode: 'lossless' },
      onAttach,
    );
    const lossy = runWorker<Report>(
      '../helpers/ring-reader-worker.ts',
      { ring: sab, count, seed: seed + 100, maxSleepMs: 5, mode: 'lossy' },
      onAttach,
    );
    await allAttached;
    const writer = runWorker<{ written: number }>('../helpers/ring-writer-worker.ts', {
      ring: sab,
      count,
      seed,
      maxBatch: 64,
    });
    const [w, a, b] = await Promise.all([writer, lossless, lossy]);
    assert.equal(w.written, count);
    assert.equal(a.read, count, 'lossless: every record');
    assert.equal(a.errors, 0);
    assert.equal(b.errors, 0, 'lossy: no corrupt or out-of-order record');
    assert.ok((b.laps ?? 0) > 0, 'the slow lossy reader was lapped');
    assert.equal((b.read ?? 0) + (b.skipped ?? 0), count, 'lossy: reads + skipped = written, exactly');
  }
});

test('dead-reader policy: a lossless reader stalled a full ring behind is detached after the timeout, and counts what it lost', async () => {
  const sab = ring(8);
  const w = new RingWriter(sab, { stallTimeoutMs: 40 });
  const dead = new RingReader(sab, 'lossless');
  const live = new RingReader(sab, 'lossless');
  assert.equal(write(w, [0, 1, 2, 3, 4, 5, 6, 7]), 8);
  assert.deepEqual(readAll(live), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(w.claim(1), 0, 'full for the stalled reader');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(w.claim(1), 0, 'not yet past the timeout');
  assert.equal(w.detachedReaders, 0);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(write(w, [8, 9, 10, 11]), 4, 'the writer goes on once the stalled reader is detached');
  assert.equal(w.detachedReaders, 1);
  assert.equal(dead.detached, true);
  assert.equal(live.detached, false);
  assert.deepEqual(readAll(live), [8, 9, 10, 11], 'the healthy reader lost nothing');
  // The detached reader wakes up: it skips what was overwritten and counts it exactly.
  assert.deepEqual(readAll(dead), [4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(dead.readerSkipped(dead.id), 4);
  assert.equal(dead.readerReads(dead.id) + dead.readerSkipped(dead.id), 12);
});

test('a reader that keeps moving is never detached, however slow', async () => {
  const sab = ring(8);
  const w = new RingWriter(sab, { stallTimeoutMs: 30 });
  const slow = new RingReader(sab, 'lossless');
  let written = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 150) {
    const n = write(w, [written]);
    written += n;
    if (n === 0) {
      // Full: the reader takes 10 ms (a third of the timeout) to move on by two records.
      await new Promise((r) => setTimeout(r, 10));
      slow.advance(Math.min(slow.available(), 2));
    }
  }
  assert.ok(written > 20, 'the writer kept being held back and released');
  assert.equal(w.detachedReaders, 0);
  assert.equal(slow.detached, false);
});
