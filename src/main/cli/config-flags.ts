/**
 * The configuration a command runs on, from `--config FILE` with the flags on top: one live venue
 * (`--venue` with `--symbols`, `--url`, `--rest-url`), or the simulator (`--sim-venues`,
 * `--symbols`, `--rate`, `--seed`, `--faults`). Validated as a whole by parseConfig; any problem is
 * a UsageError naming it.
 */
import { type FeedSettings, parseConfig, type TickscopeConfig, type VenueName } from '../../common/config.ts';
import { loadConfig } from '../config/config-file.ts';
import { VENUE_NAMES, venueSpec } from '../feeds/venues/registry.ts';
import { instrumentsFlag, intFlag, rateFlag, symbolsFlag, UsageError, urlFlag } from './args.ts';

export interface ConfigFlagValues {
  config?: string | undefined;
  venue?: string | undefined;
  symbols?: string | undefined;
  url?: string | undefined;
  'rest-url'?: string | undefined;
  'sim-venues'?: string | undefined;
  rate?: string | undefined;
  seed?: string | undefined;
  faults?: string | undefined;
}

export async function configFromFlags(values: ConfigFlagValues): Promise<TickscopeConfig> {
  const url = urlFlag(values.url, 'url', ['ws:', 'wss:']);
  const restUrl = urlFlag(values['rest-url'], 'rest-url', ['http:', 'https:']);
  const loaded = values.config ? await loadConfig(values.config) : null;
  if (loaded && !loaded.found)
    console.error(`tickscope: ${values.config} does not exist yet; it will be created on the first change`);
  const c: TickscopeConfig = structuredClone(
    loaded?.config ?? (parseConfig({}) as { config: TickscopeConfig }).config,
  );
  const live = values.venue !== undefined || (url !== undefined && values['sim-venues'] === undefined);
  const name = (values.venue ?? 'binance').toLowerCase();
  if (live && !venueSpec(name))
    throw new UsageError(`unknown --venue '${values.venue}' (venues: ${VENUE_NAMES.join(', ')})`);
  // A live venue's symbols are its ids; the simulator's, any venue's spot symbols.
  const symbols =
    values.symbols === undefined
      ? undefined
      : instrumentsFlag(values.symbols, 'symbols', [], live ? (name as VenueName) : null);
  if (live) {
    if (!symbols) throw new UsageError('--venue needs --symbols (e.g. --symbols BTC-USDT,ETH-USDT)');
    const feed: FeedSettings = { venue: name as VenueName, symbols };
    if (url) feed.url = url;
    if (restUrl) feed.restUrl = restUrl;
    c.feeds = [feed];
  } else {
    if (values['sim-venues'] !== undefined)
      c.simulator.venues = symbolsFlag(values['sim-venues'], 'sim-venues', []).map(
        (v) => v.toLowerCase() as VenueName,
      );
    if (symbols) c.simulator.symbols = symbols;
    if (values.rate !== undefined) c.simulator.rate = rateFlag(values.rate, 'rate', 1000);
    if (values.seed !== undefined) c.simulator.seed = intFlag(values.seed, 'seed', 0, 2 ** 31 - 1, 1);
    if (values.faults !== undefined) c.simulator.faults = values.faults;
  }
  const r = parseConfig(c);
  if (!r.ok) throw new UsageError(r.errors.join('; '));
  return r.config;
}
