/**
 * A recorded session as text — CSV with a header row, or JSON lines — one row per record in
 * recorded order, streamed block by block (a session of any size, in constant memory); or as
 * Parquet, through DuckDB (session-duckdb.ts has its typed columns). The one
 * export core: `tickscope export` writes it to stdout or a file, the app's export worker writes it
 * into the sessions folder's `exports/` (atomically: beside the target, fsync'ed, renamed).
 *
 * Columns (CSV header row; the same names as JSON keys, camelCased):
 *
 * | column            | JSON key         | meaning                                                      |
 * |-------------------|------------------|--------------------------------------------------------------|
 * | kind              | kind             | trade, bookTop, bookDelta, gap, bookReset                    |
 * | venue             | venue            | a name of the venue list (common/venues.ts), else unknown    |
 * | symbol            | symbol           | from the manifest's instrument table, else `#instrumentId`   |
 * | instrument_id     | instrumentId     | the session's instrument id                                  |
 * | flags             | flags            | flag names, `|`-separated in CSV, a list in JSON             |
 * | price             | price            | price (bookTop: the bid)                                     |
 * | quantity          | quantity         | quantity (gap: events missing, 0 if unknown)                 |
 * | exchange_time     | exchangeTime     | venue's match time, ISO 8601 UTC (empty/null if 0)           |
 * | exchange_time_ms  | exchangeTimeMs   | the same, epoch ms with µs decimals                          |
 * | receive_time      | receiveTime      | when Tickscope received it, ISO 8601 UTC                     |
 * | receive_time_ms   | receiveTimeMs    | the same, epoch ms                                           |
 * | event_time        | eventTime        | the venue's message time, ISO 8601 UTC (empty/null if 0)     |
 * | event_time_ms     | eventTimeMs      | the same, epoch ms                                           |
 * | sequence          | sequence         | trade id / update id (gap: first missing id if known)        |
 * | feed              | feed             | feed id                                                      |
 * | connection        | connection       | connection id (increments on every reconnect)                |
 * | wire_bytes        | wireBytes        | size of the message that carried the event                   |
 *
 * Numbers are written in their shortest exact form (they read back to the same double); NaN is an
 * empty CSV field and JSON null. Damage (corrupt blocks, torn tails) is skipped and reported.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { EXPORT_FORMATS, type ExportFormat } from '../../common/api.ts';
import { Off, RECORD_SIZE, venueName } from '../../common/record.ts';
import { syncDir } from '../fs/atomic-write.ts';
import { loadSession, writeParquet } from './session-duckdb.ts';
import {
  flagNames,
  instrumentLabel,
  kindName,
  openSession,
  readSession,
  type Session,
} from './session-reader.ts';

export const FORMATS = EXPORT_FORMATS;
export type { ExportFormat };
/** The formats written as text rows (Parquet goes through DuckDB). */
export type TextFormat = Exclude<ExportFormat, 'parquet'>;

export const CSV_COLUMNS = [
  'kind',
  'venue',
  'symbol',
  'instrument_id',
  'flags',
  'price',
  'quantity',
  'exchange_time',
  'exchange_time_ms',
  'receive_time',
  'receive_time_ms',
  'event_time',
  'event_time_ms',
  'sequence',
  'feed',
  'connection',
  'wire_bytes',
];

export interface ExportProgress {
  /** Rows written. */
  records: number;
  /** Text bytes written. */
  bytes: number;
  /** Segment bytes read, out of `total`. */
  read: number;
  total: number;
}

export interface ExportHooks {
  onProgress?(p: ExportProgress): void;
  /** A corrupt block or torn tail that was skipped, in words. */
  onDamage?(message: string): void;
}

export interface ExportResult {
  records: number;
  bytes: number;
  /** Damaged spans skipped. */
  damaged: number;
  /** The first error the sink reported (the export stopped there), or null. */
  sinkError: NodeJS.ErrnoException | null;
}

/**
 * Writes every record of `session` to `sink` as `format`, waiting for the sink to drain between
 * blocks. With `end`, ends the sink and waits for it to finish; otherwise waits until it has
 * taken everything. Never rejects for a sink error: it stops and returns it.
 */
