/**
 * Bringing segments back after a restart, as Kafka's LogLoader.
 *
 * After a clean shutdown (the log wrote its marker at close, after syncing everything) no batch
 * is checked: each segment's indexes are loaded and checked against the log, and rebuilt from
 * batch headers when missing, torn or inconsistent.
 *
 * After an unclean stop, every segment from the one holding the recovery point (below which all
 * was fdatasynced) to the end is recovered: every batch is checked (lengths, magic, CRC-32C,
 * offset order), the indexes are rebuilt, and the file is cut before the first batch that fails.
 * With flushing left to the OS a power loss can tear any segment written since the last flush,
 * not only the last one. A cut in a segment that is not the last deletes every later segment:
 * the log cannot have a hole. Segments below the recovery point are loaded as after a clean
 * shutdown, without CRC checks: Kafka's trade-off (start-up time against data that was already
 * synced), so damage at rest there is not detected at start-up.
 */
import { SegmentReader } from './segment-reader';
import { Segment, lastOffsetOf } from './segment';

/** What an unclean start cut from the log. */
export interface LogTruncation {
  segmentBaseOffset: number;
  /** File position the segment was cut at (the first unsound batch). */
  position: number;
  truncatedBytes: number;
  problem: string;
  /** Base offsets of the later segments deleted with it. */
  deletedSegments: number[];
}

export interface LoadedSegments {
  segments: Segment[];
  /** Base offsets of the segments whose every batch was checked. */
  checkedSegments: number[];
  truncation?: LogTruncation;
}

/**
 * Opens and loads the segments at `baseOffsets` (ascending), recovering from `recoveryPoint`
 * unless the previous shutdown was clean (see the file comment).
 */
export async function loadSegments(options: {
  baseOffsets: readonly number[];
  open: (baseOffset: number) => Promise<Segment>;
  deleteSegment: (segment: Segment) => Promise<void>;
  cleanShutdown: boolean;
  recoveryPoint: number;
}): Promise<LoadedSegments> {
  const { baseOffsets, cleanShutdown, recoveryPoint } = options;
  let firstToCheck = baseOffsets.length;
  if (!cleanShutdown) {
    firstToCheck = 0;
    while (firstToCheck + 1 < baseOffsets.length && baseOffsets[firstToCheck + 1] <= recoveryPoint) firstToCheck++;
  }
  const segments: Segment[] = [];
  const checkedSegments: number[] = [];
  for (const [i, baseOffset] of baseOffsets.entries()) {
    const segment = await options.open(baseOffset);
    segments.push(segment);
    const check = i >= firstToCheck;
    if (check) checkedSegments.push(baseOffset);
    const result = await (check ? recoverSegment(segment, { verifyCrc: true }) : loadSegment(segment));
    if (result.truncatedBytes === 0) continue;
    const deletedSegments = baseOffsets.slice(i + 1);
    for (const later of deletedSegments) await options.deleteSegment(await options.open(later));
    const truncation = {
      segmentBaseOffset: baseOffset,
      position: segment.sizeBytes,
      truncatedBytes: result.truncatedBytes,
      problem: result.problem ?? 'unknown',
      deletedSegments,
    };
    return { segments, checkedSegments, truncation };
  }
  return { segments, checkedSegments };
}

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
