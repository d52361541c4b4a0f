/** Record batches for storage tests, built with @tributary/protocol's encoder. */
import { BatchOptions, encodeRecordBatch } from '@tributary/protocol';

export interface TestRecord {
  key?: string | null;
  value?: string | null;
  timestamp: number;
}

/** One batch of `records`; string keys and values become UTF-8, null stays null. */
export function testBatch(records: readonly TestRecord[], options?: BatchOptions): Buffer {
  return encodeRecordBatch(
    records.map((r) => ({
      key: r.key == null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value ?? 'v'),
      timestamp: r.timestamp,
    })),
    options,
  );
}

/** A batch of `count` records of `valueBytes` bytes each, all at `timestamp`. */
export function filledBatch(count: number, valueBytes: number, timestamp: number, options?: BatchOptions): Buffer {
  const value = Buffer.alloc(valueBytes, 0x61);
  return encodeRecordBatch(Array.from({ length: count }, () => ({ key: null, value, timestamp })), options);
}
