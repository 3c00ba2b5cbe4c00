/**
 * Worker-thread roles for the pipeline benchmark. Every subject moves the same 64-byte records
 * (8 float64 words: a sequence number, a send stamp and six payload words) and every reader
 * touches all 64 bytes and checks the sequence, so the subjects do the same work per record:
 *
 * - ring-writer / ring-reader: Tickscope's SAB ring (zero-copy: filled and read in place);
 * - ringbuf-writer / ringbuf-reader: the ringbuf.js SPSC ring (copies in and out);
 * - pm-sender / pm-receiver: worker postMessage, one record per message or transferred batches.
 *
 * Readers spin for at most SPIN_US before they block, so none burns a core while idle.
 */
import { parentPort, type MessagePort as WorkerPort, workerData } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { nowMs } from '../../common/clock.ts';
import { RingReader, RingWriter } from '../../common/ring.ts';

export type BenchRole =
  | { role: 'ring-writer'; sab: SharedArrayBuffer; records: number; batch: number; rate: number }
  | { role: 'ring-reader'; sab: SharedArrayBuffer; records: number; latency: boolean }
  | { role: 'ringbuf-writer'; sab: SharedArrayBuffer; records: number; batch: number }
  | { role: 'ringbuf-reader'; sab: SharedArrayBuffer; records: number; batch: number }
  | { role: 'pm-sender'; port: WorkerPort; records: number; batch: number; rate: number }
  | { role: 'pm-receiver'; port: WorkerPort; records: number; latency: boolean };

export interface ReaderReport {
  read: number;
  errors: number;
  end: number;
  /** One-way latencies in µs, when measured. */
  latencies: Float64Array | null;
}

const WORDS = 8;
/** Longest a reader spins before it blocks. */
const SPIN_US = 20;
const cfg = workerData as BenchRole;
const port = parentPort!;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Writes record `v` at word offset o: sequence, send stamp, six payload words. */
function fill(words: Float64Array, o: number, v: number, stamp: number): void {
  words[o] = v;
  words[o + 1] = stamp;
  words[o + 2] = v + 2;
  words[o + 3] = v + 3;
  words[o + 4] = v + 4;
  words[o + 5] = v + 5;
  words[o + 6] = v + 6;
  words[o + 7] = v + 7;
}

/** Reads all 64 bytes of the record at o and checks it is record `expected`, intact. */
function valid(words: Float64Array, o: number, expected: number): boolean {
  const v = words[o]!;
  const sum = words[o + 2]! + words[o + 3]! + words[o + 4]! + words[o + 5]! + words[o + 6]! + words[o + 7]!;
  return v === expected && sum === 6 * v + 27;
}

function sleepUs(us: number): void {
  Atomics.wait(sleeper, 0, 0, us / 1000);
}

/** Waits until `go` arrives from the orchestrator, so every thread starts together. */
function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    port.once('message', () => resolve());
    port.postMessage({ ready: true });
  });
}

/** Busy-paces a writer to `rate` records/s (the load generator, not a reader). */
function pace(start: number, sent: number, rate: number): void {
  if (rate <= 0) return;
  const due = start + (sent * 1000) / rate;
  while (nowMs() < due) {
    // spin: 50 µs between records at 20,000/s is below any timer's resolution
  }
}

async function ringWriter(c: Extract<BenchRole, { role: 'ring-writer' }>): Promise<void> {
  const w = new RingWriter(c.sab);
  const words = w.words;
  const mask = w.mask;
  await waitForGo();
  const start = nowMs();
  let seq = 0;
  while (seq < c.records) {
    pace(start, seq, c.rate);
    const want = Math.min(c.batch, c.records - seq);
    const n = w.claim(want);
    if (n === 0) {
      sleepUs(5);
      continue;
    }
    const stamp = c.rate > 0 ? nowMs() : 0;
    for (let k = 0; k < n; k++) {
      fill(words, ((w.nextIndex + k) & mask) * WORDS, seq + k, stamp);
    }
    w.publish(n);
    seq += n;
  }
  port.postMessage({ start });
}

async function ringReader(c: Extract<BenchRole, { role: 'ring-reader' }>): Promise<void> {
  const r = new RingReader(c.sab, 'lossless');
  const words = r.words;
  const mask = r.mask;
  const lat = c.latency ? new Float64Array(c.records) : null;
  let expected = 0;
  let errors = 0;
  await waitForGo();
  while (expected < c.records) {
    let n = r.available();
    if (n === 0) {
      const until = performance.now() + SPIN_US / 1000;
      while (n === 0 && performance.now() < until) n = r.available();
      if (n === 0) n = r.wait(50);
      if (n === 0) continue;
    }
    const now = lat ? nowMs() : 0;
    const base = r.cursor;
    for (let k = 0; k < n; k++) {
      const o = ((base + k) & mask) * WORDS;
      const v = words[o]!;
      const sum =
        words[o + 2]! + words[o + 3]! + words[o + 4]! + words[o + 5]! + words[o + 6]! + words[o + 7]!;
      if (v !== expected || sum !== 6 * v + 27) errors++;
      if (lat) lat[expected] = (now - words[o + 1]!) * 1000;
      expected++;
    }
    r.advance(n);
  }
  report({ read: expected, errors, end: nowMs(), latencies: lat });
}

