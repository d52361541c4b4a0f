/**
 * meta.properties at the top of the data dir, as Kafka writes it in KRaft mode:
 *
 *   version=1
 *   cluster.id=<22 characters of base64url: 16 random bytes>
 *   node.id=<int>
 *
 * It ties the data dir to one cluster and node: a start with another node.id is refused rather
 * than mixing two nodes' data.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TributaryError } from '@tributary/protocol';
import { parseProperties } from './server-args';

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
}

const FILE_NAME = 'meta.properties';

/** A new random cluster id, as Kafka's `kafka-storage random-uuid` makes one. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Reads meta.properties, or creates it for an empty data dir with the cluster id `clusterIdForNewDir`
 * gives (a new random one for a single node; the quorum's for a broker of a controller quorum).
 */
export async function loadOrCreateMetaProperties(
  dataDir: string,
  nodeId: number,
  clusterIdForNewDir: () => Promise<string>,
): Promise<MetaProperties> {
  const path = join(dataDir, FILE_NAME);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text === undefined) {
    const created = { clusterId: await clusterIdForNewDir(), nodeId };
    await mkdir(dataDir, { recursive: true });
    await writeFile(`${path}.tmp`, `#Written by Tributary\nversion=1\ncluster.id=${created.clusterId}\nnode.id=${nodeId}\n`);
    await rename(`${path}.tmp`, path);
    return created;
  }
  const entries = parseProperties(text);
  const stored = { clusterId: entries['cluster.id'] ?? '', nodeId: Number(entries['node.id']) };
  if (stored.clusterId === '' || !Number.isInteger(stored.nodeId)) {
    throw new TributaryError('INVALID_CONFIG', `${path} lacks cluster.id or node.id; restore it or start with an empty data dir`);
  }
  if (stored.nodeId !== nodeId) {
    throw new TributaryError(
      'INVALID_CONFIG',
      `${path} belongs to node.id=${stored.nodeId} but this broker is node.id=${nodeId}; use the same node.id or another data dir`,
    );
  }
  return stored;
}
