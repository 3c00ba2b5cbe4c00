/**
 * RFC 3339 timestamps ("2026-07-15T09:30:00.310114223Z", "…+02:00") parsed from raw bytes into epoch
 * milliseconds with sub-millisecond precision, without building a string or a Date: Coinbase and
 * Kraken stamp every trade this way.
 */

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(b: Uint8Array, s: number, count: number): number {
  let v = 0;
  for (let i = 0; i < count; i++) {
    const c = b[s + i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Parses bytes[s, e) into out[slot] (epoch ms); false if it is not an RFC 3339 date-time. */
export function parseIsoTimeTo(b: Uint8Array, s: number, e: number, out: Float64Array, slot = 0): boolean {
  if (e - s < 20) return false;
  const y = digits(b, s, 4);
  const mo = digits(b, s + 5, 2);
  const d = digits(b, s + 8, 2);
  const h = digits(b, s + 11, 2);
  const mi = digits(b, s + 14, 2);
  const se = digits(b, s + 17, 2);
  if (
    y < 0 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > 31 ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    se < 0 ||
    se > 60
  )
    return false;
  if (b[s + 4] !== 0x2d || b[s + 7] !== 0x2d || b[s + 13] !== 0x3a || b[s + 16] !== 0x3a) return false;
  const t = b[s + 10];
  if (t !== 0x54 && t !== 0x74 && t !== 0x20) return false;
  let p = s + 19;
  let frac = 0;
  let scale = 1;
  if (b[p] === 0x2e) {
    p++;
    if (p >= e || b[p]! < 0x30 || b[p]! > 0x39) return false; // a point needs a digit after it
    while (p < e) {
      const c = b[p]! - 0x30;
      if (c < 0 || c > 9) break;
      // Beyond nanoseconds digits cannot change a double of epoch ms.
      if (scale < 1e9) {
        frac = frac * 10 + c;
        scale *= 10;
      }
      p++;
    }
  }
  let offsetMin = 0;
  const z = b[p];
  if (z === 0x5a || z === 0x7a) p++;
  else if (z === 0x2b || z === 0x2d) {
    const oh = digits(b, p + 1, 2);
    const om = digits(b, p + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || b[p + 3] !== 0x3a) return false;
    offsetMin = (oh * 60 + om) * (z === 0x2b ? 1 : -1);
    p += 6;
  } else return false;
  if (p !== e) return false;
  const days = daysFromCivil(y, mo, d);
  const secs = days * 86400 + h * 3600 + mi * 60 + se - offsetMin * 60;
  // Whole ms plus the sub-ms part, rounded to the microsecond (what a double of epoch ms keeps).
  const ms = Math.round((frac / scale) * 1e6) / 1e3;
  out[slot] = secs * 1000 + ms;
  return true;
}
