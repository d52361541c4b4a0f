/**
 * Which segments retention deletes, as Kafka's UnifiedLog: only whole segments, only from the
 * start of the log, never the active segment. By time, a segment goes once its newest batch
 * (largest timestamp) is older than retention.ms; by size, the oldest segments go while the log
 * without them would still hold at least retention.bytes.
 */
import { LogConfig } from './log-config';

export interface RetainedSegment {
  sizeBytes: number;
  /** -1 for an empty segment. */
  largestTimestampMs: number;
}

/**
 * How many segments from the start of `rolled` (the segments before the active one) retention
 * deletes now; `totalBytes` is the size of the whole log including the active segment.
 */
export function segmentsToDelete(rolled: readonly RetainedSegment[], totalBytes: number, config: LogConfig, nowMs: number): number {
  if (!config.cleanupPolicy.delete) return 0;
  let count = 0;
  if (config.retentionMs >= 0) {
    while (count < rolled.length && nowMs - rolled[count].largestTimestampMs > config.retentionMs) count++;
  }
  if (config.retentionBytes >= 0) {
    let remainingBytes = totalBytes;
    for (let i = 0; i < count; i++) remainingBytes -= rolled[i].sizeBytes;
    while (count < rolled.length && remainingBytes - rolled[count].sizeBytes >= config.retentionBytes) {
      remainingBytes -= rolled[count].sizeBytes;
      count++;
    }
  }
  return count;
}
