/**
 * `tickscope query DIR "SELECT …" [--json|--csv]`: DuckDB SQL over a recorded session. The
 * session's records are streamed block by block into an in-memory DuckDB table (the appender, in
 * vector-sized chunks — no temporary file) behind a typed view `records` (columns in
 * session-duckdb.ts), then the statement runs and its rows are printed: an aligned table by
 * default, JSON lines with --json, CSV with a header row with --csv.
 */
import type { DuckDBMaterializedResult } from '@duckdb/node-api';
import { loadSession } from '../recorder/session-duckdb.ts';
import { openSession, SessionError } from '../recorder/session-reader.ts';
import { parseFlags, UsageError } from './args.ts';

export const QUERY_USAGE = `usage: tickscope query DIR "SQL" [--json|--csv]
  Runs DuckDB SQL over the session in DIR, seen as the view records (one row per record):
  kind, venue, symbol, instrument_id, side, snapshot, ring_overflow, sequence_gap,
  checksum_mismatch, reconnect, flags, price, quantity, exchange_time, receive_time, event_time
  (TIMESTAMP, µs), sequence, feed, connection, wire_bytes. Prints a table, or JSON lines (--json),
  or CSV with a header row (--csv). Examples:
    tickscope query DIR "SELECT time_bucket(INTERVAL 1 minute, receive_time) AS minute, venue,
      count(*) AS trades FROM records WHERE kind = 'trade' GROUP BY ALL ORDER BY ALL"
    tickscope query DIR "SELECT time_bucket(INTERVAL 1 second, receive_time) AS t, symbol,
      max(price) FILTER (side = 'ask') - max(price) FILTER (side = 'bid') AS spread
      FROM records WHERE kind = 'bookTop' GROUP BY ALL ORDER BY ALL"`;

export async function queryCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { json: { type: 'boolean' }, csv: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) {
    console.log(QUERY_USAGE);
    return 0;
  }
  if (positionals.length !== 2)
    throw new UsageError('a session folder and one SQL statement: tickscope query DIR "SELECT …"');
  if (values.json && values.csv) throw new UsageError('--json or --csv, not both');
  const [dir, sql] = positionals as [string, string];
  if (sql.trim() === '') throw new UsageError('the SQL statement is empty');
  let db: Awaited<ReturnType<typeof loadSession>>;
  try {
    db = await loadSession(await openSession(dir));
  } catch (err) {
    if (err instanceof SessionError) {
      console.error(`tickscope query: ${err.message}`);
      return 1;
    }
    throw err;
  }
  try {
    for (const d of db.damage) console.error(`tickscope query: ${d}`);
    let result: DuckDBMaterializedResult;
    try {
      result = await db.connection.run(sql);
    } catch (err) {
      console.error(`tickscope query: ${(err as Error).message}`);
      return 1;
    }
    const names = result.columnNames();
    const rows = (await result.getRowsJson()) as unknown[][];
    if (values.json)
      for (const row of rows)
        console.log(JSON.stringify(Object.fromEntries(names.map((n, i) => [n, row[i]]))));
    else if (values.csv) {
      console.log(names.map(csvField).join(','));
      for (const row of rows) console.log(row.map((v) => csvField(text(v))).join(','));
    } else console.log(table(names, rows));
    return 0;
  } finally {
    db.close();
  }
}

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** An aligned text table: numbers right-aligned, NULL shown as empty. */
function table(names: string[], rows: unknown[][]): string {
  const cells = rows.map((r) => r.map(text));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((r) => r[i]!.length)));
  const numeric = names.map((_, i) =>
    rows.every((r) => r[i] === null || typeof r[i] === 'number' || /^-?\d/.test(text(r[i]))),
  );
  const line = (r: string[]): string =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    line(names),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    `(${rows.length} rows)`,
  ].join('\n');
}
