/**
 * `tickscope export DIR --format csv|jsonl [--out FILE]`: a recorded session as text, one row per
 * record in recorded order, streamed block by block (a session of any size, in constant memory).
 *
 * Columns (CSV header row; the same names as JSON keys, camelCased):
 *
 * | column            | JSON key         | meaning                                                      |
 * |-------------------|------------------|--------------------------------------------------------------|
 * | kind              | kind             | trade, bookTop, bookDelta, gap, bookReset                    |
 * | venue             | venue            | binance, coinbase, kraken, bybit, okx (unknown if not known) |
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
 * empty CSV field and JSON null. Damage (corrupt blocks, torn tails) is skipped and reported on
 * stderr. A progress bar goes to stderr when it is a terminal and the export takes a while.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Off, RECORD_SIZE, venueName } from '../../common/record.ts';
import {
  flagNames,
  instrumentLabel,
  kindName,
  openSession,
  readSession,
  type Session,
  SessionError,
} from '../recorder/session-reader.ts';
import { parseFlags, UsageError } from './args.ts';

export const EXPORT_USAGE = `usage: tickscope export DIR --format csv|jsonl [--out FILE]
  Writes every record of the session in DIR as CSV (with a header row) or JSON lines, to stdout
  or to FILE. Columns: kind, venue, symbol, instrument_id, flags, price, quantity, exchange_time,
  exchange_time_ms, receive_time, receive_time_ms, event_time, event_time_ms, sequence, feed,
  connection, wire_bytes (times as ISO 8601 UTC and as epoch ms). Corrupt blocks and torn tails
  are skipped and reported on stderr.`;

export const FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof FORMATS)[number];

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
    throw new UsageError('a session folder is required: tickscope export DIR --format csv|jsonl');
  if (positionals.length > 1) throw new UsageError(`one session folder at a time, got ${positionals.length}`);
  if (values.format === undefined) throw new UsageError('--format is required (csv or jsonl)');
  const format = values.format.toLowerCase();
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`unknown --format '${values.format}' (formats: ${FORMATS.join(', ')})`);
  if (values.out === '') throw new UsageError('--out needs a file name');

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
  const progress = new Progress(session.bytes, values.out !== undefined || !process.stdout.isTTY);
  let records = 0;
  let damaged = 0;
  try {
    const rows = format === 'csv' ? csvRows(session) : jsonRows(session);
    if (format === 'csv') sink.write(`${CSV_COLUMNS.join(',')}\n`);
    let done = 0;
    for await (const e of readSession(session)) {
      if (sinkError) break;
      if (e.type === 'block') {
        records += e.records.length / RECORD_SIZE;
        if (!sink.write(rows(e.records))) {
          await until('drain');
        }
        done = offsetBefore(session, e.segment) + e.offset + e.size;
        progress.update(done, records);
      } else if (e.type === 'corrupt') {
        damaged++;
        progress.clear();
        console.error(
          `tickscope export: skipped ${e.bytes} corrupt bytes in ${e.segment} at offset ${e.offset}: ${e.reason}`,
        );
      } else if (e.type === 'truncated') {
        damaged++;
        progress.clear();
        console.error(
          `tickscope export: ${e.segment} ends in a torn block at offset ${e.offset} (${e.bytes} bytes skipped)`,
        );
      }
    }
    if (!sinkError) {
      if (file) {
        const finished = until('finish');
        sink.end();
        await finished;
      } else if (sink.writableLength > 0) await until('drain');
    }
  } finally {
    progress.clear();
    if (file) {
      if (!sink.destroyed && !sink.writableFinished) sink.destroy();
      await file.close().catch(() => undefined);
    }
  }
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

function csvRows(session: Session): (records: Uint8Array) => string {
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
