/**
 * `tickscope bench pipeline|ingest [--json] [--scale X] [--repeat N]`: runs one benchmark and
 * prints a table with ratios against the peers measured in the same run (or one JSON object per
 * line).
 */
import { intFlag, numberFlag, parseFlags, UsageError } from './args.ts';

// Each benchmark is loaded only when it runs: they bring their peers (Playwright, ringbuf.js,
// ccxt), which no other command needs (test/unit/layering.test.ts holds every command to that).

export const BENCH_USAGE = `usage: tickscope bench pipeline|ingest|record|ui [--json] [--scale X] [--repeat N] [--seconds S] [--rate R|max]
  pipeline: ring vs ringbuf.js vs postMessage on 64-byte records between worker threads:
    records/s at batch 1 and 256 (median of --repeat runs, default 5), and one-way latency at
    20,000 records/s.
  ingest: one feed worker's ingest rate (simulator frames at full speed) vs the bare ws client,
    ws + JSON.parse, ws + a byte extractor and ccxt pro watchTrades (median of --repeat
    interleaved runs), and send → ring latency at 20,000 messages/s vs the bare client and ccxt.
  record: a million records of each stream — trades, book deltas, and the default simulator's
    mix of kinds and venues — written as a session with codec v2 and v1 (one core), as Parquet
    with zstd through DuckDB, as gzip'ed CSV and as (gzip'ed) JSON lines: records/s and bytes
    per record, and each session replayed (read and decoded) at maximum speed.
  ui: the dashboard in Chromium on the simulator at full rate (--rate, default max) for --seconds
    (default 60): frame time p50/p99, long tasks over 50 ms, and the UI stage's p99.
  --scale shrinks the message counts.`;

export async function benchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      json: { type: 'boolean' },
      scale: { type: 'string' },
      repeat: { type: 'string' },
      seconds: { type: 'string' },
      rate: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    console.log(BENCH_USAGE);
    return 0;
  }
  const which = positionals[0] ?? 'pipeline';
  if (!['pipeline', 'ingest', 'record', 'ui'].includes(which) || positionals.length > 1)
    throw new UsageError(`unknown benchmark '${positionals.join(' ')}'`);
  const scale = numberFlag(values.scale, 'scale', 0.001, 10, 1);
  const repeat = intFlag(values.repeat, 'repeat', 1, 51, 5);
  const json = values.json === true;
  if (which === 'ui') {
    const seconds = intFlag(values.seconds, 'seconds', 1, 3600, 60);
    const rate = values.rate ?? 'max';
    if (rate !== 'max' && !(Number(rate) >= 1)) throw new UsageError(`--rate must be a number ≥ 1 or 'max'`);
    if (!json)
      console.error(`bench ui on Node ${process.version}, ${new Date().toISOString()} (${seconds} s)…`);
    const { runUiBench, formatUiTable } = await import('../bench/ui-bench.ts');
    const r = await runUiBench({ seconds, rate, log: (l) => console.error(l) });
    if (json) for (const row of r.rows) console.log(JSON.stringify(row));
    else console.log(formatUiTable(r));
    return 0;
  }
  if (which === 'record') {
    if (!json)
      console.error(`bench record on Node ${process.version}, ${new Date().toISOString()} (scale ${scale})…`);
    const { runRecordBench, formatRecordTable } = await import('../bench/record-bench.ts');
    const rows = await runRecordBench({
      scale,
      onRow: (row) => {
        if (json) {
          const { stream, ...line } = row;
          console.log(JSON.stringify({ ...line, stream }));
        }
      },
    });
    if (!json) console.log(formatRecordTable(rows));
    return 0;
  }
  if (which === 'ingest') {
    if (!json)
      console.error(
        `bench ingest on Node ${process.version}, ${new Date().toISOString()} (scale ${scale}, median of ${repeat} interleaved runs)…`,
      );
    const { runIngestBench, formatIngestTable } = await import('../bench/ingest-bench.ts');
    const result = await runIngestBench({
      scale,
      repeat,
      onRow: (row) => {
        if (json) console.log(JSON.stringify(row));
      },
      // Progress and notes go to stderr, so stdout stays the table or the JSON lines.
      log: (line) => console.error(line),
    });
    if (!json) console.log(formatIngestTable(result));
    return 0;
  }
  if (!json)
    console.error(
      `bench pipeline on Node ${process.version}, ${new Date().toISOString()} (scale ${scale}, median of ${repeat} runs)…`,
    );
  const { runPipelineBench, formatPipelineTable } = await import('../bench/pipeline-bench.ts');
  const rows = await runPipelineBench({
    scale,
    repeat,
    onRow: (row) => {
      if (json) console.log(JSON.stringify(row));
    },
  });
  if (!json) console.log(formatPipelineTable(rows));
  return 0;
}
