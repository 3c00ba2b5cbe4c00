/**
 * When the simulator's market events happen: a two-state Markov-modulated Poisson process — calm,
 * and bursts at 8× the calm rate (mean dwell 4 s calm, 0.5 s burst) — whose long-run mean is the
 * requested rate. Both markets run on it (market-model.ts for trades, book-model.ts for books), so
 * the simulator's arrival loop is written once. A pure function of its generator and of time:
 * `advanceTo(t)` calls back every arrival due by t in time order, independently of how the time is
 * chunked.
 *
 * The draws are the generator's in a fixed order — at a switch the next switch, then the next
 * arrival; after an arrival (once the callback, which may draw from the same generator, has run)
 * the next arrival — which the seeded sessions and screenshot baselines depend on.
 */
import type { Rng } from './rng.ts';

const BURST_FACTOR = 8;
const CALM_DWELL_S = 4;
const BURST_DWELL_S = 0.5;

export class Arrivals {
  private readonly rng: Rng;
  private readonly calmRate: number;
  private burst = false;
  private nextArrival = 0;
  private nextSwitch = 0;

  /** Draws nothing: the first resetTo does, so its owner decides where in its sequence that falls. */
  constructor(rng: Rng, meanRate: number) {
    this.rng = rng;
    const burstShare = BURST_DWELL_S / (CALM_DWELL_S + BURST_DWELL_S);
    this.calmRate = meanRate / (1 - burstShare + BURST_FACTOR * burstShare);
  }

  get inBurst(): boolean {
    return this.burst;
  }

  /**
   * The earliest time anything can happen: the next arrival or the next calm/burst switch. A live
   * driver sleeps until then instead of polling, so a slow market costs no wake-ups.
   */
  nextEventTime(): number {
    return Math.min(this.nextArrival, this.nextSwitch);
  }

  private rateNow(): number {
    return this.burst ? this.calmRate * BURST_FACTOR : this.calmRate;
  }

  private dwell(): number {
    return this.rng.exponential(1 / (this.burst ? BURST_DWELL_S : CALM_DWELL_S)) * 1000;
  }

  /** Restarts arrivals at t (after a pause nobody listened to), keeping the state. */
  resetTo(t: number): void {
    this.nextArrival = t + this.rng.exponential(this.rateNow()) * 1000;
    this.nextSwitch = t + this.dwell();
  }

  /** Calls `arrive(time)` for every arrival at or before t, in time order; stops after `limit`. */
  advanceTo(t: number, arrive: (time: number) => void, limit: number): number {
    let n = 0;
    while (n < limit) {
      if (this.nextSwitch <= this.nextArrival) {
        if (this.nextSwitch > t) break;
        const at = this.nextSwitch;
        this.burst = !this.burst;
        this.nextSwitch = at + this.dwell();
        // Poisson arrivals are memoryless: redraw the next one at the new rate.
        this.nextArrival = at + this.rng.exponential(this.rateNow()) * 1000;
        continue;
      }
      if (this.nextArrival > t) break;
      arrive(this.nextArrival);
      this.nextArrival += this.rng.exponential(this.rateNow()) * 1000;
      n++;
    }
    return n;
  }
}
