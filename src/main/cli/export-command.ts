/**
 * `tickscope export DIR --format csv|jsonl|parquet [--out FILE]`: a recorded session as text, one
 * row per record in recorded order, streamed block by block (a session of any size, in constant
 * memory); or as a Parquet file written by DuckDB (typed columns: session-duckdb.ts).
 *
 * The rows (columns, number and time formats) are session-export.ts's, shared with the app's
 * export. Damage (corrupt blocks, torn tails) is skipped and reported on stderr. A progress bar
 * goes to stderr when it is a terminal and the export takes a while.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import {
  exportSessionToFile,
  FORMATS,
  type TextFormat,
  writeSessionRows,
} from '../recorder/session-export.ts';
import { openSession, type Session, SessionError } from '../recorder/session-reader.ts';
import { parseFlags, UsageError } from './args.ts';

export const EXPORT_USAGE = `usage: tickscope export DIR --format csv|jsonl|parquet [--out FILE]
  Writes every record of the session in DIR as CSV (with a header row) or JSON lines, to stdout
  or to FILE. Columns: kind, venue, symbol, instrument_id, flags, price, quantity, exchange_time,
  exchange_time_ms, receive_time, receive_time_ms, event_time, event_time_ms, sequence, feed,
  connection, wire_bytes (times as ISO 8601 UTC and as epoch ms).
  --format parquet (needs --out): a Parquet file with zstd, written by DuckDB, one row per record
  with typed columns: kind, venue (enums), symbol, instrument_id, side (buy/sell for trades,
  bid/ask for book records), snapshot, ring_overflow, sequence_gap, checksum_mismatch, reconnect
  (booleans), flags, price, quantity (double), exchange_time, receive_time, event_time
  (TIMESTAMP, µs), sequence (bigint), feed, connection, wire_bytes.
  Corrupt blocks and torn tails are skipped and reported on stderr.`;

export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { format: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) {
    console.log(EXPORT_USAGE);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError('a session folder is required: tickscope export DIR --format csv|jsonl|parquet');
  if (positionals.length > 1) throw new UsageError(`one session folder at a time, got ${positionals.length}`);
  if (values.format === undefined) throw new UsageError('--format is required (csv, jsonl or parquet)');
  const format = values.format.toLowerCase();
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`unknown --format '${values.format}' (formats: ${FORMATS.join(', ')})`);
  if (values.out === '') throw new UsageError('--out needs a file name');
  if (format === 'parquet') {
    if (values.out === undefined) throw new UsageError('--format parquet writes a file: give --out FILE');
    return parquetExport(positionals[0]!, values.out);
  }

  let session: Session;
  try {
    session = await openSession(positionals[0]!);
  } catch (err) {
    if (err instanceof SessionError) {
      console.error(`tickscope export: ${err.message}`);
      return 1;
    }
    throw err;
  }

  let file: FileHandle | null = null;
  let sink: Writable = process.stdout;
  if (values.out !== undefined) {
    try {
      file = await open(values.out, 'w');
    } catch (err) {
      console.error(`tickscope export: cannot write ${values.out}: ${(err as Error).message}`);
      return 1;
    }
    sink = file.createWriteStream({ highWaterMark: 1 << 20 });
  }

  const progress = new Progress(session.bytes, values.out !== undefined || !process.stdout.isTTY);
  let result: Awaited<ReturnType<typeof writeSessionRows>>;
  try {
    result = await writeSessionRows(session, format as TextFormat, sink, {
      end: file !== null,
      onProgress: (p) => progress.update(p.read, p.records),
      onDamage: (message) => {
        progress.clear();
        console.error(`tickscope export: ${message}`);
      },
    });
  } finally {
    progress.clear();
    if (file) {
      if (!sink.destroyed && !sink.writableFinished) sink.destroy();
      await file.close().catch(() => undefined);
    }
  }
  const { records, damaged, sinkError } = result;
  if (sinkError) {
    const err = sinkError as NodeJS.ErrnoException;
    if (!file && err.code === 'EPIPE') return 0; // the reader went away (| head): not an error
    console.error(`tickscope export: cannot write ${values.out ?? 'to stdout'}: ${err.message}`);
    return 1;
  }
  if (file)
    console.error(
      `tickscope export: ${records.toLocaleString('en-US')} records to ${values.out}${damaged > 0 ? ` (${damaged} damaged span(s) skipped)` : ''}`,
    );
  return 0;
}

/** The Parquet export: the session into DuckDB block by block (the progress bar), then the file. */
async function parquetExport(dir: string, out: string): Promise<number> {
  const bar: { progress: Progress | null } = { progress: null };
  try {
    const r = await exportSessionToFile(dir, 'parquet', out, {
      onProgress: (p) => {
        bar.progress ??= new Progress(p.total, true);
        bar.progress.update(p.read, p.records);
      },
      onDamage: (message) => {
        bar.progress?.clear();
        console.error(`tickscope export: ${message}`);
      },
    });
    bar.progress?.clear();
    console.error(
      `tickscope export: ${r.records.toLocaleString('en-US')} records to ${out} (Parquet, ${r.bytes.toLocaleString('en-US')} bytes)${r.damaged > 0 ? ` (${r.damaged} damaged span(s) skipped)` : ''}`,
    );
    return 0;
  } catch (err) {
    bar.progress?.clear();
    const what = err instanceof SessionError ? err.message : `cannot write ${out}: ${(err as Error).message}`;
    console.error(`tickscope export: ${what}`);
    return 1;
  }
}

/** A one-line progress bar on stderr, shown only on a terminal and only after the first second. */
class Progress {
  private readonly total: number;
  private readonly enabled: boolean;
  private readonly started = Date.now();
  private lastDraw = 0;
  private shown = false;

  constructor(total: number, allowed: boolean) {
    this.total = total;
    this.enabled = allowed && process.stderr.isTTY === true;
  }

  update(done: number, records: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.started < 1000 || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const f = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 30;
    const full = Math.round(f * width);
    const rate = records / Math.max(0.001, (now - this.started) / 1000);
    process.stderr.write(
      `\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)} %  ${records.toLocaleString('en-US')} records  ${Math.round(rate).toLocaleString('en-US')}/s\x1b[K`,
    );
    this.shown = true;
  }

  clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}
