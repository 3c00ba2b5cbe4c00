/**
 * The settings panel's form model: the config as the user types it (strings), turned back into
 * the config contract and validated by the same `parseConfig` the engine runs, so the page's
 * feedback is the engine's own. Errors are routed to the field they name ('simulator.rate',
 * 'feeds[2].url', 'recording.fsyncMs', …); whatever names no field is shown with the form as a whole.
 */
import {
  enabledFeeds,
  type FeedSettings,
  parseConfig,
  type RecordingCodec,
  type RecordingSettings,
  type TickscopeConfig,
  VENUE_NAMES,
  type VenueName,
} from '../../../common/config.ts';

export interface FeedDraft {
  /** Stable React key; not part of the config. */
  key: number;
  enabled: boolean;
  venue: VenueName;
  symbols: string;
  url: string;
  restUrl: string;
  books: boolean;
}

export interface ConfigDraft {
  venues: VenueName[];
  symbols: string;
  rate: string;
  rateMax: boolean;
  seed: string;
  faults: string;
  feeds: FeedDraft[];
  /** The recording policy, as typed. */
  fsyncMs: string;
  compressors: string;
  codec: RecordingCodec;
  segmentMiB: string;
}

let nextKey = 1;

export function feedDraft(f?: FeedSettings): FeedDraft {
  return {
    key: nextKey++,
    enabled: f ? f.enabled !== false : true,
    venue: f?.venue ?? 'binance',
    symbols: f ? f.symbols.join(', ') : 'BTC-USDT',
    url: f?.url ?? '',
    restUrl: f?.restUrl ?? '',
    books: f ? f.books !== false : true,
  };
}

export function toDraft(c: TickscopeConfig): ConfigDraft {
  const s = c.simulator;
  return {
    venues: VENUE_NAMES.filter((v) => s.venues.includes(v)),
    symbols: s.symbols.join(', '),
    rate: s.rate === 'max' ? '' : String(s.rate),
    rateMax: s.rate === 'max',
    seed: String(s.seed),
    faults: s.faults.split(',').filter(Boolean).join(', '),
    feeds: c.feeds.map(feedDraft),
    fsyncMs: String(c.recording.fsyncMs),
    compressors: String(c.recording.compressors),
    codec: c.recording.codec,
    segmentMiB: String(c.recording.segmentMiB),
  };
}

/** "BTC-USDT, eth-usdt  SOL-USDT" → ['BTC-USDT', 'eth-usdt', 'SOL-USDT'] (parseConfig upper-cases). */
export function splitList(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** A number as typed, or NaN (which parseConfig refuses with its own message). */
function num(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text.trim());
}

/** The draft as the untrusted input the engine will receive. */
export function fromDraft(d: ConfigDraft): unknown {
  return {
    version: 1,
    simulator: {
      venues: VENUE_NAMES.filter((v) => d.venues.includes(v)),
      symbols: splitList(d.symbols),
      rate: d.rateMax ? 'max' : num(d.rate),
      seed: num(d.seed),
      faults: d.faults,
    },
    feeds: d.feeds.map((f) => {
      const out: Record<string, unknown> = {
        venue: f.venue,
        symbols: splitList(f.symbols),
        books: f.books,
        enabled: f.enabled,
      };
      if (f.url.trim()) out.url = f.url.trim();
      if (f.restUrl.trim()) out.restUrl = f.restUrl.trim();
      return out;
    }),
    recording: {
      fsyncMs: num(d.fsyncMs),
      compressors: num(d.compressors),
      codec: d.codec,
      segmentMiB: num(d.segmentMiB),
    },
  };
}

/**
 * Field names: 'simulator.venues', 'simulator.symbols', 'simulator.rate', 'simulator.seed',
 * 'simulator.faults', 'feeds', per feed 'feeds[i].venue|symbols|url|restUrl|books|enabled', and
 * 'recording.fsyncMs|compressors|codec|segmentMiB'.
 */
export type FieldErrors = Map<string, string[]>;

const FIELD_RE =
  /^(simulator\.(?:venues|symbols|rate|seed|faults)|feeds\[\d+\]\.(?:venue|symbols|url|restUrl|books|enabled)|recording\.(?:fsyncMs|compressors|codec|segmentMiB)|feeds)\b/;

