/**
 * Walks the batches of a segment file from a position, reading the file in large chunks and
 * parsing only batch headers (plus whole batches when asked). Every scan of stored data goes
 * through here: locating the first batch of a fetch, recovery, index rebuild, producer-state
 * rebuild, timestamp lookups and compaction.
 *
 * A batch is structurally sound when its 12-byte log overhead and 61-byte header fit in the
 * file, batchLength covers at least the header, magic is 2 and (when checked) its CRC-32C
 * matches. The walk stops at the first batch that is not, and says why in `problem`.
 */
import {
  BATCH_HEADER_BYTES,
  CURRENT_MAGIC,
  LOG_OVERHEAD_BYTES,
  RecordBatchHeader,
  isBatchCrcValid,
  TributaryError,
  readBatchHeader,
} from '@tributary/protocol';
import { FileHandle, readFully } from './file-system';

export interface StoredBatch {
  /** File position of the batch's first byte. */
  position: number;
  sizeBytes: number;
  header: RecordBatchHeader;
  /** The whole batch, present when the reader was asked for bodies. */
  bytes?: Buffer;
}

export interface SegmentReaderOptions {
  /** Load whole batches (bodies) rather than headers only. */
  withBodies?: boolean;
  /**
   * Check each batch's CRC (implies withBodies) and that its offsets follow the previous
   * batch's within the segment: baseOffset and partitionLeaderEpoch lie outside the CRC in
   * Kafka's format, so order is the only check a damaged baseOffset can fail.
   */
  verifyCrc?: boolean;
  /** With verifyCrc: the segment's base offset, below which no batch may start. */
  segmentBaseOffset?: number;
  chunkBytes?: number;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;
/** Index entries hold offsets relative to the segment's base as int32. */
const RELATIVE_OFFSET_MAX = 0x7fffffff;

export class SegmentReader {
  /** Why the walk stopped before `endPosition`, or undefined when it reached it cleanly. */
  problem: string | undefined;
  private chunk: Buffer = Buffer.alloc(0);
  private chunkPosition = 0;
  private readonly withBodies: boolean;
  private readonly verifyCrc: boolean;
  private readonly chunkBytes: number;
  /** With verifyCrc, the lowest base offset the next batch may have. */
  private nextOffsetMin: number;
  private readonly lastOffsetMax: number;

  constructor(
    private readonly handle: FileHandle,
    /** Position of the next batch to return. */
    public position: number,
    private readonly endPosition: number,
    options: SegmentReaderOptions = {},
  ) {
    this.verifyCrc = options.verifyCrc ?? false;
    this.withBodies = this.verifyCrc || (options.withBodies ?? false);
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.nextOffsetMin = options.segmentBaseOffset ?? 0;
    this.lastOffsetMax = this.nextOffsetMin + RELATIVE_OFFSET_MAX;
  }

  /** The next batch, or null at the end or at the first unsound batch (see `problem`). */
  async next(): Promise<StoredBatch | null> {
    const position = this.position;
    if (position >= this.endPosition) return null;
    if (position + BATCH_HEADER_BYTES > this.endPosition) {
      return this.stop(`${this.endPosition - position} trailing bytes are too few for a batch header`);
    }
    const head = await this.bytesAt(position, BATCH_HEADER_BYTES);
    const header = readBatchHeader(head);
    const sizeBytes = LOG_OVERHEAD_BYTES + header.batchLength;
    if (header.batchLength < BATCH_HEADER_BYTES - LOG_OVERHEAD_BYTES) {
      return this.stop(`batch at position ${position} has an impossible length ${header.batchLength}`);
    }
    if (header.magic !== CURRENT_MAGIC) {
      return this.stop(`batch at position ${position} has magic ${header.magic}, expected ${CURRENT_MAGIC}`);
    }
    if (position + sizeBytes > this.endPosition) {
      return this.stop(`batch at position ${position} of ${sizeBytes} bytes runs past the end of the file`);
    }
    let bytes: Buffer | undefined;
    if (this.withBodies) {
      bytes = await this.bytesAt(position, sizeBytes);
      if (this.verifyCrc && !isBatchCrcValid(bytes)) {
        return this.stop(`batch at position ${position} fails its CRC check`);
      }
    }
    if (this.verifyCrc) {
      const lastOffset = header.baseOffset + header.lastOffsetDelta;
      if (header.baseOffset < this.nextOffsetMin || header.lastOffsetDelta < 0 || lastOffset > this.lastOffsetMax) {
        return this.stop(`batch at position ${position} has offsets [${header.baseOffset}, ${lastOffset}], out of order after ${this.nextOffsetMin - 1}`);
      }
      this.nextOffsetMin = lastOffset + 1;
    }
    this.position = position + sizeBytes;
    return { position, sizeBytes, header, bytes };
  }

  private stop(problem: string): null {
    this.problem = problem;
    return null;
  }

  /** `length` bytes at `position`, served from the current chunk or a fresh read. */
  private async bytesAt(position: number, length: number): Promise<Buffer> {
    const offset = position - this.chunkPosition;
    if (offset < 0 || offset + length > this.chunk.length) {
      const wanted = Math.min(Math.max(length, this.chunkBytes), this.endPosition - position);
      this.chunk = await readFully(this.handle, position, wanted);
      this.chunkPosition = position;
      if (this.chunk.length < length) {
        throw new TributaryError('KAFKA_STORAGE_ERROR', `segment file ended at ${position + this.chunk.length}, before ${position + length}; was it truncated by another process?`);
      }
      return this.chunk.subarray(0, length);
    }
    return this.chunk.subarray(offset, offset + length);
  }
}
