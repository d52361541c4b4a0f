import fc from 'fast-check';
import { compressionTypeName } from './compression';
import { decodeRecordBatch, decodeRecordBatches } from './decode-record-batch';
import { isTributaryError } from './errors';
import { encodeRecordBatch, RecordInput } from './record-batch-builder';
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_LOG_APPEND_TIME,
  ATTRIBUTE_TRANSACTIONAL,
  BatchField,
  compressionOf,
  computeBatchCrc,
  CompressionType,
  isBatchCrcValid,
  setBaseOffset,
  setPartitionLeaderEpoch,
} from './record-batch-header';
import { ALL_COMPRESSION_TYPES, recordInput } from './testing/record-arbitraries';
import { compressionReady } from './zstd-codec';

// The zstd encoder is WebAssembly, loaded once asynchronously.
beforeAll(() => compressionReady());

const T0 = 1_700_000_000_000;

function expectCorrupt(run: () => unknown, message?: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (e) {
    thrown = e;
  }
  expect(isTributaryError(thrown, 'CORRUPT_MESSAGE')).toBe(true);
  if (message) expect((thrown as Error).message).toMatch(message);
}

const sample: RecordInput[] = [
  { key: Buffer.from('k1'), value: Buffer.from('first value'), headers: [{ key: 'trace', value: Buffer.from('abc') }], timestamp: T0 },
  { key: null, value: Buffer.from('second'), timestamp: T0 + 5 },
  { key: Buffer.from('k1'), value: null, headers: [{ key: 'tombstone', value: null }], timestamp: T0 - 3 },
];

