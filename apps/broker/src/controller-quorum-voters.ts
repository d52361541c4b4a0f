import { parseQuorumVoters } from '@tributary/service-common';
import type { StartBrokerOptions } from './broker-options';

/** Kafka's name of the broker config that puts a broker in quorum mode. */
export const CONTROLLER_QUORUM_VOTERS = 'controller.quorum.voters';

/**
 * The controllers a broker follows, from Kafka's controller.quorum.voters (`id@host:port`
 * entries separated by commas, e.g. `1@127.0.0.1:9093,2@127.0.0.1:9094`): node id → "host:port".
 * Undefined when the config is unset: the broker then runs its embedded single-node controller.
 */
export function controllerQuorumVoters(options: StartBrokerOptions): Map<number, string> | undefined {
  const text = options.config?.[CONTROLLER_QUORUM_VOTERS]?.trim();
  if (text === undefined || text === '') return undefined;
  return parseQuorumVoters(text);
}
