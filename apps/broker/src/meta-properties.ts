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
import { TributaryError } from '@tributary/protocol';
import { metaPropertiesPath, readMetaProperties, writeMetaProperties, type MetaProperties } from '@tributary/service-common';

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
  const stored = await readMetaProperties(dataDir, 'restore it or start with an empty data dir');
  if (stored === undefined) {
    const created = { clusterId: await clusterIdForNewDir(), nodeId };
    await writeMetaProperties(dataDir, created, 'Tributary');
    return created;
  }
  if (stored.nodeId !== nodeId) {
    throw new TributaryError(
      'INVALID_CONFIG',
      `${metaPropertiesPath(dataDir)} belongs to node.id=${stored.nodeId} but this broker is node.id=${nodeId}; use the same node.id or another data dir`,
    );
  }
  return stored;
}