export async function writeSessionRows(
  session: Session,
  format: TextFormat,
  sink: Writable,
  opts: ExportHooks & { end: boolean },
): Promise<ExportResult> {
  let sinkError: NodeJS.ErrnoException | null = null;
  const onError = (err: NodeJS.ErrnoException): void => {
    sinkError ??= err;
  };
  sink.on('error', onError);
  /** Resolves on `event` or on an error (recorded by onError), never rejects. */
  const until = (event: 'drain' | 'finish'): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        sink.off(event, done);
        sink.off('error', done);
        resolve();
      };
      sink.once(event, done);
      sink.once('error', done);
    });
  const progress: ExportProgress = { records: 0, bytes: 0, read: 0, total: session.bytes };
  let damaged = 0;
  const write = async (text: string): Promise<void> => {
    progress.bytes += Buffer.byteLength(text);
    if (!sink.write(text)) await until('drain');
  };
  const rows = format === 'csv' ? csvRows(session) : jsonRows(session);
  if (format === 'csv') await write(`${CSV_COLUMNS.join(',')}\n`);
  for await (const e of readSession(session)) {
    if (sinkError) break;
    if (e.type === 'block') {
      progress.records += e.records.length / RECORD_SIZE;
      await write(rows(e.records));
      progress.read = offsetBefore(session, e.segment) + e.offset + e.size;
      opts.onProgress?.(progress);
    } else if (e.type === 'corrupt') {
      damaged++;
      opts.onDamage?.(`skipped ${e.bytes} corrupt bytes in ${e.segment} at offset ${e.offset}: ${e.reason}`);
    } else if (e.type === 'truncated') {
      damaged++;
      opts.onDamage?.(`${e.segment} ends in a torn block at offset ${e.offset} (${e.bytes} bytes skipped)`);
    }
  }
  if (!sinkError) {
    if (opts.end) {
      const finished = until('finish');
      sink.end();
      await finished;
    } else if (sink.writableLength > 0) await until('drain');
  }
  sink.off('error', onError);
  progress.read = progress.total;
  return { records: progress.records, bytes: progress.bytes, damaged, sinkError };
}

/**
 * Exports the session in `dir` to the file `out`, atomically: the rows go to a temporary file
 * beside it (`tmp`, or a random name), which is fsync'ed and renamed over `out`; on any failure the
 * temporary file is removed and `out` is left as it was. Throws (SessionError for a folder that
 * is not a session, the file system's error otherwise).
 */
export async function exportSessionToFile(
  dir: string,
  format: ExportFormat,
  out: string,
  hooks: ExportHooks & { tmp?: string } = {},
): Promise<ExportResult & { path: string }> {
  const session = await openSession(dir);
  await mkdir(dirname(out), { recursive: true });
  const tmp = hooks.tmp ?? `${out}.${randomBytes(4).toString('hex')}.tmp`;
  if (format === 'parquet') return exportParquet(session, out, tmp, hooks);
  // `flush`: the file is fsync'ed before it is closed, so the rename publishes durable content.
  const sink = createWriteStream(tmp, { flags: 'wx', mode: 0o644, flush: true, highWaterMark: 1 << 20 });
  const closed = new Promise<void>((resolve) => sink.once('close', resolve));
  let renamed = false;
  try {
    const r = await writeSessionRows(session, format, sink, { ...hooks, end: true });
    if (r.sinkError) throw r.sinkError;
    await closed;
    await rename(tmp, out);
    renamed = true;
    await syncDir(dirname(out));
    return { ...r, path: out };
  } finally {
    if (!renamed) {
      sink.destroy();
      await closed;
      await rm(tmp, { force: true });
    }
  }
}

function offsetBefore(session: Session, segment: string): number {
  let n = 0;
  for (const s of session.segments) {
    if (s.name === segment) return n;
    n += s.bytes;
  }
  return n;
}

/**
 * Epoch ms as ISO 8601 (what Date#toISOString gives), or '' when 0 (unknown) or out of Date's
 * range. Made per column: it keeps the last second's text, so a row costs no Date.
 */
function isoFormatter(): (t: number) => string {
  let second = Number.NaN;
  let prefix = '';
  return (t) => {
    if (t === 0 || !Number.isFinite(t) || Math.abs(t) > 8.64e15) return '';
    const ms = Math.trunc(t);
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      const iso = new Date(s * 1000).toISOString();
      prefix = iso.slice(0, iso.length - 4); // without "000Z"
    }
    const m = ms - s * 1000;
    return `${prefix}${m < 10 ? '00' : m < 100 ? '0' : ''}${m}Z`;
  };
}

/** Shortest exact text of a double; -0 kept; NaN → ''. */
function num(n: number): string {
  if (Number.isNaN(n)) return '';
  if (n === 0 && 1 / n < 0) return '-0';
  return String(n);
}

