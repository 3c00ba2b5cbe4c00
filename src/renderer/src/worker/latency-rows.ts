/**
 * The latency stages of each metrics row, in the frame receiver: wire, pipeline and disk
 * percentiles as the engine sent them (METRICS), the UI stage from the page's shared UI histogram
 * (drained once a row: what was painted since the previous row), and every stage's bucket counts
 * (HISTOGRAM, and the drained UI counts) added into the histogram store's row of that second.
 * Percentiles are µs on the wire and ms in the series store; a stage without samples is NaN (a
 * gap). Nothing is allocated per row.
 */

import { Stage } from '../../../common/feed-model.ts';
import type { DecodedFrame } from '../../../common/frame.ts';
import { BUCKETS, percentileOf } from '../../../common/latency-buckets.ts';
import { type DrainResult, SharedHistogram } from '../../../common/shared-histogram.ts';
import type { HistogramStore } from '../series/histogram-store.ts';
import { Col } from '../series/series-layout.ts';

const BASE: readonly number[] = [Col.wire, Col.pipe, Col.ui, Col.disk]; // by Stage

export class LatencyRows {
  readonly histograms: HistogramStore;
  readonly ui: SharedHistogram;
  private readonly uiCounts = new Float64Array(BUCKETS);
  private readonly drained: DrainResult = { count: 0, max: 0 };
  private lastSecond = Number.NEGATIVE_INFINITY;

  constructor(histograms: HistogramStore, ui = new SharedHistogram()) {
    this.histograms = histograms;
    this.ui = ui;
  }

  /** Writes the four stages' columns of `row` (already NaN) and the histogram store's second. */
  append(f: DecodedFrame, row: Float64Array): void {
    const m = f.metrics;
    for (let s = 0; s < m.stageCount; s++) {
      const st = m.stages[s]!;
      if (st.stage === Stage.ui || st.stage >= BASE.length || st.count === 0) continue;
      const base = BASE[st.stage]!;
      row[base] = st.p50 / 1000;
      row[base + 1] = st.p90 / 1000;
      row[base + 2] = st.p99 / 1000;
      row[base + 3] = st.p999 / 1000;
      row[base + 4] = st.max / 1000;
    }

    const ui = this.uiCounts;
    ui.fill(0);
    const d = this.ui.drainInto(ui, 0, this.drained);
    if (d.count > 0) {
      const base = Col.ui;
      row[base] = percentileOf(ui, 0, d.count, 50, d.max) / 1000;
      row[base + 1] = percentileOf(ui, 0, d.count, 90, d.max) / 1000;
      row[base + 2] = percentileOf(ui, 0, d.count, 99, d.max) / 1000;
      row[base + 3] = percentileOf(ui, 0, d.count, 99.9, d.max) / 1000;
      row[base + 4] = d.max / 1000;
    }

    const h = this.histograms;
    const second = Math.floor(m.end / 1000);
    // A clock that went backwards is a new session: start the distributions afresh.
    if (second < this.lastSecond) h.reset();
    this.lastSecond = second;
    h.begin(second);
    if (f.hasHistograms) {
      const hs = f.histograms;
      for (let i = 0; i < hs.stageCount; i++) {
        const st = hs.stages[i]!;
        if (st.stage !== Stage.ui) h.add(st.stage, st.counts, 0, st.count, st.max);
      }
    }
    h.add(Stage.ui, ui, 0, d.count, d.max);
    h.end();
  }
}
