/** Number formatting for a trading screen: fixed decimals, thousands separators, clear units. */

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function fmtInt(v: number): string {
  return Number.isFinite(v) ? int.format(v) : '—';
}

/** A rate for headline figures: 1,172 · 12.3k · 1.25M. */
export function fmtRate(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  return int.format(v);
}

/** Three significant digits at most, no trailing zeros: 2.5, 120, 1.25. */
function sig3(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** Axis labels for rates: 0 · 500 · 2.5k · 10k · 1.2M. */
export function fmtRateTick(v: number): string {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a >= 1e6) return `${sig3(v / 1e6)}M`;
  if (a >= 1e3) return `${sig3(v / 1e3)}k`;
  return sig3(v);
}

// Byte rates in decimal units, as network rates are quoted: 1 KB = 1,000 B.
const KB = 1e3;
const MB = 1e6;
const GB = 1e9;

export function fmtBytes(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (v >= GB) return `${(v / GB).toFixed(2)} GB`;
  if (v >= MB) return `${(v / MB).toFixed(2)} MB`;
  if (v >= KB) return `${(v / KB).toFixed(1)} KB`;
  return `${v.toFixed(0)} B`;
}

/** Axis labels for byte rates: 0 · 500 KB · 1.5 MB. */
export function fmtBytesTick(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (v === 0) return '0';
  if (v >= GB) return `${sig3(v / GB)} GB`;
  if (v >= MB) return `${sig3(v / MB)} MB`;
  if (v >= KB) return `${sig3(v / KB)} KB`;
  return `${sig3(v)} B`;
}

/** Latency given in ms: µs below 1 ms, ms above. */
export function fmtLatency(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  if (ms < 10_000) return `${ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function fmtPct(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(1)}%` : '—';
}

/**
 * en-US with exactly `decimals` decimals (0…8). toLocaleString with options builds an
 * Intl.NumberFormat on every call, which the ladder, tape and strip paid thousands of times a
 * second; these are built once.
 */
const FIXED = Array.from(
  { length: 9 },
  (_, d) => new Intl.NumberFormat('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }),
);
export function fmtFixed(v: number, decimals: number): string {
  return FIXED[Math.max(0, Math.min(8, decimals))]!.format(v);
}

export function fmtPrice(v: number): string {
  if (!Number.isFinite(v)) return '—';
  return fmtFixed(v, v >= 1000 ? 2 : v >= 1 ? 3 : 4);
}

/** Axis labels for latency in ms: 50 µs, 1 ms, 2.5 ms — no trailing zeros. */
export function fmtLatencyTick(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 1) return `${sig3(ms * 1000)} µs`;
  if (ms < 1000) return `${sig3(ms)} ms`;
  return `${sig3(ms / 1000)} s`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Local wall-clock time of an epoch-seconds value, 24-hour HH:MM:SS. */
export function fmtClock(sec: number): string {
  if (!Number.isFinite(sec)) return '—';
  const d = new Date(sec * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Local date and time of an epoch-ms value: 2026-07-15 14:32:00. */
export function fmtDateTime(ms: number | undefined): string {
  if (!ms) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${fmtClock(ms / 1000)}`;
}

/** A feed URL without its scheme, for the header (the full URL is in the tooltip). */
export function fmtUrl(url: string): string {
  return url.replace(/^[a-z]+:\/\//i, '').replace(/\/$/, '');
}

/** A duration for a state chip: 12s, 3m 04s, 2h 05m, 3d 04h. */
export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.floor(ms / 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${p(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${p(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${p(Math.floor((s % 86400) / 3600))}h`;
}

/** A span of time that may be short: 45 ms, 1.2 s, 3m 04s (— for none). */
export function fmtSpan(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return fmtDuration(ms);
}

/** A running time as a stopwatch shows it: 0:07, 12:04, 1:02:03. */
export function fmtStopwatch(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${p(m)}:${p(s % 60)}` : `${m}:${p(s % 60)}`;
}

/** A compression ratio: 4.2×, 12×. */
export function fmtRatio(v: number | null): string {
  if (v === null || !Number.isFinite(v) || v <= 0) return '—';
  return v >= 10 ? `${v.toFixed(0)}×` : `${v.toFixed(1)}×`;
}

/** A replay speed: 1×, 4×, max. */
export function fmtSpeed(v: number | 'max'): string {
  return v === 'max' ? 'max' : `${v}×`;
}