function jsonNum(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  if (n === 0 && 1 / n < 0) return '-0';
  return String(n);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Cached per-instrument and per-flags text, so that a row is mostly concatenation. */
function labels(session: Session, json: boolean) {
  const instruments = new Map<number, string>();
  const flags = new Map<number, string>();
  return {
    instrument(id: number): string {
      let s = instruments.get(id);
      if (s === undefined) {
        const sym = instrumentLabel(session, id).symbol;
        s = json ? `${JSON.stringify(sym)},"instrumentId":${id}` : `${csvField(sym)},${id}`;
        instruments.set(id, s);
      }
      return s;
    },
    flags(f: number): string {
      let s = flags.get(f);
      if (s === undefined) {
        const names = flagNames(f);
        s = json ? JSON.stringify(names) : csvField(names.join('|'));
        flags.set(f, s);
      }
      return s;
    },
  };
}

/** CSV rows (no header) of a block's records; exported for the record benchmark's csv-gzip. */
export function csvRows(session: Session): (records: Uint8Array) => string {
  const l = labels(session, false);
  const isoX = isoFormatter();
  const isoR = isoFormatter();
  const isoE = isoFormatter();
  return (r) => {
    const v = new DataView(r.buffer, r.byteOffset, r.byteLength);
    let out = '';
    for (let at = 0; at < r.length; at += RECORD_SIZE) {
      const x = v.getFloat64(at + Off.exchangeTime, true);
      const rt = v.getFloat64(at + Off.receiveTime, true);
      const et = v.getFloat64(at + Off.eventTime, true);
      out += `${kindName(r[at + Off.kind]!)},${venueName(r[at + Off.venue]!)},${l.instrument(v.getUint32(at + Off.instrumentId, true))},${l.flags(v.getUint16(at + Off.flags, true))},${num(v.getFloat64(at + Off.price, true))},${num(v.getFloat64(at + Off.quantity, true))},${isoX(x)},${num(x)},${isoR(rt)},${num(rt)},${isoE(et)},${num(et)},${num(v.getFloat64(at + Off.sequence, true))},${v.getUint16(at + Off.feedId, true)},${v.getUint16(at + Off.connectionId, true)},${v.getUint32(at + Off.wireBytes, true)}\n`;
    }
    return out;
  };
}

function jsonRows(session: Session): (records: Uint8Array) => string {
  const l = labels(session, true);
  const formats = [isoFormatter(), isoFormatter(), isoFormatter()] as const;
  const iso = (t: number, column: 0 | 1 | 2): string => {
    const s = formats[column](t);
    return s === '' ? 'null' : `"${s}"`;
  };
  return (r) => {
    const v = new DataView(r.buffer, r.byteOffset, r.byteLength);
    let out = '';
    for (let at = 0; at < r.length; at += RECORD_SIZE) {
      const x = v.getFloat64(at + Off.exchangeTime, true);
      const rt = v.getFloat64(at + Off.receiveTime, true);
      const et = v.getFloat64(at + Off.eventTime, true);
      out += `{"kind":"${kindName(r[at + Off.kind]!)}","venue":"${venueName(r[at + Off.venue]!)}","symbol":${l.instrument(v.getUint32(at + Off.instrumentId, true))},"flags":${l.flags(v.getUint16(at + Off.flags, true))},"price":${jsonNum(v.getFloat64(at + Off.price, true))},"quantity":${jsonNum(v.getFloat64(at + Off.quantity, true))},"exchangeTime":${iso(x, 0)},"exchangeTimeMs":${jsonNum(x)},"receiveTime":${iso(rt, 1)},"receiveTimeMs":${jsonNum(rt)},"eventTime":${iso(et, 2)},"eventTimeMs":${jsonNum(et)},"sequence":${jsonNum(v.getFloat64(at + Off.sequence, true))},"feed":${v.getUint16(at + Off.feedId, true)},"connection":${v.getUint16(at + Off.connectionId, true)},"wireBytes":${v.getUint32(at + Off.wireBytes, true)}}\n`;
    }
    return out;
  };
}

/**
 * The session as Parquet through DuckDB (session-duckdb.ts): loaded block by block (progress as
 * the blocks are read), copied with zstd into `tmp`, fsync'ed, renamed over `out`.
 */
async function exportParquet(
  session: Session,
  out: string,
  tmp: string,
  hooks: ExportHooks,
): Promise<ExportResult & { path: string }> {
  const db = await loadSession(session, {
    onProgress: (p) => hooks.onProgress?.({ records: p.records, bytes: 0, read: p.read, total: p.total }),
  });
  let renamed = false;
  try {
    for (const d of db.damage) hooks.onDamage?.(d);
    await writeParquet(db.connection, tmp);
    const fh = await open(tmp, 'r+');
    const { size } = await fh.stat();
    await fh.sync();
    await fh.close();
    await rename(tmp, out);
    renamed = true;
    await syncDir(dirname(out));
    return { records: db.records, bytes: size, damaged: db.damage.length, sinkError: null, path: out };
  } finally {
    db.close();
    if (!renamed) await rm(tmp, { force: true });
  }
}
