/**
 * meta.properties at the top of a controller's data dir, as Kafka's `kafka-storage format` writes it:
 *
 *   version=1
 *   cluster.id=<the cluster id given to format>
 *   node.id=<int>
 *
 * A controller formats explicitly (the ClusterId record of a new cluster comes from it); one
 * started on an unformatted dir, or a dir of another node, refuses to start.
 */
import { TributaryError } from '@tributary/protocol';
import { META_PROPERTIES_FILE, metaPropertiesPath, readMetaProperties, writeMetaProperties, type MetaProperties } from '@tributary/service-common';

export type ControllerMetaProperties = MetaProperties;

const UNREADABLE_REMEDY = 'restore it or format an empty data dir';

/** Writes meta.properties; refuses a dir formatted already for another cluster or node. */
export async function formatControllerDir(dataDir: string, meta: ControllerMetaProperties): Promise<void> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(meta.clusterId)) {
    throw new TributaryError('INVALID_CONFIG', `cluster id "${meta.clusterId}" must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'`);
  }
  const existing = await readMetaProperties(dataDir, UNREADABLE_REMEDY);
  if (existing !== undefined) {
    if (existing.clusterId === meta.clusterId && existing.nodeId === meta.nodeId) return;
    throw new TributaryError(
      'INCONSISTENT_CLUSTER_ID',
      `${metaPropertiesPath(dataDir)} is formatted for cluster ${existing.clusterId} node ${existing.nodeId}, not cluster ${meta.clusterId} node ${meta.nodeId}; use an empty data dir`,
    );
  }
  await writeMetaProperties(dataDir, meta, 'tributary-controller format');
}

/** Reads meta.properties of node `nodeId`; a missing file or another node's is a clear error. */
export async function readControllerMetaProperties(dataDir: string, nodeId: number): Promise<ControllerMetaProperties> {
  const meta = await readMetaProperties(dataDir, UNREADABLE_REMEDY);
  if (meta === undefined) {
    throw new TributaryError(
      'INVALID_CONFIG',
      `${dataDir} is not formatted: no ${META_PROPERTIES_FILE}; run \`tributary-controller format --cluster-id <id> --node-id ${nodeId} --data-dir ${dataDir}\` (the same cluster id on every controller) first`,
    );
  }
  if (meta.nodeId !== nodeId) {
    throw new TributaryError('INVALID_CONFIG', `${metaPropertiesPath(dataDir)} belongs to node.id=${meta.nodeId}, but this controller is node ${nodeId}; use its own data dir`);
  }
  return meta;
}
