/**
 * Reconnect delays: exponential backoff with full jitter and a cap (AWS "full jitter"), reset once
 * a connection has stayed up long enough. Pure and seeded-by-injection so tests assert exact delays.
 */

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Random source in [0, 1); full jitter draws the delay uniformly in [0, base]. */
  random?: () => number;
}

export class Backoff {
  private readonly opts: Required<BackoffOptions>;
  private attempt = 0;

  constructor(opts: BackoffOptions) {
    if (!(opts.initialMs > 0)) throw new RangeError('backoff initialMs must be > 0');
    if (!(opts.maxMs >= opts.initialMs)) throw new RangeError('backoff maxMs must be ≥ initialMs');
    if (!(opts.factor >= 1 && opts.factor <= 100)) throw new RangeError('backoff factor must be in [1, 100]');
    this.opts = { random: Math.random, ...opts };
  }

  /** The upper bound of the next delay, before jitter. */
  ceiling(): number {
    return Math.min(this.opts.maxMs, this.opts.initialMs * this.opts.factor ** this.attempt);
  }

  /** Next delay in ms; each call widens the window until the cap. */
  next(): number {
    const ceiling = this.ceiling();
    this.attempt++;
    return Math.round(this.opts.random() * ceiling);
  }

  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
