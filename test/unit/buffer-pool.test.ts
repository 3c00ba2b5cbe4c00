import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferPool } from '../../src/main/pipeline/buffer-pool.ts';

test('buffer pool: size classes, reuse, misses and high-water mark are counted', () => {
  const pool = new BufferPool({ minSize: 512, maxSize: 4096, perClass: 2 });
  const a = pool.acquire(100);
  assert.equal(a.byteLength, 512, 'smallest class that fits');
  assert.equal(a.buffer.byteLength, 512, 'the ArrayBuffer is exactly the class size');
  const b = pool.acquire(513);
  assert.equal(b.byteLength, 1024);
  const c = pool.acquire(512);
  const d = pool.acquire(1);
  assert.equal(pool.stats.reuses, 3);
  assert.equal(pool.stats.misses, 1, 'third 512-byte buffer had to be allocated');
  assert.equal(pool.stats.highWater, 4);
  for (const x of [a, b, c, d]) pool.release(x);
  assert.equal(pool.stats.inUse, 0);
  const e = pool.acquire(400);
  assert.ok(e === a || e === c || e === d, 'a released buffer is handed out again');
  assert.equal(pool.stats.reuses, 4);
  const big = pool.acquire(10_000);
  assert.equal(big.byteLength, 10_000);
  assert.equal(pool.stats.oversize, 1);
  pool.release(big);
  assert.equal(pool.stats.acquires, 6);
});

test('buffer pool rejects sizes that are not powers of two', () => {
  assert.throws(() => new BufferPool({ minSize: 500, maxSize: 4096, perClass: 1 }), /powers of two/);
  assert.throws(() => new BufferPool({ minSize: 4096, maxSize: 512, perClass: 1 }), /powers of two/);
});
