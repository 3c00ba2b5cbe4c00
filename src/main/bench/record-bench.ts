/**
 * `tickscope bench record`: what recording costs and saves, against the obvious alternatives in the
 * same run, on the same records — a trade stream (the simulator's seeded market model), a
 * book-delta stream (a seeded walk of levels around a mid) and the mixed stream of a default
 * simulator recording (mixed-stream.ts: five venues, trades, top of book, book deltas); times on
 * the recorder's µs clock:
 * - tickscope: the session writer with codec v2 (columnar), blocks of 16,384 records encoded and
 *   zstd-compressed on this one thread (one core), written to a real file and closed (fsync'ed);
 * - tickscope-v1: the same writer with codec v1 (byte-shuffled, zstd);
 * - parquet-zstd: the records appended into DuckDB and written as Parquet with zstd, the typed
 *   columns of `export --format parquet`;
 * - csv-gzip: the rows of `export --format csv` through gzip (level 6);
 * - jsonl, jsonl-gzip: one JSON object per record, plain and through gzip;
 * and replay: each tickscope session read back and decoded at maximum speed.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  emptyRecord,
  RECORD_SIZE,
  RecordFlag,
  RecordKind,
  readRecord,
  Venue,
  writeRecord,
} from '../../common/record.ts';
import {
  BLOCK_HEADER_SIZE,
  Codec,
  type CompressedCodec,
  decodePayload,
  encodePayload,
  readHeader,
} from '../recorder/block.ts';
import { createSchema, openDuckDb, RecordAppender, writeParquet } from '../recorder/session-duckdb.ts';
import { csvRows } from '../recorder/session-export.ts';
import type { Session } from '../recorder/session-reader.ts';
import { SessionWriter } from '../recorder/session-writer.ts';
import { MarketModel } from '../sim/market-model.ts';
import { Rng } from '../sim/rng.ts';
import { mixedRecords } from './mixed-stream.ts';

export const SUBJECTS = [
  'tickscope',
  'tickscope-v1',
  'parquet-zstd',
  'csv-gzip',
  'jsonl',
  'jsonl-gzip',
] as const;
export type Subject = (typeof SUBJECTS)[number];
export const STREAMS = ['trades', 'book', 'mixed'] as const;
export type Stream = (typeof STREAMS)[number];

export interface RecordRow {
  bench: 'record';
  subject: Subject;
  metric: 'records_per_s' | 'bytes_per_record' | 'replay_records_per_s';
  value: number;
  /** Which stream: trades, book deltas, or the simulator's mix. */
  stream: Stream;
}

function tradeRecords(n: number): Uint8Array {
  const out = new Uint8Array(n * RECORD_SIZE);
  const v = new DataView(out.buffer);
  const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT'];
  const model = new MarketModel({ seed: 1, symbols, rate: 2000, start: 1_784_107_800_000 });
  const rng = new Rng(2);
  const r = emptyRecord();
  let i = 0;
  let t = 1_784_107_800_000;
  while (i < n) {
    t += 50;
    model.advanceTo(
      t,
      (tr) => {
        r.kind = RecordKind.trade;
        r.venue = Venue.binance;
        r.flags = tr.buyerMaker ? RecordFlag.aggressorSell : 0;
        r.feedId = 1;
        r.instrumentId = (1 << 16) | tr.index;
        r.wireBytes = 180 + Math.floor(rng.uniform() * 20);
        r.price = tr.price;
        r.quantity = tr.quantity;
        r.exchangeTime = tr.time;
        // On the µs clock, as the recorder stamps them (clock.ts).
        r.receiveTime = Math.round((tr.time + 0.3 + rng.uniform() * 2) * 1000) / 1000;
        r.sequence = tr.tradeId;
        r.eventTime = Math.round((tr.time + 0.001) * 1000) / 1000;
        writeRecord(v, i * RECORD_SIZE, r);
        i++;
      },
      n - i,
    );
  }
  return out;
}

function bookRecords(n: number): Uint8Array {
  const out = new Uint8Array(n * RECORD_SIZE);
  const v = new DataView(out.buffer);
  const rng = new Rng(3);
  const r = emptyRecord();
  let mid = 67_250;
  let t = 1_784_107_800_000;
  let u = 81_402_118_113;
  for (let i = 0; i < n; i++) {
    if (rng.uniform() < 0.05) mid += rng.uniform() < 0.5 ? -0.01 : 0.01;
    const bid = rng.uniform() < 0.5;
    const k = Math.floor(rng.uniform() * 50);
    t += rng.uniform() * 0.2;
    r.kind = RecordKind.bookDelta;
    r.venue = Venue.binance;
    r.flags = bid ? RecordFlag.bid : 0;
    r.feedId = 1;
    r.instrumentId = 1 << 16;
    r.wireBytes = 160;
    r.price = Math.round((bid ? mid - k * 0.01 : mid + 0.01 + k * 0.01) * 100) / 100;
    r.quantity = rng.uniform() < 0.2 ? 0 : Math.round(rng.uniform() * 300_000) / 100_000;
    r.exchangeTime = Math.round(t * 1000) / 1000;
    r.receiveTime = Math.round((r.exchangeTime + 0.4) * 1000) / 1000;
    r.sequence = u++;
    r.eventTime = r.exchangeTime;
    writeRecord(v, i * RECORD_SIZE, r);
  }
  return out;
}

