/**
 * `tickscope bench pipeline`: Tickscope's ring against its peers, side by side in one run, on
 * 64-byte records between worker threads — throughput at batch 1 and 256 (records/s, MB/s) for our
 * ring with 1 and 2 lossless readers, ringbuf.js (SPSC), postMessage per record and transferred
 * 256-record batches; then one-way latency at a fixed 20,000 records/s for our ring with a reader
 * that waits (bounded spin, then Atomics.wait) and for postMessage per record. Each throughput
 * figure is the median of several runs. Ratios are only meaningful within one run on one machine.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { RECORD_SIZE } from '../../common/record.ts';
import { createRing } from '../../common/ring.ts';
import type { BenchRole, ReaderReport } from './bench-worker.ts';

export type Subject = 'tickscope' | 'ringbuf.js' | 'postMessage' | 'postMessage-batch';
export type Metric = 'records_per_s' | 'latency_p50_us' | 'latency_p99_us' | 'latency_p999_us';

export interface BenchRow {
  bench: 'pipeline';
  subject: Subject;
  readers: number;
  batch: number;
  metric: Metric;
  value: number;
}

export interface PipelineBenchOptions {
  /** Scales every record count (1 = the default sizes; tests use a small fraction). */
  scale?: number;
  latencyRate?: number;
  latencySeconds?: number;
  /** Runs per throughput case; the median is reported (thread placement on 2 cores varies). */
  repeat?: number;
  onRow?: (row: BenchRow) => void;
}

const CAPACITY = 1 << 16;
const WORDS = RECORD_SIZE / 8;
const workerUrl = new URL('./bench-worker.ts', import.meta.url);

interface Spawned {
  worker: Worker;
  ready: Promise<void>;
  done: Promise<unknown>;
}

