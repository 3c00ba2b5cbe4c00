/**
 * A recorded session inside DuckDB, for analysis: the records are streamed block by block from the
 * session reader into a DuckDB table through the appender, in chunks of DuckDB's vector size (no
 * temporary CSV), and a view `records` gives them typed columns. `tickscope query` runs SQL over
 * that view, `tickscope export --format parquet` and the app's Parquet export copy it to a file
 * (zstd), and `bench record` measures DuckDB's Parquet against the session's own codec.
 *
 * The view `records`, one row per record in recorded order:
 *
 * | column            | type          | meaning                                                    |
 * |-------------------|---------------|------------------------------------------------------------|
 * | kind              | ENUM          | trade, bookTop, bookDelta, gap, bookReset (NULL if unknown)|
 * | venue             | ENUM          | a name of the venue list (common/venues.ts), or unknown    |
 * | symbol            | VARCHAR       | from the manifest, else `#instrumentId` (dictionary-coded) |
 * | instrument_id     | UINTEGER      | the session's instrument id                                |
 * | side              | ENUM          | trades: the aggressor (buy/sell); book: bid/ask; else NULL |
 * | snapshot, ring_overflow, sequence_gap, checksum_mismatch, reconnect | BOOLEAN | the flags |
 * | flags             | USMALLINT     | every flag bit as recorded                                 |
 * | price, quantity   | DOUBLE        | as recorded (bookTop: the side's best price and size)      |
 * | exchange_time     | TIMESTAMP     | µs; NULL when the venue sent none (0)                      |
 * | receive_time      | TIMESTAMP     | µs                                                         |
 * | event_time        | TIMESTAMP     | µs; NULL when 0                                            |
 * | sequence          | BIGINT        | trade id / update id                                       |
 * | feed, connection  | USMALLINT     | feed id, connection id                                     |
 * | wire_bytes        | UINTEGER      | size of the message that carried the event                 |
 *
 * DuckDB ships inside the `@duckdb/node-api` package (a prebuilt binding per platform, Parquet
 * built in); extensions are never downloaded at run time.
 */
import {
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  UINTEGER,
  USMALLINT,
  UTINYINT,
} from '@duckdb/node-api';
import { Off, RECORD_KIND_NAMES, RECORD_SIZE, RecordFlag } from '../../common/record.ts';
import { VENUE_LIST, VENUE_NAMES, venueName } from '../../common/venues.ts';
import { instrumentLabel, readSession, type Session } from './session-reader.ts';

/** DuckDB's vector size: the appender takes chunks of at most this many rows. */
const CHUNK = 2048;

const RAW_COLUMNS: readonly [string, DuckDBType][] = [
  ['kind', UTINYINT],
  ['venue', UTINYINT],
  ['flags', USMALLINT],
  ['feed', USMALLINT],
  ['connection', USMALLINT],
  ['instrument_id', UINTEGER],
  ['wire_bytes', UINTEGER],
  ['price', DOUBLE],
  ['quantity', DOUBLE],
  ['exchange_ms', DOUBLE],
  ['receive_ms', DOUBLE],
  ['sequence', DOUBLE],
  ['event_ms', DOUBLE],
];

/** Venue names by the number records carry (unknown for 0 and any number not in the list). */
const VENUES = Array.from({ length: Math.max(...VENUE_LIST.map((v) => v.id)) + 1 }, (_, i) => venueName(i));
/** The venue ENUM's values, each once. */
const VENUE_ENUM = ['unknown', ...VENUE_NAMES];

const sqlList = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(', ');
const ts = (col: string): string =>
  `CASE WHEN ${col} = 0 OR NOT isfinite(${col}) THEN NULL ELSE make_timestamp(CAST(round(${col} * 1000) AS BIGINT)) END`;

