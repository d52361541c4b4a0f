/**
 * meta.properties at the top of a node's data dir, as Kafka writes it in KRaft mode:
 *
 *   version=1
 *   cluster.id=<the cluster id>
 *   node.id=<int>
 *
 * It ties a data dir to one cluster and node, for brokers and controllers alike.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TributaryError } from '@tributary/protocol';

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
}

export const META_PROPERTIES_FILE = 'meta.properties';

export function metaPropertiesPath(dataDir: string): string {
  return join(dataDir, META_PROPERTIES_FILE);
}

/**
 * Reads meta.properties; undefined when the dir has none. A file without cluster.id or node.id is
 * INVALID_CONFIG, `remedy` saying what the operator should do.
 */
export async function readMetaProperties(dataDir: string, remedy: string): Promise<MetaProperties | undefined> {
  const path = metaPropertiesPath(dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value = (key: string): string | undefined => new RegExp(`^${key.replace('.', '\\.')}\\s*[=:]\\s*(.*)$`, 'm').exec(text)?.[1].trim();
  const meta = { clusterId: value('cluster.id') ?? '', nodeId: Number(value('node.id')) };
  if (meta.clusterId === '' || !Number.isInteger(meta.nodeId)) {
    throw new TributaryError('INVALID_CONFIG', `${path} lacks cluster.id or node.id; ${remedy}`);
  }
  return meta;
}

/** Writes meta.properties atomically (temp file, then rename), creating the dir. */
export async function writeMetaProperties(dataDir: string, meta: MetaProperties, writtenBy: string): Promise<void> {
  const path = metaPropertiesPath(dataDir);
  await mkdir(dataDir, { recursive: true });
  await writeFile(`${path}.tmp`, `#Written by ${writtenBy}\nversion=1\ncluster.id=${meta.clusterId}\nnode.id=${meta.nodeId}\n`);
  await rename(`${path}.tmp`, path);
}
