/**
 * Validation of the batches of a produce request before anything is written: the bytes must
 * be whole RecordBatch v2 batches back to back, each with a sane length, magic 2 and a CRC-32C
 * that matches. One bad batch rejects the request with CORRUPT_MESSAGE, so nothing of it is
 * appended (Kafka does the same).
 */
import {
  BATCH_HEADER_BYTES,
  CURRENT_MAGIC,
  RecordBatchHeader,
  TributaryError,
  batchSizeAt,
  isBatchCrcValid,
  readBatchHeader,
} from '@tributary/protocol';

/** The headers of the batches in `bytes`, in order; throws CORRUPT_MESSAGE naming the first problem. */
export function validateIncomingBatches(bytes: Buffer): RecordBatchHeader[] {
  if (bytes.length === 0) throw corrupt('the request holds no record batch; send at least one');
  const headers: RecordBatchHeader[] = [];
  let position = 0;
  while (position < bytes.length) {
    const remaining = bytes.length - position;
    if (remaining < BATCH_HEADER_BYTES) {
      throw corrupt(`batch ${headers.length} at byte ${position} is truncated: ${remaining} bytes, shorter than the ${BATCH_HEADER_BYTES}-byte header`);
    }
    const size = batchSizeAt(bytes, position);
    if (size < BATCH_HEADER_BYTES || size > remaining) {
      throw corrupt(`batch ${headers.length} at byte ${position} claims ${size} bytes but ${remaining} remain; the batch is truncated or its length is damaged`);
    }
    const batch = bytes.subarray(position, position + size);
    const header = readBatchHeader(batch);
    if (header.magic !== CURRENT_MAGIC) {
      throw corrupt(`batch ${headers.length} has magic ${header.magic}; only RecordBatch v2 (magic ${CURRENT_MAGIC}) is accepted`);
    }
    if (header.lastOffsetDelta < 0 || header.recordCount < 0) {
      throw corrupt(`batch ${headers.length} has lastOffsetDelta ${header.lastOffsetDelta} and recordCount ${header.recordCount}`);
    }
    if (!isBatchCrcValid(batch)) {
      throw corrupt(`batch ${headers.length} fails its CRC-32C check; its bytes were damaged in transit — resend it`);
    }
    headers.push(header);
    position += size;
  }
  return headers;
}

function corrupt(message: string): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', message);
}
