/**
 * The sparse offset index of one segment (`<baseOffset>.index`), as Kafka's OffsetIndex:
 *
 *   entry (8 bytes, big-endian), repeated; no header:
 *     0  int32  relativeOffset   last offset of an indexed batch minus the segment's base offset
 *     4  int32  position         file position in the .log of that batch's first byte
 *
 * One entry is added after every index.interval.bytes of batches, so entries are strictly
 * increasing in both fields. A lookup for offset O takes the last entry with offset <= O and
 * scans batch headers from its position: the batch at that position holds O or precedes it.
 * The file is rebuildable from the .log, so it is written without fsync on the hot path.
 */
import { FileHandle, readFully } from './file-system';

export const OFFSET_INDEX_ENTRY_BYTES = 8;

export class OffsetIndex {
  private relativeOffsets: number[] = [];
  private positions: number[] = [];

  constructor(
    readonly baseOffset: number,
    private readonly handle: FileHandle,
  ) {}

  get entryCount(): number {
    return this.positions.length;
  }

  get sizeBytes(): number {
    return this.positions.length * OFFSET_INDEX_ENTRY_BYTES;
  }

  /** The last entry, if any. */
  get lastEntry(): { offset: number; position: number } | undefined {
    const n = this.positions.length;
    return n === 0 ? undefined : { offset: this.baseOffset + this.relativeOffsets[n - 1], position: this.positions[n - 1] };
  }

  /**
   * Loads the entries of the file; false when they are not a valid index of a log of
   * `logSizeBytes` (torn size, entries out of order or past the log), and the caller rebuilds it.
   */
  async load(logSizeBytes: number): Promise<boolean> {
    const sizeBytes = await this.handle.size();
    if (sizeBytes % OFFSET_INDEX_ENTRY_BYTES !== 0) return false;
    const bytes = await readFully(this.handle, 0, sizeBytes);
    const relativeOffsets: number[] = [];
    const positions: number[] = [];
    for (let at = 0; at < sizeBytes; at += OFFSET_INDEX_ENTRY_BYTES) {
      const relativeOffset = bytes.readInt32BE(at);
      const position = bytes.readInt32BE(at + 4);
      const previous = positions.length - 1;
      const ordered = previous < 0 || (relativeOffset > relativeOffsets[previous] && position > positions[previous]);
      if (relativeOffset < 0 || position < 0 || position >= logSizeBytes || !ordered) return false;
      relativeOffsets.push(relativeOffset);
      positions.push(position);
    }
    this.relativeOffsets = relativeOffsets;
    this.positions = positions;
    return true;
  }

  /** Adds an entry: `offset` is the last offset of the batch at `position`. */
  append(offset: number, position: number): void {
    const entry = Buffer.allocUnsafe(OFFSET_INDEX_ENTRY_BYTES);
    entry.writeInt32BE(offset - this.baseOffset, 0);
    entry.writeInt32BE(position, 4);
    this.handle.writeSync(entry, this.sizeBytes);
    this.relativeOffsets.push(offset - this.baseOffset);
    this.positions.push(position);
  }

  /** File position to start scanning from for `offset` (0 when no entry precedes it). */
  lookup(offset: number): number {
    const i = lastAtOrBelow(this.relativeOffsets, offset - this.baseOffset);
    return i < 0 ? 0 : this.positions[i];
  }

  /** Drops entries for batches at or after `position` (the log is being cut there). */
  async truncateToPosition(position: number): Promise<void> {
    let count = this.positions.length;
    while (count > 0 && this.positions[count - 1] >= position) count--;
    this.relativeOffsets.length = count;
    this.positions.length = count;
    await this.handle.truncate(this.sizeBytes);
  }

  async reset(): Promise<void> {
    await this.truncateToPosition(0);
  }

  flush(): Promise<void> {
    return this.handle.datasync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Index of the last element <= `target` in an ascending array, or -1. */
export function lastAtOrBelow(ascending: readonly number[], target: number): number {
  let low = 0;
  let high = ascending.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (ascending[mid] <= target) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}