async function ringbufWriter(c: Extract<BenchRole, { role: 'ringbuf-writer' }>): Promise<void> {
  const rb = new RingBuffer(c.sab, Float64Array);
  const src = new Float64Array(c.batch * WORDS);
  await waitForGo();
  const start = nowMs();
  let seq = 0;
  while (seq < c.records) {
    const want = Math.min(c.batch, c.records - seq);
    for (let k = 0; k < want; k++) {
      fill(src, k * WORDS, seq + k, 0);
    }
    let off = 0;
    const total = want * WORDS;
    while (off < total) {
      const pushed = rb.push(src, total - off, off);
      if (pushed === 0) sleepUs(5);
      off += pushed;
    }
    seq += want;
  }
  port.postMessage({ start });
}

async function ringbufReader(c: Extract<BenchRole, { role: 'ringbuf-reader' }>): Promise<void> {
  const rb = new RingBuffer(c.sab, Float64Array);
  const dst = new Float64Array(Math.max(1, c.batch) * WORDS);
  let expected = 0;
  let errors = 0;
  let partial = 0; // words of an incomplete record already in dst
  await waitForGo();
  while (expected < c.records) {
    let got = rb.pop(dst, dst.length - partial, partial);
    if (got === 0) {
      const until = performance.now() + SPIN_US / 1000;
      while (got === 0 && performance.now() < until) got = rb.pop(dst, dst.length - partial, partial);
      if (got === 0) {
        sleepUs(50); // ringbuf.js has no wake-up: a blocked reader can only poll
        continue;
      }
    }
    const words = partial + got;
    const whole = Math.floor(words / WORDS);
    for (let k = 0; k < whole; k++) {
      if (!valid(dst, k * WORDS, expected)) errors++;
      expected++;
    }
    partial = words - whole * WORDS;
    if (partial > 0) dst.copyWithin(0, whole * WORDS, words);
  }
  report({ read: expected, errors, end: nowMs(), latencies: null });
}

async function pmSender(c: Extract<BenchRole, { role: 'pm-sender' }>): Promise<void> {
  const p = c.port;
  await waitForGo();
  const start = nowMs();
  let seq = 0;
  while (seq < c.records) {
    pace(start, seq, c.rate);
    const n = Math.min(c.batch, c.records - seq);
    const buf = new Float64Array(n * WORDS);
    const stamp = c.rate > 0 ? nowMs() : 0;
    for (let k = 0; k < n; k++) {
      fill(buf, k * WORDS, seq + k, stamp);
    }
    // One record: cloned, as a caller passing a record would. A batch: transferred.
    if (c.batch === 1) p.postMessage(buf);
    else p.postMessage(buf, [buf.buffer]);
    seq += n;
  }
  port.postMessage({ start });
}

async function pmReceiver(c: Extract<BenchRole, { role: 'pm-receiver' }>): Promise<void> {
  const lat = c.latency ? new Float64Array(c.records) : null;
  let expected = 0;
  let errors = 0;
  await new Promise<void>((resolve) => {
    c.port.on('message', (buf: Float64Array) => {
      const now = lat ? nowMs() : 0;
      const n = buf.length / WORDS;
      for (let k = 0; k < n; k++) {
        const o = k * WORDS;
        if (!valid(buf, o, expected)) errors++;
        if (lat) lat[expected] = (now - buf[o + 1]!) * 1000;
        expected++;
      }
      if (expected >= c.records) resolve();
    });
    port.postMessage({ ready: true });
  });
  c.port.close();
  report({ read: expected, errors, end: nowMs(), latencies: lat });
}

function report(r: ReaderReport): void {
  port.postMessage(r);
}

switch (cfg.role) {
  case 'ring-writer':
    await ringWriter(cfg);
    break;
  case 'ring-reader':
    await ringReader(cfg);
    break;
  case 'ringbuf-writer':
    await ringbufWriter(cfg);
    break;
  case 'ringbuf-reader':
    await ringbufReader(cfg);
    break;
  case 'pm-sender':
    await pmSender(cfg);
    break;
  case 'pm-receiver':
    await pmReceiver(cfg);
    break;
}
