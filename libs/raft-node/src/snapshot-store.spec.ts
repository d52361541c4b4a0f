import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { NodeId, Snapshot } from '@tributary/raft';
import { SnapshotStore } from './snapshot-store';

function snapshot(index: number, term: number, text: string): Snapshot {
  return { metadata: { index, term, confState: { voters: [1, 2, 3] as NodeId[], learners: [4 as NodeId] } }, data: Buffer.from(text) };
}

describe('SnapshotStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'snap-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an empty directory has no snapshot', async () => {
    expect(await new SnapshotStore({ dir }).loadLatest()).toBeUndefined();
  });

  it('the newest saved snapshot loads back with its membership and data', async () => {
    const store = new SnapshotStore({ dir });
    await store.save(snapshot(10, 1, 'ten'));
    await store.save(snapshot(20, 2, 'twenty'));
    const loaded = await new SnapshotStore({ dir }).loadLatest();
    expect(loaded?.metadata).toEqual(snapshot(20, 2, '').metadata);
    expect(Buffer.from(loaded!.data).toString()).toBe('twenty');
    expect((await readdir(dir)).sort()).toEqual(['00000000000000000001-00000000000000000010.snap', '00000000000000000002-00000000000000000020.snap']);
  });

  it('only the newest retainCount snapshots are kept', async () => {
    const store = new SnapshotStore({ dir, retainCount: 2 });
    for (let i = 1; i <= 4; i++) await store.save(snapshot(i * 10, 1, `s${i}`));
    expect((await readdir(dir)).sort()).toEqual(['00000000000000000001-00000000000000000030.snap', '00000000000000000001-00000000000000000040.snap']);
  });

  it('a damaged newest snapshot falls back to the older valid one', async () => {
    const store = new SnapshotStore({ dir });
    await store.save(snapshot(10, 1, 'ten'));
    await store.save(snapshot(20, 1, 'twenty'));
    const newest = path.join(dir, '00000000000000000001-00000000000000000020.snap');
    const bytes = await readFile(newest);
    bytes[bytes.length - 1] ^= 0x04;
    await writeFile(newest, bytes);
    const loaded = await store.loadLatest();
    expect(loaded?.metadata.index).toBe(10);
  });

  it('a half-written temp file from a crash is ignored and removed', async () => {
    const store = new SnapshotStore({ dir });
    await store.save(snapshot(10, 1, 'ten'));
    await writeFile(path.join(dir, '00000000000000000001-00000000000000000020.snap.tmp'), Buffer.from('TRSNgarbage'));
    expect((await store.loadLatest())?.metadata.index).toBe(10);
    expect(await readdir(dir)).toEqual(['00000000000000000001-00000000000000000010.snap']);
  });

  it('a truncated snapshot file is not loaded', async () => {
    const store = new SnapshotStore({ dir });
    await store.save(snapshot(10, 1, 'ten'));
    const file = path.join(dir, (await readdir(dir))[0]);
    await writeFile(file, (await readFile(file)).subarray(0, 20));
    expect(await store.loadLatest()).toBeUndefined();
  });
});
