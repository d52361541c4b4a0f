/**
 * The sparse time index of one segment (`<baseOffset>.timeindex`), as Kafka's TimeIndex:
 *
 *   entry (12 bytes, big-endian), repeated; no header:
 *     0  int64  timestamp        the largest batch maxTimestamp seen so far in the segment
 *     8  int32  relativeOffset   base offset of the first batch that reached it, minus the segment's base offset
 *
 * Entries are added beside offset index entries, and when the segment stops being active, only
 * when the timestamp grows, so both fields strictly increase. A search for timestamp T takes
 * the last entry with timestamp <= T (every earlier batch is older than it) and scans from its
 * offset. The last entry's timestamp is the segment's largest, which retention reads. Like the
 * offset index, it is rebuildable from the .log.
 */
import { FileHandle, readFully } from './file-system';
import { lastAtOrBelow } from './offset-index';

export const TIME_INDEX_ENTRY_BYTES = 12;

export class TimeIndex {
  private timestamps: number[] = [];
  private relativeOffsets: number[] = [];

  constructor(
    readonly baseOffset: number,
    private readonly handle: FileHandle,
  ) {}

  get sizeBytes(): number {
    return this.timestamps.length * TIME_INDEX_ENTRY_BYTES;
  }

  /** The last entry, if any: the segment's largest timestamp and where it was reached. */
  get lastEntry(): { timestamp: number; offset: number } | undefined {
    const n = this.timestamps.length;
    return n === 0 ? undefined : { timestamp: this.timestamps[n - 1], offset: this.baseOffset + this.relativeOffsets[n - 1] };
  }

  /** Loads the file; false when it is not a valid index for offsets below `nextOffset`. */
  async load(nextOffset: number): Promise<boolean> {
    const sizeBytes = await this.handle.size();
    if (sizeBytes % TIME_INDEX_ENTRY_BYTES !== 0) return false;
    const bytes = await readFully(this.handle, 0, sizeBytes);
    const timestamps: number[] = [];
    const relativeOffsets: number[] = [];
    for (let at = 0; at < sizeBytes; at += TIME_INDEX_ENTRY_BYTES) {
      const timestamp = Number(bytes.readBigInt64BE(at));
      const relativeOffset = bytes.readInt32BE(at + 8);
      const previous = timestamps.length - 1;
      const ordered = previous < 0 || (timestamp > timestamps[previous] && relativeOffset >= relativeOffsets[previous]);
      if (relativeOffset < 0 || this.baseOffset + relativeOffset >= nextOffset || !ordered) return false;
      timestamps.push(timestamp);
      relativeOffsets.push(relativeOffset);
    }
    this.timestamps = timestamps;
    this.relativeOffsets = relativeOffsets;
    return true;
  }

  /** Adds an entry when `timestamp` exceeds the last one. */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.lastEntry;
    if (last !== undefined && timestamp <= last.timestamp) return;
    const entry = Buffer.allocUnsafe(TIME_INDEX_ENTRY_BYTES);
    entry.writeBigInt64BE(BigInt(timestamp), 0);
    entry.writeInt32BE(offset - this.baseOffset, 8);
    this.handle.writeSync(entry, this.sizeBytes);
    this.timestamps.push(timestamp);
    this.relativeOffsets.push(offset - this.baseOffset);
  }

  /** Offset to start scanning from for the first batch with maxTimestamp >= `timestamp`. */
  lookup(timestamp: number): number {
    const i = lastAtOrBelow(this.timestamps, timestamp);
    return i < 0 ? this.baseOffset : this.baseOffset + this.relativeOffsets[i];
  }

  /** Drops entries for offsets at or after `offset`. */
  async truncateToOffset(offset: number): Promise<void> {
    let count = this.timestamps.length;
    while (count > 0 && this.baseOffset + this.relativeOffsets[count - 1] >= offset) count--;
    this.timestamps.length = count;
    this.relativeOffsets.length = count;
    await this.handle.truncate(this.sizeBytes);
  }

  flush(): Promise<void> {
    return this.handle.datasync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