function spawn(role: BenchRole, transfer: MessagePortLike[] = []): Spawned {
  const worker = new Worker(workerUrl, { workerData: role, transferList: transfer as never[] });
  let markReady!: () => void;
  const ready = new Promise<void>((r) => {
    markReady = r;
  });
  const done = new Promise<unknown>((resolve, reject) => {
    worker.on('message', (m: { ready?: boolean }) => {
      if (m.ready) markReady();
      else resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench worker ${role.role} exited with ${code}`));
    });
  });
  return { worker, ready, done };
}

type MessagePortLike = import('node:worker_threads').MessagePort;

async function run(writer: Spawned, readers: Spawned[]): Promise<{ start: number; reports: ReaderReport[] }> {
  await Promise.all([writer.ready, ...readers.map((r) => r.ready)]);
  for (const s of [...readers, writer]) s.worker.postMessage('go');
  const [w, ...rs] = (await Promise.all([writer.done, ...readers.map((r) => r.done)])) as [
    { start: number },
    ...ReaderReport[],
  ];
  await Promise.all([writer, ...readers].map((s) => s.worker.terminate()));
  for (const r of rs) {
    if (r.errors > 0) throw new Error(`bench reader saw ${r.errors} corrupt or out-of-order records`);
  }
  return { start: w.start, reports: rs };
}

function throughput(start: number, reports: ReaderReport[], records: number): number {
  const end = Math.max(...reports.map((r) => r.end));
  return records / ((end - start) / 1000);
}

function percentiles(lat: Float64Array): { p50: number; p99: number; p999: number } {
  // Drop the first 5 % (JIT warm-up, thread start).
  const s = lat.slice(Math.floor(lat.length * 0.05)).sort();
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999) };
}

async function ringThroughput(readers: number, batch: number, records: number): Promise<number> {
  const sab = createRing({ capacity: CAPACITY, maxReaders: 4, recordSize: RECORD_SIZE });
  const rs = Array.from({ length: readers }, () =>
    spawn({ role: 'ring-reader', sab, records, latency: false }),
  );
  // Readers attach before the writer exists, so they see every record.
  await Promise.all(rs.map((r) => r.ready));
  const w = spawn({ role: 'ring-writer', sab, records, batch, rate: 0 });
  const { start, reports } = await run(w, rs);
  return throughput(start, reports, records);
}

async function ringbufThroughput(batch: number, records: number): Promise<number> {
  const sab = RingBuffer.getStorageForCapacity(CAPACITY * WORDS, Float64Array);
  const r = spawn({ role: 'ringbuf-reader', sab, records, batch: Math.max(batch, 256) });
  const w = spawn({ role: 'ringbuf-writer', sab, records, batch });
  const { start, reports } = await run(w, [r]);
  return throughput(start, reports, records);
}

async function postMessageRun(batch: number, records: number, rate: number, latency: boolean) {
  const { port1, port2 } = new MessageChannel();
  const r = spawn({ role: 'pm-receiver', port: port2, records, latency }, [port2]);
  const w = spawn({ role: 'pm-sender', port: port1, records, batch, rate }, [port1]);
  return run(w, [r]);
}

async function ringLatency(rate: number, records: number): Promise<Float64Array> {
  const sab = createRing({ capacity: CAPACITY, maxReaders: 4, recordSize: RECORD_SIZE });
  const r = spawn({ role: 'ring-reader', sab, records, latency: true });
  await r.ready;
  const w = spawn({ role: 'ring-writer', sab, records, batch: 1, rate });
  const { reports } = await run(w, [r]);
  return reports[0]!.latencies!;
}

/** min–max of each throughput row's runs, in row order, from the last run (for the table). */
let lastSpreads: [number, number][] = [];

export async function runPipelineBench(opts: PipelineBenchOptions = {}): Promise<BenchRow[]> {
  const scale = opts.scale ?? 1;
  const n = (base: number): number => Math.max(1024, Math.round(base * scale));
  const rows: BenchRow[] = [];
  const add = (subject: Subject, readers: number, batch: number, metric: Metric, value: number): void => {
    const row: BenchRow = { bench: 'pipeline', subject, readers, batch, metric, value };
    rows.push(row);
    opts.onRow?.(row);
  };

  const repeat = Math.max(1, opts.repeat ?? 5);
  const pmThroughput = async (batch: number, records: number): Promise<number> => {
    const { start, reports } = await postMessageRun(batch, records, 0, false);
    return throughput(start, reports, records);
  };
  /** Runs each case once per repetition, interleaved, so a slow patch of the machine hits all. */
  const interleaved = async (cases: (() => Promise<number>)[]): Promise<number[]> => {
    const runs: number[][] = cases.map(() => []);
    for (let i = 0; i < repeat; i++) {
      for (let c = 0; c < cases.length; c++) runs[c]!.push(await cases[c]!());
    }
    return runs.map((r) => {
      r.sort((a, b) => a - b);
      spreads.push([r[0]!, r[r.length - 1]!]);
      return r[Math.floor(r.length / 2)]!;
    });
  };
  const spreads: [number, number][] = [];

  for (const batch of [1, 256]) {
    const records = n(batch === 1 ? 4_000_000 : 16_000_000);
    const [one, two, peer] = await interleaved([
      () => ringThroughput(1, batch, records),
      () => ringThroughput(2, batch, records),
      () => ringbufThroughput(batch, records),
    ]);
    add('tickscope', 1, batch, 'records_per_s', one!);
    add('tickscope', 2, batch, 'records_per_s', two!);
    add('ringbuf.js', 1, batch, 'records_per_s', peer!);
  }
  const [pm, pmBatch] = await interleaved([
    () => pmThroughput(1, n(300_000)),
    () => pmThroughput(256, n(4_000_000)),
  ]);
  add('postMessage', 1, 1, 'records_per_s', pm!);
  add('postMessage-batch', 1, 256, 'records_per_s', pmBatch!);
  lastSpreads = spreads;
  const rate = opts.latencyRate ?? 20_000;
  const latencyRecords = Math.max(
    2000,
    Math.round(rate * (opts.latencySeconds ?? 3) * Math.min(1, scale * 10)),
  );
  // Latency runs are repeated too; each percentile reported is the median over the runs.
  const latency = async (subject: 'tickscope' | 'postMessage'): Promise<void> => {
    const runs: { p50: number; p99: number; p999: number }[] = [];
    for (let i = 0; i < Math.min(repeat, 3); i++) {
      const lat =
        subject === 'tickscope'
          ? await ringLatency(rate, latencyRecords)
          : (await postMessageRun(1, latencyRecords, rate, true)).reports[0]!.latencies!;
      runs.push(percentiles(lat));
    }
    const mid = (k: 'p50' | 'p99' | 'p999'): number => {
      const v = runs.map((r) => r[k]).sort((a, b) => a - b);
      return v[Math.floor(v.length / 2)]!;
    };
    add(subject, 1, 1, 'latency_p50_us', mid('p50'));
    add(subject, 1, 1, 'latency_p99_us', mid('p99'));
    add(subject, 1, 1, 'latency_p999_us', mid('p999'));
  };
  await latency('tickscope');
  await latency('postMessage');
  return rows;
}

function find(rows: BenchRow[], subject: Subject, readers: number, batch: number, metric: Metric): number {
  return (
    rows.find(
      (r) => r.subject === subject && r.readers === readers && r.batch === batch && r.metric === metric,
    )?.value ?? Number.NaN
  );
}

export interface Ratio {
  what: string;
  value: number;
  target: string;
  met: boolean;
}

/** The targets, as ratios within this run. */
export function pipelineRatios(rows: BenchRow[]): Ratio[] {
  const ours1 = find(rows, 'tickscope', 1, 1, 'records_per_s');
  const ours256 = find(rows, 'tickscope', 1, 256, 'records_per_s');
  const ours2x256 = find(rows, 'tickscope', 2, 256, 'records_per_s');
  const rb1 = find(rows, 'ringbuf.js', 1, 1, 'records_per_s');
  const rb256 = find(rows, 'ringbuf.js', 1, 256, 'records_per_s');
  const pm = find(rows, 'postMessage', 1, 1, 'records_per_s');
  const oursP99 = find(rows, 'tickscope', 1, 1, 'latency_p99_us');
  const pmP99 = find(rows, 'postMessage', 1, 1, 'latency_p99_us');
  const atLeast = (what: string, value: number, bound: number): Ratio => ({
    what,
    value,
    target: `≥ ${bound >= 10 ? bound : bound.toFixed(1)}`,
    met: value >= bound,
  });
  const atMost = (what: string, value: number, bound: number): Ratio => ({
    what,
    value,
    target: `≤ ${bound >= 10 ? bound : bound.toFixed(1)}`,
    met: value <= bound,
  });
  return [
    atLeast('ring, 1 reader, batch 1 / ringbuf.js batch 1', ours1 / rb1, 1.5),
    atLeast('ring, 1 reader, batch 256 / ringbuf.js batch 256', ours256 / rb256, 1),
    atLeast('ring, 2 lossless readers, batch 256 / ringbuf.js batch 256', ours2x256 / rb256, 0.4),
    atLeast('ring, 1 reader, batch 1 / postMessage per record', ours1 / pm, 20),
    atMost('latency p99 at 20k/s: ring / postMessage', oursP99 / pmP99, 0.5),
  ];
}

export function formatPipelineTable(rows: BenchRow[]): string {
  const lines: string[] = [];
  const fmt = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : `${(v / 1e3).toFixed(1)} k`);
  lines.push('subject             readers  batch   records/s        MB/s   runs: min – max');
  rows
    .filter((x) => x.metric === 'records_per_s')
    .forEach((r, i) => {
      const spread = lastSpreads[i];
      const range = spread ? `${fmt(spread[0])} – ${fmt(spread[1])}` : '';
      lines.push(
        `${r.subject.padEnd(19)} ${String(r.readers).padStart(7)} ${String(r.batch).padStart(6)} ${fmt(r.value).padStart(11)} ${((r.value * RECORD_SIZE) / 1e6).toFixed(1).padStart(11)}   ${range}`,
      );
    });
  lines.push('');
  lines.push('one-way latency at a fixed rate   p50 µs    p99 µs  p99.9 µs');
  for (const subject of ['tickscope', 'postMessage'] as const) {
    const v = (m: Metric): string => find(rows, subject, 1, 1, m).toFixed(1).padStart(9);
    lines.push(`${subject.padEnd(32)} ${v('latency_p50_us')} ${v('latency_p99_us')} ${v('latency_p999_us')}`);
  }
  lines.push('');
  lines.push('ratio (ours / peer)                                              value   target');
  for (const q of pipelineRatios(rows)) {
    lines.push(
      `${q.what.padEnd(62)} ${q.value.toFixed(2).padStart(7)}   ${q.target}${q.met ? '' : '  MISSED'}`,
    );
  }
  return lines.join('\n');
}
