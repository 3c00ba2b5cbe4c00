/**
 * Stacked areas for uPlot, which has none of its own: the series of a chart become running sums
 * (series k is drawn at the sum of series 1..k), bands fill each one down to the one below it,
 * and the hover read-out takes each series' own value back as the difference to the one below,
 * so it shows what the series measures, not where it is drawn. In place, allocation-free.
 */
import type uPlot from 'uplot';

/**
 * Turns series 1..n of `data` (data[0] is time) into running sums, in place. A point with no
 * value in any series stays a gap; otherwise a series without a value there counts as zero.
 */
export function stackInPlace(data: (number | null)[][]): void {
  const n = data[0]?.length ?? 0;
  for (let i = 0; i < n; i++) {
    let sum: number | null = null;
    for (let s = 1; s < data.length; s++) {
      const v = data[s]![i];
      if (v != null) sum = (sum ?? 0) + v;
      data[s]![i] = sum;
    }
    // Series below the first with a value stay null; those above carry the sum (set above).
  }
}

/** Bands filling each stacked series down to the one below it (the first fills to zero). */
export function stackBands(series: number): uPlot.Band[] {
  const bands: uPlot.Band[] = [];
  for (let s = 2; s <= series; s++) bands.push({ series: [s, s - 1] });
  return bands;
}

/**
 * Series s's own value at point i of stacked `data` (or of plain data when not `stacked`): the
 * difference to the series below; null where the series has no point.
 */
export function ownValue(data: uPlot.AlignedData, s: number, i: number, stacked: boolean): number | null {
  const v = data[s]?.[i];
  if (v == null) return null;
  if (!stacked || s <= 1) return v;
  const below = data[s - 1]?.[i];
  return below == null ? v : v - below;
}
