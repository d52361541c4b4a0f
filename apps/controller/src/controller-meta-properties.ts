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
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TributaryError } from '@tributary/protocol';

export interface ControllerMetaProperties {
  clusterId: string;
  nodeId: number;
}

const FILE_NAME = 'meta.properties';

/** Writes meta.properties; refuses a dir formatted already for another cluster or node. */
export async function formatControllerDir(dataDir: string, meta: ControllerMetaProperties): Promise<void> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(meta.clusterId)) {
    throw new TributaryError('INVALID_CONFIG', `cluster id "${meta.clusterId}" must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'`);
  }
  const existing = await readMeta(dataDir);
  if (existing !== undefined) {
    if (existing.clusterId === meta.clusterId && existing.nodeId === meta.nodeId) return;
    throw new TributaryError(
      'INCONSISTENT_CLUSTER_ID',
      `${join(dataDir, FILE_NAME)} is formatted for cluster ${existing.clusterId} node ${existing.nodeId}, not cluster ${meta.clusterId} node ${meta.nodeId}; use an empty data dir`,
    );
  }
  const path = join(dataDir, FILE_NAME);
  await mkdir(dataDir, { recursive: true });
  await writeFile(`${path}.tmp`, `#Written by tributary-controller format\nversion=1\ncluster.id=${meta.clusterId}\nnode.id=${meta.nodeId}\n`);
  await rename(`${path}.tmp`, path);
}

/** Reads meta.properties of node `nodeId`; a missing file or another node's is a clear error. */
export async function readControllerMetaProperties(dataDir: string, nodeId: number): Promise<ControllerMetaProperties> {
  const meta = await readMeta(dataDir);
  if (meta === undefined) {
    throw new TributaryError(
      'INVALID_CONFIG',
      `${dataDir} is not formatted: no ${FILE_NAME}; run \`tributary-controller format --cluster-id <id> --node-id ${nodeId} --data-dir ${dataDir}\` (the same cluster id on every controller) first`,
    );
  }
  if (meta.nodeId !== nodeId) {
    throw new TributaryError('INVALID_CONFIG', `${join(dataDir, FILE_NAME)} belongs to node.id=${meta.nodeId}, but this controller is node ${nodeId}; use its own data dir`);
  }
  return meta;
}

async function readMeta(dataDir: string): Promise<ControllerMetaProperties | undefined> {
  const path = join(dataDir, FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const meta = { clusterId: /^cluster\.id=(.+)$/m.exec(text)?.[1].trim() ?? '', nodeId: Number(/^node\.id=(.+)$/m.exec(text)?.[1]) };
  if (meta.clusterId === '' || !Number.isInteger(meta.nodeId)) {
    throw new TributaryError('INVALID_CONFIG', `${path} lacks cluster.id or node.id; restore it or format an empty data dir`);
  }
  return meta;
}