const BLOCK = 16_384;

async function tickscope(
  records: Uint8Array,
  dir: string,
  codec: CompressedCodec,
): Promise<{ rate: number; bytes: number }> {
  const n = records.length / RECORD_SIZE;
  const t0 = performance.now();
  const w = await SessionWriter.create({
    dir,
    app: 'bench',
    blockRecords: BLOCK,
    codec,
    // One core: compression inline on this thread.
    compressor: (raw, _sequence, codec) =>
      Promise.resolve({ codec, payload: encodePayload(codec, raw, raw.length / RECORD_SIZE) }),
  });
  for (let i = 0; i < n; i += 4096) w.append(records, i * RECORD_SIZE, Math.min(4096, n - i));
  const err = await w.close();
  if (err) throw err;
  const dt = (performance.now() - t0) / 1000;
  return { rate: n / dt, bytes: w.stats.bytes };
}

function jsonl(records: Uint8Array, file: string, gzip: boolean): { rate: number; bytes: number } {
  const n = records.length / RECORD_SIZE;
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const t0 = performance.now();
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    for (let i = 0; i < n; i += BLOCK) {
      const lines: string[] = [];
      for (let k = i; k < Math.min(n, i + BLOCK); k++)
        lines.push(JSON.stringify(readRecord(v, k * RECORD_SIZE)));
      const text = Buffer.from(`${lines.join('\n')}\n`);
      const out = gzip ? gzipSync(text) : text;
      writeSync(fd, out);
      bytes += out.length;
    }
  } finally {
    closeSync(fd);
  }
  return { rate: n / ((performance.now() - t0) / 1000), bytes };
}

/** DuckDB: the records appended in chunks, then the typed view written as Parquet with zstd. */
async function parquet(records: Uint8Array, file: string): Promise<{ rate: number; bytes: number }> {
  const n = records.length / RECORD_SIZE;
  const t0 = performance.now();
  const { instance, connection } = await openDuckDb();
  try {
    await createSchema(connection);
    const app = await RecordAppender.create(connection);
    for (let i = 0; i < n; i += BLOCK)
      app.append(records.subarray(i * RECORD_SIZE, Math.min(n, i + BLOCK) * RECORD_SIZE));
    app.close();
    await writeParquet(connection, file);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const rate = n / ((performance.now() - t0) / 1000);
  return { rate, bytes: (await readFile(file)).length };
}

/** The export's CSV rows, gzip'ed block by block (instruments by id: no manifest here). */
function csvGzip(records: Uint8Array, file: string): { rate: number; bytes: number } {
  const n = records.length / RECORD_SIZE;
  const rows = csvRows({ instruments: new Map() } as unknown as Session);
  const t0 = performance.now();
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    for (let i = 0; i < n; i += BLOCK) {
      const out = gzipSync(rows(records.subarray(i * RECORD_SIZE, Math.min(n, i + BLOCK) * RECORD_SIZE)));
      writeSync(fd, out);
      bytes += out.length;
    }
  } finally {
    closeSync(fd);
  }
  return { rate: n / ((performance.now() - t0) / 1000), bytes };
}

async function replay(dir: string, n: number): Promise<number> {
  const segs = (await readdir(dir)).filter((f) => f.endsWith('.tsb')).sort();
  const t0 = performance.now();
  let count = 0;
  for (const s of segs) {
    const bytes = await readFile(join(dir, s));
    let at = 0;
    while (at < bytes.length) {
      const h = readHeader(bytes, at);
      if (!h) throw new Error(`${s}: bad header at ${at}`);
      const end = at + BLOCK_HEADER_SIZE + h.payloadLength;
      count += decodePayload(h, bytes.subarray(at + BLOCK_HEADER_SIZE, end)).length / RECORD_SIZE;
      at = end;
    }
  }
  if (count !== n) throw new Error(`replay read ${count} records, wrote ${n}`);
  return n / ((performance.now() - t0) / 1000);
}

