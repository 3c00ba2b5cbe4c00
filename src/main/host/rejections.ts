/**
 * The headless host's refusals, counted by kind and logged without flooding: the first refusal of a
 * kind is logged at once, the rest of that kind at most once per window, as one line that says how
 * many were not logged. A flood of bad requests costs counters, not log lines. Details never hold
 * the access token.
 */

export const REJECTION_KINDS = [
  /** No access token, or a wrong one (401). */
  'unauthorized',
  /** A WebSocket or POST from another origin (403). */
  'forbiddenOrigin',
  /** A Host header that does not name this server: DNS rebinding (421). */
  'misdirected',
  /** WebSocket clients over the cap (503). */
  'tooManyClients',
  /** TCP connections over the cap (503). */
  'tooManyConnections',
  /** Request line and headers over the cap (431). */
  'headerTooLarge',
  /** A request body over the cap (413). */
  'bodyTooLarge',
  /** A request too slow to arrive: slow-loris (408). */
  'timedOut',
  /** Malformed HTTP, bad URL, bad JSON, wrong content type or method, bad handshake (400/405/415). */
  'badRequest',
  /** Well-formed JSON the API refuses (422). */
  'invalid',
  /** A message sent on the one-way stream (closed with 1003). */
  'wsInbound',
  /** A WebSocket frame that is malformed or over the size cap (closed with 1002/1009). */
  'wsBadFrame',
  /** A handler that threw (500): a bug, logged. */
  'internalError',
] as const;
export type RejectionKind = (typeof REJECTION_KINDS)[number];

export type RejectionCounts = Record<RejectionKind, number>;

export function zeroCounts(): RejectionCounts {
  return Object.fromEntries(REJECTION_KINDS.map((k) => [k, 0])) as RejectionCounts;
}

export class RejectionLog {
  private readonly last = new Map<RejectionKind, number>();
  private readonly unlogged = new Map<RejectionKind, number>();

  /** Incremented in place (the host's stats). */
  private readonly counts: RejectionCounts & { rejected: number };
  private readonly log: ((line: string) => void) | undefined;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(
    counts: RejectionCounts & { rejected: number },
    log: ((line: string) => void) | undefined,
    windowMs = 10_000,
    now: () => number = Date.now,
  ) {
    this.counts = counts;
    this.log = log;
    this.windowMs = windowMs;
    this.now = now;
  }

  refuse(kind: RejectionKind, detail: string): void {
    this.counts[kind]++;
    this.counts.rejected++;
    if (!this.log) return;
    const t = this.now();
    const last = this.last.get(kind);
    if (last !== undefined && t - last < this.windowMs) {
      this.unlogged.set(kind, (this.unlogged.get(kind) ?? 0) + 1);
      return;
    }
    const more = this.unlogged.get(kind) ?? 0;
    this.last.set(kind, t);
    this.unlogged.set(kind, 0);
    const suffix = more ? ` (and ${more} more since the last such line)` : '';
    this.log(`host: refused (${kind}): ${detail}${suffix}`);
  }
}
