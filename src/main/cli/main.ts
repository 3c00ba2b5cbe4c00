/**
 * `tickscope <command>`: the headless face of the engine. Each command lives in its own module and
 * returns an exit code; usage errors print one line and exit 2.
 */
import { UsageError } from './args.ts';

const USAGE = `usage: tickscope <command> [options]

commands:
  serve    serve the dashboard on 127.0.0.1 and stream live frames (default: the simulator)
  record   record a session to a folder (default: the simulator), crash-safe
  replay   replay a recorded session through the pipeline (1×, N×, max), optionally served
  sim      run the embedded exchange simulator (Binance, Coinbase, Kraken, Bybit, OKX) on 127.0.0.1
  watch    connect to one venue and print live statistics, then a summary
  bench    measure the pipeline or a feed's ingest against their peers in one run
  inspect  count what a recorded session holds (kinds, venues, instruments, gaps, size) and its damage
  export   write a recorded session as CSV, JSON lines or Parquet
  query    run DuckDB SQL over a recorded session (a view named records)

Run 'tickscope <command> --help' for a command's options.`;

type Command = (argv: string[]) => Promise<number>;

/** Each command's module is loaded when it runs, so one command never pays for another's imports. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve-command.ts')).serveCommand,
  sim: async () => (await import('./sim-command.ts')).simCommand,
  bench: async () => (await import('./bench-command.ts')).benchCommand,
  watch: async () => (await import('./watch-command.ts')).watchCommand,
  inspect: async () => (await import('./inspect-command.ts')).inspectCommand,
  export: async () => (await import('./export-command.ts')).exportCommand,
  query: async () => (await import('./query-command.ts')).queryCommand,
  record: async () => (await import('./record-command.ts')).recordCommand,
  replay: async () => (await import('./replay-command.ts')).replayCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`tickscope: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  const command = await load();
  try {
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`tickscope ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
