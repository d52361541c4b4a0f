/**
 * One segment of a partition log: `<baseOffset>.log` holding record batches back to back in
 * Kafka's RecordBatch v2 format exactly as appended (offsets and leader epoch stamped), with its
 * sparse `.index` and `.timeindex` beside it. File names are the base offset as 20 zero-padded
 * digits, as Kafka's LogFileUtils. A segment keeps its size, next offset and timestamps in
 * memory so that appends and rolls never read the disk.
 */
import { ATTRIBUTE_CONTROL, LOG_OVERHEAD_BYTES, RecordBatchHeader } from '@tributary/protocol';
import { FileHandle, FileSystem, joinPath } from './file-system';
import { OffsetIndex } from './offset-index';
import { TimeIndex } from './time-index';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';

export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

/** The base offset named by a segment file, or undefined when `name` is not one with `suffix`. */
export function parseSegmentFileName(name: string, suffix: string): number | undefined {
  if (!name.endsWith(suffix)) return undefined;
  const digits = name.slice(0, -suffix.length);
  return /^\d{20}$/.test(digits) ? Number(digits) : undefined;
}

export function lastOffsetOf(header: RecordBatchHeader): number {
  return header.baseOffset + header.lastOffsetDelta;
}

/** Control batches (transaction markers) carry no user records and no producer sequence. */
export function isControlBatch(header: RecordBatchHeader): boolean {
  return (header.attributes & ATTRIBUTE_CONTROL) !== 0;
}

export class Segment {
  sizeBytes = 0;
  /** One past the last offset stored here; the base offset while empty. */
  nextOffset: number;
  /** Largest batch maxTimestamp in the segment, -1 while empty. */
  largestTimestampMs = -1;
  /** maxTimestamp of the first batch: segment.ms counts from it, as in Kafka. */
  firstBatchTimestampMs = -1;
  private bytesSinceLastIndexEntry = 0;
  private offsetOfLargestTimestamp = -1;
  private readers = 0;
  private closing: (() => void) | undefined;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    readonly log: FileHandle,
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    /** Clock time the segment was created or opened; segment.ms counts from it while empty. */
    readonly createdMs: number,
  ) {
    this.nextOffset = baseOffset;
  }

  /** Opens (creating when missing) the three files of the segment at `baseOffset`. */
  static async open(fs: FileSystem, dir: string, baseOffset: number, nowMs: number): Promise<Segment> {
    const [log, index, timeIndex] = await Promise.all([
      fs.open(joinPath(dir, segmentFileName(baseOffset, LOG_SUFFIX))),
      fs.open(joinPath(dir, segmentFileName(baseOffset, INDEX_SUFFIX))),
      fs.open(joinPath(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX))),
    ]);
    return new Segment(dir, baseOffset, log, new OffsetIndex(baseOffset, index), new TimeIndex(baseOffset, timeIndex), nowMs);
  }

  get isEmpty(): boolean {
    return this.sizeBytes === 0;
  }

  /** Time the segment.ms clock started: its first batch's timestamp, or its creation while empty. */
  get rollingBaseMs(): number {
    return this.firstBatchTimestampMs >= 0 ? this.firstBatchTimestampMs : this.createdMs;
  }

  /** Appends batches already validated and stamped; `bytes` starts with the first batch's header. */
  append(bytes: Buffer, headers: readonly RecordBatchHeader[]): void {
    const start = this.sizeBytes;
    this.log.writeSync(bytes, start);
    let position = start;
    for (const header of headers) {
      const size = LOG_OVERHEAD_BYTES + header.batchLength;
      this.track(position, size, header);
      position += size;
    }
  }

  /**
   * Accounts for a batch stored at `position`: sizes, offsets, timestamps and, every
   * index.interval.bytes, index entries. Used by appends and by index rebuilds.
   */
  track(position: number, sizeBytes: number, header: RecordBatchHeader, indexIntervalBytes = this.indexIntervalBytes): void {
    const lastOffset = lastOffsetOf(header);
    if (position === 0) this.firstBatchTimestampMs = header.maxTimestamp;
    if (header.maxTimestamp > this.largestTimestampMs) {
      this.largestTimestampMs = header.maxTimestamp;
      this.offsetOfLargestTimestamp = header.baseOffset;
    }
    this.bytesSinceLastIndexEntry += sizeBytes;
    if (this.bytesSinceLastIndexEntry > indexIntervalBytes) {
      this.offsetIndex.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.largestTimestampMs, this.offsetOfLargestTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.sizeBytes = position + sizeBytes;
    this.nextOffset = lastOffset + 1;
  }

  /** index.interval.bytes in force; the log sets it from its config. */
  indexIntervalBytes = 4096;

  /** Sets the summary of a rolled segment whose indexes were loaded rather than rebuilt. */
  restoreSummary(summary: { sizeBytes: number; nextOffset: number; largestTimestampMs: number }): void {
    this.sizeBytes = summary.sizeBytes;
    this.nextOffset = summary.nextOffset;
    this.largestTimestampMs = summary.largestTimestampMs;
  }

  /** Forgets every batch, so that a rebuild can track them again from the file. */
  async resetIndexes(): Promise<void> {
    await Promise.all([this.offsetIndex.reset(), this.timeIndex.truncateToOffset(this.baseOffset)]);
    this.sizeBytes = 0;
    this.nextOffset = this.baseOffset;
    this.largestTimestampMs = -1;
    this.firstBatchTimestampMs = -1;
    this.offsetOfLargestTimestamp = -1;
    this.bytesSinceLastIndexEntry = 0;
  }

  /**
   * Records the segment's largest timestamp in its time index when it stops being active, so a
   * reopen finds it there. The index files are synced at close only: they are rebuilt from the
   * log when a crash leaves them inconsistent.
   */
  onBecomeInactive(): void {
    if (this.largestTimestampMs >= 0) this.timeIndex.maybeAppend(this.largestTimestampMs, this.offsetOfLargestTimestamp);
  }

  flushIndexes(): Promise<void> {
    return Promise.all([this.offsetIndex.flush(), this.timeIndex.flush()]).then(() => undefined);
  }

  /** Runs `read` with the files held open even if the segment is deleted meanwhile. */
  async withFiles<T>(read: () => Promise<T>): Promise<T> {
    this.readers++;
    try {
      return await read();
    } finally {
      this.readers--;
      if (this.readers === 0) this.closing?.();
    }
  }

  /** Closes the files once in-flight reads finish. */
  async close(): Promise<void> {
    if (this.readers > 0) await new Promise<void>((resolve) => (this.closing = resolve));
    await Promise.all([this.log.close(), this.offsetIndex.close(), this.timeIndex.close()]);
  }

  /** Closes and removes the segment's files, the log first so that a crash leaves no log without its start. */
  async delete(fs: FileSystem): Promise<void> {
    await this.close();
    await fs.unlink(joinPath(this.dir, segmentFileName(this.baseOffset, LOG_SUFFIX)));
    await fs.unlink(joinPath(this.dir, segmentFileName(this.baseOffset, INDEX_SUFFIX)));
    await fs.unlink(joinPath(this.dir, segmentFileName(this.baseOffset, TIME_INDEX_SUFFIX)));
  }
}
