import { readFileSync, writeFileSync } from 'node:fs';
import { NodeFileSystem } from '@tributary/node-io';
import { joinPath } from './file-system';
import { LeaderEpochCache, UNDEFINED_EPOCH } from './leader-epoch-cache';
import { EpochEntry, LEADER_EPOCH_CHECKPOINT_FILE, LeaderEpochCheckpoint } from './leader-epoch-checkpoint';
import { TempLogDir } from './testing/temp-log-dir';

const fs = new NodeFileSystem();
const UNDEFINED = { epoch: -1, endOffset: -1 };
const entries = (...pairs: [number, number][]): EpochEntry[] => pairs.map(([epoch, startOffset]) => ({ epoch, startOffset }));

describe('LeaderEpochCache', () => {
  let temp: TempLogDir;
  let dir: string;
  const checkpointPath = () => joinPath(dir, LEADER_EPOCH_CHECKPOINT_FILE);
  const cacheOf = (...pairs: [number, number][]) => new LeaderEpochCache(fs, dir, entries(...pairs));
  const onDisk = async () => {
    const file = await LeaderEpochCheckpoint.read(fs, dir);
    return file.kind === 'read' ? file.entries : file;
  };

  beforeEach(async () => {
    temp = new TempLogDir();
    dir = temp.partition();
    await fs.mkdirp(dir);
  });
  afterEach(() => temp.remove());

  describe('assign', () => {
    it.each<[string, [number, number][], [number, number], [number, number][]]>([
      ['the first entry is recorded', [], [3, 10], [[3, 10]]],
      ['a newer epoch at a later offset is appended', [[1, 0]], [2, 5], [[1, 0], [2, 5]]],
      ['the latest epoch again at a later offset is ignored (an epoch is assigned once)', [[1, 0], [2, 5]], [2, 9], [[1, 0], [2, 5]]],
      ['the latest epoch again at an earlier offset is ignored', [[1, 0], [2, 5]], [2, 3], [[1, 0], [2, 5]]],
      ['an older epoch is ignored', [[1, 0], [4, 5]], [3, 9], [[1, 0], [4, 5]]],
      ['a newer epoch starting below the latest entry is ignored', [[1, 0], [2, 5]], [3, 4], [[1, 0], [2, 5]]],
      ['a newer epoch at the latest entry\'s start offset replaces it (the older epoch wrote nothing)', [[1, 0], [2, 5]], [3, 5], [[1, 0], [3, 5]]],
      ['epoch 0 at offset 0 is a valid first entry', [], [0, 0], [[0, 0]]],
    ])('%s', async (_rule, before, [epoch, startOffset], after) => {
      const cache = cacheOf(...before);
      const changed = await cache.assign(epoch, startOffset);
      expect(cache.entries()).toEqual(entries(...after));
      expect(changed).toBe(JSON.stringify(before) !== JSON.stringify(after));
    });

    it('a negative epoch or offset is INVALID_REQUEST', async () => {
      await expect(cacheOf().assign(-1, 0)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      await expect(cacheOf().assign(1, -5)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    });

    it('assignAll applies each entry in order with the same rules', async () => {
      const cache = cacheOf([1, 0]);
      expect(await cache.assignAll(entries([2, 4], [2, 6], [1, 8], [5, 9]))).toBe(true);
      expect(cache.entries()).toEqual(entries([1, 0], [2, 4], [5, 9]));
      expect(await cache.assignAll(entries([5, 12]))).toBe(false);
    });

    it('latestEpoch is the last entry\'s epoch, -1 when empty', async () => {
      const cache = cacheOf();
      expect(cache.latestEpoch).toBe(UNDEFINED_EPOCH);
      await cache.assign(4, 0);
      await cache.assign(6, 3);
      expect(cache.latestEpoch).toBe(6);
    });
  });

  describe('endOffsetFor (OffsetsForLeaderEpoch)', () => {
    const logEndOffset = 20;
    it.each<[string, [number, number][], number, { epoch: number; endOffset: number }]>([
      ['an empty cache: undefined', [], 0, UNDEFINED],
      ['the undefined epoch: undefined', [[1, 0]], -1, UNDEFINED],
      ['the latest epoch: the log end offset', [[1, 0], [2, 6], [5, 10]], 5, { epoch: 5, endOffset: logEndOffset }],
      ['the only epoch: the log end offset', [[3, 4]], 3, { epoch: 3, endOffset: logEndOffset }],
      ['an earlier epoch: the start offset of the next epoch', [[1, 0], [2, 6], [5, 10]], 2, { epoch: 2, endOffset: 10 }],
      ['the first epoch: the start offset of the second', [[1, 0], [2, 6], [5, 10]], 1, { epoch: 1, endOffset: 6 }],
      ['an epoch between two cached ones: the lower epoch and the higher one\'s start', [[1, 0], [2, 6], [5, 10]], 4, { epoch: 2, endOffset: 10 }],
      ['an epoch below the earliest: undefined', [[3, 5], [5, 10]], 2, UNDEFINED],
      ['an epoch above the latest: undefined', [[1, 0], [2, 6]], 3, UNDEFINED],
    ])('%s', (_rule, cached, requested, expected) => {
      expect(cacheOf(...cached).endOffsetFor(requested, logEndOffset)).toEqual(expected);
    });
  });

  describe('epochForOffset', () => {
    const cached: [number, number][] = [[1, 0], [3, 6], [4, 10]];
    it.each([
      [0, 1],
      [5, 1],
      [6, 3],
      [9, 3],
      [10, 4],
      [1000, 4],
    ])('offset %i was written in epoch %i', (offset, epoch) => {
      expect(cacheOf(...cached).epochForOffset(offset)).toBe(epoch);
    });

    it('an offset below the earliest entry, or any offset of an empty cache, has epoch -1', () => {
      expect(cacheOf([2, 5]).epochForOffset(4)).toBe(UNDEFINED_EPOCH);
      expect(cacheOf().epochForOffset(0)).toBe(UNDEFINED_EPOCH);
    });
  });

  describe('truncation', () => {
    const cached: [number, number][] = [[2, 6], [3, 8], [4, 11]];
    it.each<[string, number, [number, number][]]>([
      ['from the end at an entry\'s start drops it and every later one', 8, [[2, 6]]],
      ['from the end inside an epoch keeps that epoch', 9, [[2, 6], [3, 8]]],
      ['from the end past the last entry changes nothing', 12, cached],
      ['from the end at or below the first entry empties the cache', 6, []],
    ])('%s', async (_rule, endOffset, after) => {
      const cache = cacheOf(...cached);
      await cache.truncateFromEnd(endOffset);
      expect(cache.entries()).toEqual(entries(...after));
    });

    it.each<[string, number, [number, number][]]>([
      ['from the start inside an epoch moves that epoch\'s start up to it', 9, [[3, 9], [4, 11]]],
      ['from the start at an entry\'s start keeps that entry and drops the earlier ones', 8, [[3, 8], [4, 11]]],
      ['from the start below the first entry changes nothing', 5, cached],
      ['from the start at the first entry changes nothing', 6, cached],
      ['from the start past the last entry keeps only the latest epoch, starting there', 15, [[4, 15]]],
    ])('%s', async (_rule, startOffset, after) => {
      const cache = cacheOf(...cached);
      await cache.truncateFromStart(startOffset);
      expect(cache.entries()).toEqual(entries(...after));
    });

    it('clear forgets every entry', async () => {
      const cache = cacheOf(...cached);
      await cache.clear();
      expect(cache.entries()).toEqual([]);
      expect(await onDisk()).toEqual([]);
    });
  });

  describe('checkpoint', () => {
    it('every change is written in Kafka\'s text format: version, count, then one `epoch startOffset` line per entry', async () => {
      const cache = cacheOf();
      await cache.assign(1, 0);
      await cache.assign(4, 120);
      expect(readFileSync(checkpointPath(), 'latin1')).toBe('0\n2\n1 0\n4 120\n');
      await cache.truncateFromEnd(100);
      expect(readFileSync(checkpointPath(), 'latin1')).toBe('0\n1\n1 0\n');
      await cache.truncateFromStart(50);
      expect(await onDisk()).toEqual(entries([1, 50]));
    });

    it('an ignored assignment does not rewrite the file', async () => {
      const cache = cacheOf();
      await cache.assign(2, 0);
      writeFileSync(checkpointPath(), 'left alone\n');
      await cache.assign(2, 7);
      await cache.assign(1, 9);
      expect(readFileSync(checkpointPath(), 'latin1')).toBe('left alone\n');
    });

    it('a failed write changes nothing in memory and is KAFKA_STORAGE_ERROR', async () => {
      const cache = cacheOf([1, 0]);
      temp.remove(); // the partition directory is gone: the write cannot happen
      await expect(cache.assign(2, 5)).rejects.toMatchObject({ code: 'KAFKA_STORAGE_ERROR' });
      expect(cache.entries()).toEqual(entries([1, 0]));
    });

    it('rebuild writes the file even when no epoch was found', async () => {
      const cache = await LeaderEpochCache.rebuild(fs, dir, []);
      expect(cache.entries()).toEqual([]);
      expect(readFileSync(checkpointPath(), 'latin1')).toBe('0\n0\n');
    });

    it('a missing file reads as missing', async () => {
      expect(await LeaderEpochCheckpoint.read(fs, dir)).toEqual({ kind: 'missing' });
    });

    it.each([
      ['an empty file', ''],
      ['a cut last line', '0\n2\n1 0\n4 12'],
      ['version 1', '1\n1\n1 0\n'],
      ['a count above the entries', '0\n3\n1 0\n4 120\n'],
      ['a count below the entries', '0\n1\n1 0\n4 120\n'],
      ['an entry with one field', '0\n1\n1\n'],
      ['an entry with a negative offset', '0\n1\n1 -4\n'],
      ['an entry that is not a number', '0\n1\n1 x7\n'],
      ['epochs that do not rise', '0\n2\n4 0\n4 10\n'],
      ['start offsets that fall', '0\n2\n1 10\n4 3\n'],
    ])('%s reads as damaged, with the problem named', async (_what, text) => {
      writeFileSync(checkpointPath(), text, 'latin1');
      const read = await LeaderEpochCheckpoint.read(fs, dir);
      expect(read).toMatchObject({ kind: 'damaged', problem: expect.stringContaining(LEADER_EPOCH_CHECKPOINT_FILE) });
    });
  });
});
