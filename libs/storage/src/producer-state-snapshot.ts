/**
 * Producer state snapshots, as Kafka's ProducerStateManager writes them: the idempotent-producer
 * state after every batch below an offset, so that opening a log replays only the batch
 * headers after the latest snapshot instead of the whole log.
 *
 *   `<20-digit offset>.snapshot` (big-endian):
 *     0  int16   version (1)
 *     2  uint32  CRC-32C of bytes 6..end
 *     6  int64   offset (the one in the file name; the state covers batches below it)
 *    14  int32   producerCount
 *    18  producerCount entries:
 *          int64  producerId
 *          int16  epoch
 *          int8   batchCount (1..5)
 *          batchCount batches, oldest first, 32 bytes each:
 *            int32 firstSequence, int32 lastSequence, int64 firstOffset, int64 lastOffset, int64 maxTimestamp
 *
 * Unlike Kafka's (one batch per producer), all five retained batches are kept, so a retry of
 * any of them is still recognised after a restart. Snapshots are taken at every roll (at the
 * new segment's base offset) and at close (at the log end offset); a missing, torn or damaged
 * one is deleted and the next older one, or a full scan, takes its place.
 */
import { crc32c } from '@tributary/protocol';
import { FileSystem, joinPath, readFully } from './file-system';
import { PRODUCER_BATCHES_KEPT, ProducerBatchMetadata, ProducerEntry } from './producer-state';
import { parseSegmentFileName, segmentFileName } from './segment';
import { writeFileAtomically } from './write-file-atomically';

export const SNAPSHOT_SUFFIX = '.snapshot';
const VERSION = 1;
const HEADER_BYTES = 18;
const ENTRY_HEADER_BYTES = 11;
const BATCH_BYTES = 32;

export class ProducerStateSnapshot {
  static fileName(offset: number): string {
    return segmentFileName(offset, SNAPSHOT_SUFFIX);
  }

  /** The offset named by a snapshot file, or undefined for any other name. */
  static parseFileName(name: string): number | undefined {
    return parseSegmentFileName(name, SNAPSHOT_SUFFIX);
  }

  static encode(offset: number, entries: Iterable<ProducerEntry>): Buffer {
    const list = [...entries].filter((e) => e.batches.length > 0);
    const sizeBytes = HEADER_BYTES + list.reduce((sum, e) => sum + ENTRY_HEADER_BYTES + e.batches.length * BATCH_BYTES, 0);
    const bytes = Buffer.alloc(sizeBytes);
    bytes.writeInt16BE(VERSION, 0);
    bytes.writeBigInt64BE(BigInt(offset), 6);
    bytes.writeInt32BE(list.length, 14);
    let at = HEADER_BYTES;
    for (const entry of list) {
      bytes.writeBigInt64BE(BigInt(entry.producerId), at);
      bytes.writeInt16BE(entry.epoch, at + 8);
      bytes.writeInt8(entry.batches.length, at + 10);
      at += ENTRY_HEADER_BYTES;
      for (const batch of entry.batches) {
        bytes.writeInt32BE(batch.firstSequence, at);
        bytes.writeInt32BE(batch.lastSequence, at + 4);
        bytes.writeBigInt64BE(BigInt(batch.firstOffset), at + 8);
        bytes.writeBigInt64BE(BigInt(batch.lastOffset), at + 16);
        bytes.writeBigInt64BE(BigInt(batch.maxTimestamp), at + 24);
        at += BATCH_BYTES;
      }
    }
    bytes.writeUInt32BE(crc32c(bytes.subarray(6)), 2);
    return bytes;
  }

  /** The entries of a snapshot file's bytes; throws an Error saying what is wrong with them. */
  static decode(bytes: Buffer, offset: number): ProducerEntry[] {
    if (bytes.length < HEADER_BYTES) throw new Error(`${bytes.length} bytes are too few for a snapshot header`);
    if (crc32c(bytes.subarray(6)) !== bytes.readUInt32BE(2)) throw new Error('it fails its CRC check');
    const version = bytes.readInt16BE(0);
    if (version !== VERSION) throw new Error(`it has version ${version}, expected ${VERSION}`);
    const storedOffset = Number(bytes.readBigInt64BE(6));
    if (storedOffset !== offset) throw new Error(`it holds offset ${storedOffset}, not the ${offset} of its name`);
    const count = bytes.readInt32BE(14);
    const entries: ProducerEntry[] = [];
    let at = HEADER_BYTES;
    for (let i = 0; i < count; i++) {
      if (at + ENTRY_HEADER_BYTES > bytes.length) throw new Error(`it ends inside producer ${i} of ${count}`);
      const producerId = Number(bytes.readBigInt64BE(at));
      const epoch = bytes.readInt16BE(at + 8);
      const batchCount = bytes.readInt8(at + 10);
      at += ENTRY_HEADER_BYTES;
      if (batchCount < 1 || batchCount > PRODUCER_BATCHES_KEPT || at + batchCount * BATCH_BYTES > bytes.length) {
        throw new Error(`producer ${producerId} has ${batchCount} batches in ${bytes.length - at} bytes`);
      }
      const batches: ProducerBatchMetadata[] = [];
      for (let b = 0; b < batchCount; b++, at += BATCH_BYTES) {
        batches.push({
          firstSequence: bytes.readInt32BE(at),
          lastSequence: bytes.readInt32BE(at + 4),
          firstOffset: Number(bytes.readBigInt64BE(at + 8)),
          lastOffset: Number(bytes.readBigInt64BE(at + 16)),
          maxTimestamp: Number(bytes.readBigInt64BE(at + 24)),
        });
      }
      entries.push({ producerId, epoch, batches });
    }
    if (at !== bytes.length) throw new Error(`${bytes.length - at} bytes follow the last producer`);
    return entries;
  }

  /**
   * Writes the snapshot without fsync: a snapshot lost or torn by a power loss fails its CRC
   * or is missing, and the log falls back to an older one or to a scan.
   */
  static write(fs: FileSystem, dir: string, offset: number, entries: Iterable<ProducerEntry>): Promise<void> {
    return writeFileAtomically(fs, dir, ProducerStateSnapshot.fileName(offset), ProducerStateSnapshot.encode(offset, entries), { durable: false });
  }

  static async read(fs: FileSystem, dir: string, offset: number): Promise<ProducerEntry[]> {
    const handle = await fs.open(joinPath(dir, ProducerStateSnapshot.fileName(offset)));
    try {
      return ProducerStateSnapshot.decode(await readFully(handle, 0, await handle.size()), offset);
    } finally {
      await handle.close();
    }
  }
}