/** The typed view over the raw table (see the table above). */
const VIEW_SQL = `CREATE VIEW records AS SELECT
  CASE WHEN r.kind < ${RECORD_KIND_NAMES.length} THEN (${`[${sqlList(RECORD_KIND_NAMES)}]`})[r.kind + 1]::record_kind END AS kind,
  CASE WHEN r.venue < ${VENUES.length} THEN ([${sqlList(VENUES)}])[r.venue + 1] ELSE 'unknown' END::record_venue AS venue,
  coalesce(i.symbol, '#' || r.instrument_id) AS symbol,
  r.instrument_id,
  (CASE WHEN r.kind = 1 THEN CASE WHEN r.flags & ${RecordFlag.aggressorSell} <> 0 THEN 'sell' ELSE 'buy' END
        WHEN r.kind IN (2, 3) THEN CASE WHEN r.flags & ${RecordFlag.bid} <> 0 THEN 'bid' ELSE 'ask' END END)::record_side AS side,
  r.flags & ${RecordFlag.snapshot} <> 0 AS snapshot,
  r.flags & ${RecordFlag.ringOverflow} <> 0 AS ring_overflow,
  r.flags & ${RecordFlag.sequenceGap} <> 0 AS sequence_gap,
  r.flags & ${RecordFlag.checksumMismatch} <> 0 AS checksum_mismatch,
  r.flags & ${RecordFlag.reconnect} <> 0 AS reconnect,
  r.flags,
  r.price,
  r.quantity,
  ${ts('r.exchange_ms')} AS exchange_time,
  ${ts('r.receive_ms')} AS receive_time,
  ${ts('r.event_ms')} AS event_time,
  CASE WHEN isfinite(r.sequence) AND abs(r.sequence) < 9.2e18 THEN CAST(r.sequence AS BIGINT) END AS sequence,
  r.feed,
  r.connection,
  r.wire_bytes
FROM raw_records r LEFT JOIN instruments i ON i.instrument_id = r.instrument_id
ORDER BY r.rowid`;

export interface LoadProgress {
  records: number;
  /** Segment bytes read, out of `total`. */
  read: number;
  total: number;
}

export interface SessionDb {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  records: number;
  /** Corrupt blocks and torn tails skipped, in words. */
  damage: string[];
  close(): void;
}

/** An in-memory DuckDB that never fetches an extension. */
export async function openDuckDb(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  return { instance, connection: await instance.connect() };
}

/** Creates the `raw_records` and `instruments` tables, the enums and the `records` view. */
export async function createSchema(c: DuckDBConnection): Promise<void> {
  await c.run(`CREATE TABLE raw_records (${RAW_COLUMNS.map(([n, t]) => `${n} ${t.toString()}`).join(', ')})`);
  await c.run('CREATE TABLE instruments (instrument_id UINTEGER PRIMARY KEY, venue VARCHAR, symbol VARCHAR)');
  await c.run(`CREATE TYPE record_kind AS ENUM (${sqlList(RECORD_KIND_NAMES)})`);
  await c.run(`CREATE TYPE record_venue AS ENUM (${sqlList(VENUE_ENUM)})`);
  await c.run(`CREATE TYPE record_side AS ENUM ('buy', 'sell', 'bid', 'ask')`);
  await c.run(VIEW_SQL);
}

/**
 * Appends records (N × 64 bytes) to `raw_records` in chunks; `columns` is scratch the caller
 * keeps from call to call (one array per column, reused).
 */
export class RecordAppender {
  private readonly appender;
  private readonly columns: number[][] = RAW_COLUMNS.map(() => new Array<number>(CHUNK));
  private readonly chunk: DuckDBDataChunk;
  private fill = 0;

  private constructor(appender: Awaited<ReturnType<DuckDBConnection['createAppender']>>) {
    this.appender = appender;
    this.chunk = DuckDBDataChunk.create(RAW_COLUMNS.map(([, t]) => t));
  }

