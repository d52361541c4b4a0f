import { TributaryError } from '@tributary/protocol';

/**
 * Parses Kafka's controller.quorum.voters: `id@host:port` entries separated by commas, e.g.
 * `1@127.0.0.1:9093,2@127.0.0.1:9094,3@127.0.0.1:9095`. Returns node id → "host:port".
 */
export function parseQuorumVoters(text: string): Map<number, string> {
  const voters = new Map<number, string>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    const match = /^(\d+)@(.+):(\d+)$/.exec(entry);
    const id = Number(match?.[1]);
    const port = Number(match?.[3]);
    if (!match || id < 1 || id >= 2 ** 31 || port > 65535) {
      throw new TributaryError('INVALID_CONFIG', `controller.quorum.voters entry "${entry}" is not id@host:port with id >= 1 and a port in [0, 65535]`);
    }
    if (voters.has(id)) throw new TributaryError('INVALID_CONFIG', `controller.quorum.voters names node ${id} twice`);
    voters.set(id, `${match[2]}:${port}`);
  }
  return voters;
}

/** The inverse of parseQuorumVoters. */
export function formatQuorumVoters(voters: ReadonlyMap<number, string>): string {
  return [...voters].map(([id, address]) => `${id}@${address}`).join(',');
}
