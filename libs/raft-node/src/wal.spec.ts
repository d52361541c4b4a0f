import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Entry, type NodeId } from '@tributary/raft';
import { Wal } from './wal';

function entry(index: number, term: number, text = `e${index}`): Entry {
  return { index, term, type: 'normal', data: Buffer.from(text) };
}

function range(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term));
  return out;
}

describe('Wal', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wal-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function reopen(wal: Wal, segmentBytes?: number) {
    await wal.close();
    return Wal.open({ dir, segmentBytes });
  }

  it('a fresh log is empty with index 0 behind it', async () => {
    const { wal } = await Wal.open({ dir });
    expect([wal.firstIndex(), wal.lastIndex(), wal.term(0)]).toEqual([1, 0, 0]);
    expect(wal.initialState().hardState).toEqual({ term: 0, vote: 0, commit: 0 });
    await wal.close();
  });

  it('saved entries and hard state survive a reopen', async () => {
    const { wal } = await Wal.open({ dir });
    await wal.save(range(1, 5, 1), { term: 1, vote: 2 as NodeId, commit: 3 });
    const { wal: again, recovery } = await reopen(wal);
    expect(recovery.truncatedBytes).toBe(0);
    expect(again.lastIndex()).toBe(5);
    expect(again.entries(2, 4, Infinity).map((e) => Buffer.from(e.data).toString())).toEqual(['e2', 'e3']);
    expect(again.initialState().hardState).toEqual({ term: 1, vote: 2, commit: 3 });
    await again.close();
  });

  it('concurrent saves all resolve and all persist (group commit)', async () => {
    const { wal } = await Wal.open({ dir });
    await Promise.all(range(1, 50, 1).map((e) => wal.save([e])));
    const { wal: again } = await reopen(wal);
    expect(again.lastIndex()).toBe(50);
    await again.close();
  });

  it('recovery: a torn last record is cut and the entries before it are kept', async () => {
    const { wal } = await Wal.open({ dir });
    await wal.save(range(1, 3, 1));
    await wal.close();
    const file = path.join(dir, (await readdir(dir))[0]);
    await truncate(file, (await stat(file)).size - 3);
    const { wal: again, recovery } = await Wal.open({ dir });
    expect(again.lastIndex()).toBe(2);
    expect(recovery.truncatedBytes).toBeGreaterThan(0);
    await again.save([entry(3, 2, 'new')]);
    const { wal: third } = await reopen(again);
    expect(Buffer.from(third.entries(3, 4, Infinity)[0].data).toString()).toBe('new');
    await third.close();
  });

  it('recovery: a flipped bit in the last record drops that record', async () => {
    const { wal } = await Wal.open({ dir });
    await wal.save(range(1, 3, 1));
    await wal.close();
    const file = path.join(dir, (await readdir(dir))[0]);
    const bytes = await readFile(file);
    bytes[bytes.length - 1] ^= 0x10;
    await writeFile(file, bytes);
    const { wal: again } = await Wal.open({ dir });
    expect(again.lastIndex()).toBe(2);
    await again.close();
  });

  it('recovery: damage in a segment that is not the last fails the open', async () => {
    const { wal } = await Wal.open({ dir, segmentBytes: 64 });
    for (let i = 1; i <= 6; i++) await wal.save([entry(i, 1)]);
    await wal.close();
    const first = path.join(dir, (await readdir(dir)).sort()[0]);
    const bytes = await readFile(first);
    bytes[bytes.length - 2] ^= 0x01;
    await writeFile(first, bytes);
    await expect(Wal.open({ dir, segmentBytes: 64 })).rejects.toMatchObject({ code: 'KAFKA_STORAGE_ERROR' });
  });

  it('an append at index i replaces every entry from i on, on disk too', async () => {
    const { wal } = await Wal.open({ dir });
    await wal.save(range(1, 5, 1));
    await wal.save(range(3, 4, 2));
    expect([wal.lastIndex(), wal.term(3), wal.term(2)]).toEqual([4, 2, 1]);
    const { wal: again } = await reopen(wal);
    expect(again.entries(1, 5, Infinity).map((e) => e.term)).toEqual([1, 1, 2, 2]);
    await again.close();
  });

  it('a local snapshot keeps the suffix; compaction deletes only whole segments below it', async () => {
    const { wal } = await Wal.open({ dir, segmentBytes: 100 });
    for (let i = 1; i <= 20; i++) await wal.save([entry(i, 1)]);
    const before = wal.segmentCount();
    expect(before).toBeGreaterThan(3);
    const snapshot = { metadata: { index: 12, term: 1, confState: { voters: [1 as NodeId], learners: [] } }, data: Buffer.from('s') };
    await wal.applySnapshot(snapshot);
    await wal.compact(12);
    expect(wal.segmentCount()).toBeLessThan(before);
    expect([wal.firstIndex(), wal.lastIndex(), wal.term(12)]).toEqual([13, 20, 1]);
    await wal.close();
    const { wal: again } = await Wal.open({ dir, segmentBytes: 100, snapshot });
    expect([again.firstIndex(), again.lastIndex(), again.term(12)]).toEqual([13, 20, 1]);
    expect(again.entries(13, 21, Infinity)).toHaveLength(8);
    expect(again.snapshot().data).toEqual(snapshot.data);
    await again.close();
  });

  it('a snapshot from the leader that conflicts with the log replaces it', async () => {
    const { wal } = await Wal.open({ dir });
    await wal.save(range(1, 5, 1));
    const snapshot = { metadata: { index: 8, term: 3, confState: { voters: [1 as NodeId], learners: [] } }, data: Buffer.alloc(0) };
    await wal.applySnapshot(snapshot);
    expect([wal.firstIndex(), wal.lastIndex()]).toEqual([9, 8]);
    await wal.close();
    const { wal: again } = await Wal.open({ dir, snapshot });
    expect([again.firstIndex(), again.lastIndex(), again.term(8)]).toEqual([9, 8, 3]);
    await again.close();
  });

  it('a log compacted past the newest readable snapshot refuses to open', async () => {
    const { wal } = await Wal.open({ dir });
    await wal.save(range(1, 5, 1));
    await wal.applySnapshot({ metadata: { index: 4, term: 1, confState: { voters: [], learners: [] } }, data: Buffer.alloc(0) });
    await wal.close();
    const older = { metadata: { index: 2, term: 1, confState: { voters: [], learners: [] } }, data: Buffer.alloc(0) };
    await expect(Wal.open({ dir, snapshot: older })).rejects.toThrow(/snapshot/);
  });
});
