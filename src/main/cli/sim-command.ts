/**
 * `tickscope sim`: the exchange simulator on its own, for pointing any Binance client at it.
 * Prints its URL on the first line of stdout (scripts wait for it), a stats line a second (JSON
 * lines with --json), and a summary when it stops (Ctrl-C, SIGTERM or --duration). --max-messages
 * ends the trading, not the process: clients stay connected and can drain what was sent.
 * Bad flags print one line to stderr and return 2.
 */
import { BinanceSim, SIM_FAULTS, type SimFault } from '../sim/binance-sim.ts';
import { DEFAULT_SYMBOLS } from '../sim/market-model.ts';
import {
  parseFaultSchedule,
  type ScheduledFault,
  VENUE_FAULTS,
  VENUE_NAMES,
  type VenueName,
  VenueSim,
} from '../sim/venue-sim.ts';
import { intFlag, numberFlag, parseFlags, rateFlag, symbolsFlag, UsageError } from './args.ts';
import { untilStopped } from './until-stopped.ts';

export const SIM_USAGE = `usage: tickscope sim [--port N] [--rate R|max] [--symbols A,B] [--seed N] [--max-messages N]
                    [--duration S] [--json] [--faults disconnect,malformed,oversized,stall] [--fault-every S]
       tickscope sim --venue V[,V…]|all [--rate R|max] [--faults LIST] [--symbols A,B] [--port P] [--seed S]
                    [--okx-checksum real|zero] [--max-messages N] [--duration S] [--json]
  Without --venue: Binance spot's public trade stream on ws://127.0.0.1:PORT (/ws, /ws/<stream>,
  /stream?streams=…; SUBSCRIBE etc.); --rate is trades per second over all symbols; --faults
  injects one fault every --fault-every seconds (default 5), round-robin.
  With --venue (${VENUE_NAMES.join(', ')}): order books, trades and top of book in each venue's
  protocol on one port; prints one line per venue, 'VENUE WS_URL [REST_URL]'. Each venue has its own
  books around one shared price per instrument. --rate is market events (trades + book changes) per
  second on each venue; --max-messages caps the events over all venues.
  --faults LIST: comma-separated FAULT[:VENUE][@WHEN], WHEN = 10s | 500ms (once, after start) or
  every:5s; without @WHEN every --fault-every seconds. Faults: ${VENUE_FAULTS.join(', ')}.
  Example: --faults disconnect@10s,dropped-delta:okx@every:5s,bad-checksum`;

function venuesFlag(value: string | undefined): VenueName[] | null {
  if (value === undefined) return null;
  const list = value
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  if (list.length === 1 && list[0] === 'all') return [...VENUE_NAMES];
  if (list.length === 0) throw new UsageError('--venue needs at least one venue');
  for (const v of list) {
    if (!(VENUE_NAMES as readonly string[]).includes(v))
      throw new UsageError(`--venue: unknown venue '${v}' (known: ${VENUE_NAMES.join(', ')}, or all)`);
  }
  return list as VenueName[];
}

function faultsFlag(value: string | undefined): SimFault[] {
  if (value === undefined) return [];
  const list = value
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of list) {
    if (!(SIM_FAULTS as readonly string[]).includes(f)) {
      if ((VENUE_FAULTS as readonly string[]).includes(f.split(/[:@]/)[0]!) || f.includes('@'))
        throw new UsageError(`--faults: '${f}' needs --venue (the multi-venue simulator)`);
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
  venues: VenueName[] | null;
  schedule: ScheduledFault[];
  okxChecksum: 'real' | 'zero';
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
    venue: { type: 'string' },
    'okx-checksum': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const venues = venuesFlag(values.venue);
  const faultEvery = numberFlag(values['fault-every'], 'fault-every', 0.1, 3600, 5);
  let schedule: ScheduledFault[] = [];
  if (venues !== null && values.faults !== undefined) {
    try {
      schedule = parseFaultSchedule(values.faults, faultEvery * 1000);
    } catch (err) {
      throw new UsageError(`--faults: ${(err as Error).message}`);
    }
    for (const f of schedule) {
      if (f.venue !== undefined && !venues.includes(f.venue))
        throw new UsageError(`--faults: venue '${f.venue}' is not in --venue ${venues.join(',')}`);
    }
  }
  const okx = values['okx-checksum'] ?? 'real';
  if (okx !== 'real' && okx !== 'zero')
    throw new UsageError(`--okx-checksum must be real or zero, got '${okx}'`);
  if (venues === null && values['okx-checksum'] !== undefined)
    throw new UsageError('--okx-checksum needs --venue');
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
    faults: venues === null ? faultsFlag(values.faults) : [],
    faultEvery,
    venues,
    schedule,
    okxChecksum: okx,
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
  if (flags.venues !== null) return venueSimCommand(flags);
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

/** `tickscope sim --venue …`: the multi-venue simulator (venue-sim.ts). */
async function venueSimCommand(flags: SimFlags): Promise<number> {
  const { port, rate, seed, maxMessages, duration, symbols, json, schedule, okxChecksum } = flags;
  const venues = flags.venues!;
  let sim: VenueSim;
  try {
    sim = await VenueSim.start({
      venues,
      port,
      rate,
      seed,
      symbols,
      faults: schedule,
      okxChecksum,
      ...(maxMessages > 0 ? { maxEvents: maxMessages } : {}),
      log: (l) => console.error(l),
    });
  } catch (err) {
    console.error(`tickscope sim: ${(err as Error).message}`);
    return 1;
  }
  const stopped = untilStopped(duration);
  if (json) console.log(JSON.stringify({ urls: sim.urls }));
  else for (const v of venues) console.log([v, sim.urls[v].ws, sim.urls[v].rest].filter(Boolean).join(' '));
  if (!json)
    console.error(
      `simulator: ${venues.join(', ')} — ${symbols.join(', ')} at ${rate} events/s a venue, seed ${seed}${schedule.length > 0 ? `, faults ${schedule.map((f) => f.fault + (f.venue ? `:${f.venue}` : '')).join(', ')}` : ''}`,
    );
  const started = Date.now();
  let last = sim.stats();
  const report = setInterval(() => {
    const s = sim.stats();
    const per: Record<string, { connections: number; messagesPerSec: number; messages: number }> = {};
    for (const v of venues) {
      per[v] = {
        connections: s.venues[v].connections,
        messagesPerSec: s.venues[v].messages - last.venues[v].messages,
        messages: s.venues[v].messages,
      };
    }
    const line = {
      t: Math.round((Date.now() - started) / 1000),
      eventsPerSec: s.events - last.events,
      events: s.events,
      venues: per,
    };
    last = s;
    console.log(
      json
        ? JSON.stringify(line)
        : `${line.t}s  ${line.eventsPerSec} events/s over all venues  ${venues.map((v) => `${v} ${per[v]!.connections} conn ${per[v]!.messagesPerSec} msg/s`).join('  ')}`,
    );
  }, 1000);
  await stopped;
  clearInterval(report);
  const s = sim.stats();
  await sim.close();
  console.log(
    json
      ? JSON.stringify({ summary: true, ...s, seconds: (Date.now() - started) / 1000 })
      : `summary: ${s.events} events, ${s.tradesGenerated} trades; ${venues.map((v) => `${v}: ${s.venues[v].messages} messages, ${s.venues[v].bookUpdates} book frames, ${s.venues[v].trades} trades`).join('; ')}`,
  );
  return 0;
}
