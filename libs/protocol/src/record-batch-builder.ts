/**
 * Writes one Kafka RecordBatch v2: the 61-byte header of record-batch-header.ts, then the
 * records section (compressed as a whole when the batch is compressed), each record being
 *
 *   length             varint   bytes of the record after this field
 *   attributes         int8     unused, always 0
 *   timestampDelta     varlong  timestamp - baseTimestamp
 *   offsetDelta        varint   offset - baseOffset (the record's index in the batch)
 *   keyLength          varint   -1 for a null key
 *   key                bytes
 *   valueLength        varint   -1 for a null value (a tombstone)
 *   value              bytes
 *   headerCount        varint
 *   headers            headerCount times:
 *     headerKeyLength    varint
 *     headerKey          UTF-8, never null
 *     headerValueLength  varint   -1 for a null value
 *     headerValue        bytes
 *
 * baseTimestamp is the first record's timestamp, maxTimestamp the largest; the CRC-32C covers
 * attributes to the end. This is the producer's hot path: records are written straight into
 * one growing buffer, sized first so each record is written once, with no allocation per
 * record beyond the occasional doubling of that buffer.
 */
import { crc32c } from './crc32c';
import { compress } from './compression';
import { TributaryError } from './errors';
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_LOG_APPEND_TIME,
  ATTRIBUTE_TRANSACTIONAL,
  BATCH_HEADER_BYTES,
  BatchField,
  CompressionType,
  CURRENT_MAGIC,
  LOG_OVERHEAD_BYTES,
} from './record-batch-header';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint';

export interface RecordHeaderEntry {
  key: string;
  value: Buffer | null;
}

export interface RecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeaderEntry[];
  /** Milliseconds since the epoch. Default: the batch's base timestamp, or Date.now() for the first record. */
  timestamp?: number;
}

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface BatchOptions {
  /** Default 0; the broker assigns the real one on append (setBaseOffset). */
  baseOffset?: number;
  /** Default CompressionType.None. */
  compression?: CompressionType;
  /** Default -1 (not idempotent). */
  producerId?: number;
  /** Default -1. */
  producerEpoch?: number;
  /** Default -1. */
  baseSequence?: number;
  /** Default -1; the leader stamps its epoch on append. */
  partitionLeaderEpoch?: number;
  /** Default 'CreateTime'. */
  timestampType?: TimestampType;
  isTransactional?: boolean;
  isControl?: boolean;
  /** Starting size of the builder's buffer; it doubles as needed. Default 16 KiB. */
  initialCapacityBytes?: number;
}

const DEFAULT_CAPACITY_BYTES = 16 * 1024;
/** The length written for a null key, value or header value. */
const NULL_LENGTH = -1;

export class RecordBatchBuilder {
  private buf: Buffer;
  private position = BATCH_HEADER_BYTES;
  private recordCount = 0;
  private baseTimestamp = 0;
  private maxTimestamp = 0;
  private built: Buffer | undefined;
  private readonly options: BatchOptions;

  constructor(options: BatchOptions = {}) {
    this.options = options;
    this.buf = Buffer.allocUnsafe(Math.max(options.initialCapacityBytes ?? DEFAULT_CAPACITY_BYTES, BATCH_HEADER_BYTES + 64));
  }

  /** Records appended so far. */
  get count(): number {
    return this.recordCount;
  }

  /** Uncompressed size of the batch so far, header included. */
  get sizeBytes(): number {
    return this.position;
  }

  append(record: RecordInput): void {
    if (this.built !== undefined) {
      throw new TributaryError('INVALID_REQUEST', 'RecordBatchBuilder.append after build(): start a new builder for the next batch');
    }
    const { key, value, headers } = record;
    const timestamp = record.timestamp ?? (this.recordCount === 0 ? Date.now() : this.baseTimestamp);
    if (!Number.isSafeInteger(timestamp)) {
      throw new TributaryError('INVALID_TIMESTAMP', `record timestamp ${timestamp} is not an integer number of milliseconds`);
    }
    if (this.recordCount === 0) {
      this.baseTimestamp = timestamp;
      this.maxTimestamp = timestamp;
    } else if (timestamp > this.maxTimestamp) {
      this.maxTimestamp = timestamp;
    }
    const timestampDelta = timestamp - this.baseTimestamp;
    const offsetDelta = this.recordCount;
    const keyLength = key == null ? NULL_LENGTH : key.length;
    const valueLength = value == null ? NULL_LENGTH : value.length;
    const headerCount = headers === undefined ? 0 : headers.length;

    let bodyBytes =
      1 +
      sizeOfVarlong(timestampDelta) +
      sizeOfVarint(offsetDelta) +
      sizeOfVarint(keyLength) +
      (keyLength > 0 ? keyLength : 0) +
      sizeOfVarint(valueLength) +
      (valueLength > 0 ? valueLength : 0) +
      sizeOfVarint(headerCount);
    for (let i = 0; i < headerCount; i++) bodyBytes += sizeOfHeader((headers as RecordHeaderEntry[])[i]);
    this.ensureCapacity(sizeOfVarint(bodyBytes) + bodyBytes);

    const buf = this.buf;
    let p = writeVarint(buf, this.position, bodyBytes);
    buf[p++] = 0;
    p = writeVarlong(buf, p, timestampDelta);
    p = writeVarint(buf, p, offsetDelta);
    p = writeVarint(buf, p, keyLength);
    if (keyLength > 0) {
      buf.set(key as Buffer, p);
      p += keyLength;
    }
    p = writeVarint(buf, p, valueLength);
    if (valueLength > 0) {
      buf.set(value as Buffer, p);
      p += valueLength;
    }
    p = writeVarint(buf, p, headerCount);
    for (let i = 0; i < headerCount; i++) p = writeHeader(buf, p, (headers as RecordHeaderEntry[])[i]);
    this.position = p;
    this.recordCount++;
  }

