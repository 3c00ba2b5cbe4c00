/**
 * Tickscope's configuration — which venues and instruments to connect to, or how to run the
 * embedded simulator (the default) — and its validation. One contract for the config file, the
 * command line, the settings panel and the IPC/HTTP calls that carry it: everything that arrives
 * from outside goes through `parseConfig`, which returns clear errors instead of throwing.
 */
import { symbolRefusal, venueSpotSymbol } from './instruments.ts';
import { quoteValue } from './quote-value.ts';
import { VENUE_NAMES, type VenueName } from './venues.ts';

// The venue list is written once, in venues.ts; the config names venues by it.
export { VENUE_NAMES, type VenueName } from './venues.ts';

export const SIM_FAULT_NAMES = [
  'disconnect',
  'stall',
  'dropped-delta',
  'bad-checksum',
  'malformed',
  'oversized',
  'slow-consumer',
] as const;

export interface FeedSettings {
  venue: VenueName;
  /**
   * Spot markets, BASE-QUOTE (BTC-USDT) or the venue's own id (BTCUSDT, XBT/USD); a derivative id
   * (BTC-USDT-SWAP) is refused by name until derivatives are handled (see instruments.ts).
   */
  symbols: string[];
  /** WebSocket base URL; the venue's public endpoint if absent. */
  url?: string;
  /** REST base URL for book snapshots (Binance). */
  restUrl?: string;
  /** L2 book and top of book as well as trades (default true). */
  books?: boolean;
  /** Off: kept in the list, not connected. */
  enabled?: boolean;
}

export interface SimulatorSettings {
  /** Venues the simulator speaks, one feed each. */
  venues: VenueName[];
  /** BASE-QUOTE. */
  symbols: string[];
  /** Market events per second (trades and book changes) on each venue, over all its instruments, or 'max'. */
  rate: number | 'max';
  seed: number;
  /** Fault schedule, e.g. "disconnect@every:30s,dropped-delta:okx@every:10s" ('' for none). */
  faults: string;
}

/**
 * Block codecs a recording can be written with: columnar (codec v2: integer columns per kind, then
 * zstd — the default), zstd (codec v1: byte-shuffled records, then zstd), none (shuffled, stored).
 */
export const RECORDING_CODECS = ['columnar', 'zstd', 'none'] as const;
export type RecordingCodec = (typeof RECORDING_CODECS)[number];

/**
 * How sessions are written. Applied when a recording starts: a change never touches the running
 * one (its files follow one policy from start to end).
 */
export interface RecordingSettings {
  /** fsync the segment at most this often, ms (0: after every block). */
  fsyncMs: number;
  /** Compression workers; a block finds none idle → it is stored uncompressed (counted). */
  compressors: number;
  /**
   * columnar (v2) or zstd (v1): blocks encoded and compressed by the workers; none: every block
   * stored shuffled, uncompressed.
   */
  codec: RecordingCodec;
  /** A segment file is closed and the next one opened beyond this size, MiB. */
  segmentMiB: number;
}

/** Bounds of the recording policy, shared by the validation and the settings form. */
export const RECORDING_LIMITS = {
  fsyncMs: [0, 60_000],
  compressors: [1, 16],
  segmentMiB: [1, 4096],
} as const;

export interface TickscopeConfig {
  version: 1;
  simulator: SimulatorSettings;
  /** Real venues. When none is enabled, the simulator runs (the default). */
  feeds: FeedSettings[];
  /** The recording policy (absent in files written before it existed: the defaults). */
  recording: RecordingSettings;
}

export const DEFAULT_CONFIG: TickscopeConfig = {
  version: 1,
  simulator: {
    venues: [...VENUE_NAMES],
    symbols: ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'],
    rate: 600,
    seed: 1,
    faults: '',
  },
  feeds: [],
  // Codec v2 since issue 16 (sessions about a third of v1's size); v1 stays selectable.
  recording: { fsyncMs: 1000, compressors: 2, codec: 'columnar', segmentMiB: 256 },
};

/** The feeds that will actually connect. */
export function enabledFeeds(c: TickscopeConfig): FeedSettings[] {
  return c.feeds.filter((f) => f.enabled !== false);
}

export const MAX_FEEDS_CONFIG = 16;
export const MAX_SYMBOLS = 64;
/** Errors listed in one reply; the rest are counted. */
export const MAX_ERRORS = 50;
/** Longer than any venue's id (option ids are the longest): refused before it is looked at. */
const MAX_SYMBOL_LENGTH = 64;
const FAULT_RE = new RegExp(
  `^(${SIM_FAULT_NAMES.join('|')})(:(${VENUE_NAMES.join('|')}))?(@(every:)?\\d+(\\.\\d+)?(ms|s)?)?$`,
);

