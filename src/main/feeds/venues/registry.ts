/**
 * The feed side's venues by name: one registration line per venue module. The names and numbers
 * are the venue list's (common/venues.ts); a venue missing here fails the type check.
 */
import { VENUE_NAMES, type VenueName } from '../../../common/venues.ts';
import { binance } from './binance.ts';
import { bybit } from './bybit.ts';
import { coinbase } from './coinbase.ts';
import { kraken } from './kraken.ts';
import { okx } from './okx.ts';
import type { VenueSpec } from './venue-spec.ts';

export const VENUE_SPECS: Readonly<Record<VenueName, VenueSpec>> = { binance, coinbase, kraken, bybit, okx };

export { VENUE_NAMES, type VenueName };

export function venueSpec(name: string): VenueSpec | undefined {
  return (VENUE_SPECS as Record<string, VenueSpec>)[name.toLowerCase()];
}

/** The module of a venue number (records carry numbers); binance for one not known. */
export function specOfVenue(venue: number): VenueSpec {
  for (const n of VENUE_NAMES) if (VENUE_SPECS[n].venue === venue) return VENUE_SPECS[n];
  return binance;
}
