/**
 * Reads RecordBatch v2 bytes back into records (the layouts are in record-batch-header.ts and
 * record-batch-builder.ts). Everything is checked before it is believed: framing, magic, the
 * CRC-32C, that each record uses exactly the bytes its length claims, that the records fill
 * the section exactly. Any mismatch is CORRUPT_MESSAGE naming what was wrong.
 *
 * Used off the hot path (consumers, tools, compaction), so it favours clarity. Keys, values
 * and header values are views into the batch (or into the decompressed records), not copies.
 */
import { decompress } from './compression';
import { TributaryError } from './errors';
import {
  ATTRIBUTE_LOG_APPEND_TIME,
  BATCH_HEADER_BYTES,
  compressionOf,
  computeBatchCrc,
  readBatchHeader,
  RecordBatchHeader,
} from './record-batch-header';
import { RecordHeaderEntry } from './record-batch-builder';
import { checkedBatchSize, splitBatches } from './split-batches';
import { ByteCursor, readVarint, readVarlong } from './varint';

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeaderEntry[];
}

export interface DecodedBatch {
  header: RecordBatchHeader;
  records: DecodedRecord[];
}

/** Decodes exactly one batch: `batch` must hold it and nothing else. */
export function decodeRecordBatch(batch: Buffer): DecodedBatch {
  const size = checkedBatchSize(batch, 0);
  if (size !== batch.length) {
    throw corrupt(`record batch is ${batch.length} bytes but its batchLength says ${size}`);
  }
  const header = readBatchHeader(batch);
  const computedCrc = computeBatchCrc(batch);
  if (computedCrc !== header.crc) {
    throw corrupt(
      `record batch at offset ${header.baseOffset} fails its CRC-32C check (stored ${hex(header.crc)}, computed ${hex(computedCrc)}); its bytes were damaged`,
    );
  }
  if (header.recordCount < 0) throw corrupt(`record batch at offset ${header.baseOffset} has recordCount ${header.recordCount}`);
  const section = decompress(compressionOf(header.attributes), batch.subarray(BATCH_HEADER_BYTES));
  return { header, records: decodeRecords(section, header) };
}

/** Decodes every batch of concatenated batch bytes, in order. */
export function decodeRecordBatches(buf: Buffer): DecodedBatch[] {
  return splitBatches(buf).map(decodeRecordBatch);
}

function decodeRecords(section: Buffer, header: RecordBatchHeader): DecodedRecord[] {
  const logAppendTime = (header.attributes & ATTRIBUTE_LOG_APPEND_TIME) !== 0;
  const records: DecodedRecord[] = [];
  const cursor: ByteCursor = { position: 0 };
  for (let i = 0; i < header.recordCount; i++) {
    const length = readVarint(section, cursor);
    const end = cursor.position + length;
    if (length < 0 || end > section.length) {
      throw corrupt(`record ${i} of the batch at offset ${header.baseOffset} claims ${length} bytes but ${section.length - cursor.position} remain`);
    }
    cursor.position++; // record attributes: unused by every version of the format so far
    const timestampDelta = readVarlong(section, cursor);
    const offsetDelta = readVarint(section, cursor);
    const key = readBytes(section, cursor, end, 'key');
    const value = readBytes(section, cursor, end, 'value');
    const headerCount = readVarint(section, cursor);
    if (headerCount < 0) throw corrupt(`record ${i} has header count ${headerCount}`);
    const headers: RecordHeaderEntry[] = [];
    for (let h = 0; h < headerCount; h++) {
      const headerKey = readBytes(section, cursor, end, 'header key');
      if (headerKey === null) throw corrupt(`record ${i} has a header with a null key; header keys are never null`);
      headers.push({ key: headerKey.toString('utf8'), value: readBytes(section, cursor, end, 'header value') });
    }
    if (cursor.position !== end) {
      throw corrupt(`record ${i} of the batch at offset ${header.baseOffset} declares ${length} bytes but its fields take ${length + cursor.position - end}`);
    }
    records.push({
      offset: header.baseOffset + offsetDelta,
      timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  if (cursor.position !== section.length) {
    throw corrupt(
      `record batch at offset ${header.baseOffset} has ${section.length - cursor.position} bytes left after its ${header.recordCount} records`,
    );
  }
  return records;
}

/** A varint length then that many bytes; -1 is null. */
function readBytes(section: Buffer, cursor: ByteCursor, end: number, what: string): Buffer | null {
  const length = readVarint(section, cursor);
  if (length === -1) return null;
  const start = cursor.position;
  if (length < 0 || start + length > end) {
    throw corrupt(`${what} at byte ${start} of the records claims ${length} bytes, past the end of its record`);
  }
  cursor.position = start + length;
  return section.subarray(start, start + length);
}

function corrupt(message: string): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', message);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
