import { decodeRecordBatch } from './decode-record-batch';
import { encodeRecordBatch, RecordBatchBuilder } from './record-batch-builder';
import { BATCH_HEADER_BYTES, CompressionType, isBatchCrcValid, readBatchHeader } from './record-batch-header';

const T0 = 1_700_000_000_000;

describe('RecordBatchBuilder', () => {
  it('writes the exact bytes of Kafka\'s format for a known record', () => {
    const batch = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: null }], timestamp: T0 }]);
    // length 11 (zig-zag 0x16), attributes 0, timestampDelta 0, offsetDelta 0, keyLength 1 (2) 'k',
    // valueLength 1 (2) 'v', 1 header (2): keyLength 1 (2) 'h', null value -1 (1).
    expect(batch.subarray(BATCH_HEADER_BYTES).toString('hex')).toBe('16000000026b027602026801');
    expect(readBatchHeader(batch)).toMatchObject({ batchLength: 61 - 12 + 12, magic: 2, recordCount: 1, lastOffsetDelta: 0 });
  });

  it('counts records and uncompressed bytes, header included', () => {
    const builder = new RecordBatchBuilder({ compression: CompressionType.Zstd });
    expect(builder.count).toBe(0);
    expect(builder.sizeBytes).toBe(BATCH_HEADER_BYTES);
    builder.append({ key: null, value: Buffer.alloc(100), timestamp: T0 });
    // length 107 (2) attributes (1) timestampDelta (1) offsetDelta (1) key -1 (1) valueLength 100 (2),
    // the value (100), headerCount (1)
    expect(builder.sizeBytes).toBe(BATCH_HEADER_BYTES + 109);
    expect(builder.count).toBe(1);
  });

  it('grows past its initial capacity without losing records', () => {
    const builder = new RecordBatchBuilder({ initialCapacityBytes: 1 });
    const values = Array.from({ length: 500 }, (_, i) => Buffer.alloc(i % 300, i));
    for (const value of values) builder.append({ key: null, value, timestamp: T0 });
    const batch = builder.build();
    expect(batch.length).toBe(builder.sizeBytes);
    expect(decodeRecordBatch(batch).records.map((r) => r.value)).toEqual(values);
  });

  it('defaults a record\'s timestamp to the first record\'s, and the first to now', () => {
    const before = Date.now();
    const builder = new RecordBatchBuilder();
    builder.append({ key: null, value: null });
    builder.append({ key: null, value: null });
    const { header, records } = decodeRecordBatch(builder.build());
    expect(header.baseTimestamp).toBeGreaterThanOrEqual(before);
    expect(records.map((r) => r.timestamp)).toEqual([header.baseTimestamp, header.baseTimestamp]);
  });

  it('defaults the idempotence fields and leader epoch to -1, as a plain Kafka producer sends', () => {
    const header = readBatchHeader(encodeRecordBatch([{ key: null, value: null, timestamp: T0 }]));
    expect(header).toMatchObject({ baseOffset: 0, producerId: -1, producerEpoch: -1, baseSequence: -1, partitionLeaderEpoch: -1, attributes: 0 });
  });

  it('compresses the records section only, and sets the CRC over the compressed bytes', () => {
    const records = Array.from({ length: 100 }, () => ({ key: null, value: Buffer.alloc(100, 'a'), timestamp: T0 }));
    const batch = encodeRecordBatch(records, { compression: CompressionType.Lz4 });
    expect(batch.length).toBeLessThan(encodeRecordBatch(records).length / 10);
    expect(isBatchCrcValid(batch)).toBe(true);
  });

  it('build() is final: building again returns the same batch, appending after it is INVALID_REQUEST', () => {
    const builder = new RecordBatchBuilder();
    builder.append({ key: null, value: null, timestamp: T0 });
    const batch = builder.build();
    expect(builder.build()).toBe(batch);
    expect(() => builder.append({ key: null, value: null })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it('refuses to build an empty batch', () => {
    expect(() => new RecordBatchBuilder().build()).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it('rejects a timestamp that is not whole milliseconds with INVALID_TIMESTAMP', () => {
    expect(() => new RecordBatchBuilder().append({ key: null, value: null, timestamp: 1.5 })).toThrow(
      expect.objectContaining({ code: 'INVALID_TIMESTAMP' }),
    );
  });
});
