/**
 * Log compaction (cleanup.policy=compact), in the manner of Kafka's LogCleaner:
 *
 * 1. Over the segments being cleaned, find the offset of the latest record of every key.
 * 2. Rewrite each segment keeping, per batch, only records that are the latest for their key
 *    (records without a key are kept) and dropping tombstones (null value) whose timestamp is
 *    older than delete.retention.ms, so a consumer that started before had time to see them.
 * 3. Kept records keep their offsets: a rewritten batch keeps its header (base offset, base
 *    timestamp, last offset delta, producer fields) and the kept records' bytes verbatim (their
 *    offset and timestamp deltas stay valid), recompressed with the batch's codec; only
 *    recordCount, batchLength and the CRC change. Control batches are kept whole. A batch
 *    left with no record is dropped, unless it is its producer's last batch: it then stays as
 *    an empty batch so the producer's sequence survives, as Kafka does.
 * 4. The new file is written beside the old one as `<base>.log.cleaned`, synced, and renamed over
 *    it, so a crash leaves either the old segment or the new one; indexes are rebuilt.
 */
import {
  ATTRIBUTE_COMPRESSION_MASK,
  BATCH_HEADER_BYTES,
  BatchField,
  LOG_OVERHEAD_BYTES,
  RecordBatchHeader,
  compress,
  compressionOf,
  computeBatchCrc,
  decodeRecordBatch,
  decompress,
  readVarint,
} from '@tributary/protocol';
import { FileSystem, joinPath } from './file-system';
import { recoverSegment } from './log-recovery';
import { SegmentReader } from './segment-reader';
import { INDEX_SUFFIX, LOG_SUFFIX, Segment, TIME_INDEX_SUFFIX, isControlBatch, segmentFileName } from './segment';

export const CLEANED_SUFFIX = '.cleaned';

/** The offset of the latest record of each key over a set of segments. */
export class CompactionKeys {
  private constructor(private readonly latest: Map<string, number>) {}

  static async collect(segments: readonly Segment[]): Promise<CompactionKeys> {
    const latest = new Map<string, number>();
    for (const segment of segments) {
      const reader = new SegmentReader(segment.log, 0, segment.sizeBytes, { withBodies: true });
      for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
        if (isControlBatch(batch.header)) continue;
        for (const record of decodeRecordBatch(batch.bytes as Buffer).records) {
          if (record.key !== null) latest.set(record.key.toString('latin1'), record.offset);
        }
      }
    }
    return new CompactionKeys(latest);
  }

  /** False for a record superseded by a later one with the same key. */
  isLatest(key: Buffer | null, offset: number): boolean {
    return key === null || (this.latest.get(key.toString('latin1')) ?? offset) <= offset;
  }
}

export interface CompactSegmentOptions {
  fs: FileSystem;
  segment: Segment;
  keys: CompactionKeys;
  nowMs: number;
  deleteRetentionMs: number;
  isLastBatchOfProducer: (header: RecordBatchHeader) => boolean;
  /** Opens the segment files at a base offset (the log's own way, with its settings). */
  reopen: (baseOffset: number) => Promise<Segment>;
}

/** Rewrites `segment` compacted; resolves the new segment, or undefined when nothing was removed. */
export async function compactSegment(options: CompactSegmentOptions): Promise<Segment | undefined> {
  const { fs, segment } = options;
  const kept: Buffer[] = [];
  let changed = false;
  const reader = new SegmentReader(segment.log, 0, segment.sizeBytes, { withBodies: true });
  for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
    const bytes = batch.bytes as Buffer;
    const cleaned = isControlBatch(batch.header) ? bytes : cleanBatch(bytes, options);
    if (cleaned !== bytes) changed = true;
    if (cleaned !== undefined) kept.push(cleaned);
  }
  if (!changed) return undefined;

  const dir = segment.dir;
  const logName = segmentFileName(segment.baseOffset, LOG_SUFFIX);
  const cleanedPath = joinPath(dir, logName + CLEANED_SUFFIX);
  const out = await fs.open(cleanedPath);
  try {
    await out.truncate(0);
    out.writeSync(Buffer.concat(kept), 0);
    await out.datasync();
  } finally {
    await out.close();
  }
  // Stale indexes go first: if the rename never happens they are rebuilt for the old log.
  await fs.unlink(joinPath(dir, segmentFileName(segment.baseOffset, INDEX_SUFFIX)));
  await fs.unlink(joinPath(dir, segmentFileName(segment.baseOffset, TIME_INDEX_SUFFIX)));
  await fs.rename(cleanedPath, joinPath(dir, logName));
  await fs.syncDir(dir);
  const replacement = await options.reopen(segment.baseOffset);
  await recoverSegment(replacement, { verifyCrc: false });
  return replacement;
}

/** The batch with only the records to keep: the same buffer when all stay, undefined when it goes. */
function cleanBatch(batch: Buffer, options: CompactSegmentOptions): Buffer | undefined {
  const { header, records } = decodeRecordBatch(batch);
  const keep = records.map(
    (r) => options.keys.isLatest(r.key, r.offset) && !(r.value === null && options.nowMs - r.timestamp >= options.deleteRetentionMs),
  );
  const keptCount = keep.filter(Boolean).length;
  if (keptCount === records.length) return batch;
  if (keptCount === 0) {
    return header.producerId >= 0 && options.isLastBatchOfProducer(header) ? emptyBatch(batch) : undefined;
  }
  const compression = compressionOf(header.attributes);
  const section = decompress(compression, batch.subarray(BATCH_HEADER_BYTES));
  const keptRecords: Buffer[] = [];
  const cursor = { position: 0 };
  for (let i = 0; i < records.length; i++) {
    const start = cursor.position;
    const length = readVarint(section, cursor);
    cursor.position += length;
    if (keep[i]) keptRecords.push(section.subarray(start, cursor.position));
  }
  return withRecords(batch, compress(compression, Buffer.concat(keptRecords)), keptCount, header.attributes);
}

/** A batch with `batch`'s header and no records, uncompressed. */
function emptyBatch(batch: Buffer): Buffer {
  const attributes = batch.readInt16BE(BatchField.attributes) & ~ATTRIBUTE_COMPRESSION_MASK;
  return withRecords(batch, Buffer.alloc(0), 0, attributes);
}

function withRecords(batch: Buffer, section: Buffer, recordCount: number, attributes: number): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + section.length);
  batch.copy(out, 0, 0, BATCH_HEADER_BYTES);
  section.copy(out, BATCH_HEADER_BYTES);
  out.writeInt32BE(out.length - LOG_OVERHEAD_BYTES, BatchField.batchLength);
  out.writeInt16BE(attributes, BatchField.attributes);
  out.writeInt32BE(recordCount, BatchField.recordCount);
  out.writeUInt32BE(computeBatchCrc(out), BatchField.crc);
  return out;
}
