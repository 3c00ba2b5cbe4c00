/**
 * One latency stage (wire, pipeline, …) over one metrics interval: an HDR histogram of
 * microseconds, 3 significant digits, up to 60 s. Values outside the range are clamped and
 * counted, never thrown: a negative latency means clocks disagree (exchange time ahead of ours),
 * which the UI must show rather than hide.
 *
 * Beside the HDR histogram (precise percentiles), the same samples go into the shared bucket
 * scheme of latency-buckets.ts, which travels to the renderer so that a distribution over any
 * window can be added up from per-interval counts.
 */
import * as hdr from 'hdr-histogram-js';
import type { StageHistogram, StageLatency } from '../../common/frame.ts';
import { BUCKETS, bucketOf } from '../../common/latency-buckets.ts';

const MAX_US = 60_000_000;

export class LatencyStage {
  readonly stage: number;
  private readonly h: hdr.Histogram;
  /** Samples below zero in this interval (clamped to 0). */
  negative = 0;
  /** Samples below zero since start. */
  negativeTotal = 0;
  /** Samples above the range in this interval (clamped to the max). */
  overflow = 0;
  /** This interval's samples in the shared bucket scheme. */
  private readonly counts = new Uint32Array(BUCKETS);

  constructor(stage: number) {
    this.stage = stage;
    this.h = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: MAX_US,
      numberOfSignificantValueDigits: 3,
      bitBucketSize: 32,
      autoResize: false,
      useWebAssembly: false,
    });
  }

  /**
   * Records one latency in whole microseconds. Callers round (Math.round(ms * 1000)) before the
   * call, so what crosses it is a small integer, not a boxed double.
   */
  recordUs(us: number): void {
    if (!(us >= 0)) {
      this.negative++;
      this.negativeTotal++;
      us = 0;
    } else if (us > MAX_US) {
      this.overflow++;
      us = MAX_US;
    }
    this.h.recordValue(us);
    this.counts[bucketOf(us)]!++;
  }

  get count(): number {
    return this.h.totalCount;
  }

  /**
   * Writes the interval's percentiles (µs) into out, and its bucket counts into `hist` when given,
   * and starts a new interval.
   */
  closeInto(out: StageLatency, hist?: StageHistogram): void {
    const h = this.h;
    if (hist) {
      hist.stage = this.stage;
      hist.count = h.totalCount;
      hist.max = h.totalCount === 0 ? 0 : h.maxValue;
      hist.counts.set(this.counts);
    }
    this.counts.fill(0);
    out.stage = this.stage;
    out.count = h.totalCount;
    if (h.totalCount === 0) {
      out.p50 = out.p90 = out.p99 = out.p999 = out.max = 0;
    } else {
      out.p50 = h.getValueAtPercentile(50);
      out.p90 = h.getValueAtPercentile(90);
      out.p99 = h.getValueAtPercentile(99);
      out.p999 = h.getValueAtPercentile(99.9);
      out.max = h.maxValue;
    }
    h.reset();
    this.negative = 0;
    this.overflow = 0;
  }
}