  static async create(c: DuckDBConnection): Promise<RecordAppender> {
    return new RecordAppender(await c.createAppender('raw_records'));
  }

  append(r: Uint8Array): void {
    const v = new DataView(r.buffer, r.byteOffset, r.byteLength);
    const cols = this.columns;
    for (let at = 0; at < r.length; at += RECORD_SIZE) {
      const i = this.fill;
      cols[0]![i] = r[at + Off.kind]!;
      cols[1]![i] = r[at + Off.venue]!;
      cols[2]![i] = v.getUint16(at + Off.flags, true);
      cols[3]![i] = v.getUint16(at + Off.feedId, true);
      cols[4]![i] = v.getUint16(at + Off.connectionId, true);
      cols[5]![i] = v.getUint32(at + Off.instrumentId, true);
      cols[6]![i] = v.getUint32(at + Off.wireBytes, true);
      cols[7]![i] = v.getFloat64(at + Off.price, true);
      cols[8]![i] = v.getFloat64(at + Off.quantity, true);
      cols[9]![i] = v.getFloat64(at + Off.exchangeTime, true);
      cols[10]![i] = v.getFloat64(at + Off.receiveTime, true);
      cols[11]![i] = v.getFloat64(at + Off.sequence, true);
      cols[12]![i] = v.getFloat64(at + Off.eventTime, true);
      if (++this.fill === CHUNK) this.flushChunk();
    }
  }

  private flushChunk(): void {
    if (this.fill === 0) return;
    const n = this.fill;
    this.chunk.setColumns(n === CHUNK ? this.columns : this.columns.map((c) => c.slice(0, n)));
    this.appender.appendDataChunk(this.chunk);
    this.chunk.reset();
    this.fill = 0;
  }

  /** Appends what is left and closes the appender (the rows are then visible). */
  close(): void {
    this.flushChunk();
    this.appender.closeSync();
  }
}

/**
 * Loads a session into a new in-memory DuckDB: every good block, in order, damage skipped (and
 * listed). The caller closes it.
 */
export async function loadSession(
  session: Session,
  opts: { onProgress?: (p: LoadProgress) => void } = {},
): Promise<SessionDb> {
  const { instance, connection } = await openDuckDb();
  try {
    await createSchema(connection);
    const inst = await connection.createAppender('instruments');
    for (const [id, i] of session.instruments) {
      inst.appendUInteger(id);
      inst.appendVarchar(i.venue);
      inst.appendVarchar(instrumentLabel(session, id).symbol);
      inst.endRow();
    }
    inst.closeSync();
    const app = await RecordAppender.create(connection);
    const damage: string[] = [];
    let records = 0;
    let before = 0;
    const starts = new Map<string, number>();
    for (const s of session.segments) {
      starts.set(s.name, before);
      before += s.bytes;
    }
    for await (const e of readSession(session)) {
      if (e.type === 'block') {
        app.append(e.records);
        records += e.records.length / RECORD_SIZE;
        opts.onProgress?.({
          records,
          read: starts.get(e.segment)! + e.offset + e.size,
          total: session.bytes,
        });
      } else if (e.type === 'corrupt')
        damage.push(`skipped ${e.bytes} corrupt bytes in ${e.segment} at offset ${e.offset}: ${e.reason}`);
      else if (e.type === 'truncated')
        damage.push(`${e.segment} ends in a torn block at offset ${e.offset} (${e.bytes} bytes skipped)`);
    }
    app.close();
    return {
      instance,
      connection,
      records,
      damage,
      close: () => {
        connection.closeSync();
        instance.closeSync();
      },
    };
  } catch (err) {
    connection.closeSync();
    instance.closeSync();
    throw err;
  }
}

/** Copies the `records` view to a Parquet file (zstd). */
export async function writeParquet(c: DuckDBConnection, file: string): Promise<void> {
  await c.run(
    `COPY (SELECT * FROM records) TO '${file.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd)`,
  );
}
