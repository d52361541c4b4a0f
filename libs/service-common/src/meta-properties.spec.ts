import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTributaryError } from '@tributary/protocol';
import { metaPropertiesPath, readMetaProperties, writeMetaProperties } from './meta-properties';

describe('meta.properties', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'meta-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a data dir without one reads as undefined', async () => {
    expect(await readMetaProperties(join(dir, 'new'), 'format it')).toBeUndefined();
  });

  it('what is written reads back, in a dir created for it', async () => {
    await writeMetaProperties(join(dir, 'node'), { clusterId: 'c-1', nodeId: 3 }, 'a test');
    expect(await readMetaProperties(join(dir, 'node'), 'format it')).toEqual({ clusterId: 'c-1', nodeId: 3 });
  });

  it('a file without cluster.id or node.id is INVALID_CONFIG naming the file and the remedy', async () => {
    writeFileSync(metaPropertiesPath(dir), 'version=1\nnode.id=1\n');
    const error = await readMetaProperties(dir, 'restore it').catch((e: unknown) => e);
    expect(isTributaryError(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as Error).message).toBe(`${metaPropertiesPath(dir)} lacks cluster.id or node.id; restore it`);
  });
});
