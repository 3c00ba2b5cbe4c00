/**
 * What differs between venues besides decoding, in one table: default URLs, how to subscribe and
 * how to resync one book, the application heartbeat, when a silent feed counts as stale, the
 * venue's connection lifetime, the book's sequence rule and checksum, and symbol spelling.
 * Requests follow the venues' documentation as summarised in ../shared/protocols.
 */

import { VENUE_NAMES, type VenueName } from '../../../common/config.ts';
import { toBaseQuote, venueSpotSymbol } from '../../../common/instruments.ts';
import { Venue } from '../../../common/record.ts';
import type { JsonScanner } from '../json-scan.ts';
import { normaliseBinanceSymbol } from '../symbols.ts';
import { decodeBinance } from './binance.ts';
import { decodeBybit } from './bybit.ts';
import { decodeCoinbase } from './coinbase.ts';
import { decodeKraken } from './kraken.ts';
import type { FeedMessage } from './message.ts';
import { decodeOkx } from './okx.ts';

export { VENUE_NAMES, type VenueName };

export const BookRule = {
  /** REST snapshot + buffered diffs, U/u contiguity. */
  binance: 0,
  /** WS snapshot; per-connection sequence_num across all channels. */
  coinbase: 1,
  /** WS snapshot; no sequence; checksum after every update; truncate to the subscribed depth. */
  kraken: 2,
  /** WS snapshot; u + 1 per delta. */
  bybit: 3,
  /** WS snapshot; prevSeqId = previous seqId (since 2023) and/or the checksum (until 2026), whichever the message carries. */
  okx: 4,
} as const;
export type BookRule = (typeof BookRule)[keyof typeof BookRule];

export interface VenueSpec {
  name: VenueName;
  venue: number;
  defaultUrl: string;
  /** REST base for book snapshots (Binance only). */
  defaultRestUrl?: string;
  /** The WebSocket URL to open, from a base (a bare host gets the venue's path). */
  wsUrl(base: string): string;
  /** Messages to send once the socket is open: trades, and with `books` the L2 book and top of book. */
  subscribe(symbols: readonly string[], bookDepth: number, books: boolean): string[];
  /** Messages that make the venue send a fresh snapshot of these books (empty: REST does it). */
  resubscribeBook(symbols: readonly string[], bookDepth: number): string[];
  /** An application-level ping and how often to send it (null: protocol pings only). */
  ping: { text: string; everyMs: number } | null;
  /** No frame (data, heartbeat or ping) for this long → stale → reconnect. */
  staleAfterMs: number;
  /** The venue cuts connections at this age (0: no limit); we roll over before it. */
  maxConnectionAgeMs: number;
  bookRule: BookRule;
  /** Book depth subscribed by default. */
  bookDepth: number;
  decode(sc: JsonScanner, bytes: Uint8Array, len: number, msg: FeedMessage): void;
  /** Venue symbol → BASE-QUOTE. */
  normalise(venueSymbol: string): string;
  /** BASE-QUOTE or venue spelling → venue spelling. */
  venueSymbol(symbol: string): string;
}

export { toBaseQuote };

let reqId = 0;
const nextId = (): number => ++reqId;

function rootOr(base: string, path: string): string {
  const u = new URL(base);
  if (u.pathname === '/' || u.pathname === '') u.pathname = path;
  return u.toString();
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

const binance: VenueSpec = {
  name: 'binance',
  venue: Venue.binance,
  defaultUrl: 'wss://stream.binance.com:9443',
  defaultRestUrl: 'https://api.binance.com',
  wsUrl(base) {
    const u = new URL(rootOr(base, '/stream'));
    // µs timestamps (protocols/binance.md §1); decoders accept ms too.
    u.searchParams.set('timeUnit', 'MICROSECOND');
    return u.toString();
  },
  subscribe(symbols, _depth, books) {
    const params: string[] = [];
    for (const s of symbols) {
      const l = s.toLowerCase();
      if (books) params.push(`${l}@depth@100ms`, `${l}@trade`, `${l}@bookTicker`);
      else params.push(`${l}@trade`);
    }
    // 5 inbound messages/s are allowed: one SUBSCRIBE per 200 streams keeps well inside.
    return chunks(params, 200).map((p) => JSON.stringify({ method: 'SUBSCRIBE', params: p, id: nextId() }));
  },
  resubscribeBook: () => [],
  ping: null, // the server pings every 20 s; ws answers with a pong
  staleAfterMs: 30_000,
  maxConnectionAgeMs: 24 * 3600_000,
  bookRule: BookRule.binance,
  bookDepth: 1000,
  decode: decodeBinance,
  normalise: normaliseBinanceSymbol,
  venueSymbol: (s) => venueSpotSymbol('binance', s),
};

const coinbase: VenueSpec = {
  name: 'coinbase',
  venue: Venue.coinbase,
  defaultUrl: 'wss://advanced-trade-ws.coinbase.com',
  wsUrl: (base) => base,
  subscribe(symbols, _depth, books) {
    const products = [...symbols];
    const sub = (channel: string) => JSON.stringify({ type: 'subscribe', product_ids: products, channel });
    return [
      ...(books ? [sub('level2')] : []),
      sub('market_trades'),
      ...(books ? [sub('ticker')] : []),
      JSON.stringify({ type: 'subscribe', channel: 'heartbeats' }),
    ];
  },
  resubscribeBook(symbols) {
    const products = [...symbols];
    return [
      JSON.stringify({ type: 'unsubscribe', product_ids: products, channel: 'level2' }),
      JSON.stringify({ type: 'subscribe', product_ids: products, channel: 'level2' }),
    ];
  },
  ping: null, // the heartbeats channel keeps the connection busy (1/s)
  staleAfterMs: 10_000,
  maxConnectionAgeMs: 0,
  bookRule: BookRule.coinbase,
  bookDepth: 0,
  decode: decodeCoinbase,
  normalise: (s) => s.toUpperCase(),
  venueSymbol: (s) => venueSpotSymbol('coinbase', s),
};

const kraken: VenueSpec = {
  name: 'kraken',
  venue: Venue.kraken,
  defaultUrl: 'wss://ws.kraken.com/v2',
  wsUrl: (base) => rootOr(base, '/v2'),
  subscribe(symbols, depth) {
    const symbol = [...symbols];
    return [
      JSON.stringify({ method: 'subscribe', params: { channel: 'book', symbol, depth }, req_id: nextId() }),
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'trade', symbol, snapshot: false },
        req_id: nextId(),
      }),
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'ticker', symbol, event_trigger: 'bbo' },
        req_id: nextId(),
      }),
    ];
  },
  resubscribeBook(symbols, depth) {
    const symbol = [...symbols];
    return [
      JSON.stringify({ method: 'unsubscribe', params: { channel: 'book', symbol, depth }, req_id: nextId() }),
      JSON.stringify({ method: 'subscribe', params: { channel: 'book', symbol, depth }, req_id: nextId() }),
    ];
  },
  ping: { text: '{"method":"ping"}', everyMs: 20_000 },
  staleAfterMs: 10_000,
  maxConnectionAgeMs: 0,
  bookRule: BookRule.kraken,
  bookDepth: 10,
  decode: decodeKraken,
  normalise: (s) => s.toUpperCase().replace('/', '-').replace(/^XBT-/, 'BTC-'),
  // XBT/USD, XBTUSD and XXBTZUSD are BTC/USD to WebSocket v2.
  venueSymbol: (s) => venueSpotSymbol('kraken', s),
};

