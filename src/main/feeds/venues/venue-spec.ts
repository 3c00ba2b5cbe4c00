/**
 * The venue contract: everything a venue is, for the feed side, in one object that its module
 * (venues/<name>.ts) exports — URLs, subscribe/resubscribe/ping, the decoder, its book rule,
 * planned cuts, symbol spelling. The feed worker and the ingest loop read only this; they have no
 * branch on a venue's name. Registered by name in venues/registry.ts.
 */

import type { VenueName } from '../../../common/venues.ts';
import type { L2Book } from '../book/l2-book.ts';
import type { JsonScanner } from '../json-scan.ts';
import type { FeedMessage } from './message.ts';

/** What a book section's sequence says against the book (BookRule.delta). */
export const Seq = {
  /** In line: apply it. */
  apply: 0,
  /** Already in the book (a repeat, or older than the snapshot): skip it. */
  repeat: 1,
  /** Something is missing before it: a gap (`SeqGap` says what). */
  gap: 2,
} as const;
export type Seq = (typeof Seq)[keyof typeof Seq];

/**
 * Filled by BookRule.delta on a gap: [0] how many updates are missing (0: unknown), [1] the first
 * missing one. A typed array, so that writing sequence numbers allocates nothing.
 */
export type SeqGap = Float64Array;
export const SEQ_MISSING = 0;
export const SEQ_FIRST_MISSING = 1;

/**
 * How a venue keeps a book in sync. The ingest loop (feed-ingest.ts) applies snapshots and deltas,
 * records gaps and asks for resyncs; the rule says what a delta's sequence means, where snapshots
 * come from and what else guards the book.
 */
export interface BookRule {
  /**
   * 'ws': snapshots arrive on the socket and a resubscribe asks for another. 'rest': deltas are
   * buffered while a REST snapshot (decodeSnapshot) is fetched, then replayed under `delta`; the
   * first that lines up proves the snapshot (Binance's documented procedure).
   */
  snapshot: 'ws' | 'rest';
  /** Sections carry a sequence the book follows (book.seq = the section's last after applying). */
  sequenced: boolean;
  /**
   * Book section s of msg (its first and last sequence, msg.secFirst/secLast) against book.seq:
   * apply, repeat or gap (then `gap` says what is missing). Called for every delta of a synced
   * book; never allocates — it takes the message and the book, not their doubles, which would be
   * boxed as the arguments of a call that is not inlined.
   */
  delta(book: L2Book, msg: FeedMessage, s: number, gap: SeqGap): Seq;
  /** One counter per connection over every channel (Coinbase): a jump resyncs every book. */
  frameSequence: boolean;
  /** Our book's checksum by the venue's formula equals the one it sent, `sent[s]` (null: none). */
  checksumMatches: ((book: L2Book, sent: Float64Array, s: number) => boolean) | null;
  /** Levels pushed out of the subscribed depth are never deleted by the venue (Kraken): we do. */
  truncateToDepth: boolean;
}

export interface VenueSpec {
  name: VenueName;
  /** The number records carry (common/venues.ts). */
  venue: number;
  defaultUrl: string;
  /** REST base for book snapshots (a 'rest' book rule only). */
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
  book: BookRule;
  /** Book depth subscribed by default. */
  bookDepth: number;
  decode(sc: JsonScanner, bytes: Uint8Array, len: number, msg: FeedMessage): void;
  /** The REST snapshot body, decoded as one book section (a 'rest' book rule only). */
  decodeSnapshot?(sc: JsonScanner, bytes: Uint8Array, len: number, msg: FeedMessage): void;
  /** Venue symbol → BASE-QUOTE. */
  normalise(venueSymbol: string): string;
  /** BASE-QUOTE or venue spelling → venue spelling. */
  venueSymbol(symbol: string): string;
}

/** A book rule without sequence: every delta applies (Kraken's, whose checksum guards it). */
export function unsequenced(_book: L2Book, _msg: FeedMessage, _s: number, _gap: SeqGap): Seq {
  return Seq.apply;
}

// ---- helpers the venue modules share ----

let reqId = 0;
/** Request ids for subscribe messages, unique within the process. */
export const nextRequestId = (): number => ++reqId;

/** The base URL with the venue's path when it has none (a bare host or the simulator's root). */
export function rootOr(base: string, path: string): string {
  const u = new URL(base);
  if (u.pathname === '/' || u.pathname === '') u.pathname = path;
  return u.toString();
}

/** Splits a subscription list into requests of at most n entries (the venues' limits). */
export function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
