import { build, Histogram } from 'hdr-histogram-js';

const MICROS_PER_MS = 1_000;
const HIGHEST_TRACKABLE_MICROS = 600_000_000;

/**
 * Latencies recorded in microseconds (HdrHistogram, 3 significant digits), read back in ms.
 * Acknowledgements arrive a batch at a time, so runs of equal values are counted first and
 * recorded once: at a million records a second, per-record recording would cost the client
 * side a noticeable share of its CPU.
 */
export class LatencyHistogram {
  private readonly histogram: Histogram = build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_MICROS,
    numberOfSignificantValueDigits: 3,
  });
  private runMicros = 0;
  private runCount = 0;

  recordMs(latencyMs: number): void {
    this.recordMsTimes(latencyMs, 1);
  }

  /** Records one latency `count` times: every record of a batch waited as long as the batch. */
  recordMsTimes(latencyMs: number, count: number): void {
    const micros = Math.min(HIGHEST_TRACKABLE_MICROS, Math.max(1, Math.round(latencyMs * MICROS_PER_MS)));
    if (micros !== this.runMicros) this.endRun(micros);
    this.runCount += count;
  }

  get count(): number {
    this.endRun(0);
    return this.histogram.totalCount;
  }

  percentileMs(percentile: number): number {
    this.endRun(0);
    return this.histogram.getValueAtPercentile(percentile) / MICROS_PER_MS;
  }

  private endRun(nextMicros: number): void {
    if (this.runCount > 0) this.histogram.recordValueWithCount(this.runMicros, this.runCount);
    this.runMicros = nextMicros;
    this.runCount = 0;
  }
}
