/**
 * The storage side of replication: leader epochs recorded by leader and follower appends,
 * follower appends, truncation after a leader change, and reads capped at the high watermark.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { NodeFileSystem } from '@tributary/node-io';
import { decodeRecordBatches, encodeRecordBatch, readBatchHeader, splitBatches } from '@tributary/protocol';
import { joinPath } from './file-system';
import { UNDEFINED_EPOCH_OFFSET } from './leader-epoch-cache';
import { LEADER_EPOCH_CHECKPOINT_FILE } from './leader-epoch-checkpoint';
import { DEFAULT_LOG_CONFIG, LogConfig } from './log-config';
import { PartitionLog } from './partition-log';
import { FaultyFileSystem } from './testing/faulty-file-system';
import { TempLogDir } from './testing/temp-log-dir';
import { filledBatch } from './testing/test-batches';

const MIB = 1 << 20;

describe('PartitionLog replication', () => {
  let temp: TempLogDir;
  let fs: FaultyFileSystem;
  let nowMs: number;
  const clock = () => nowMs;
  const open = (name = 'topic-0', config: Partial<LogConfig> = {}) =>
    PartitionLog.open({ dir: temp.partition(name), fs, clock, config: { ...DEFAULT_LOG_CONFIG, ...config }, name });
  const batch = (count = 1, options: Parameters<typeof filledBatch>[3] = {}) => filledBatch(count, 8, nowMs, options);
  const idempotent = (producerId: number, baseSequence: number, count = 1) => batch(count, { producerId, producerEpoch: 0, baseSequence });
  const checkpointText = (name = 'topic-0') => readFileSync(joinPath(temp.partition(name), LEADER_EPOCH_CHECKPOINT_FILE), 'latin1');

  /** Every stored byte from `from` to the log end, as consumers and followers would fetch it. */
  async function readAll(log: PartitionLog, from = log.logStartOffset): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let offset = from; offset < log.logEndOffset; ) {
      const { batches, nextOffset } = await log.read(offset, MIB);
      if (nextOffset === undefined) break;
      parts.push(batches);
      offset = nextOffset;
    }
    return Buffer.concat(parts);
  }

  /** What a replica fetcher does: fetch from the follower's log end and append what comes, until caught up. */
  async function replicate(leader: PartitionLog, follower: PartitionLog): Promise<void> {
    while (follower.logEndOffset < leader.logEndOffset) {
      const { batches } = await leader.read(follower.logEndOffset, MIB);
      await follower.appendAsFollower(batches);
    }
  }

  /**
   * The follower's side of a leader change, as Kafka's fetcher (KIP-279): ask the leader where
   * the follower's latest epoch ended, look up where the epoch it answered with ends locally,
   * and truncate to the lower offset; when the follower never had that epoch, truncate to where
   * its last epoch below it ended and ask again. Returns the log end offset after each round.
   */
  async function reconcile(follower: PartitionLog, leader: PartitionLog, highWatermark = 0): Promise<number[]> {
    const rounds: number[] = [];
    for (let done = false; !done; ) {
      const answer = leader.endOffsetForEpoch(follower.latestEpoch);
      const local = follower.endOffsetForEpoch(answer.epoch);
      let truncateAt: number;
      done = true;
      if (answer.endOffset === UNDEFINED_EPOCH_OFFSET) truncateAt = highWatermark;
      else if (local.endOffset === UNDEFINED_EPOCH_OFFSET) truncateAt = answer.endOffset;
      else if (local.epoch !== answer.epoch) [truncateAt, done] = [local.endOffset, false];
      else truncateAt = Math.min(local.endOffset, answer.endOffset);
      truncateAt = Math.min(truncateAt, follower.logEndOffset);
      await follower.truncateTo(truncateAt);
      rounds.push(follower.logEndOffset);
    }
    return rounds;
  }

  beforeEach(() => {
    temp = new TempLogDir();
    fs = new FaultyFileSystem(new NodeFileSystem());
    nowMs = 1_700_000_000_000;
  });
  afterEach(() => temp.remove());

  describe('leader appends', () => {
    it('a new epoch is recorded at the first offset of its first batch; the same epoch again records nothing', async () => {
      const log = await open();
      await log.append(batch(2), { leaderEpoch: 1 });
      await log.append(batch(3), { leaderEpoch: 1 });
      await log.append(Buffer.concat([batch(1), batch(2)]), { leaderEpoch: 4 });
      await log.append(batch(1), { leaderEpoch: 4 });
      expect(log.leaderEpochCache.entries()).toEqual([
        { epoch: 1, startOffset: 0 },
        { epoch: 4, startOffset: 5 },
      ]);
      expect(log.latestEpoch).toBe(4);
      expect(checkpointText()).toBe('0\n2\n1 0\n4 5\n');
      expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 5 });
      expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 1, endOffset: 5 });
      expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 4, endOffset: 9 });
      expect(log.leaderEpochCache.epochForOffset(7)).toBe(4);
      await log.close();
    });

    it('an append with a leader epoch below the latest is FENCED_LEADER_EPOCH and nothing is appended', async () => {
      const log = await open();
      await log.append(batch(), { leaderEpoch: 5 });
      const sizeBytes = log.sizeBytes;
      await expect(log.append(batch(), { leaderEpoch: 4 })).rejects.toMatchObject({ code: 'FENCED_LEADER_EPOCH' });
      expect(log.sizeBytes).toBe(sizeBytes);
      expect(log.logEndOffset).toBe(1);
      await log.close();
    });

    it('an append without leaderEpoch keeps the epoch the batch carries and records none', async () => {
      const log = await open();
      await log.append(batch(1, { partitionLeaderEpoch: 9 }));
      expect(readBatchHeader((await log.read(0, MIB)).batches).partitionLeaderEpoch).toBe(9);
      expect(log.leaderEpochCache.entries()).toEqual([]);
      await log.close();
    });
  });

  describe('appendAsFollower', () => {
    it('keeps the leader\'s offsets, epochs and timestamps, so the follower holds the same bytes and epochs', async () => {
      const leader = await open('leader');
      await leader.append(batch(2), { leaderEpoch: 1 });
      await leader.append(batch(3), { leaderEpoch: 1, logAppendTimeMs: nowMs + 5 });
      await leader.append(batch(1), { leaderEpoch: 3 });
      const follower = await open('follower');
      const info = await follower.appendAsFollower((await leader.read(0, MIB)).batches);
      expect(info).toMatchObject({ firstOffset: 0, lastOffset: 5, recordCount: 6, maxTimestamp: nowMs + 5, logAppendTimeMs: -1, logStartOffset: 0, duplicate: false });
      expect(follower.logEndOffset).toBe(6);
      expect(await readAll(follower)).toEqual(await readAll(leader));
      expect(follower.leaderEpochCache.entries()).toEqual([
        { epoch: 1, startOffset: 0 },
        { epoch: 3, startOffset: 5 },
      ]);
      expect(checkpointText('follower')).toBe(checkpointText('leader'));
      await Promise.all([leader.close(), follower.close()]);
    });

    it.each([
      ['starting above the log end (a gap)', () => batch(1, { baseOffset: 4, partitionLeaderEpoch: 2 })],
      ['starting below the log end (an overlap)', () => batch(1, { baseOffset: 1, partitionLeaderEpoch: 2 })],
      ['starting at the log end but with a gap after the first batch', () => Buffer.concat([batch(1, { baseOffset: 3, partitionLeaderEpoch: 2 }), batch(1, { baseOffset: 5, partitionLeaderEpoch: 2 })])],
      ['starting at the log end but overlapping after the first batch', () => Buffer.concat([batch(2, { baseOffset: 3, partitionLeaderEpoch: 2 }), batch(1, { baseOffset: 4, partitionLeaderEpoch: 2 })])],
    ])('batches %s are OFFSET_OUT_OF_RANGE and nothing is written', async (_what, batches) => {
      const follower = await open();
      await follower.appendAsFollower(batch(3, { partitionLeaderEpoch: 1 }));
      const sizeBytes = follower.sizeBytes;
      const error = await follower.appendAsFollower(batches()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'OFFSET_OUT_OF_RANGE', message: expect.stringMatching(/follow|log end/) });
      expect(follower.logEndOffset).toBe(3);
      expect(follower.sizeBytes).toBe(sizeBytes);
      expect(follower.leaderEpochCache.entries()).toEqual([{ epoch: 1, startOffset: 0 }]);
      expect(checkpointText()).toBe('0\n1\n1 0\n');
      await follower.close();
    });

    it('a batch damaged in transit is CORRUPT_MESSAGE and nothing is written', async () => {
      const follower = await open();
      const bad = batch(2, { partitionLeaderEpoch: 1 });
      bad[bad.length - 1] ^= 1;
      await expect(follower.appendAsFollower(bad)).rejects.toMatchObject({ code: 'CORRUPT_MESSAGE' });
      expect(follower.sizeBytes).toBe(0);
      expect(follower.leaderEpochCache.entries()).toEqual([]);
      await follower.close();
    });

    it('a batch of an epoch below the follower\'s latest is FENCED_LEADER_EPOCH (its log diverged) and nothing is written', async () => {
      const follower = await open();
      await follower.appendAsFollower(batch(2, { partitionLeaderEpoch: 4 }));
      await expect(follower.appendAsFollower(Buffer.concat([batch(1, { baseOffset: 2, partitionLeaderEpoch: 4 }), batch(1, { baseOffset: 3, partitionLeaderEpoch: 3 })]))).rejects.toMatchObject({
        code: 'FENCED_LEADER_EPOCH',
      });
      expect(follower.logEndOffset).toBe(2);
      await follower.close();
    });

    it('with cleanup.policy=compact, gaps between batches (compaction drops whole batches) are accepted, overlaps are not', async () => {
      const compact = { cleanupPolicy: { compact: true, delete: false } };
      const follower = await open('topic-0', compact);
      await follower.appendAsFollower(Buffer.concat([batch(1, { baseOffset: 3, partitionLeaderEpoch: 1 }), batch(2, { baseOffset: 7, partitionLeaderEpoch: 1 })]));
      expect(follower.logEndOffset).toBe(9);
      await expect(follower.appendAsFollower(batch(1, { baseOffset: 8, partitionLeaderEpoch: 1 }))).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
      await follower.appendAsFollower(batch(1, { baseOffset: 12, partitionLeaderEpoch: 2 }));
      expect(decodeRecordBatches(await readAll(follower)).flatMap((b) => b.records.map((r) => r.offset))).toEqual([3, 7, 8, 12]);
      expect(follower.leaderEpochCache.entries()).toEqual([
        { epoch: 1, startOffset: 3 },
        { epoch: 2, startOffset: 12 },
      ]);
      await follower.close();
    });

    it('control batches are appended as sent and their epoch recorded, without touching producer state', async () => {
      const follower = await open();
      await follower.appendAsFollower(idempotent(7, 0, 2));
      const marker = encodeRecordBatch([{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]), timestamp: nowMs }], {
        baseOffset: 2,
        partitionLeaderEpoch: 2,
        producerId: 7,
        producerEpoch: 0,
        isControl: true,
        isTransactional: true,
      });
      await follower.appendAsFollower(marker);
      expect(follower.logEndOffset).toBe(3);
      expect(follower.leaderEpochCache.entries()).toEqual([{ epoch: 2, startOffset: 2 }]);
      expect(follower.producerState(7)).toEqual({ epoch: 0, lastSequence: 1, lastOffset: 1 });
      await follower.close();
    });

    it('producer state moves with leadership: once the follower leads, a retry is a duplicate with its original offsets and a gap is refused', async () => {
      const leader = await open('leader');
      await leader.append(idempotent(42, 0, 3), { leaderEpoch: 1 });
      const original = await leader.append(idempotent(42, 3, 2), { leaderEpoch: 1 });
      await leader.append(batch(), { leaderEpoch: 1 });
      const follower = await open('follower');
      await replicate(leader, follower);
      expect(follower.producerState(42)).toEqual(leader.producerState(42));
      // Leadership moves to the follower (epoch 2); the producer retries what it never saw acknowledged.
      const sizeBytes = follower.sizeBytes;
      const retry = await follower.append(idempotent(42, 3, 2), { leaderEpoch: 2 });
      expect(retry).toMatchObject({ firstOffset: original.firstOffset, lastOffset: original.lastOffset, duplicate: true });
      expect(follower.sizeBytes).toBe(sizeBytes);
      await expect(follower.append(idempotent(42, 7), { leaderEpoch: 2 })).rejects.toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      expect((await follower.append(idempotent(42, 5), { leaderEpoch: 2 })).firstOffset).toBe(6);
      await Promise.all([leader.close(), follower.close()]);
    });

    it('the follower does not check sequences: the leader did, and a replica must hold what the leader holds', async () => {
      const follower = await open();
      await follower.appendAsFollower(idempotent(9, 0));
      await follower.appendAsFollower(batch(1, { baseOffset: 1, producerId: 9, producerEpoch: 0, baseSequence: 5 }));
      expect(follower.producerState(9)).toEqual({ epoch: 0, lastSequence: 5, lastOffset: 1 });
      await follower.close();
    });

    it('flush.messages=1: a follower append resolves once synced, and concurrent ones share fdatasyncs', async () => {
      const follower = await open('topic-0', { flushMessages: 1 });
      const before = fs.datasyncCount;
      const infos = await Promise.all(Array.from({ length: 50 }, (_, i) => follower.appendAsFollower(batch(1, { baseOffset: i, partitionLeaderEpoch: 1 }))));
      expect(infos.map((i) => i.firstOffset)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(follower.recoveryPointOffset).toBe(50);
      // One for the leader epoch checkpoint, and at most two group commits for the 50 appends.
      expect(fs.datasyncCount - before).toBeLessThanOrEqual(3);
      await follower.close();
    });

    it('rolls segments by segment.bytes as the leader does', async () => {
      const leader = await open('leader', { segmentBytes: 1024 });
      for (let i = 0; i < 30; i++) await leader.append(filledBatch(1, 100, nowMs), { leaderEpoch: 1 + Math.floor(i / 10) });
      const follower = await open('follower', { segmentBytes: 1024 });
      await replicate(leader, follower);
      expect(follower.segmentCount).toBeGreaterThan(3);
      expect(await readAll(follower)).toEqual(await readAll(leader));
      expect(follower.leaderEpochCache.entries()).toEqual(leader.leaderEpochCache.entries());
      await Promise.all([leader.close(), follower.close()]);
    });
  });

  describe('restart', () => {
    async function logWithThreeEpochs(): Promise<PartitionLog> {
      const log = await open();
      await log.append(batch(2), { leaderEpoch: 1 });
      await log.append(batch(2), { leaderEpoch: 2 });
      await log.append(batch(2), { leaderEpoch: 5 });
      return log;
    }
    const threeEpochs = [
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 2 },
      { epoch: 5, startOffset: 4 },
    ];

    it('a new log opens without warnings and with an empty checkpoint; a reopen reads the epochs from it', async () => {
      const log = await open();
      expect(log.recovery.warnings).toEqual([]);
      expect(checkpointText()).toBe('0\n0\n');
      await log.close();
      const withEpochs = await logWithThreeEpochs();
      await withEpochs.close();
      const reopened = await open();
      expect(reopened.leaderEpochCache.entries()).toEqual(threeEpochs);
      expect(reopened.recovery.warnings).toEqual([]);
      await reopened.close();
    });

    it.each([
      ['missing', (path: string) => rmSync(path), /leader-epoch-checkpoint is missing/],
      ['damaged', (path: string) => writeFileSync(path, '0\n3\n1 0\n2 2\n'), /announces 3 entries but holds 2/],
    ])('a %s checkpoint is rebuilt from the batches\' leader epochs, with a warning', async (_what, damage, problem) => {
      const log = await logWithThreeEpochs();
      await log.close();
      damage(joinPath(temp.partition(), LEADER_EPOCH_CHECKPOINT_FILE));
      const reopened = await open();
      expect(reopened.leaderEpochCache.entries()).toEqual(threeEpochs);
      expect(reopened.recovery.warnings).toEqual([expect.stringMatching(problem)]);
      expect(reopened.recovery.warnings[0]).toContain('rebuilt 3 leader epoch entries from the headers of 3 batches');
      expect(checkpointText()).toBe('0\n3\n1 0\n2 2\n5 4\n');
      await reopened.close();
      const again = await open();
      expect(again.recovery.warnings).toEqual([]);
      await again.close();
    });

    it('an unclean stop that tears the first batch of a new epoch forgets that epoch on reopen', async () => {
      const log = await logWithThreeEpochs();
      await log.flush();
      fs.tearNextWrite({ pathSuffix: '.log', keepBytes: 20 });
      await log.append(batch(3), { leaderEpoch: 6 });
      expect(checkpointText()).toContain('6 6\n'); // written before the batch, which the crash tore
      fs = fs.crash();
      const reopened = await open();
      expect(reopened.logEndOffset).toBe(6);
      expect(reopened.leaderEpochCache.entries()).toEqual(threeEpochs);
      expect(checkpointText()).toBe('0\n3\n1 0\n2 2\n5 4\n');
      await reopened.close();
    });
  });

  describe('truncation', () => {
    it('truncateTo drops the epochs starting at or after the new end and rebuilds producer state; a reopen agrees', async () => {
      const log = await open();
      await log.append(idempotent(11, 0, 2), { leaderEpoch: 1 });
      await log.append(idempotent(11, 2, 2), { leaderEpoch: 2 });
      await log.append(idempotent(11, 4), { leaderEpoch: 3 });
      await log.truncateTo(3); // inside the epoch-2 batch [2, 3]: the whole batch goes
      expect(log.logEndOffset).toBe(2);
      expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 1, startOffset: 0 }]);
      expect(checkpointText()).toBe('0\n1\n1 0\n');
      expect(log.producerState(11)).toEqual({ epoch: 0, lastSequence: 1, lastOffset: 1 });
      // The producer's batch at sequence 2 is gone, so its retry is appended, not a duplicate.
      expect(await log.append(idempotent(11, 2, 2), { leaderEpoch: 4 })).toMatchObject({ firstOffset: 2, duplicate: false });
      await log.close();
      const reopened = await open();
      expect(reopened.leaderEpochCache.entries()).toEqual([
        { epoch: 1, startOffset: 0 },
        { epoch: 4, startOffset: 2 },
      ]);
      await reopened.close();
    });

    it('truncateFullyAndStartAt empties the log and restarts it at the offset, forgetting epochs and producers; a reopen keeps it', async () => {
      const follower = await open();
      await follower.appendAsFollower(idempotent(3, 0, 4));
      await follower.appendAsFollower(batch(1, { baseOffset: 4, partitionLeaderEpoch: 2 }));
      await follower.truncateFullyAndStartAt(500);
      expect(follower.logStartOffset).toBe(500);
      expect(follower.logEndOffset).toBe(500);
      expect(follower.leaderEpochCache.entries()).toEqual([]);
      expect(follower.producerState(3)).toBeUndefined();
      await expect(follower.appendAsFollower(batch(1, { baseOffset: 4, partitionLeaderEpoch: 3 }))).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
      await follower.appendAsFollower(batch(2, { baseOffset: 500, partitionLeaderEpoch: 3 }));
      await follower.close();
      const reopened = await open();
      expect(reopened.logStartOffset).toBe(500);
      expect(reopened.logEndOffset).toBe(502);
      expect(reopened.leaderEpochCache.entries()).toEqual([{ epoch: 3, startOffset: 500 }]);
      expect(reopened.recovery.warnings).toEqual([]);
      await reopened.close();
    });

    it('retention moving the log start moves the earliest epoch up to it', async () => {
      const log = await open('topic-0', { segmentBytes: 500, retentionMs: 1000 });
      for (let i = 0; i < 12; i++) await log.append(filledBatch(1, 100, nowMs + i), { leaderEpoch: i < 5 ? 1 : 2 });
      nowMs += 10_000;
      await log.append(filledBatch(1, 100, nowMs), { leaderEpoch: 2 });
      expect(await log.enforceRetention(nowMs)).toBeGreaterThan(0);
      expect(log.logStartOffset).toBeGreaterThan(5);
      expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 2, startOffset: log.logStartOffset }]);
      expect(checkpointText()).toBe(`0\n1\n2 ${log.logStartOffset}\n`);
      await log.close();
    });
  });

  describe('reading up to the high watermark', () => {
    it('a leader serves consumers only whole batches whose last offset is below the high watermark', async () => {
      const log = await open();
      await log.append(batch(2), { leaderEpoch: 1 }); // [0, 1]
      await log.append(batch(3), { leaderEpoch: 1 }); // [2, 4]
      await log.append(batch(2), { leaderEpoch: 1 }); // [5, 6]
      const baseOffsets = (bytes: Buffer) => splitBatches(bytes).map((b) => readBatchHeader(b).baseOffset);
      const highWatermark = 5;
      const served = await log.read(0, MIB, { maxOffset: highWatermark });
      expect(baseOffsets(served.batches)).toEqual([0, 2]);
      expect(served.nextOffset).toBe(5);
      expect(await log.read(5, MIB, { maxOffset: highWatermark })).toEqual({ batches: Buffer.alloc(0) });
      // A high watermark inside a batch (not reached with whole-batch replication, but safe): that batch waits.
      expect(baseOffsets((await log.read(0, MIB, { maxOffset: 4 })).batches)).toEqual([0]);
      // A follower fetch is not capped.
      expect(baseOffsets((await log.read(0, MIB)).batches)).toEqual([0, 2, 5]);
      await log.close();
    });
  });

  describe('divergence after a leader change', () => {
    it('a follower with a divergent tail in epoch 1 truncates to where the new leader says epoch 1 ended, then holds the same bytes', async () => {
      // Epoch 1: B leads; A replicates the first two batches, then B dies with two more unreplicated.
      const b = await open('b');
      const a = await open('a');
      await b.append(batch(2), { leaderEpoch: 1 });
      await b.append(batch(2), { leaderEpoch: 1 });
      await replicate(b, a);
      await b.append(idempotent(42, 0), { leaderEpoch: 1 });
      await b.append(batch(3), { leaderEpoch: 1 });
      expect(b.logEndOffset).toBe(8);
      // Epoch 2: A leads; the producer retries its unacknowledged batch, then more is written.
      expect(await a.append(idempotent(42, 0), { leaderEpoch: 2 })).toMatchObject({ firstOffset: 4, duplicate: false });
      await a.append(batch(2), { leaderEpoch: 2 });
      expect(a.leaderEpochCache.entries()).toEqual([
        { epoch: 1, startOffset: 0 },
        { epoch: 2, startOffset: 4 },
      ]);
      // B comes back as a follower.
      expect(a.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 4 });
      expect(await reconcile(b, a)).toEqual([4]);
      expect(b.logEndOffset).toBe(4);
      expect(b.producerState(42)).toBeUndefined();
      await replicate(a, b);
      expect(await readAll(b, 0)).toEqual(await readAll(a, 0));
      expect(b.leaderEpochCache.entries()).toEqual(a.leaderEpochCache.entries());
      expect(b.producerState(42)).toEqual(a.producerState(42));
      // And if B leads again, the producer's retry is recognised.
      expect(await b.append(idempotent(42, 0), { leaderEpoch: 3 })).toMatchObject({ firstOffset: 4, duplicate: true });
      await Promise.all([a.close(), b.close()]);
      const [reopenedA, reopenedB] = [await open('a'), await open('b')];
      expect(await readAll(reopenedB, 0)).toEqual(await readAll(reopenedA, 0));
      await Promise.all([reopenedA.close(), reopenedB.close()]);
    });

    it('a follower whose latest epoch the leader never saw truncates to where the leader\'s answer epoch ended locally', async () => {
      // Epoch 1 on both; then B leads epoch 2 alone and writes; A leads epoch 3 without ever seeing epoch 2.
      const a = await open('a');
      const b = await open('b');
      await a.append(batch(3), { leaderEpoch: 1 });
      await a.append(batch(1), { leaderEpoch: 1 });
      await replicate(a, b);
      await b.append(batch(2), { leaderEpoch: 2 }); // [4, 5], divergent
      await a.append(batch(1), { leaderEpoch: 1 }); // [4], A still in epoch 1 when it lost contact
      await a.append(batch(3), { leaderEpoch: 3 }); // [5, 7]
      // A answers for epoch 2 with epoch 1 ending at 5; B's own epoch 1 ended at 4.
      expect(a.endOffsetForEpoch(2)).toEqual({ epoch: 1, endOffset: 5 });
      expect(await reconcile(b, a)).toEqual([4]);
      await replicate(a, b);
      expect(await readAll(b, 0)).toEqual(await readAll(a, 0));
      expect(b.leaderEpochCache.entries()).toEqual([
        { epoch: 1, startOffset: 0 },
        { epoch: 3, startOffset: 5 },
      ]);
      await Promise.all([a.close(), b.close()]);
    });

    it('when the leader answers with an epoch the follower never had, the follower truncates to its epoch below and asks again', async () => {
      // A: epoch 1 [0, 7], epoch 2 [8, 14], epoch 4 [15, 16]. B: the same epoch 1 [0, 7], then its own epoch 1 [8, 9] and epoch 3 [10, 12].
      const at = (baseOffset: number, count: number, partitionLeaderEpoch: number, value: string) =>
        encodeRecordBatch(Array.from({ length: count }, () => ({ key: null, value: Buffer.from(value), timestamp: nowMs })), { baseOffset, partitionLeaderEpoch });
      const a = await open('a');
      const b = await open('b');
      const common = at(0, 8, 1, 'common');
      await a.appendAsFollower(Buffer.concat([common, at(8, 7, 2, 'a'), at(15, 2, 4, 'a')]));
      await b.appendAsFollower(Buffer.concat([common, at(8, 2, 1, 'b'), at(10, 3, 3, 'b')]));
      expect(a.endOffsetForEpoch(3)).toEqual({ epoch: 2, endOffset: 15 });
      expect(b.endOffsetForEpoch(2)).toEqual({ epoch: 1, endOffset: 10 });
      expect(await reconcile(b, a)).toEqual([10, 8]);
      await replicate(a, b);
      expect(await readAll(b, 0)).toEqual(await readAll(a, 0));
      expect(b.leaderEpochCache.entries()).toEqual(a.leaderEpochCache.entries());
      await Promise.all([a.close(), b.close()]);
    });

    it('a follower with no epochs gets no answer and falls back to its high watermark (whole batches below it)', async () => {
      const a = await open('a');
      const b = await open('b');
      await a.append(batch(4), { leaderEpoch: 3 });
      await b.appendAsFollower(batch(4)); // written without a leader epoch
      expect(a.endOffsetForEpoch(b.latestEpoch)).toEqual({ epoch: -1, endOffset: -1 });
      expect(await reconcile(b, a, 2)).toEqual([0]); // the high watermark (2) is inside the only batch
      await replicate(a, b);
      expect(await readAll(b, 0)).toEqual(await readAll(a, 0));
      await Promise.all([a.close(), b.close()]);
    });
  });
});
