import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { NodeFileSystem } from '@tributary/node-io';
import { FileSystem, joinPath } from './file-system';
import { REPLICATION_OFFSET_CHECKPOINT_FILE, ReplicationOffsetCheckpoint } from './replication-offset-checkpoint';
import { FaultyFileSystem } from './testing/faulty-file-system';
import { TempLogDir } from './testing/temp-log-dir';

describe('ReplicationOffsetCheckpoint', () => {
  let temp: TempLogDir;
  let dataDir: string;
  const path = () => joinPath(dataDir, REPLICATION_OFFSET_CHECKPOINT_FILE);
  const checkpoint = (fs: FileSystem = new NodeFileSystem()) => new ReplicationOffsetCheckpoint(fs, dataDir);

  beforeEach(() => {
    temp = new TempLogDir();
    dataDir = temp.partition('data');
    mkdirSync(dataDir);
  });
  afterEach(() => temp.remove());

  it('round trip: high watermarks by <topic>-<partition>, written as Kafka\'s `topic partition offset` lines', async () => {
    const offsets = new Map([
      ['orders-0', 1200],
      ['orders-1', 877],
      ['__consumer_offsets-17', 0],
      ['my-dashed-topic-3', 42],
    ]);
    await checkpoint().write(offsets);
    expect(readFileSync(path(), 'latin1')).toBe('0\n4\norders 0 1200\norders 1 877\n__consumer_offsets 17 0\nmy-dashed-topic 3 42\n');
    expect(await checkpoint().read()).toEqual({ offsets });
  });

  it('a missing file reads as no high watermarks and no problem', async () => {
    expect(await checkpoint().read()).toEqual({ offsets: new Map() });
  });

  it('an empty map writes a file with no entries', async () => {
    await checkpoint().write(new Map());
    expect(readFileSync(path(), 'latin1')).toBe('0\n0\n');
    expect(await checkpoint().read()).toEqual({ offsets: new Map() });
  });

  it.each([
    ['a cut last line', '0\n2\norders 0 1200\norders 1 87'],
    ['a count that does not match', '0\n3\norders 0 1200\n'],
    ['an entry with two fields', '0\n1\norders 1200\n'],
    ['a negative offset', '0\n1\norders 0 -1\n'],
    ['a partition that is not a number', '0\n1\norders x 5\n'],
    ['a partition named twice', '0\n2\norders 0 5\norders 0 9\n'],
    ['an unknown version', '1\n0\n'],
  ])('%s reads as no high watermarks, with the problem named', async (_what, text) => {
    writeFileSync(path(), text, 'latin1');
    const read = await checkpoint().read();
    expect(read.offsets.size).toBe(0);
    expect(read.problem).toContain(REPLICATION_OFFSET_CHECKPOINT_FILE);
  });

  it.each([
    ['a key without a partition', 'orders', 5],
    ['a key with whitespace', 'my topic-0', 5],
    ['a negative offset', 'orders-0', -1],
    ['a fractional offset', 'orders-0', 1.5],
  ])('%s is INVALID_REQUEST and the file is left as it was', async (_what, key, offset) => {
    await checkpoint().write(new Map([['orders-0', 7]]));
    await expect(checkpoint().write(new Map([[key, offset]]))).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await checkpoint().read()).toEqual({ offsets: new Map([['orders-0', 7]]) });
  });

  it('writes called without waiting run one at a time and the last one wins', async () => {
    const file = checkpoint();
    await Promise.all(Array.from({ length: 20 }, (_, i) => file.write(new Map([['orders-0', i]]))));
    expect(await file.read()).toEqual({ offsets: new Map([['orders-0', 19]]) });
  });

  it('a crash tearing a write leaves the previous file whole', async () => {
    const fs = new FaultyFileSystem(new NodeFileSystem());
    await checkpoint(fs).write(new Map([['orders-0', 100]]));
    fs.tearNextWrite({ pathSuffix: `${REPLICATION_OFFSET_CHECKPOINT_FILE}.tmp`, keepBytes: 6 });
    await checkpoint(fs).write(new Map([['orders-0', 250]]));
    expect(await checkpoint(fs.crash()).read()).toEqual({ offsets: new Map([['orders-0', 100]]) });
  });
});
