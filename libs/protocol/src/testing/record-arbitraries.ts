/** fast-check generators of records for the codec tests. */
import fc from 'fast-check';
import type { RecordHeaderEntry, RecordInput } from '../record-batch-builder';
import { CompressionType } from '../record-batch-header';

export const ALL_COMPRESSION_TYPES = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
];

export const bytesOrNull = fc.option(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  { nil: null, freq: 4 },
);

export const headerEntry: fc.Arbitrary<RecordHeaderEntry> = fc.record({
  // Whole graphemes: a lone surrogate has no UTF-8 form, so it could not round-trip.
  key: fc.string({ unit: 'grapheme', maxLength: 12 }),
  value: bytesOrNull,
});

/** Timestamps within a day of each other, some before the first record's (negative deltas). */
export const recordInput = (baseTimestampMs: number): fc.Arbitrary<RecordInput> =>
  fc.record({
    key: bytesOrNull,
    value: bytesOrNull,
    headers: fc.array(headerEntry, { maxLength: 4 }),
    timestamp: fc.integer({ min: baseTimestampMs - 86_400_000, max: baseTimestampMs + 86_400_000 }),
  });
