import type { BrokerConfig } from '@tributary/metadata';
import { TributaryError } from '@tributary/protocol';
import { parseQuorumVoters } from '@tributary/service-common';

/**
 * What a `tributary-server` process runs, from Kafka's process.roles and controller.quorum.voters:
 * - `broker`: a broker following the controllers of `voters`;
 * - `combined`: a controller and a broker in one process (Kafka's process.roles=broker,controller).
 *   `voters` undefined means the quorum is this node alone, on the controller port — the
 *   one-command local start.
 */
export type ProcessPlan = { kind: 'broker'; voters: ReadonlyMap<number, string> } | { kind: 'combined'; voters: ReadonlyMap<number, string> | undefined };

/**
 * Unset roles mean `broker` when voters are given and combined with a quorum of one otherwise.
 * `controller` alone is tributary-controller's job; a combined node must be one of its voters.
 */
export function planProcess(config: BrokerConfig): ProcessPlan {
  const voters = config.controllerQuorumVoters === null ? undefined : parseQuorumVoters(config.controllerQuorumVoters.join(','));
  const roles = new Set(config.processRoles ?? (voters ? ['broker'] : ['broker', 'controller']));
  if (!roles.has('broker')) {
    throw new TributaryError('INVALID_CONFIG', 'process.roles=controller runs no broker: start tributary-controller for a controller-only node, or add the broker role');
  }
  if (!roles.has('controller')) {
    if (!voters) throw new TributaryError('INVALID_CONFIG', 'process.roles=broker needs controller.quorum.voters: the controllers this broker follows, as id@host:port entries');
    return { kind: 'broker', voters };
  }
  if (voters && !voters.has(config.nodeId)) {
    throw new TributaryError('INVALID_CONFIG', `process.roles=broker,controller but node.id=${config.nodeId} is not among controller.quorum.voters (${[...voters.keys()].join(', ')}); list it there`);
  }
  return { kind: 'combined', voters };
}