const bybit: VenueSpec = {
  name: 'bybit',
  venue: Venue.bybit,
  defaultUrl: 'wss://stream.bybit.com/v5/public/spot',
  wsUrl: (base) => rootOr(base, '/v5/public/spot'),
  subscribe(symbols, depth, books) {
    const args: string[] = [];
    for (const s of symbols)
      if (books) args.push(`orderbook.${depth}.${s}`, `publicTrade.${s}`, `orderbook.1.${s}`);
      else args.push(`publicTrade.${s}`);
    // At most 10 args per request.
    return chunks(args, 10).map((a) =>
      JSON.stringify({ req_id: String(nextId()), op: 'subscribe', args: a }),
    );
  },
  resubscribeBook(symbols, depth) {
    const args = symbols.map((s) => `orderbook.${depth}.${s}`);
    return [
      ...chunks(args, 10).map((a) =>
        JSON.stringify({ req_id: String(nextId()), op: 'unsubscribe', args: a }),
      ),
      ...chunks(args, 10).map((a) => JSON.stringify({ req_id: String(nextId()), op: 'subscribe', args: a })),
    ];
  },
  ping: { text: '{"op":"ping"}', everyMs: 20_000 },
  staleAfterMs: 45_000,
  maxConnectionAgeMs: 0,
  bookRule: BookRule.bybit,
  bookDepth: 50,
  decode: decodeBybit,
  normalise: normaliseBinanceSymbol,
  venueSymbol: (s) => venueSpotSymbol('bybit', s),
};

const okx: VenueSpec = {
  name: 'okx',
  venue: Venue.okx,
  defaultUrl: 'wss://ws.okx.com:8443/ws/v5/public',
  wsUrl: (base) => rootOr(base, '/ws/v5/public'),
  subscribe(symbols) {
    const args: { channel: string; instId: string }[] = [];
    for (const s of symbols)
      args.push(
        { channel: 'books', instId: s },
        { channel: 'trades', instId: s },
        { channel: 'bbo-tbt', instId: s },
      );
    return chunks(args, 60).map((a) => JSON.stringify({ id: String(nextId()), op: 'subscribe', args: a }));
  },
  resubscribeBook(symbols) {
    const args = symbols.map((s) => ({ channel: 'books', instId: s }));
    return [
      JSON.stringify({ id: String(nextId()), op: 'unsubscribe', args }),
      JSON.stringify({ id: String(nextId()), op: 'subscribe', args }),
    ];
  },
  // The server closes after 30 s without data; a text ping when idle keeps it open.
  ping: { text: 'ping', everyMs: 20_000 },
  staleAfterMs: 35_000,
  maxConnectionAgeMs: 0,
  bookRule: BookRule.okx,
  bookDepth: 400,
  decode: decodeOkx,
  normalise: (s) => s.toUpperCase(),
  venueSymbol: (s) => venueSpotSymbol('okx', s),
};

export const VENUE_SPECS: Readonly<Record<VenueName, VenueSpec>> = { binance, coinbase, kraken, bybit, okx };

export function venueSpec(name: string): VenueSpec | undefined {
  return (VENUE_SPECS as Record<string, VenueSpec>)[name.toLowerCase()];
}

export function specOfVenue(venue: number): VenueSpec {
  for (const n of VENUE_NAMES) if (VENUE_SPECS[n].venue === venue) return VENUE_SPECS[n];
  return binance;
}
