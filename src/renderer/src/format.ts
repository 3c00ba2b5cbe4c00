/** Number formatting for a trading screen: fixed decimals, thousands separators, clear units. */

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function fmtInt(v: number): string {
  return Number.isFinite(v) ? int.format(v) : '—';
}

export function fmtRate(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  return int.format(v);
}

export function fmtBytes(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(2)} MB`;
  if (v >= 1024) return `${(v / 1024).toFixed(1)} KB`;
  return `${v.toFixed(0)} B`;
}

/** Latency given in ms: µs below 1 ms, ms above. */
export function fmtLatency(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}

export function fmtPct(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(1)}%` : '—';
}

export function fmtPrice(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const decimals = v >= 1000 ? 2 : v >= 1 ? 3 : 4;
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Axis labels for latency in ms: 50 µs, 1 ms, 2.5 ms — no trailing zeros. */
export function fmtLatencyTick(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 1) return `${Number((ms * 1000).toPrecision(3))} µs`;
  return `${Number(ms.toPrecision(3))} ms`;
}
