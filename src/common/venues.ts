/**
 * The venues Tickscope speaks, written once: the name the CLI, the config file and the UI use, the
 * number every record carries (never reused or renumbered: recordings keep it) and the label the
 * page shows. Everything else a venue is lives in one module on each side —
 * src/main/feeds/venues/<name>.ts (connection, decoders, book rule) and
 * src/main/sim/venues/<name>.ts (its protocol server) — registered by this name.
 */

export const VENUE_LIST = [
  { name: 'binance', id: 1, label: 'Binance' },
  { name: 'coinbase', id: 2, label: 'Coinbase' },
  { name: 'kraken', id: 3, label: 'Kraken' },
  { name: 'bybit', id: 4, label: 'Bybit' },
  { name: 'okx', id: 5, label: 'OKX' },
] as const;

export type VenueName = (typeof VENUE_LIST)[number]['name'];

export const VENUE_NAMES: readonly VenueName[] = VENUE_LIST.map((v) => v.name);

/** Venue numbers by name, as records carry them (0: not known). */
export const Venue = Object.freeze(
  Object.fromEntries([['unknown', 0], ...VENUE_LIST.map((v) => [v.name, v.id])]),
) as { readonly unknown: 0 } & { readonly [K in VenueName]: number };
export type Venue = number;

const NAME_OF: readonly string[] = (() => {
  const names: string[] = ['unknown'];
  for (const v of VENUE_LIST) names[v.id] = v.name;
  return names;
})();

export function venueName(v: number): string {
  return NAME_OF[v] ?? 'unknown';
}

/** The venue number of a name (venueName's inverse); unknown for anything else. */
export function venueOf(name: string): number {
  const i = NAME_OF.indexOf(name);
  return i > 0 ? i : Venue.unknown;
}

export function isVenueName(name: string): name is VenueName {
  return (VENUE_NAMES as readonly string[]).includes(name);
}
