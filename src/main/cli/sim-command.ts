/**
 * `tickscope sim`: the exchange simulator on its own, for pointing any Binance client at it.
 * Prints its URL on the first line of stdout (scripts wait for it), a stats line a second (JSON
 * lines with --json), and a summary when it stops (Ctrl-C, SIGTERM or --duration). --max-messages
 * ends the trading, not the process: clients stay connected and can drain what was sent.
 * Bad flags print one line to stderr and return 2.
 */
import { BinanceSim, SIM_FAULTS, type SimFault } from '../sim/binance-sim.ts';
import { DEFAULT_SYMBOLS } from '../sim/market-model.ts';
import { intFlag, numberFlag, parseFlags, rateFlag, symbolsFlag, UsageError } from './args.ts';
import { untilStopped } from './until-stopped.ts';

export const SIM_USAGE = `usage: tickscope sim [--port N] [--rate R|max] [--symbols A,B] [--seed N] [--max-messages N]
                    [--duration S] [--json] [--faults disconnect,malformed,oversized,stall] [--fault-every S]
  Speaks Binance spot's public trade stream on ws://127.0.0.1:PORT (/ws, /ws/<stream>,
  /stream?streams=…; SUBSCRIBE etc.). --rate is trades per second over all symbols. --faults
  injects one fault every --fault-every seconds (default 5), round-robin.`;

function faultsFlag(value: string | undefined): SimFault[] {
  if (value === undefined) return [];
  const list = value
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of list) {
    if (!(SIM_FAULTS as readonly string[]).includes(f)) {
      throw new UsageError(`--faults: unknown fault '${f}' (known: ${SIM_FAULTS.join(', ')})`);
    }
  }
  return list as SimFault[];
}

interface SimFlags {
  help: boolean;
  port: number;
  rate: number | 'max';
  seed: number;
  maxMessages: number;
  duration: number;
  symbols: string[];
  json: boolean;
  faults: SimFault[];
  faultEvery: number;
}

function parseSimFlags(argv: string[]): SimFlags {
  const { values } = parseFlags(argv, {
    port: { type: 'string' },
    rate: { type: 'string' },
    symbols: { type: 'string' },
    seed: { type: 'string' },
    'max-messages': { type: 'string' },
    duration: { type: 'string' },
    json: { type: 'boolean' },
    faults: { type: 'string' },
    'fault-every': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const duration = numberFlag(values.duration, 'duration', 0, 7 * 24 * 3600, 0);
  if (values.duration !== undefined && !(duration > 0))
    throw new UsageError('--duration must be more than 0 seconds');
  return {
    help: values.help === true,
    port: intFlag(values.port, 'port', 0, 65535, 0),
    rate: rateFlag(values.rate, 'rate', 1000),
    seed: intFlag(values.seed, 'seed', 0, 2 ** 31 - 1, 1),
    maxMessages: intFlag(values['max-messages'], 'max-messages', 1, Number.MAX_SAFE_INTEGER, 0),
    duration,
    symbols: symbolsFlag(values.symbols, 'symbols', [...DEFAULT_SYMBOLS]),
    json: values.json === true,
    faults: faultsFlag(values.faults),
    faultEvery: numberFlag(values['fault-every'], 'fault-every', 0.1, 3600, 5),
  };
}

export async function simCommand(argv: string[]): Promise<number> {
  let flags: SimFlags;
  try {
    flags = parseSimFlags(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`tickscope sim: ${err.message}`);
    return 2;
  }
  if (flags.help) {
    console.log(SIM_USAGE);
    return 0;
  }
  const { port, rate, seed, maxMessages, duration, symbols, json, faults, faultEvery } = flags;

  let sim: BinanceSim;
  try {
    sim = await BinanceSim.start({
      port,
      rate,
      seed,
      symbols,
      ...(maxMessages > 0 ? { maxMessages } : {}),
      log: (l) => console.error(l),
    });
  } catch (err) {
    console.error(`tickscope sim: ${(err as Error).message}`);
    return 1;
  }
  // Listen for Ctrl-C before announcing the URL: a caller may stop us as soon as it reads it.
  const stopped = untilStopped(duration);
  console.log(sim.url);
  if (!json)
    console.error(
      `simulator: Binance spot protocol on ${sim.url} — ${symbols.join(', ')} at ${rate} trades/s, seed ${seed}`,
    );

  // Faults on a schedule: one every --fault-every seconds, round-robin through --faults.
  let nextFault = 0;
  const faultTimer =
    faults.length > 0
      ? setInterval(() => sim.inject(faults[nextFault++ % faults.length]!), faultEvery * 1000)
      : null;
  const started = Date.now();
  let last = sim.stats();
  // One line a second: what was sent in that second (stdout, so `--json` lines can be piped).
  const report = setInterval(() => {
    const s = sim.stats();
    const line = {
      t: Math.round((Date.now() - started) / 1000),
      connections: s.connections,
      tradesPerSec: s.tradesSent - last.tradesSent,
      bytesPerSec: s.bytesSent - last.bytesSent,
      tradesSent: s.tradesSent,
      tradesGenerated: s.tradesGenerated,
    };
    last = s;
    console.log(
      json
        ? JSON.stringify(line)
        : `${line.t}s  ${line.connections} conn  ${line.tradesPerSec} trades/s  ${(line.bytesPerSec / 1024).toFixed(1)} KiB/s  ${line.tradesSent} sent`,
    );
  }, 1000);

  await stopped;
  clearInterval(report);
  if (faultTimer) clearInterval(faultTimer);
  const s = sim.stats();
  await sim.close();
  const summary = { summary: true, ...s, seconds: (Date.now() - started) / 1000 };
  console.log(
    json
      ? JSON.stringify(summary)
      : `summary: ${s.tradesSent} trades sent (${s.tradesGenerated} generated), ${s.bytesSent} bytes, ${s.controlMessages} control replies, ${s.errorsSent} errors`,
  );
  return 0;
}
