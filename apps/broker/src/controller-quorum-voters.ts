import { TributaryError } from '@tributary/protocol';
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
  const voters = new Map<number, string>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    const match = /^(\d+)@(.+):(\d+)$/.exec(entry);
    const id = Number(match?.[1]);
    const port = Number(match?.[3]);
    if (!match || id < 1 || id >= 2 ** 31 || port > 65535) {
      throw new TributaryError('INVALID_CONFIG', `${CONTROLLER_QUORUM_VOTERS} entry "${entry}" is not id@host:port with id >= 1 and a port in [0, 65535]`);
    }
    if (voters.has(id)) throw new TributaryError('INVALID_CONFIG', `${CONTROLLER_QUORUM_VOTERS} names node ${id} twice`);
    voters.set(id, `${match[2]}:${port}`);
  }
  return voters;
}