export async function runRecordBench(opts: {
  scale: number;
  onRow?: (row: RecordRow) => void;
}): Promise<RecordRow[]> {
  const n = Math.max(BLOCK, Math.round(1_000_000 * opts.scale));
  const rows: RecordRow[] = [];
  const add = (row: RecordRow): void => {
    rows.push(row);
    opts.onRow?.(row);
  };
  const root = await mkdtemp(join(tmpdir(), 'tickscope-bench-record-'));
  try {
    const streams: [Stream, () => Uint8Array][] = [
      ['trades', () => tradeRecords(n)],
      ['book', () => bookRecords(n)],
      ['mixed', () => mixedRecords(n)],
    ];
    for (const [stream, make] of streams) {
      const records = make();
      const row = (subject: Subject, metric: RecordRow['metric'], value: number): void =>
        add({ bench: 'record', subject, metric, value, stream });
      for (const [subject, codec] of [
        ['tickscope', Codec.columnar],
        ['tickscope-v1', Codec.zstd],
      ] as const) {
        const dir = join(root, `${stream}-${subject}`);
        const ts = await tickscope(records, dir, codec);
        row(subject, 'records_per_s', ts.rate);
        row(subject, 'bytes_per_record', ts.bytes / n);
        row(subject, 'replay_records_per_s', await replay(dir, n));
        await rm(dir, { recursive: true, force: true });
      }
      const pq = await parquet(records, join(root, `${stream}.parquet`));
      row('parquet-zstd', 'records_per_s', pq.rate);
      row('parquet-zstd', 'bytes_per_record', pq.bytes / n);
      const cz = csvGzip(records, join(root, `${stream}.csv.gz`));
      row('csv-gzip', 'records_per_s', cz.rate);
      row('csv-gzip', 'bytes_per_record', cz.bytes / n);
      const plain = jsonl(records, join(root, `${stream}.jsonl`), false);
      row('jsonl', 'records_per_s', plain.rate);
      row('jsonl', 'bytes_per_record', plain.bytes / n);
      const gz = jsonl(records, join(root, `${stream}.jsonl.gz`), true);
      row('jsonl-gzip', 'records_per_s', gz.rate);
      row('jsonl-gzip', 'bytes_per_record', gz.bytes / n);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return rows;
}

export function formatRecordTable(rows: RecordRow[]): string {
  const get = (stream: string, subject: string, metric: string): number =>
    rows.find((r) => r.stream === stream && r.subject === subject && r.metric === metric)?.value ??
    Number.NaN;
  const lines: string[] = [];
  const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(1)} k`);
  lines.push('stream   subject         records/s   bytes/record   replay records/s');
  for (const stream of STREAMS) {
    for (const subject of SUBJECTS) {
      const rp = get(stream, subject, 'replay_records_per_s');
      lines.push(
        `${stream.padEnd(8)} ${subject.padEnd(13)} ${fmt(get(stream, subject, 'records_per_s')).padStart(11)} ${get(stream, subject, 'bytes_per_record').toFixed(2).padStart(14)} ${(Number.isNaN(rp) ? '' : fmt(rp)).padStart(18)}`,
      );
    }
  }
  lines.push('');
  lines.push('target (tickscope = codec v2)                   trades      book     mixed   goal');
  const target = (
    label: string,
    f: (s: string) => number,
    ok: (x: number) => boolean,
    goal: string,
  ): void => {
    const v = STREAMS.map(f);
    lines.push(
      `${label.padEnd(44)} ${v.map((x) => (Number.isNaN(x) ? '—' : x.toFixed(2)).padStart(8)).join('  ')}   ${goal}${v.every((x) => Number.isNaN(x) || ok(x)) ? '' : '  MISSED'}`,
    );
  };
  const only = (streams: string[], f: (s: string) => number) => (s: string) =>
    streams.includes(s) ? f(s) : Number.NaN;
  target(
    'bytes/record',
    only(['trades'], (s) => get(s, 'tickscope', 'bytes_per_record')),
    (x) => x <= 6,
    '≤ 6 (trades)',
  );
  target(
    'bytes/record',
    only(['book'], (s) => get(s, 'tickscope', 'bytes_per_record')),
    (x) => x <= 4,
    '≤ 4 (book)',
  );
  target(
    'bytes/record ÷ parquet-zstd',
    only(
      ['mixed'],
      (s) => get(s, 'tickscope', 'bytes_per_record') / get(s, 'parquet-zstd', 'bytes_per_record'),
    ),
    (x) => x <= 0.5,
    '≤ 0.5 (mixed)',
  );
  target(
    'records/s with compression (M, one core)',
    (s) => get(s, 'tickscope', 'records_per_s') / 1e6,
    (x) => x >= 1,
    '≥ 1.0',
  );
  target(
    'replay records/s (M)',
    (s) => get(s, 'tickscope', 'replay_records_per_s') / 1e6,
    (x) => x >= 3,
    '≥ 3.0',
  );
  target(
    'bytes/record ÷ v1',
    (s) => get(s, 'tickscope', 'bytes_per_record') / get(s, 'tickscope-v1', 'bytes_per_record'),
    () => true,
    '',
  );
  return lines.join('\n');
}
