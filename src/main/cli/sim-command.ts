/**
 * `tickscope sim`: the exchange simulator on its own, for pointing any client at it. Without
 * --venue it runs Binance spot's trade-only stream (the simulator's mode 'trades') and prints its
 * base URL; with --venue the order-book venues, one URL line per venue. Either way the first
 * stdout line(s) are the URLs (scripts wait for them), then a stats line a second (JSON lines with
 * --json), and a summary when it stops (Ctrl-C, SIGTERM or --duration). --max-messages ends the
 * trading, not the process: clients stay connected and can drain what was sent. Bad flags print
 * one line to stderr and return 2.
 */
import { DEFAULT_SYMBOLS } from '../sim/market-model.ts';
import {
  parseFaultSchedule,
  type ScheduledFault,
  TRADE_FAULTS,
  VENUE_FAULTS,
  VENUE_NAMES,
  type VenueName,
  VenueSim,
  type VenueSimStats,
} from '../sim/venue-sim.ts';
import { intFlag, numberFlag, parseFlags, rateFlag, symbolsFlag, UsageError } from './args.ts';
import { untilStopped } from './until-stopped.ts';

export const SIM_USAGE = `usage: tickscope sim [--port N] [--rate R|max] [--symbols A,B] [--seed N] [--max-messages N]
                    [--duration S] [--json] [--faults ${TRADE_FAULTS.join(',')}] [--fault-every S]
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

/**
 * The trade stream's --faults: a plain list, injected one every `everyMs`, round-robin — as a
 * schedule, fault k first at (k + 1) × everyMs and then every n × everyMs.
 */
function roundRobin(value: string | undefined, everyMs: number): ScheduledFault[] {
  if (value === undefined) return [];
  const list = value
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of list) {
    if (!(TRADE_FAULTS as readonly string[]).includes(f)) {
      if ((VENUE_FAULTS as readonly string[]).includes(f.split(/[:@]/)[0]!) || f.includes('@'))
        throw new UsageError(`--faults: '${f}' needs --venue (the order-book simulator)`);
      throw new UsageError(`--faults: unknown fault '${f}' (known: ${TRADE_FAULTS.join(', ')})`);
    }
  }
  return list.map((f, k) => ({
    fault: f as ScheduledFault['fault'],
    atMs: (k + 1) * everyMs,
    everyMs: list.length * everyMs,
  }));
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
  /** null: the trade-only Binance stream. */
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
  if (venues === null) schedule = roundRobin(values.faults, faultEvery * 1000);
  else if (values.faults !== undefined) {
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
    venues,
    schedule,
    okxChecksum: okx,
  };
}

/** How one mode shows itself: its URL lines, a banner, a line a second and the summary. */
interface Display {
  urls(sim: VenueSim): string[];
  banner(sim: VenueSim): string;
  line(t: number, now: VenueSimStats, last: VenueSimStats): Record<string, unknown>;
  text(line: Record<string, unknown>): string;
  summary(s: VenueSimStats): Record<string, unknown>;
  summaryText(s: VenueSimStats): string;
}

/** The trade-only stream, shown as Binance's trade simulator always was (scripts read these keys). */
function tradesDisplay(f: SimFlags): Display {
  return {
    urls: (sim) => [sim.baseUrl],
    banner: (sim) =>
      `simulator: Binance spot protocol on ${sim.baseUrl} — ${f.symbols.join(', ')} at ${f.rate} trades/s, seed ${f.seed}`,
    line: (t, now, last) => ({
      t,
      connections: now.venues.binance.connections,
      tradesPerSec: now.venues.binance.trades - last.venues.binance.trades,
      bytesPerSec: now.venues.binance.bytes - last.venues.binance.bytes,
      tradesSent: now.venues.binance.trades,
      tradesGenerated: now.tradesGenerated,
    }),
    text: (l) =>
      `${l.t}s  ${l.connections} conn  ${l.tradesPerSec} trades/s  ${((l.bytesPerSec as number) / 1024).toFixed(1)} KiB/s  ${l.tradesSent} sent`,
    summary: (s) => {
      const b = s.venues.binance;
      return {
        connections: b.connections,
        tradesGenerated: s.tradesGenerated,
        tradesSent: b.trades,
        bytesSent: b.bytes,
        sentBySymbol: b.tradesBySymbol,
        controlMessages: b.replies,
        errorsSent: b.errors,
        venues: s.venues,
      };
    },
    summaryText: (s) => {
      const b = s.venues.binance;
      return `summary: ${b.trades} trades sent (${s.tradesGenerated} generated), ${b.bytes} bytes, ${b.replies} control replies, ${b.errors} errors`;
    },
  };
}

function venuesDisplay(f: SimFlags, venues: VenueName[]): Display {
  return {
    urls: (sim) =>
      f.json
        ? [JSON.stringify({ urls: sim.urls })]
        : venues.map((v) => [v, sim.urls[v].ws, sim.urls[v].rest].filter(Boolean).join(' ')),
    banner: () =>
      `simulator: ${venues.join(', ')} — ${f.symbols.join(', ')} at ${f.rate} events/s a venue, seed ${f.seed}${f.schedule.length > 0 ? `, faults ${f.schedule.map((x) => x.fault + (x.venue ? `:${x.venue}` : '')).join(', ')}` : ''}`,
    line: (t, now, last) => {
      const per: Record<string, { connections: number; messagesPerSec: number; messages: number }> = {};
      for (const v of venues) {
        per[v] = {
          connections: now.venues[v].connections,
          messagesPerSec: now.venues[v].messages - last.venues[v].messages,
          messages: now.venues[v].messages,
        };
      }
      return { t, eventsPerSec: now.events - last.events, events: now.events, venues: per };
    },
    text: (l) => {
      const per = l.venues as Record<string, { connections: number; messagesPerSec: number }>;
      return `${l.t}s  ${l.eventsPerSec} events/s over all venues  ${venues.map((v) => `${v} ${per[v]!.connections} conn ${per[v]!.messagesPerSec} msg/s`).join('  ')}`;
    },
    summary: (s) => ({ ...s }),
    summaryText: (s) =>
      `summary: ${s.events} events, ${s.tradesGenerated} trades; ${venues.map((v) => `${v}: ${s.venues[v].messages} messages, ${s.venues[v].bookUpdates} book frames, ${s.venues[v].trades} trades`).join('; ')}`,
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
  const { port, rate, seed, maxMessages, duration, symbols, json, venues, schedule, okxChecksum } = flags;
  const display = venues === null ? tradesDisplay(flags) : venuesDisplay(flags, venues);
  let sim: VenueSim;
  try {
    sim = await VenueSim.start({
      ...(venues === null ? { mode: 'trades' as const } : { venues, okxChecksum }),
      port,
      rate,
      seed,
      symbols,
      faults: schedule,
      ...(maxMessages > 0 ? { maxEvents: maxMessages } : {}),
      log: (l) => console.error(l),
    });
  } catch (err) {
    console.error(`tickscope sim: ${(err as Error).message}`);
    return 1;
  }
  // Listen for Ctrl-C before announcing the URLs: a caller may stop us as soon as it reads them.
  const stopped = untilStopped(duration);
  for (const l of display.urls(sim)) console.log(l);
  if (!json) console.error(display.banner(sim));
  const started = Date.now();
  let last = sim.stats();
  // One line a second: what was sent in that second (stdout, so `--json` lines can be piped).
  const report = setInterval(() => {
    const now = sim.stats();
    const line = display.line(Math.round((Date.now() - started) / 1000), now, last);
    last = now;
    console.log(json ? JSON.stringify(line) : display.text(line));
  }, 1000);
  await stopped;
  clearInterval(report);
  const s = sim.stats();
  await sim.close();
  console.log(
    json
      ? JSON.stringify({ summary: true, ...display.summary(s), seconds: (Date.now() - started) / 1000 })
      : display.summaryText(s),
  );
  return 0;
}
