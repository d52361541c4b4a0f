/**
 * Time to open a partition log of many small batches (default 1,000,000 one-record batches,
 * a tenth of them from idempotent producers, 64 MiB segments): after a clean close, and after
 * an unclean stop (the log abandoned without close, as when the process is killed).
 *
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register libs/storage/scripts/open-time.ts [batches] [dir]
 */
/* eslint-disable no-console, @nx/enforce-module-boundaries -- a benchmark run by hand: it prints, and it drives the log on node:fs as the broker does */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem } from '@tributary/node-io';
import { encodeRecordBatch } from '@tributary/protocol';
import { DEFAULT_LOG_CONFIG, PartitionLog, PartitionLogOptions } from '../src';

const BATCHES_PER_APPEND = 100;
const PRODUCERS = 10;

async function fill(options: PartitionLogOptions, batchCount: number): Promise<PartitionLog> {
  const log = await PartitionLog.open(options);
  const plain = encodeRecordBatch([{ key: null, value: Buffer.alloc(16, 0x61), timestamp: Date.now() }]);
  const sequences = new Array<number>(PRODUCERS).fill(0);
  for (let appended = 0; appended < batchCount; appended += BATCHES_PER_APPEND) {
    const request: Buffer[] = [];
    for (let i = 0; i < BATCHES_PER_APPEND; i++) {
      const producer = (appended + i) % (10 * PRODUCERS);
      request.push(
        producer < PRODUCERS
          ? encodeRecordBatch([{ key: null, value: Buffer.alloc(16, 0x62), timestamp: Date.now() }], {
              producerId: 1000 + producer,
              producerEpoch: 0,
              baseSequence: sequences[producer]++,
            })
          : Buffer.from(plain),
      );
    }
    await log.append(Buffer.concat(request));
  }
  return log;
}

async function timeOpen(options: PartitionLogOptions): Promise<{ ms: number; log: PartitionLog }> {
  const start = process.hrtime.bigint();
  const log = await PartitionLog.open(options);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, log };
}

async function main(): Promise<void> {
  const batchCount = Number(process.argv[2] ?? 1_000_000);
  const root = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'open-time-'));
  const options: PartitionLogOptions = {
    dir: join(root, 'p-0'),
    fs: new NodeFileSystem(),
    clock: Date.now,
    config: { ...DEFAULT_LOG_CONFIG, segmentBytes: 64 * 1024 * 1024 },
  };
  try {
    const filled = await fill(options, batchCount);
    console.log(`${batchCount} batches, ${(filled.sizeBytes / 1e6).toFixed(0)} MB in ${filled.segmentCount} segments`);
    await filled.close();
    const clean = await timeOpen(options);
    console.log(`open after a clean close:  ${clean.ms.toFixed(0)} ms`);
    // Abandoned without close: the next open finds no clean-shutdown marker.
    const unclean = await timeOpen(options);
    console.log(`open after an unclean stop: ${unclean.ms.toFixed(0)} ms`);
    await unclean.log.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
