/**
 * Bringing segments back after a restart. The active (last) segment may end in a batch that was
 * being written when the process or machine died: every batch in it is checked (lengths, magic,
 * CRC-32C) and the file is cut before the first one that fails, as Kafka and Redpanda do.
 * Older segments were complete when they rolled: their indexes are loaded and checked against
 * the log, and rebuilt by scanning batch headers when missing, torn or inconsistent.
 */
import { SegmentReader } from './segment-reader';
import { Segment, lastOffsetOf } from './segment';

export interface RecoveryResult {
  /** Bytes cut from the end of the log file. */
  truncatedBytes: number;
  /** What was wrong with the first dropped batch. */
  problem?: string;
}

/**
 * Re-reads the whole segment, rebuilding its indexes and summary, and truncates the file
 * before the first unsound batch.
 */
export async function recoverSegment(segment: Segment, options: { verifyCrc: boolean }): Promise<RecoveryResult> {
  const fileSizeBytes = await segment.log.size();
  await segment.resetIndexes();
  const reader = new SegmentReader(segment.log, 0, fileSizeBytes, {
    verifyCrc: options.verifyCrc,
    segmentBaseOffset: segment.baseOffset,
  });
  for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
    segment.track(batch.position, batch.sizeBytes, batch.header);
  }
  if (reader.position === fileSizeBytes) return { truncatedBytes: 0 };
  await segment.log.truncate(reader.position);
  return { truncatedBytes: fileSizeBytes - reader.position, problem: reader.problem };
}

/**
 * Loads a rolled segment: trusts its indexes when they agree with the log (reading only the
 * batches after the last offset index entry), else falls back to recoverSegment without CRCs.
 */
export async function loadSegment(segment: Segment): Promise<RecoveryResult> {
  const fileSizeBytes = await segment.log.size();
  if (fileSizeBytes > 0 && (await loadIndexes(segment, fileSizeBytes))) return { truncatedBytes: 0 };
  return recoverSegment(segment, { verifyCrc: false });
}

async function loadIndexes(segment: Segment, fileSizeBytes: number): Promise<boolean> {
  if (!(await segment.offsetIndex.load(fileSizeBytes))) return false;
  const lastEntry = segment.offsetIndex.lastEntry;
  const reader = new SegmentReader(segment.log, lastEntry?.position ?? 0, fileSizeBytes);
  let first = true;
  let largestTailTimestampMs = -1;
  let nextOffset = segment.baseOffset;
  let batchCount = 0;
  for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
    if (first && lastEntry !== undefined && lastOffsetOf(batch.header) !== lastEntry.offset) return false;
    first = false;
    largestTailTimestampMs = Math.max(largestTailTimestampMs, batch.header.maxTimestamp);
    nextOffset = lastOffsetOf(batch.header) + 1;
    batchCount++;
  }
  if (reader.position !== fileSizeBytes || batchCount === 0) return false;
  if (!(await segment.timeIndex.load(nextOffset))) return false;
  segment.restoreSummary({
    sizeBytes: fileSizeBytes,
    nextOffset,
    largestTimestampMs: Math.max(largestTailTimestampMs, segment.timeIndex.lastEntry?.timestamp ?? -1),
  });
  return true;
}
