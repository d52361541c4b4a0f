import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem } from './node-file-system';

describe('NodeFileSystem', () => {
  let root: string;
  const fs = new NodeFileSystem();
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'node-io-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('positional writes and reads, truncate, size and datasync work on a real file', async () => {
    await fs.mkdirp(join(root, 'a', 'b'));
    const handle = await fs.open(join(root, 'a', 'b', 'f.log'));
    handle.writeSync(Buffer.from('hello'), 0);
    handle.writeSync(Buffer.from('world'), 10);
    await handle.datasync();
    expect(await handle.size()).toBe(15);
    const buffer = Buffer.alloc(5);
    expect(await handle.read(buffer, 0, 5, 10)).toBe(5);
    expect(buffer.toString()).toBe('world');
    await handle.truncate(5);
    expect(await handle.size()).toBe(5);
    expect(await handle.read(buffer, 0, 5, 5)).toBe(0);
    await handle.close();
  });

  it('lists, renames, unlinks, syncs and removes directories', async () => {
    const dir = join(root, 'p');
    await fs.mkdirp(dir);
    await (await fs.open(join(dir, 'x'))).close();
    await fs.rename(join(dir, 'x'), join(dir, 'y'));
    expect(await fs.list(dir)).toEqual(['y']);
    await fs.syncDir(dir);
    await fs.unlink(join(dir, 'y'));
    expect(await fs.exists(join(dir, 'y'))).toBe(false);
    await fs.removeDir(dir);
    expect(await fs.exists(dir)).toBe(false);
    await fs.removeDir(dir);
  });
});
