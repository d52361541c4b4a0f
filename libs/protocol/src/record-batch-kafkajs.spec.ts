/**
 * Golden bytes from an independent implementation: kafkajs 2.2.4's RecordBatch v2 encoder and
 * decoder (its internals, used only here). Batches kafkajs writes are decoded by ours, and
 * ours by kafkajs; uncompressed batches with the same fields must be identical byte for byte.
 */
import { decompressFrameSync, compressFrameSync } from 'lz4-napi';
import { compressSync as snappyCompress } from 'snappy';
import { compress as zstdWasmCompress, init as loadZstdWasm } from '@bokuweb/zstd-wasm';
import { decompress as fzstdDecompress } from 'fzstd';
import { compressionTypeName } from './compression';
import { decodeRecordBatch } from './decode-record-batch';
import { encodeRecordBatch, RecordInput } from './record-batch-builder';
import { ATTRIBUTE_CONTROL, ATTRIBUTE_TRANSACTIONAL, CompressionType } from './record-batch-header';
import { compressionReady } from './zstd-codec';

// Our zstd encoder and the reference one are both WebAssembly, loaded once asynchronously.
beforeAll(() => Promise.all([compressionReady(), loadZstdWasm()]));

const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0');
const kafkajsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const KafkajsDecoder = require('kafkajs/src/protocol/decoder');
const Long = require('kafkajs/src/utils/long');
const { Codecs } = require('kafkajs/src/protocol/message/compression');

interface KafkajsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}
interface KafkajsBatch {
  firstOffset: string;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  records: KafkajsRecord[];
}

// kafkajs ships gzip only; the others are plugged in as its users do, straight from the codec
// libraries (not through our compression module). Snappy here is the plain, unframed block
// that kafkajs-snappy and librdkafka-era clients write.
Codecs[CompressionType.Snappy] = () => ({ compress: async (e: { buffer: Buffer }) => snappyCompress(e.buffer) });
Codecs[CompressionType.Lz4] = () => ({
  compress: async (e: { buffer: Buffer }) => compressFrameSync(e.buffer),
  decompress: async (b: Buffer) => decompressFrameSync(b),
});
Codecs[CompressionType.Zstd] = () => ({
  compress: async (e: { buffer: Buffer }) => Buffer.from(zstdWasmCompress(e.buffer, 3)),
  decompress: async (b: Buffer) => Buffer.from(fzstdDecompress(b)),
});

const T0 = 1_700_000_000_000;
/** kafkajs cannot write null header values and keeps headers in an object: unique, non-numeric keys. */
const records: RecordInput[] = Array.from({ length: 20 }, (_, i) => ({
  key: i % 5 === 0 ? null : Buffer.from(`key-${i}`),
  value: i % 7 === 3 ? null : Buffer.from(`value ${i} `.repeat(i + 1)),
  headers: i % 2 === 0 ? [] : [{ key: 'trace-id', value: Buffer.from(`t${i}`) }, { key: 'ünïcode', value: Buffer.alloc(0) }],
  timestamp: T0 + ((i * 37) % 11) - 5,
}));
const fields = { baseOffset: 1234, partitionLeaderEpoch: 7, producerId: 5_000_000_000, producerEpoch: 2, baseSequence: 100 };

async function kafkajsEncode(compression: CompressionType, transactional = false): Promise<Buffer> {
  const timestamps = records.map((r) => r.timestamp as number);
  const firstTimestamp = timestamps[0];
  const encoder = await RecordBatch({
    compression,
    firstOffset: Long.fromValue(fields.baseOffset),
    firstTimestamp,
    maxTimestamp: Math.max(...timestamps),
    partitionLeaderEpoch: fields.partitionLeaderEpoch,
    lastOffsetDelta: records.length - 1,
    transactional,
    producerId: Long.fromValue(fields.producerId),
    producerEpoch: fields.producerEpoch,
    firstSequence: fields.baseSequence,
    records: records.map((r, i) =>
      kafkajsRecord({
        offsetDelta: i,
        timestampDelta: (r.timestamp as number) - firstTimestamp,
        key: r.key,
        value: r.value,
        headers: Object.fromEntries((r.headers ?? []).map((h) => [h.key, h.value])),
      }),
    ),
  });
  return encoder.buffer;
}

async function kafkajsDecode(batch: Buffer): Promise<KafkajsBatch> {
  return kafkajsDecodeBatch(new KafkajsDecoder(batch));
}

function expectOurRecords(decoded: ReturnType<typeof decodeRecordBatch>): void {
  expect(decoded.records).toEqual(
    records.map((r, i) => ({ offset: fields.baseOffset + i, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })),
  );
}

const TYPES = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

describe('interoperability with kafkajs', () => {
  it('an uncompressed batch is byte-identical to the one kafkajs writes for the same records', async () => {
    const ours = encodeRecordBatch(records, fields);
    expect(ours.toString('hex')).toBe((await kafkajsEncode(CompressionType.None)).toString('hex'));
  });

  it.each(TYPES.map((t) => [compressionTypeName(t), t]))('%s: we decode the batch kafkajs wrote', async (_name, compression) => {
    const decoded = decodeRecordBatch(await kafkajsEncode(compression));
    expect(decoded.header).toMatchObject({ ...fields, recordCount: records.length, attributes: compression });
    expectOurRecords(decoded);
  });

  it.each(TYPES.filter((t) => t !== CompressionType.Snappy).map((t) => [compressionTypeName(t), t]))(
    '%s: kafkajs decodes the batch we wrote',
    async (_name, compression) => {
      const theirs = await kafkajsDecode(encodeRecordBatch(records, { ...fields, compression }));
      expect(theirs).toMatchObject({
        firstOffset: String(fields.baseOffset),
        producerId: String(fields.producerId),
        producerEpoch: fields.producerEpoch,
        firstSequence: fields.baseSequence,
        partitionLeaderEpoch: fields.partitionLeaderEpoch,
      });
      expect(
        theirs.records.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })),
      ).toEqual(
        records.map((r, i) => ({
          offset: String(fields.baseOffset + i),
          timestamp: String(r.timestamp),
          key: r.key,
          value: r.value,
          headers: Object.fromEntries((r.headers ?? []).map((h) => [h.key, h.value])),
        })),
      );
    },
  );

  it('the transactional and control bits mean the same to kafkajs', async () => {
    const marker = [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]), timestamp: T0 }];
    const theirs = await kafkajsDecode(encodeRecordBatch(marker, { isControl: true, isTransactional: true, producerId: 1 }));
    expect(theirs).toMatchObject({ isControlBatch: true, inTransaction: true });
    const ours = decodeRecordBatch(await kafkajsEncode(CompressionType.None, true));
    expect(ours.header.attributes).toBe(ATTRIBUTE_TRANSACTIONAL);
    expect(ours.header.attributes & ATTRIBUTE_CONTROL).toBe(0);
  });
});
