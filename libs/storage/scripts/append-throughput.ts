/**
 * Append throughput of PartitionLog on the real disk: 16 KiB and 1 MiB batches, without fsync
 * and with flush.messages=1 (every append durable; 8 appends in flight share fdatasyncs), on the
 * leader path (append with a leader epoch) and the follower path (appendAsFollower of batches
 * whose offsets the leader set).
 *
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register libs/storage/scripts/append-throughput.ts [dir]
 */
/* eslint-disable no-console, @nx/enforce-module-boundaries -- a benchmark run by hand: it prints, and it drives the log on node:fs as the broker does */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem } from '@tributary/node-io';
import { encodeRecordBatch, setBaseOffset } from '@tributary/protocol';
import { DEFAULT_LOG_CONFIG, PartitionLog } from '../src';

const TOTAL_BYTES = 512 * 1024 * 1024;
const IN_FLIGHT = 8;

type AppendPath = 'leader' | 'follower';

async function measure(batchBytes: number, flushMessages: number, path: AppendPath, root: string): Promise<void> {
  const dir = mkdtempSync(join(root, 'append-'));
  const log = await PartitionLog.open({ dir, fs: new NodeFileSystem(), clock: Date.now, config: { ...DEFAULT_LOG_CONFIG, flushMessages } });
  const batch = encodeRecordBatch([{ key: null, value: Buffer.alloc(batchBytes - 80, 0x61), timestamp: Date.now() }], { partitionLeaderEpoch: 1 });
  const batches = Math.max(64, Math.floor((flushMessages === 1 ? TOTAL_BYTES / 4 : TOTAL_BYTES) / batch.length));
  const start = process.hrtime.bigint();
  let sent = 0;
  const worker = async () => {
    // A follower's batch stays untouched until written, so each worker has its own.
    const own = Buffer.from(batch);
    while (sent < batches) {
      if (path === 'leader') {
        sent++;
        await log.append(batch, { leaderEpoch: 1 }); // re-stamped in place on every append, which is what the broker does too
      } else {
        setBaseOffset(own, sent++); // calls are applied in call order, so offsets follow each other
        await log.appendAsFollower(own);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const mb = (batches * batch.length) / 1e6;
  console.log(
    `${path.padEnd(8)} ${(batch.length / 1024).toFixed(0).padStart(5)} KiB batches, ${flushMessages === 1 ? 'flush.messages=1' : 'no fsync        '}: ` +
      `${(mb / seconds).toFixed(0).padStart(5)} MB/s, ${(batches / seconds).toFixed(0).padStart(6)} batches/s, ${log.syncCount} group syncs for ${batches} appends`,
  );
  await log.deleteAll();
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const root = process.argv[2] ?? tmpdir();
  for (const batchBytes of [16 * 1024, 1024 * 1024]) {
    for (const flushMessages of [Number.MAX_SAFE_INTEGER, 1]) {
      for (const path of ['leader', 'follower'] as const) await measure(batchBytes, flushMessages, path, root);
    }
  }
}

void main();
