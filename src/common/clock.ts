/**
 * The one clock every thread stamps latency with: epoch milliseconds with sub-millisecond
 * precision, from `performance.timeOrigin + performance.now()`. Worker threads of one process share
 * the process's time origin closely enough (µs) that stamps from a feed worker and the main thread
 * can be subtracted.
 */
const origin = performance.timeOrigin;

export function nowMs(): number {
  return origin + performance.now();
}