export type ConfigResult = { ok: true; config: TickscopeConfig } | { ok: false; errors: string[] };

/**
 * Validates untrusted input into a complete config (missing parts take the defaults). Unknown
 * keys are errors, so that a typo does not silently do nothing.
 */
export function parseConfig(input: unknown): ConfigResult {
  const errors: string[] = [];
  const obj = (v: unknown, where: string): Record<string, unknown> | null => {
    // A plain object: a Map, Set or Date (IPC's structured clone carries them) has no keys to read,
    // and would pass as an empty object, every setting in it silently ignored.
    const proto = v === null || typeof v !== 'object' ? undefined : Object.getPrototypeOf(v);
    if (Array.isArray(v) || (proto !== Object.prototype && proto !== null)) {
      errors.push(`${where} must be an object`);
      return null;
    }
    return v as Record<string, unknown>;
  };
  const onlyKeys = (o: Record<string, unknown>, keys: string[], where: string): void => {
    for (const k of Object.keys(o))
      if (!keys.includes(k)) errors.push(`${where}: unknown key ${quoteValue(k)}`);
  };
  /**
   * Spot instruments of `venue` (null: the simulator's, of every venue): the venue's own ids or
   * BASE-QUOTE. A derivative is refused by name and venue; two spellings of one market (BTCUSDT
   * and BTC-USDT on Binance) are one repeated symbol.
   */
  const symbols = (v: unknown, where: string, venue: VenueName | null): string[] => {
    if (!Array.isArray(v) || v.length === 0 || v.length > MAX_SYMBOLS) {
      errors.push(`${where} must be a list of 1 to ${MAX_SYMBOLS} symbols`);
      return [];
    }
    const out: string[] = [];
    const seen = new Map<string, string>();
    for (const s of v) {
      if (typeof s !== 'string' || s.length > MAX_SYMBOL_LENGTH) {
        errors.push(`${where}: ${quoteValue(s)} is not a symbol`);
        continue;
      }
      const refusal = symbolRefusal(venue, s);
      if (refusal !== null) {
        errors.push(`${where}: ${quoteValue(s)} ${refusal}`);
        continue;
      }
      const upper = s.toUpperCase();
      const key = venue === null ? upper : venueSpotSymbol(venue, upper);
      const first = seen.get(key);
      if (first !== undefined)
        errors.push(
          `${where}: repeated symbol ${quoteValue(s)}${first === upper ? '' : ` (the same market as ${quoteValue(first)})`}`,
        );
      else seen.set(key, upper);
      out.push(upper);
    }
    return out;
  };
  const venue = (v: unknown, where: string): VenueName => {
    if (typeof v !== 'string' || !VENUE_NAMES.includes(v as VenueName)) {
      errors.push(`${where}: ${quoteValue(v)} is not a venue (${VENUE_NAMES.join(', ')})`);
      return 'binance';
    }
    return v as VenueName;
  };
  const url = (v: unknown, where: string, protocols: string[]): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length > 2048) {
      errors.push(`${where} must be a URL`);
      return undefined;
    }
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol))
        errors.push(`${where}: ${u.protocol} is not one of ${protocols.join(' ')}`);
      return v;
    } catch {
      errors.push(`${where}: ${quoteValue(v)} is not a URL`);
      return undefined;
    }
  };

  const root = obj(input, 'config');
  if (!root) return { ok: false, errors };
  onlyKeys(root, ['version', 'simulator', 'feeds', 'recording'], 'config');
  if (root.version !== undefined && root.version !== 1) errors.push('config.version must be 1');

  // Fresh lists: the config handed out must not share an array with DEFAULT_CONFIG (or the input).
  const simulator: SimulatorSettings = {
    ...DEFAULT_CONFIG.simulator,
    venues: [...DEFAULT_CONFIG.simulator.venues],
    symbols: [...DEFAULT_CONFIG.simulator.symbols],
  };
  if (root.simulator !== undefined) {
    const s = obj(root.simulator, 'simulator');
    if (s) {
      onlyKeys(s, ['venues', 'symbols', 'rate', 'seed', 'faults'], 'simulator');
      if (s.venues !== undefined) {
        // Bounded before it is walked: one error per entry of a huge list would be a huge reply.
        if (!Array.isArray(s.venues) || s.venues.length === 0 || s.venues.length > VENUE_NAMES.length)
          errors.push(`simulator.venues must list 1 to ${VENUE_NAMES.length} venues`);
        else simulator.venues = [...new Set(s.venues.map((v, i) => venue(v, `simulator.venues[${i}]`)))];
      }
      if (s.symbols !== undefined) simulator.symbols = symbols(s.symbols, 'simulator.symbols', null);
      if (s.rate !== undefined) {
        if (s.rate === 'max') simulator.rate = 'max';
        else if (typeof s.rate === 'number' && Number.isFinite(s.rate) && s.rate >= 1 && s.rate <= 10_000_000)
          simulator.rate = s.rate;
        else errors.push("simulator.rate must be 1 … 10,000,000 events/s or 'max'");
      }
      if (s.seed !== undefined) {
        if (typeof s.seed === 'number' && Number.isInteger(s.seed) && s.seed >= 0 && s.seed < 2 ** 32)
          simulator.seed = s.seed + 0; // -0 → 0: the value saved as JSON reads back the same
        else errors.push('simulator.seed must be an integer 0 … 2^32-1');
      }
      if (s.faults !== undefined) {
        if (typeof s.faults !== 'string' || s.faults.length > 1000)
          errors.push('simulator.faults must be a string');
        else {
          const list = s.faults.split(',').map((x) => x.trim());
          for (const f of list)
            if (f !== '' && !FAULT_RE.test(f)) errors.push(`simulator.faults: bad entry ${quoteValue(f)}`);
          simulator.faults = list.filter(Boolean).join(',');
        }
      }
    }
  }

  const feeds: FeedSettings[] = [];
  if (root.feeds !== undefined) {
    if (!Array.isArray(root.feeds) || root.feeds.length > MAX_FEEDS_CONFIG)
      errors.push(`feeds must be a list of at most ${MAX_FEEDS_CONFIG}`);
    else
      root.feeds.forEach((raw, i) => {
        const where = `feeds[${i}]`;
        const f = obj(raw, where);
        if (!f) return;
        onlyKeys(f, ['venue', 'symbols', 'url', 'restUrl', 'books', 'enabled'], where);
        const known = typeof f.venue === 'string' && VENUE_NAMES.includes(f.venue as VenueName);
        const feedVenue = venue(f.venue, `${where}.venue`);
        const feed: FeedSettings = {
          venue: feedVenue,
          // Without a venue, its symbols are checked as any venue's.
          symbols: symbols(f.symbols, `${where}.symbols`, known ? feedVenue : null),
        };
        const u = url(f.url, `${where}.url`, ['ws:', 'wss:']);
        if (u) feed.url = u;
        const r = url(f.restUrl, `${where}.restUrl`, ['http:', 'https:']);
        if (r) feed.restUrl = r;
        for (const k of ['books', 'enabled'] as const) {
          if (f[k] === undefined) continue;
          if (typeof f[k] !== 'boolean') errors.push(`${where}.${k} must be true or false`);
          else feed[k] = f[k];
        }
        feeds.push(feed);
      });
  }
  const recording: RecordingSettings = { ...DEFAULT_CONFIG.recording };
  if (root.recording !== undefined) {
    const r = obj(root.recording, 'recording');
    if (r) {
      onlyKeys(r, ['fsyncMs', 'compressors', 'codec', 'segmentMiB'], 'recording');
      for (const k of ['fsyncMs', 'compressors', 'segmentMiB'] as const) {
        if (r[k] === undefined) continue;
        const [lo, hi] = RECORDING_LIMITS[k];
        const v = r[k];
        if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi)
          recording[k] = v + 0; // not -0
        else errors.push(`recording.${k} must be an integer ${lo} … ${hi.toLocaleString('en-US')}`);
      }
      if (r.codec !== undefined) {
        if (typeof r.codec === 'string' && (RECORDING_CODECS as readonly string[]).includes(r.codec))
          recording.codec = r.codec as RecordingCodec;
        else errors.push(`recording.codec must be one of ${RECORDING_CODECS.join(', ')}`);
      }
    }
  }

  // Every problem is named, up to a point: a thousand unknown keys need not make a thousand lines.
  if (errors.length > MAX_ERRORS)
    return {
      ok: false,
      errors: [...errors.slice(0, MAX_ERRORS), `… and ${errors.length - MAX_ERRORS} more`],
    };
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: { version: 1, simulator, feeds, recording } };
}