describe('decodeRecordBatch', () => {
  it.each(ALL_COMPRESSION_TYPES.map((t) => [compressionTypeName(t), t]))(
    '%s: any records (null keys, values, header values; negative timestamp deltas) round-trip',
    (_name, compression) => {
      fc.assert(
        fc.property(
          fc.array(recordInput(T0), { minLength: 1, maxLength: 30 }),
          fc.integer({ min: 0, max: 2 ** 40 }),
          (records, baseOffset) => {
            const decoded = decodeRecordBatch(encodeRecordBatch(records, { compression, baseOffset }));
            expect(compressionOf(decoded.header.attributes)).toBe(compression);
            expect(decoded.header.recordCount).toBe(records.length);
            expect(decoded.header.lastOffsetDelta).toBe(records.length - 1);
            expect(decoded.header.baseTimestamp).toBe(records[0].timestamp);
            expect(decoded.header.maxTimestamp).toBe(Math.max(...records.map((r) => r.timestamp as number)));
            expect(decoded.records).toEqual(
              records.map((r, i) => ({ offset: baseOffset + i, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })),
            );
          },
        ),
        { numRuns: 40 },
      );
    },
  );

  it('fills in the header fields from the options', () => {
    const batch = encodeRecordBatch(sample, {
      baseOffset: 42,
      producerId: 9_000_000_001,
      producerEpoch: 3,
      baseSequence: 17,
      partitionLeaderEpoch: 5,
      isTransactional: true,
    });
    expect(decodeRecordBatch(batch).header).toEqual({
      baseOffset: 42,
      batchLength: batch.length - 12,
      partitionLeaderEpoch: 5,
      magic: 2,
      crc: batch.readUInt32BE(BatchField.crc),
      attributes: ATTRIBUTE_TRANSACTIONAL,
      lastOffsetDelta: 2,
      baseTimestamp: T0,
      maxTimestamp: T0 + 5,
      producerId: 9_000_000_001,
      producerEpoch: 3,
      baseSequence: 17,
      recordCount: 3,
    });
  });

  it('a control batch keeps its control and transactional bits', () => {
    // A COMMIT marker: key = version 0, type 1; value = version 0, coordinator epoch 7.
    const marker = { key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 7]), timestamp: T0 };
    const decoded = decodeRecordBatch(encodeRecordBatch([marker], { isControl: true, isTransactional: true, producerId: 8 }));
    expect(decoded.header.attributes & ATTRIBUTE_CONTROL).toBe(ATTRIBUTE_CONTROL);
    expect(decoded.header.attributes & ATTRIBUTE_TRANSACTIONAL).toBe(ATTRIBUTE_TRANSACTIONAL);
    expect(decoded.records[0]).toMatchObject({ key: marker.key, value: marker.value });
  });

  it('LogAppendTime gives every record the batch maxTimestamp', () => {
    const decoded = decodeRecordBatch(encodeRecordBatch(sample, { timestampType: 'LogAppendTime' }));
    expect(decoded.header.attributes & ATTRIBUTE_LOG_APPEND_TIME).toBe(ATTRIBUTE_LOG_APPEND_TIME);
    expect(decoded.records.map((r) => r.timestamp)).toEqual([T0 + 5, T0 + 5, T0 + 5]);
  });

  it('baseOffset and partitionLeaderEpoch rewritten in place keep the CRC valid', () => {
    const batch = encodeRecordBatch(sample);
    setBaseOffset(batch, 1000);
    setPartitionLeaderEpoch(batch, 2);
    expect(isBatchCrcValid(batch)).toBe(true);
    expect(decodeRecordBatch(batch).records.map((r) => r.offset)).toEqual([1000, 1001, 1002]);
  });

  it.each(ALL_COMPRESSION_TYPES.map((t) => [compressionTypeName(t), t]))(
    '%s: any flipped bit covered by the framing or the CRC is CORRUPT_MESSAGE',
    (_name, compression) => {
      const batch = encodeRecordBatch(sample, { compression });
      // Bytes [0, 8) baseOffset and [12, 16) partitionLeaderEpoch are outside the CRC by design.
      const covered = fc.oneof(fc.integer({ min: 8, max: 11 }), fc.integer({ min: 16, max: batch.length - 1 }));
      fc.assert(
        fc.property(covered, fc.integer({ min: 0, max: 7 }), (byte, bit) => {
          const damaged = Buffer.from(batch);
          damaged[byte] ^= 1 << bit;
          expectCorrupt(() => decodeRecordBatch(damaged));
        }),
        { numRuns: 200 },
      );
    },
  );

  it('says which check failed', () => {
    const batch = encodeRecordBatch(sample);
    const badCrc = Buffer.from(batch);
    badCrc[batch.length - 1] ^= 0x01;
    expectCorrupt(() => decodeRecordBatch(badCrc), /fails its CRC-32C check/);
    const badMagic = Buffer.from(batch);
    badMagic[BatchField.magic] = 1;
    expectCorrupt(() => decodeRecordBatch(badMagic), /magic 1; only RecordBatch v2/);
    expectCorrupt(() => decodeRecordBatch(Buffer.concat([batch, Buffer.alloc(1)])), /batchLength says/);
  });

  it('every truncation of a batch is CORRUPT_MESSAGE', () => {
    const batch = encodeRecordBatch(sample, { compression: CompressionType.Lz4 });
    for (let length = 0; length < batch.length; length++) {
      expectCorrupt(() => decodeRecordBatch(batch.subarray(0, length)), /cut short/);
    }
  });

  it('a record whose length disagrees with its fields is CORRUPT_MESSAGE even with a valid CRC', () => {
    const batch = encodeRecordBatch([{ key: null, value: Buffer.from('abc'), timestamp: T0 }]);
    // The first record's length varint is the first byte after the header: claim one byte more.
    const forged = Buffer.concat([batch, Buffer.alloc(1)]);
    forged[61] += 2; // zig-zag: +1 in value
    forged.writeInt32BE(forged.length - 12, BatchField.batchLength);
    forged.writeUInt32BE(computeBatchCrc(forged), BatchField.crc);
    expectCorrupt(() => decodeRecordBatch(forged), /record 0 .* declares 10 bytes but its fields take 9/);
  });
});

describe('decodeRecordBatches', () => {
  it('decodes concatenated batches of mixed codecs in order', () => {
    const batches = ALL_COMPRESSION_TYPES.map((compression, i) => encodeRecordBatch(sample, { compression, baseOffset: i * 3 }));
    const decoded = decodeRecordBatches(Buffer.concat(batches));
    expect(decoded.flatMap((b) => b.records.map((r) => r.offset))).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });
});