  /**
   * The finished batch, CRC set. Uncompressed, it is a view of the builder's own buffer (no
   * copy); the builder accepts no more records afterwards, and build() again returns the same.
   */
  build(): Buffer {
    if (this.built !== undefined) return this.built;
    if (this.recordCount === 0) {
      throw new TributaryError('INVALID_REQUEST', 'cannot build a record batch with no records; append at least one');
    }
    const compression = this.options.compression ?? CompressionType.None;
    let batch: Buffer;
    if (compression === CompressionType.None) {
      batch = this.buf.subarray(0, this.position);
    } else {
      const records = compress(compression, this.buf.subarray(BATCH_HEADER_BYTES, this.position));
      batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + records.length);
      records.copy(batch, BATCH_HEADER_BYTES);
    }
    this.writeHeader(batch, compression);
    this.built = batch;
    return batch;
  }

  private writeHeader(batch: Buffer, compression: CompressionType): void {
    const o = this.options;
    let attributes: number = compression;
    if (o.timestampType === 'LogAppendTime') attributes |= ATTRIBUTE_LOG_APPEND_TIME;
    if (o.isTransactional) attributes |= ATTRIBUTE_TRANSACTIONAL;
    if (o.isControl) attributes |= ATTRIBUTE_CONTROL;
    writeInt64(batch, BatchField.baseOffset, o.baseOffset ?? 0);
    batch.writeInt32BE(batch.length - LOG_OVERHEAD_BYTES, BatchField.batchLength);
    batch.writeInt32BE(o.partitionLeaderEpoch ?? -1, BatchField.partitionLeaderEpoch);
    batch.writeInt8(CURRENT_MAGIC, BatchField.magic);
    batch.writeInt16BE(attributes, BatchField.attributes);
    batch.writeInt32BE(this.recordCount - 1, BatchField.lastOffsetDelta);
    writeInt64(batch, BatchField.baseTimestamp, this.baseTimestamp);
    writeInt64(batch, BatchField.maxTimestamp, this.maxTimestamp);
    writeInt64(batch, BatchField.producerId, o.producerId ?? -1);
    batch.writeInt16BE(o.producerEpoch ?? -1, BatchField.producerEpoch);
    batch.writeInt32BE(o.baseSequence ?? -1, BatchField.baseSequence);
    batch.writeInt32BE(this.recordCount, BatchField.recordCount);
    batch.writeUInt32BE(crc32c(batch.subarray(BatchField.attributes)), BatchField.crc);
  }

  private ensureCapacity(extraBytes: number): void {
    const needed = this.position + extraBytes;
    if (needed <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.position);
    this.buf = grown;
  }
}

/** One complete batch of `records`, CRC set. */
export function encodeRecordBatch(records: RecordInput[], options?: BatchOptions): Buffer {
  const builder = new RecordBatchBuilder(options);
  for (const record of records) builder.append(record);
  return builder.build();
}

function sizeOfHeader(header: RecordHeaderEntry): number {
  const keyBytes = Buffer.byteLength(header.key, 'utf8');
  const valueLength = header.value == null ? NULL_LENGTH : header.value.length;
  return sizeOfVarint(keyBytes) + keyBytes + sizeOfVarint(valueLength) + (valueLength > 0 ? valueLength : 0);
}

function writeHeader(buf: Buffer, position: number, header: RecordHeaderEntry): number {
  const keyBytes = Buffer.byteLength(header.key, 'utf8');
  let p = writeVarint(buf, position, keyBytes);
  p += buf.write(header.key, p, keyBytes, 'utf8');
  const value = header.value;
  if (value == null) return writeVarint(buf, p, NULL_LENGTH);
  p = writeVarint(buf, p, value.length);
  buf.set(value, p);
  return p + value.length;
}

/** Big-endian int64 from a safe integer, without a BigInt per field. */
function writeInt64(buf: Buffer, position: number, n: number): void {
  const high = Math.floor(n / 0x1_0000_0000);
  buf.writeInt32BE(high, position);
  buf.writeUInt32BE(n - high * 0x1_0000_0000, position + 4);
}
