/**
 * Splits concatenated RecordBatch v2 bytes (a log segment's contents, a fetch or produce
 * payload) into one view per batch, by each header's batchLength:
 *
 *   [baseOffset int64][batchLength int32][batchLength bytes, magic at byte 4 of them] ...
 *
 * Framing only: lengths and magic are checked, CRCs are not (decodeRecordBatch does that).
 */
import { TributaryError } from './errors';
import { BATCH_HEADER_BYTES, BatchField, CURRENT_MAGIC, LOG_OVERHEAD_BYTES } from './record-batch-header';

/** The smallest batchLength: a header with no records. */
const MIN_BATCH_LENGTH = BATCH_HEADER_BYTES - LOG_OVERHEAD_BYTES;

/** Zero-copy views of each batch in `buf`; CORRUPT_MESSAGE on a cut-short batch or a bad length or magic. */
export function splitBatches(buf: Buffer): Buffer[] {
  const batches: Buffer[] = [];
  let position = 0;
  while (position < buf.length) {
    const size = checkedBatchSize(buf, position);
    batches.push(buf.subarray(position, position + size));
    position += size;
  }
  return batches;
}

/** The size of the batch at `position` after checking its framing against the buffer. */
export function checkedBatchSize(buf: Buffer, position: number): number {
  const remaining = buf.length - position;
  if (remaining < BATCH_HEADER_BYTES) {
    throw new TributaryError(
      'CORRUPT_MESSAGE',
      `record batch at byte ${position} is cut short: ${remaining} bytes remain but a batch header takes ${BATCH_HEADER_BYTES}`,
    );
  }
  const magic = buf.readInt8(position + BatchField.magic);
  if (magic !== CURRENT_MAGIC) {
    throw new TributaryError(
      'CORRUPT_MESSAGE',
      `record batch at byte ${position} has magic ${magic}; only RecordBatch v2 (magic ${CURRENT_MAGIC}) is supported`,
    );
  }
  const batchLength = buf.readInt32BE(position + BatchField.batchLength);
  if (batchLength < MIN_BATCH_LENGTH) {
    throw new TributaryError(
      'CORRUPT_MESSAGE',
      `record batch at byte ${position} has batchLength ${batchLength}, below the ${MIN_BATCH_LENGTH} bytes of an empty batch`,
    );
  }
  const size = LOG_OVERHEAD_BYTES + batchLength;
  if (size > remaining) {
    throw new TributaryError(
      'CORRUPT_MESSAGE',
      `record batch at byte ${position} is cut short: its batchLength says ${size} bytes but ${remaining} remain`,
    );
  }
  return size;
}
