import { ThroughputResult } from './streams-system';

const BYTES_PER_MIB = 1024 * 1024;

/** A tenth of a run's records go first, unmeasured, so no run is measured while a JIT or cache warms up. */
export const WARM_UP_FRACTION = 10;

export function recordsPerSec(result: ThroughputResult): number {
  return (result.recordCount * 1000) / result.elapsedMs;
}

/** Record values only (1 MiB = 2^20 bytes). */
export function mibPerSec(result: ThroughputResult): number {
  return (result.payloadBytes * 1000) / result.elapsedMs / BYTES_PER_MIB;
}

export function ratio(ours: number | undefined, theirs: number | undefined): string {
  return ours === undefined || theirs === undefined || theirs === 0 ? '-' : `${(ours / theirs).toFixed(2)}×`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

export function median(sorted: number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A table row of repeated timings: the label, then min, median and max in ms. */
export function spreadRow(label: string, values: number[]): string[] {
  const sorted = [...values].sort((a, b) => a - b);
  return [label, ms(sorted[0]), ms(median(sorted)), ms(sorted[sorted.length - 1])];
}

/** One line on stderr as a run ends, so a long bench shows where it is. */
export function progress(system: string, what: string, result: ThroughputResult): void {
  console.error(`${system}: ${what}: ${count(recordsPerSec(result))} records/s, ${mibPerSec(result).toFixed(1)} MiB/s (${count(result.recordCount)} records in ${(result.elapsedMs / 1000).toFixed(2)} s)`);
}
