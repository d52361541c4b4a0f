/**
 * Throughput of RecordBatchBuilder for 100-byte values (the producer's hot path), per codec.
 * Run: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register libs/protocol/bench/record-batch-builder.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { CompressionType, compressionTypeName, decodeRecordBatch, RecordBatchBuilder } from '../src';

const VALUE_BYTES = 100;
const RECORDS_PER_BATCH = 1000;
const TOTAL_RECORDS = 2_000_000;

function run(compression: CompressionType, keyed: boolean): void {
  // Distinct values of random hex text: compressible about as much as typical payloads.
  const values = Array.from({ length: 256 }, () => Buffer.from(randomBytes(VALUE_BYTES / 2).toString('hex')));
  const keys = Array.from({ length: 64 }, (_, i) => Buffer.from(`key-${i}`));
  const timestamp = Date.now();
  let bytes = 0;
  const run = (records: number) => {
    for (let done = 0; done < records; done += RECORDS_PER_BATCH) {
      const builder = new RecordBatchBuilder({ compression, initialCapacityBytes: 128 * 1024 });
      for (let i = 0; i < RECORDS_PER_BATCH; i++) builder.append({ key: keyed ? keys[i & 63] : null, value: values[(done + i) & 255], timestamp });
      bytes += builder.build().length;
    }
  };
  run(TOTAL_RECORDS / 10); // warm-up
  bytes = 0;
  const start = process.hrtime.bigint();
  run(TOTAL_RECORDS);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(
    `build ${compressionTypeName(compression).padEnd(6)} ${keyed ? 'keyed' : 'null-key'}: ` +
      `${Math.round(TOTAL_RECORDS / seconds).toLocaleString('en-US')} records/s, ${(bytes / seconds / 1e6).toFixed(0)} MB/s out\n`,
  );
}

function runDecode(): void {
  const builder = new RecordBatchBuilder();
  const value = Buffer.alloc(VALUE_BYTES, 'tributary-');
  for (let i = 0; i < RECORDS_PER_BATCH; i++) builder.append({ key: null, value, timestamp: 0 });
  const batch = builder.build();
  const start = process.hrtime.bigint();
  const batches = 500;
  for (let i = 0; i < batches; i++) decodeRecordBatch(batch);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(`decode none: ${Math.round((batches * RECORDS_PER_BATCH) / seconds).toLocaleString('en-US')} records/s\n`);
}

for (const compression of [CompressionType.None, CompressionType.Lz4, CompressionType.Snappy, CompressionType.Zstd, CompressionType.Gzip]) {
  run(compression, false);
}
run(CompressionType.None, true);
runDecode();
