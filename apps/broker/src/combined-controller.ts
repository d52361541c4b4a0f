import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrokerConfig } from '@tributary/metadata';
import { TributaryError } from '@tributary/protocol';
import { formatQuorumVoters, reachableHost, readMetaProperties } from '@tributary/service-common';
import { DEFAULT_CONTROLLER_PORT, formatControllerDir, METADATA_LOG_DIR, startController, type RunningController } from '@tributary/controller';
import { DEFAULT_HOST, type StartBrokerOptions } from './broker-options';
import { newClusterId } from './meta-properties';

export interface CombinedController {
  controller: RunningController;
  /** controller.quorum.voters as the broker half of this process should reach them. */
  voters: string;
}

/**
 * Starts the controller half of a combined node, sharing the broker's data dir (one
 * meta.properties; the Raft log in `__cluster_metadata-0/`). As the quorum's only voter it
 * formats an empty data dir itself with a new cluster id, so `npm start` needs no format step;
 * a voter of a larger quorum needs `tributary-controller format` with the cluster's id first.
 */
export async function startCombinedController(options: StartBrokerOptions, config: BrokerConfig, voters: ReadonlyMap<number, string> | undefined): Promise<CombinedController> {
  const host = options.host ?? DEFAULT_HOST;
  await refuseEmbeddedMetadataLog(options.dataDir);
  if (voters === undefined) await formatIfEmpty(options.dataDir, config.nodeId);
  const port = voters === undefined ? (options.controllerPort ?? DEFAULT_CONTROLLER_PORT) : undefined;
  const controller = await startController({
    nodeId: config.nodeId,
    voters: voters ?? new Map([[config.nodeId, `${host}:${port}`]]),
    dataDir: options.dataDir,
    host,
    port,
    config: options.config,
    logLevel: options.logLevel,
  });
  return { controller, voters: formatQuorumVoters(voters ?? new Map([[config.nodeId, `${reachableHost(host)}:${controller.port}`]])) };
}

async function formatIfEmpty(dataDir: string, nodeId: number): Promise<void> {
  const existing = await readMetaProperties(dataDir, 'restore it or start with an empty data dir');
  if (existing === undefined) await formatControllerDir(dataDir, { clusterId: newClusterId(), nodeId });
}

/**
 * Data dirs of Tributary before the Raft controller kept the metadata as an ordinary partition
 * log in the same directory; read as a Raft log it would look empty and the broker would drop
 * every topic, so such a dir is refused.
 */
async function refuseEmbeddedMetadataLog(dataDir: string): Promise<void> {
  const dir = join(dataDir, METADATA_LOG_DIR);
  const files = await readdir(dir).catch(() => [] as string[]);
  if (files.some((name) => name.endsWith('.log'))) {
    throw new TributaryError(
      'INVALID_CONFIG',
      `${dir} holds a metadata log of the embedded controller of an earlier Tributary, which this version does not read; move ${dataDir} aside and start with an empty data dir`,
    );
  }
}

