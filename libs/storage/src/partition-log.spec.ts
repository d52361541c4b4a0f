import { NodeFileSystem } from '@tributary/node-io';
import { BatchField, decodeRecordBatches, readBatchHeader, splitBatches } from '@tributary/protocol';
import { joinPath } from './file-system';
import { DEFAULT_LOG_CONFIG, LogConfig } from './log-config';
import { PartitionLog } from './partition-log';
import { FaultyFileSystem } from './testing/faulty-file-system';
import { TempLogDir } from './testing/temp-log-dir';
import { filledBatch, testBatch } from './testing/test-batches';

const HOUR_MS = 3_600_000;

describe('PartitionLog', () => {
  let temp: TempLogDir;
  let fs: FaultyFileSystem;
  let nowMs: number;
  const clock = () => nowMs;
  const open = (config: Partial<LogConfig> = {}) =>
    PartitionLog.open({ dir: temp.partition(), fs, clock, config: { ...DEFAULT_LOG_CONFIG, ...config }, name: 'topic-0' });
  const offsetsOf = (bytes: Buffer) => decodeRecordBatches(bytes).flatMap((b) => b.records.map((r) => r.offset));
  const idempotent = (producerId: number, producerEpoch: number, baseSequence: number, count = 1) =>
    filledBatch(count, 8, nowMs, { producerId, producerEpoch, baseSequence });

  beforeEach(() => {
    temp = new TempLogDir();
    fs = new FaultyFileSystem(new NodeFileSystem());
    nowMs = 1_700_000_000_000;
  });
  afterEach(() => temp.remove());

  describe('append and read', () => {
    it('assigns consecutive offsets from 0 and read returns the stored batches with the leader epoch stamped', async () => {
      const log = await open();
      const first = await log.append(testBatch([{ key: 'a', value: '1', timestamp: nowMs }, { key: 'b', value: '2', timestamp: nowMs + 1 }]));
      const second = await log.append(testBatch([{ key: 'c', value: '3', timestamp: nowMs + 2 }]), { leaderEpoch: 7 });
      expect(first).toMatchObject({ firstOffset: 0, lastOffset: 1, recordCount: 2, maxTimestamp: nowMs + 1, logAppendTimeMs: -1, duplicate: false });
      expect(second).toMatchObject({ firstOffset: 2, lastOffset: 2, logStartOffset: 0 });
      expect(log.logEndOffset).toBe(3);
      const { batches, nextOffset } = await log.read(1, 1 << 20);
      expect(nextOffset).toBe(3);
      const decoded = decodeRecordBatches(batches);
      expect(decoded.map((b) => b.header.baseOffset)).toEqual([0, 2]);
      expect(decoded[1].header.partitionLeaderEpoch).toBe(7);
      expect(decoded.flatMap((b) => b.records.map((r) => r.value?.toString()))).toEqual(['1', '2', '3']);
      await log.close();
    });

    it('several batches in one append get consecutive offsets', async () => {
      const log = await open();
      const info = await log.append(Buffer.concat([filledBatch(2, 5, nowMs), filledBatch(3, 5, nowMs + 5)]));
      expect(info).toMatchObject({ firstOffset: 0, lastOffset: 4, recordCount: 5, maxTimestamp: nowMs + 5 });
      expect(offsetsOf((await log.read(0, 1 << 20)).batches)).toEqual([0, 1, 2, 3, 4]);
      await log.close();
    });

    it('logAppendTimeMs stamps LogAppendTime into every batch', async () => {
      const log = await open();
      const info = await log.append(filledBatch(2, 5, nowMs - 1000), { logAppendTimeMs: nowMs });
      expect(info).toMatchObject({ logAppendTimeMs: nowMs, maxTimestamp: nowMs });
      const [batch] = decodeRecordBatches((await log.read(0, 1 << 20)).batches);
      expect(batch.records.map((r) => r.timestamp)).toEqual([nowMs, nowMs]);
      await log.close();
    });

    it('read: OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset], empty at logEndOffset', async () => {
      const log = await open();
      await log.append(filledBatch(3, 10, nowMs));
      expect(await log.read(3, 100)).toEqual({ batches: Buffer.alloc(0) });
      await expect(log.read(4, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
      await expect(log.read(-1, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
      await log.close();
    });

    it('read returns whole batches within maxBytes, but at least one, and none at or past maxOffset', async () => {
      const log = await open();
      for (let i = 0; i < 10; i++) await log.append(filledBatch(2, 100, nowMs));
      const batchBytes = filledBatch(2, 100, nowMs).length;
      const three = await log.read(4, batchBytes * 3 + 10);
      expect(splitBatches(three.batches).map((b) => readBatchHeader(b).baseOffset)).toEqual([4, 6, 8]);
      expect(three.nextOffset).toBe(10);
      const mid = await log.read(5, 1);
      expect(splitBatches(mid.batches).map((b) => readBatchHeader(b).baseOffset)).toEqual([4]);
      const capped = await log.read(0, 1 << 20, { maxOffset: 6 });
      expect(offsetsOf(capped.batches)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(await log.read(6, 1 << 20, { maxOffset: 6 })).toEqual({ batches: Buffer.alloc(0) });
      await log.close();
    });

    it('reads across segments use the offset index of each segment', async () => {
      const log = await open({ segmentBytes: 4096, indexIntervalBytes: 256 });
      for (let i = 0; i < 100; i++) await log.append(filledBatch(1, 200, nowMs + i));
      expect(log.segmentCount).toBeGreaterThan(5);
      for (const offset of [0, 17, 18, 63, 99]) {
        const { batches } = await log.read(offset, 1);
        expect(readBatchHeader(batches).baseOffset).toBe(offset);
      }
      await log.close();
    });
  });

  describe('bad input', () => {
    it('a batch with a bad CRC is CORRUPT_MESSAGE and nothing of the request is appended', async () => {
      const log = await open();
      const bad = filledBatch(1, 10, nowMs);
      bad[bad.length - 1] ^= 1;
      await expect(log.append(Buffer.concat([filledBatch(1, 10, nowMs), bad]))).rejects.toMatchObject({ code: 'CORRUPT_MESSAGE' });
      expect(log.logEndOffset).toBe(0);
      expect(log.sizeBytes).toBe(0);
      await log.close();
    });

    it.each([
      ['cut inside the header', (b: Buffer) => b.subarray(0, 40)],
      ['cut inside the records', (b: Buffer) => b.subarray(0, b.length - 3)],
      ['with a negative length', (b: Buffer) => Buffer.from(b).fill(0xff, BatchField.batchLength, BatchField.batchLength + 4)],
      ['with magic 1', (b: Buffer) => Buffer.from(b).fill(1, BatchField.magic, BatchField.magic + 1)],
      ['empty', () => Buffer.alloc(0)],
    ])('a request %s is CORRUPT_MESSAGE and nothing is appended', async (_what, damage) => {
      const log = await open();
      await expect(log.append(damage(filledBatch(3, 10, nowMs)))).rejects.toMatchObject({ code: 'CORRUPT_MESSAGE' });
      expect(log.logEndOffset).toBe(0);
      await log.append(filledBatch(1, 10, nowMs));
      expect(log.logEndOffset).toBe(1);
      await log.close();
    });
  });

  describe('idempotent producers', () => {
    it('a retried batch is a duplicate answered with the original offsets, and nothing is written', async () => {
      const log = await open();
      await log.append(idempotent(1000, 0, 0, 2));
      const original = await log.append(idempotent(1000, 0, 2, 3));
      await log.append(filledBatch(1, 8, nowMs));
      const sizeBytes = log.sizeBytes;
      const retry = await log.append(idempotent(1000, 0, 2, 3));
      expect(retry).toMatchObject({ firstOffset: original.firstOffset, lastOffset: original.lastOffset, duplicate: true });
      expect(log.sizeBytes).toBe(sizeBytes);
      expect(log.producerState(1000)).toEqual({ epoch: 0, lastSequence: 4, lastOffset: 4 });
      await log.close();
    });

    it('a gap or a repeat older than the last five batches is OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
      const log = await open();
      for (let seq = 0; seq < 7; seq++) await log.append(idempotent(5, 0, seq));
      await expect(log.append(idempotent(5, 0, 9))).rejects.toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      await expect(log.append(idempotent(5, 0, 0))).rejects.toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      expect((await log.append(idempotent(5, 0, 2))).duplicate).toBe(true);
      expect(log.logEndOffset).toBe(7);
      await log.close();
    });

    it('an older epoch is INVALID_PRODUCER_EPOCH; a newer epoch must start at sequence 0', async () => {
      const log = await open();
      await log.append(idempotent(5, 3, 0));
      await expect(log.append(idempotent(5, 2, 1))).rejects.toMatchObject({ code: 'INVALID_PRODUCER_EPOCH' });
      await expect(log.append(idempotent(5, 4, 7))).rejects.toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      await log.append(idempotent(5, 4, 0));
      expect(log.producerState(5)).toMatchObject({ epoch: 4, lastSequence: 0 });
      await log.close();
    });

    it('producer state is rebuilt from the log on reopen, so retries after a restart are still duplicates', async () => {
      const log = await open();
      await log.append(idempotent(77, 1, 0, 4));
      const original = await log.append(idempotent(77, 1, 4, 2));
      await log.close();
      const reopened = await open();
      expect(reopened.producerState(77)).toEqual({ epoch: 1, lastSequence: 5, lastOffset: 5 });
      expect(await reopened.append(idempotent(77, 1, 4, 2))).toMatchObject({ firstOffset: original.firstOffset, duplicate: true });
      await expect(reopened.append(idempotent(77, 1, 7))).rejects.toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      await reopened.close();
    });
  });

  describe('flush policy', () => {
    it('flush.messages=1: many concurrent appends are all durable when they resolve, sharing few fdatasyncs', async () => {
      const log = await open({ flushMessages: 1 });
      const before = fs.datasyncCount;
      const infos = await Promise.all(Array.from({ length: 200 }, () => log.append(filledBatch(1, 100, nowMs))));
      expect(infos.map((i) => i.firstOffset)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      const syncs = fs.datasyncCount - before;
      expect(syncs).toBeGreaterThanOrEqual(1);
      expect(syncs).toBeLessThanOrEqual(3);
      await log.close();
    });

    it('with no flush.messages, appends do not fsync; flushIfDue syncs once flush.ms has passed', async () => {
      const log = await open({ flushMs: 1000 });
      const before = fs.datasyncCount;
      for (let i = 0; i < 10; i++) await log.append(filledBatch(1, 100, nowMs));
      expect(fs.datasyncCount).toBe(before);
      await log.flushIfDue(nowMs + 999);
      expect(fs.datasyncCount).toBe(before);
      await log.flushIfDue(nowMs + 1000);
      expect(fs.datasyncCount).toBeGreaterThan(before);
      await log.close();
    });
  });

  describe('segments', () => {
    it('rolls by segment.bytes and names segments by their 20-digit base offset', async () => {
      const log = await open({ segmentBytes: 1000 });
      for (let i = 0; i < 10; i++) await log.append(filledBatch(1, 300, nowMs));
      const logs = (await fs.list(temp.partition())).filter((n) => n.endsWith('.log')).sort();
      expect(logs.length).toBe(log.segmentCount);
      expect(logs[0]).toBe('00000000000000000000.log');
      expect(logs[1]).toBe('00000000000000000002.log');
      expect(await fs.exists(joinPath(temp.partition(), '00000000000000000002.index'))).toBe(true);
      expect(await fs.exists(joinPath(temp.partition(), '00000000000000000002.timeindex'))).toBe(true);
      await log.close();
    });

    it('rolls by segment.ms counted from the first batch of the active segment', async () => {
      const log = await open({ segmentMs: HOUR_MS });
      await log.append(filledBatch(1, 10, nowMs));
      nowMs += HOUR_MS;
      await log.append(filledBatch(1, 10, nowMs));
      expect(log.segmentCount).toBe(1);
      nowMs += 1;
      await log.append(filledBatch(1, 10, nowMs));
      expect(log.segmentCount).toBe(2);
      await log.close();
    });

    it('roll() starts a new segment, but not while the active one is empty', async () => {
      const log = await open();
      await log.roll();
      expect(log.segmentCount).toBe(1);
      await log.append(filledBatch(1, 10, nowMs));
      await log.roll();
      await log.roll();
      expect(log.segmentCount).toBe(2);
      await log.close();
    });
  });

  describe('timestamps', () => {
    it('offsetForTimestamp finds the first record with a timestamp at or after the target, across segments', async () => {
      const log = await open({ segmentBytes: 2000, indexIntervalBytes: 100 });
      for (let i = 0; i < 40; i++) {
        await log.append(testBatch([{ value: 'x'.repeat(50), timestamp: nowMs + i * 10 }, { value: 'y', timestamp: nowMs + i * 10 + 5 }]));
      }
      expect(log.segmentCount).toBeGreaterThan(2);
      expect(await log.offsetForTimestamp(nowMs)).toEqual({ offset: 0, timestamp: nowMs });
      expect(await log.offsetForTimestamp(nowMs + 123)).toEqual({ offset: 25, timestamp: nowMs + 125 });
      expect(await log.offsetForTimestamp(nowMs + 130)).toEqual({ offset: 26, timestamp: nowMs + 130 });
      expect(await log.offsetForTimestamp(nowMs + 395)).toEqual({ offset: 79, timestamp: nowMs + 395 });
      expect(await log.offsetForTimestamp(nowMs + 396)).toBeNull();
      expect(await log.maxTimestampOffset()).toEqual({ offset: 79, timestamp: nowMs + 395 });
      await log.close();
    });
  });

  describe('retention', () => {
    it('retention.ms deletes whole rolled segments whose newest batch is older, never the active one', async () => {
      const log = await open({ segmentBytes: 1000, retentionMs: HOUR_MS });
      for (let i = 0; i < 9; i++) await log.append(filledBatch(1, 300, nowMs + i * 60_000));
      const segments = log.segmentCount;
      expect(await log.enforceRetention(nowMs + HOUR_MS)).toBe(0);
      expect(await log.enforceRetention(nowMs + HOUR_MS + 60_001)).toBe(1);
      expect(log.logStartOffset).toBe(2);
      await expect(log.read(1, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
      expect(readBatchHeader((await log.read(2, 1)).batches).baseOffset).toBe(2);
      expect(await log.enforceRetention(nowMs + 100 * HOUR_MS)).toBe(segments - 2);
      expect(log.segmentCount).toBe(1);
      expect(log.logStartOffset).toBe(8);
      await log.close();
      const reopened = await open();
      expect([reopened.logStartOffset, reopened.logEndOffset]).toEqual([8, 9]);
      await reopened.close();
    });

    it('retention.bytes deletes the oldest segments while the rest still holds retention.bytes', async () => {
      const log = await open({ segmentBytes: 1000, retentionBytes: 2000, retentionMs: -1 });
      for (let i = 0; i < 12; i++) await log.append(filledBatch(1, 300, nowMs));
      const total = log.sizeBytes;
      const deleted = await log.enforceRetention(nowMs + 1000 * HOUR_MS);
      expect(deleted).toBeGreaterThan(0);
      expect(log.sizeBytes).toBeGreaterThanOrEqual(2000);
      expect(log.sizeBytes).toBeLessThan(total);
      expect(await log.enforceRetention(nowMs + 1000 * HOUR_MS)).toBe(0);
      await log.close();
    });

    it('cleanup.policy=compact alone deletes nothing by retention', async () => {
      const log = await open({ segmentBytes: 1000, retentionMs: 1, cleanupPolicy: { delete: false, compact: true } });
      for (let i = 0; i < 6; i++) await log.append(filledBatch(1, 300, nowMs));
      expect(await log.enforceRetention(nowMs + HOUR_MS)).toBe(0);
      await log.close();
    });
  });

  describe('truncateTo', () => {
    it('removes whole batches at or after the offset, across segments, and appends continue from there', async () => {
      const log = await open({ segmentBytes: 1000 });
      for (let i = 0; i < 10; i++) await log.append(filledBatch(2, 200, nowMs));
      await log.truncateTo(9);
      expect(log.logEndOffset).toBe(8);
      expect(offsetsOf((await log.read(6, 1 << 20)).batches)).toEqual([6, 7]);
      expect((await log.append(filledBatch(1, 10, nowMs))).firstOffset).toBe(8);
      await log.close();
      const reopened = await open();
      expect(reopened.logEndOffset).toBe(9);
      await reopened.close();
    });

    it('below the log start empties the log, which restarts at that offset', async () => {
      const log = await open({ segmentBytes: 1000, retentionMs: 1 });
      for (let i = 0; i < 10; i++) await log.append(filledBatch(1, 300, nowMs));
      await log.enforceRetention(nowMs + HOUR_MS);
      await log.truncateTo(log.logStartOffset);
      expect(log.logEndOffset).toBe(log.logStartOffset);
      await log.close();
    });
  });

  it('deleteAll removes the partition directory', async () => {
    const log = await open();
    await log.append(filledBatch(1, 10, nowMs));
    await log.deleteAll();
    expect(await fs.exists(temp.partition())).toBe(false);
  });
});
