/**
 * The simulator's venues by name: one registration line per venue module (venues/<name>.ts). The
 * names are the venue list's (common/venues.ts); a venue missing here fails the type check, and
 * the simulator's options are every module's own options together (VenueModuleOptions), so a new
 * venue's options need no line anywhere else.
 */
import type { VenueName } from '../../../common/venues.ts';
import { binance } from './binance.ts';
import { bybit } from './bybit.ts';
import { coinbase } from './coinbase.ts';
import type { SimVenueModule } from './common.ts';
import { kraken } from './kraken.ts';
import { okx } from './okx.ts';

const MODULES = { binance, coinbase, kraken, bybit, okx } satisfies Record<VenueName, SimVenueModule>;

export const SIM_VENUES: Readonly<Record<VenueName, SimVenueModule>> = MODULES;

type OptionsOf<M> = M extends SimVenueModule<infer O> ? O : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (u: infer I) => void ? I : never;

/** Every venue module's own options (OkxOptions & BinanceOptions & …), as VenueSimOptions carries them. */
export type VenueModuleOptions = Intersection<OptionsOf<(typeof MODULES)[VenueName]>>;
