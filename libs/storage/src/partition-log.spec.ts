import { NodeFileSystem } from '@tributary/node-io';
import { decodeRecordBatches } from '@tributary/protocol';
import { FileSystem } from './file-system';
import { DEFAULT_LOG_CONFIG, LogConfig } from './log-config';
import { PartitionLog } from './partition-log';
import { TempLogDir } from './testing/temp-log-dir';
import { filledBatch, testBatch } from './testing/test-batches';

const fs: FileSystem = new NodeFileSystem();

describe('PartitionLog', () => {
  let temp: TempLogDir;
  let nowMs: number;
  const clock = () => nowMs;
  const open = (config: Partial<LogConfig> = {}) =>
    PartitionLog.open({ dir: temp.partition(), fs, clock, config: { ...DEFAULT_LOG_CONFIG, ...config }, name: 'topic-0' });

  beforeEach(() => {
    temp = new TempLogDir();
    nowMs = 1_700_000_000_000;
  });
  afterEach(() => temp.remove());

  it('append assigns consecutive offsets from 0 and read returns the stored batches', async () => {
    const log = await open();
    const first = await log.append(testBatch([{ key: 'a', value: '1', timestamp: nowMs }, { key: 'b', value: '2', timestamp: nowMs + 1 }]));
    const second = await log.append(testBatch([{ key: 'c', value: '3', timestamp: nowMs + 2 }]), { leaderEpoch: 7 });
    expect(first).toMatchObject({ firstOffset: 0, lastOffset: 1, recordCount: 2, maxTimestamp: nowMs + 1, duplicate: false });
    expect(second).toMatchObject({ firstOffset: 2, lastOffset: 2 });
    expect(log.logEndOffset).toBe(3);
    const { batches, nextOffset } = await log.read(1, 1 << 20);
    expect(nextOffset).toBe(3);
    const decoded = decodeRecordBatches(batches);
    expect(decoded.map((b) => b.header.baseOffset)).toEqual([0, 2]);
    expect(decoded[1].header.partitionLeaderEpoch).toBe(7);
    expect(decoded.flatMap((b) => b.records.map((r) => r.value?.toString()))).toEqual(['1', '2', '3']);
    await log.close();
  });

  it('read: OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset], empty at logEndOffset', async () => {
    const log = await open();
    await log.append(filledBatch(3, 10, nowMs));
    expect((await log.read(3, 100)).batches.length).toBe(0);
    await expect(log.read(4, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    await expect(log.read(-1, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    await log.close();
  });
});
