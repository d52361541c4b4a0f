import { build, Histogram } from 'hdr-histogram-js';

const MICROS_PER_MS = 1_000;
const HIGHEST_TRACKABLE_MICROS = 600_000_000;

/** Latencies recorded in microseconds (HdrHistogram, 3 significant digits), read back in ms. */
export class LatencyHistogram {
  private readonly histogram: Histogram = build({
    bitBucketSize: 'packed',
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_MICROS,
    numberOfSignificantValueDigits: 3,
  });

  recordMs(latencyMs: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(latencyMs * MICROS_PER_MS)));
  }

  /** Records one latency `count` times: every record of a batch waited as long as the batch. */
  recordMsTimes(latencyMs: number, count: number): void {
    this.histogram.recordValueWithCount(Math.max(1, Math.round(latencyMs * MICROS_PER_MS)), count);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  percentileMs(percentile: number): number {
    return this.histogram.getValueAtPercentile(percentile) / MICROS_PER_MS;
  }
}
