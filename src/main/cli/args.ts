/**
 * Flag parsing for every `tickscope` command: `node:util` parseArgs in strict mode, plus typed
 * conversions that turn bad values into one clear UsageError (exit code 2) instead of NaN.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { VenueName } from '../../common/config.ts';
import { symbolRefusal } from '../../common/instruments.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends FlagSpec>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

export function intFlag(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value !== undefined && !/^-?\d+$/.test(value))
    throw new UsageError(`--${name} must be an integer, got '${value}'`);
  return numberFlag(value, name, min, max, fallback);
}

export function numberFlag(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got '${value}'`);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A rate: a positive number of messages per second, or 'max'. */
export function rateFlag(value: string | undefined, name: string, fallback: number | 'max'): number | 'max' {
  if (value === undefined) return fallback;
  if (value === 'max') return 'max';
  return numberFlag(value, name, 1, 10_000_000, 1);
}

/**
 * A comma-separated list of symbols with the separators taken out (BTC-USDT → BTCUSDT): the
 * simulator's and the legacy paths' spelling. A derivative's id is refused by name first (its
 * separators are part of what it is: BTC-USDT-SWAP is no BTCUSDTSWAP).
 */
export function symbolsFlag(value: string | undefined, name: string, fallback: string[]): string[] {
  if (value === undefined) return fallback;
  const raw = value
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
  if (raw.length === 0) throw new UsageError(`--${name} needs at least one symbol`);
  const list: string[] = [];
  for (const r of raw) {
    const refusal = symbolRefusal(null, r);
    if (refusal !== null && !refusal.startsWith('is not a symbol'))
      throw new UsageError(`--${name}: '${r}' ${refusal}`);
    const s = r.replace(/[-/_]/g, '');
    if (!/^[A-Z0-9]{2,20}$/.test(s)) throw new UsageError(`--${name}: '${s}' is not a symbol`);
    list.push(s);
  }
  return list;
}

/**
 * Instruments in any spelling (BTC-USDT, BTC/USD, BTCUSDT, a venue's own id), upper-cased,
 * separators kept: each venue turns them into its own spelling. With `venue`, its ids are
 * checked as that venue's (a derivative is refused naming its type and venue).
 */
export function instrumentsFlag(
  value: string | undefined,
  name: string,
  fallback: string[],
  venue: VenueName | null = null,
): string[] {
  if (value === undefined) return fallback;
  const list = value
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new UsageError(`--${name} needs at least one symbol`);
  for (const s of list) {
    const refusal = s.length > 64 ? 'is not a symbol' : symbolRefusal(venue, s);
    if (refusal !== null) throw new UsageError(`--${name}: '${s}' ${refusal}`);
  }
  return list;
}

export function urlFlag(value: string | undefined, name: string, protocols: string[]): string | undefined {
  if (value === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`--${name} is not a URL: '${value}'`);
  }
  if (!protocols.includes(u.protocol)) {
    throw new UsageError(`--${name} must use ${protocols.join(' or ')}, got '${u.protocol}'`);
  }
  return u.toString();
}
