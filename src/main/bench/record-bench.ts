/**
 * `tickscope bench record`: what recording costs and saves, against the obvious alternatives in the
 * same run, on the same records — a trade stream (the simulator's seeded market model) and a
 * book-delta stream (a seeded walk of levels around a mid):
 * - tickscope: the session writer, blocks of 16,384 records shuffled and zstd-compressed on this one
 *   thread (one core), written to a real file and closed (fsync'ed);
 * - jsonl: one JSON object per record (the export's shape), written to a file;
 * - jsonl-gzip: the same lines through gzip (level 6), written to a file;
 * and replay: the tickscope session read back and decoded at maximum speed.
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
import { BLOCK_HEADER_SIZE, decodePayload, encodePayload, readHeader } from '../recorder/block.ts';
import { SessionWriter } from '../recorder/session-writer.ts';
import { MarketModel } from '../sim/market-model.ts';
import { Rng } from '../sim/rng.ts';

export interface RecordRow {
  bench: 'record';
  subject: 'tickscope' | 'jsonl' | 'jsonl-gzip';
  metric: 'records_per_s' | 'bytes_per_record' | 'replay_records_per_s';
  value: number;
  /** Which stream (trades or book deltas); not part of the contract's line shape. */
  stream: 'trades' | 'book';
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
        r.receiveTime = tr.time + 0.3 + Math.round(rng.uniform() * 2000) / 1000;
        r.sequence = tr.tradeId;
        r.eventTime = tr.time + 0.001;
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
    r.receiveTime = r.exchangeTime + 0.4;
    r.sequence = u++;
    r.eventTime = r.exchangeTime;
    writeRecord(v, i * RECORD_SIZE, r);
  }
  return out;
}

const BLOCK = 16_384;

async function tickscope(records: Uint8Array, dir: string): Promise<{ rate: number; bytes: number }> {
  const n = records.length / RECORD_SIZE;
  const t0 = performance.now();
  const w = await SessionWriter.create({
    dir,
    app: 'bench',
    blockRecords: BLOCK,
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
    for (const [stream, records] of [
      ['trades', tradeRecords(n)],
      ['book', bookRecords(n)],
    ] as const) {
      const dir = join(root, `${stream}-session`);
      const ts = await tickscope(records, dir);
      const plain = jsonl(records, join(root, `${stream}.jsonl`), false);
      const gz = jsonl(records, join(root, `${stream}.jsonl.gz`), true);
      const rp = await replay(dir, n);
      add({ bench: 'record', subject: 'tickscope', metric: 'records_per_s', value: ts.rate, stream });
      add({ bench: 'record', subject: 'tickscope', metric: 'bytes_per_record', value: ts.bytes / n, stream });
      add({ bench: 'record', subject: 'tickscope', metric: 'replay_records_per_s', value: rp, stream });
      add({ bench: 'record', subject: 'jsonl', metric: 'records_per_s', value: plain.rate, stream });
      add({ bench: 'record', subject: 'jsonl', metric: 'bytes_per_record', value: plain.bytes / n, stream });
      add({ bench: 'record', subject: 'jsonl-gzip', metric: 'records_per_s', value: gz.rate, stream });
      add({
        bench: 'record',
        subject: 'jsonl-gzip',
        metric: 'bytes_per_record',
        value: gz.bytes / n,
        stream,
      });
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
  lines.push('stream   subject        records/s   bytes/record   replay records/s');
  for (const stream of ['trades', 'book']) {
    for (const subject of ['tickscope', 'jsonl', 'jsonl-gzip']) {
      const rp = get(stream, subject, 'replay_records_per_s');
      lines.push(
        `${stream.padEnd(8)} ${subject.padEnd(12)} ${fmt(get(stream, subject, 'records_per_s')).padStart(11)} ${get(stream, subject, 'bytes_per_record').toFixed(1).padStart(14)} ${(Number.isNaN(rp) ? '' : fmt(rp)).padStart(18)}`,
      );
    }
  }
  lines.push('');
  lines.push('target                                         trades        book');
  const target = (
    label: string,
    f: (s: string) => number,
    ok: (x: number) => boolean,
    goal: string,
  ): void => {
    const a = f('trades');
    const b = f('book');
    lines.push(
      `${label.padEnd(44)} ${a.toFixed(2).padStart(8)}   ${b.toFixed(2).padStart(8)}   ${goal}${ok(a) && ok(b) ? '' : '  MISSED'}`,
    );
  };
  target(
    'records/s with compression (M, one core)',
    (s) => get(s, 'tickscope', 'records_per_s') / 1e6,
    (x) => x >= 1,
    '≥ 1.0',
  );
  target(
    'bytes/record ÷ gzip JSON lines',
    (s) => get(s, 'tickscope', 'bytes_per_record') / get(s, 'jsonl-gzip', 'bytes_per_record'),
    (x) => x <= 0.1,
    '≤ 0.1',
  );
  target(
    'replay records/s (M)',
    (s) => get(s, 'tickscope', 'replay_records_per_s') / 1e6,
    (x) => x >= 3,
    '≥ 3.0',
  );
  return lines.join('\n');
}
