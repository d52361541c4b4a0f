/**
 * The fixed 61-byte header of a Kafka RecordBatch (magic v2), read and patched in place.
 *
 *   offset  size  field
 *        0     8  baseOffset            first offset of the batch
 *        8     4  batchLength           bytes after this field (so the batch is 12 + batchLength long)
 *       12     4  partitionLeaderEpoch  stamped by the leader on append
 *       16     1  magic                 always 2
 *       17     4  crc                   CRC-32C (Castagnoli) of bytes [21, end), unsigned
 *       21     2  attributes            bits 0-2 compression, 3 timestamp type, 4 transactional,
 *                                       5 control batch, 6 has delete horizon
 *       23     4  lastOffsetDelta       offset of the last record minus baseOffset
 *       27     8  baseTimestamp         first timestamp (or the delete horizon when bit 6 is set)
 *       35     8  maxTimestamp
 *       43     8  producerId            -1 when not idempotent
 *       51     2  producerEpoch
 *       53     4  baseSequence
 *       57     4  recordCount
 *       61        records
 *
 * The broker works on these fields only: it never decodes records on the hot path.
 */
import { crc32c } from './crc32c';

export const BATCH_HEADER_BYTES = 61;
/** baseOffset + batchLength: the bytes that precede what batchLength counts. */
export const LOG_OVERHEAD_BYTES = 12;
export const CURRENT_MAGIC = 2;

export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

/** Where the CRC starts covering. */
const CRC_START = BatchField.attributes;

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export const ATTRIBUTE_COMPRESSION_MASK = 0x07;
export const ATTRIBUTE_LOG_APPEND_TIME = 0x08;
export const ATTRIBUTE_TRANSACTIONAL = 0x10;
export const ATTRIBUTE_CONTROL = 0x20;
export const ATTRIBUTE_DELETE_HORIZON = 0x40;

export interface RecordBatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Reads the header of the batch starting at `position`. The caller checks the bounds. */
export function readBatchHeader(buf: Buffer, position = 0): RecordBatchHeader {
  return {
    baseOffset: Number(buf.readBigInt64BE(position + BatchField.baseOffset)),
    batchLength: buf.readInt32BE(position + BatchField.batchLength),
    partitionLeaderEpoch: buf.readInt32BE(position + BatchField.partitionLeaderEpoch),
    magic: buf.readInt8(position + BatchField.magic),
    crc: buf.readUInt32BE(position + BatchField.crc),
    attributes: buf.readInt16BE(position + BatchField.attributes),
    lastOffsetDelta: buf.readInt32BE(position + BatchField.lastOffsetDelta),
    baseTimestamp: Number(buf.readBigInt64BE(position + BatchField.baseTimestamp)),
    maxTimestamp: Number(buf.readBigInt64BE(position + BatchField.maxTimestamp)),
    producerId: Number(buf.readBigInt64BE(position + BatchField.producerId)),
    producerEpoch: buf.readInt16BE(position + BatchField.producerEpoch),
    baseSequence: buf.readInt32BE(position + BatchField.baseSequence),
    recordCount: buf.readInt32BE(position + BatchField.recordCount),
  };
}

/** Total size in bytes of the batch starting at `position`, from its batchLength field. */
export function batchSizeAt(buf: Buffer, position = 0): number {
  return LOG_OVERHEAD_BYTES + buf.readInt32BE(position + BatchField.batchLength);
}

export function compressionOf(attributes: number): CompressionType {
  return (attributes & ATTRIBUTE_COMPRESSION_MASK) as CompressionType;
}

/** CRC-32C of the batch's bytes from attributes to its end, as stored in its crc field. */
export function computeBatchCrc(batch: Buffer): number {
  return crc32c(batch.subarray(CRC_START));
}

export function isBatchCrcValid(batch: Buffer): boolean {
  return batch.length >= BATCH_HEADER_BYTES && computeBatchCrc(batch) === batch.readUInt32BE(BatchField.crc);
}

/** Rewrites baseOffset in place. baseOffset is outside the CRC, so the CRC stays valid. */
export function setBaseOffset(batch: Buffer, baseOffset: number): void {
  batch.writeBigInt64BE(BigInt(baseOffset), BatchField.baseOffset);
}

/** Rewrites partitionLeaderEpoch in place; like baseOffset, it is outside the CRC. */
export function setPartitionLeaderEpoch(batch: Buffer, epoch: number): void {
  batch.writeInt32BE(epoch, BatchField.partitionLeaderEpoch);
}

/** Sets the LogAppendTime bit and maxTimestamp, then recomputes the CRC they are under. */
export function stampLogAppendTime(batch: Buffer, timestampMs: number): void {
  batch.writeInt16BE(batch.readInt16BE(BatchField.attributes) | ATTRIBUTE_LOG_APPEND_TIME, BatchField.attributes);
  batch.writeBigInt64BE(BigInt(timestampMs), BatchField.maxTimestamp);
  batch.writeUInt32BE(computeBatchCrc(batch), BatchField.crc);
}
