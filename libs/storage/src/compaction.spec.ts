import { NodeFileSystem } from '@tributary/node-io';
import { CompressionType, decodeRecordBatches } from '@tributary/protocol';
import { FileSystem } from './file-system';
import { DEFAULT_LOG_CONFIG, LogConfig } from './log-config';
import { PartitionLog } from './partition-log';
import { TempLogDir } from './testing/temp-log-dir';
import { testBatch } from './testing/test-batches';

const fs: FileSystem = new NodeFileSystem();
const DAY_MS = 86_400_000;

describe('compaction', () => {
  let temp: TempLogDir;
  const t0 = 1_700_000_000_000;
  const compacted: Partial<LogConfig> = { cleanupPolicy: { delete: false, compact: true }, segmentBytes: 600, deleteRetentionMs: DAY_MS };
  const open = (config: Partial<LogConfig> = {}) =>
    PartitionLog.open({ dir: temp.partition(), fs, clock: () => t0, config: { ...DEFAULT_LOG_CONFIG, ...compacted, ...config } });

  async function records(log: PartitionLog) {
    const out: { offset: number; key: string | undefined; value: string | null }[] = [];
    for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
      const { batches, nextOffset } = await log.read(offset, 1 << 20);
      if (nextOffset === undefined) break;
      for (const b of decodeRecordBatches(batches)) {
        for (const r of b.records) out.push({ offset: r.offset, key: r.key?.toString(), value: r.value === null ? null : r.value.toString() });
      }
      offset = nextOffset;
    }
    return out;
  }

  beforeEach(() => (temp = new TempLogDir()));
  afterEach(() => temp.remove());

  it('keeps the latest value per key at its original offset, over the rolled segments only', async () => {
    const log = await open();
    for (let i = 0; i < 30; i++) {
      await log.append(testBatch([{ key: `k${i % 3}`, value: `v${i}-${'x'.repeat(40)}`, timestamp: t0 + i }]));
    }
    const logs = (await fs.list(temp.partition())).filter((n) => n.endsWith('.log')).sort();
    const activeBaseOffset = Number(logs[logs.length - 1].slice(0, 20));
    const activeRecords = (await records(log)).filter((r) => r.offset >= activeBaseOffset);
    await log.compact(t0 + 1000);
    const after = await records(log);
    const rolled = after.filter((r) => r.offset < activeBaseOffset);
    // In the rolled segments each key appears once, as its latest value there, at its own offset.
    const lastOffsetOfKey = (key: string) => Math.max(...[...Array(activeBaseOffset).keys()].filter((i) => `k${i % 3}` === key));
    expect(rolled.map((r) => r.offset)).toEqual(['k0', 'k1', 'k2'].map(lastOffsetOfKey).sort((a, b) => a - b));
    for (const r of rolled) expect(r.value).toMatch(new RegExp(`^v${r.offset}-`));
    expect(after.filter((r) => r.offset >= activeBaseOffset)).toEqual(activeRecords);
    expect(log.logEndOffset).toBe(30);
    await log.close();
    expect(await records(await open())).toEqual(after);
  });

  it('rewrites partly superseded batches, keeping the survivors’ offsets, compressed batches too', async () => {
    const log = await open({ segmentBytes: 100_000 });
    await log.append(
      testBatch(
        [{ key: 'a', value: '1', timestamp: t0 }, { key: 'b', value: '2', timestamp: t0 }, { key: 'c', value: '3', timestamp: t0 }],
        { compression: CompressionType.Gzip },
      ),
    );
    await log.append(testBatch([{ key: 'b', value: '4', timestamp: t0 }]));
    await log.roll();
    await log.append(testBatch([{ key: 'z', value: 'active', timestamp: t0 }]));
    await log.compact(t0);
    expect(await records(log)).toEqual([
      { offset: 0, key: 'a', value: '1' },
      { offset: 2, key: 'c', value: '3' },
      { offset: 3, key: 'b', value: '4' },
      { offset: 4, key: 'z', value: 'active' },
    ]);
    await log.close();
  });

  it('removes tombstones only once they are older than delete.retention.ms', async () => {
    const log = await open({ segmentBytes: 100_000 });
    await log.append(testBatch([{ key: 'a', value: '1', timestamp: t0 }]));
    await log.append(testBatch([{ key: 'b', value: '2', timestamp: t0 }]));
    await log.append(testBatch([{ key: 'a', value: null, timestamp: t0 + 10 }]));
    await log.roll();
    await log.append(testBatch([{ key: 'z', value: 'active', timestamp: t0 + 20 }]));
    await log.compact(t0 + 10 + DAY_MS - 1);
    expect((await records(log)).map((r) => [r.offset, r.key, r.value])).toEqual([
      [1, 'b', '2'],
      [2, 'a', null],
      [3, 'z', 'active'],
    ]);
    await log.compact(t0 + 10 + DAY_MS);
    expect((await records(log)).map((r) => r.offset)).toEqual([1, 3]);
    expect(log.logEndOffset).toBe(4);
    await log.close();
  });

  it('leaves records younger than min.compaction.lag.ms alone', async () => {
    const log = await open({ segmentBytes: 100_000, minCompactionLagMs: 1000 });
    await log.append(testBatch([{ key: 'a', value: '1', timestamp: t0 }]));
    await log.append(testBatch([{ key: 'a', value: '2', timestamp: t0 }]));
    await log.roll();
    await log.append(testBatch([{ key: 'z', value: 'active', timestamp: t0 }]));
    await log.compact(t0 + 999);
    expect((await records(log)).length).toBe(3);
    await log.compact(t0 + 1000);
    expect((await records(log)).map((r) => r.offset)).toEqual([1, 2]);
    await log.close();
  });

  it('keeps an emptied batch when it is its producer’s last, so the producer’s sequence survives', async () => {
    const log = await open({ segmentBytes: 100_000 });
    await log.append(testBatch([{ key: 'a', value: '1', timestamp: t0 }], { producerId: 9, producerEpoch: 0, baseSequence: 0 }));
    await log.append(testBatch([{ key: 'a', value: '2', timestamp: t0 }]));
    await log.roll();
    await log.append(testBatch([{ key: 'z', value: 'active', timestamp: t0 }]));
    await log.compact(t0);
    await log.close();
    const reopened = await open({ segmentBytes: 100_000 });
    expect((await records(reopened)).map((r) => r.offset)).toEqual([1, 2]);
    expect(reopened.producerState(9)).toEqual({ epoch: 0, lastSequence: 0, lastOffset: 0 });
    expect((await reopened.append(testBatch([{ key: 'a', value: '1', timestamp: t0 }], { producerId: 9, producerEpoch: 0, baseSequence: 0 }))).duplicate).toBe(true);
    await reopened.close();
  });

  it('does nothing unless cleanup.policy includes compact', async () => {
    const log = await open({ cleanupPolicy: { delete: true, compact: false }, segmentBytes: 100_000 });
    await log.append(testBatch([{ key: 'a', value: '1', timestamp: t0 }]));
    await log.append(testBatch([{ key: 'a', value: '2', timestamp: t0 }]));
    await log.roll();
    await log.compact(t0);
    expect((await records(log)).length).toBe(2);
    await log.close();
  });
});