/** Splits errors into those that name a field and the rest. */
export function routeErrors(errors: string[]): { fields: FieldErrors; general: string[] } {
  const fields: FieldErrors = new Map();
  const general: string[] = [];
  for (const e of errors) {
    const m = FIELD_RE.exec(e);
    // 'simulator.venues[3]: …' belongs to the venues field.
    const key = m?.[1] ?? (e.startsWith('simulator.venues[') ? 'simulator.venues' : undefined);
    if (!key) {
      general.push(e);
      continue;
    }
    const list = fields.get(key) ?? [];
    list.push(e);
    fields.set(key, list);
  }
  return { fields, general };
}

/** An error as shown under its field: without the field's own name, which the label already says. */
export function shortError(e: string): string {
  return e
    .replace(/^(simulator|recording|feeds\[\d+\])\.[a-zA-Z]+(\[\d+\])?(:\s*|\s+)/, '')
    .replace(/^feeds\s+/, '');
}

/** The one-line answer to "what is Tickscope connected to": simulator or N live venues. */
export function inForce(c: TickscopeConfig): { live: boolean; label: string; detail: string } {
  const feeds = enabledFeeds(c);
  if (feeds.length === 0) {
    const s = c.simulator;
    return {
      live: false,
      label: 'Simulator (no venue enabled)',
      detail: `${s.venues.join(', ')} · ${s.symbols.length} symbol${s.symbols.length === 1 ? '' : 's'} · ${s.rate === 'max' ? 'max rate' : `${s.rate.toLocaleString('en-US')} events/s`}${s.faults ? ' · faults on' : ''}`,
    };
  }
  const venues = [...new Set(feeds.map((f) => f.venue))];
  return {
    live: true,
    label: `${venues.length} live venue${venues.length === 1 ? '' : 's'}`,
    detail: `${venues.join(', ')}${feeds.length !== venues.length ? ` · ${feeds.length} feeds` : ''}`,
  };
}

/** Same config? Compares normalised forms (defaults spelled out, keys in one order). */
export function sameConfig(a: TickscopeConfig, b: TickscopeConfig): boolean {
  const norm = (c: TickscopeConfig): string =>
    JSON.stringify({
      s: [c.simulator.venues, c.simulator.symbols, c.simulator.rate, c.simulator.seed, c.simulator.faults],
      f: c.feeds.map((f) => [
        f.venue,
        f.symbols,
        f.url ?? '',
        f.restUrl ?? '',
        f.books !== false,
        f.enabled !== false,
      ]),
      r: policyKey(c.recording),
    });
  return norm(a) === norm(b);
}

/** The policy as compared: the compressor count does not matter when nothing is compressed. */
function policyKey(p: RecordingSettings): unknown[] {
  return [p.fsyncMs, p.codec, p.codec === 'none' ? 0 : p.compressors, p.segmentMiB];
}

export function samePolicy(a: RecordingSettings, b: RecordingSettings): boolean {
  return JSON.stringify(policyKey(a)) === JSON.stringify(policyKey(b));
}

/** Same feeds and simulator, so applying only saves the policy (nothing restarts). */
export function onlyPolicyDiffers(a: TickscopeConfig, b: TickscopeConfig): boolean {
  return (
    JSON.stringify([a.simulator, a.feeds]) === JSON.stringify([b.simulator, b.feeds]) &&
    !samePolicy(a.recording, b.recording)
  );
}

function fmtInterval(ms: number): string {
  if (ms === 0) return 'every block';
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The policy in a few words: "fsync 1 s · zstd ×2 · 256 MiB segments". */
export function policyText(p: RecordingSettings): string {
  const codec = p.codec === 'none' ? 'uncompressed' : `${codecLabel(p.codec)} ×${p.compressors}`;
  return `fsync ${fmtInterval(p.fsyncMs)} · ${codec} · ${p.segmentMiB} MiB segments`;
}

/** The policy in a sentence, for titles. */
export function policySentence(p: RecordingSettings): string {
  return `fsync at most every ${fmtInterval(p.fsyncMs)}, ${p.codec === 'none' ? 'blocks stored uncompressed' : `${p.compressors} ${codecLabel(p.codec)} compressor${p.compressors === 1 ? '' : 's'}`}, a new segment file every ${p.segmentMiB} MiB`;
}

/** A codec in a few letters: the block codec's version and what it does. */
export function codecLabel(c: RecordingSettings['codec']): string {
  return c === 'columnar' ? 'v2 columnar' : c === 'zstd' ? 'v1 zstd' : 'none';
}

/** Validates a draft with the engine's own rules. */
export function checkDraft(d: ConfigDraft): ReturnType<typeof parseConfig> {
  return parseConfig(fromDraft(d));
}
