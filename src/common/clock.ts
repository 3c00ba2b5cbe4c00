/**
 * The one clock every thread stamps latency with: epoch milliseconds with µs precision, from
 * `performance.timeOrigin + performance.now()`. Worker threads of one process share the process's
 * time origin closely enough (µs) that stamps from a feed worker and the main thread can be
 * subtracted.
 *
 * Stamps are whole microseconds (µs / 1000 as a double): below that the sum is rounding noise of
 * the double (its step near 2026 is 0.24 µs), and a stamp on the µs grid is what lets the
 * recorder's codec v2 store a receive time as a small integer delta instead of 8 raw bytes.
 */
const origin = performance.timeOrigin;

export function nowMs(): number {
  return Math.round((origin + performance.now()) * 1000) / 1000;
}
