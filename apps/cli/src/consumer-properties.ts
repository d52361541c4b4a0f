import type { ConsumerOptions, OffsetResetPolicy } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';

/**
 * Consumer configs accepted but without effect: the broker is --bootstrap-server and keys and
 * values print as UTF-8 (isolation.level is checked, but with no transactions yet both levels
 * read every record).
 */
const ACCEPTED_WITHOUT_EFFECT = new Set(['bootstrap.servers', 'key.deserializer', 'value.deserializer']);

/**
 * Maps Kafka consumer property names (--consumer-property, --consumer.config) onto
 * ConsumerOptions, refusing names it does not know.
 */
export function consumerProperties(properties: Map<string, string>, defaults: ConsumerOptions = {}): ConsumerOptions {
  const options: ConsumerOptions = { ...defaults };
  for (const [name, value] of properties) {
    switch (name) {
      case 'auto.offset.reset':
        options.autoOffsetReset = offsetReset(value);
        break;
      case 'fetch.min.bytes':
        options.minBytes = integer(name, value);
        break;
      case 'fetch.max.wait.ms':
        options.maxWaitMs = integer(name, value);
        break;
      case 'fetch.max.bytes':
        options.maxBytes = integer(name, value);
        break;
      case 'max.partition.fetch.bytes':
        options.maxPartitionBytes = integer(name, value);
        break;
      case 'retry.backoff.ms':
        options.retryBackoffMs = integer(name, value);
        break;
      case 'isolation.level':
        isolationLevel(value);
        break;
      case 'group.id':
        options.groupId = value;
        break;
      case 'group.instance.id':
        options.groupInstanceId = value;
        break;
      case 'enable.auto.commit':
        options.autoCommit = boolean(name, value);
        break;
      case 'auto.commit.interval.ms':
        options.autoCommitIntervalMs = integer(name, value);
        break;
      case 'max.poll.interval.ms':
        options.rebalanceTimeoutMs = integer(name, value);
        break;
      case 'group.remote.assignor':
        options.groupRemoteAssignor = assignor(value);
        break;
      case 'group.protocol':
        // Groups here are Kafka 4's consumer protocol (KIP-848); there is no classic protocol.
        if (value.toLowerCase() !== 'consumer') throw new TributaryError('INVALID_CONFIG', `group.protocol must be consumer (KIP-848), not "${value}"`);
        break;
      case 'client.id':
        options.clientId = value;
        break;
      default:
        if (!ACCEPTED_WITHOUT_EFFECT.has(name)) throw new TributaryError('INVALID_CONFIG', `unknown consumer property "${name}"`);
    }
  }
  return options;
}

/** Checks an isolation level; both levels read every record until transactions exist. */
export function isolationLevel(value: string): 'read_uncommitted' | 'read_committed' {
  if (value === 'read_uncommitted' || value === 'read_committed') return value;
  throw new TributaryError('INVALID_CONFIG', `isolation.level must be read_uncommitted or read_committed, not "${value}"`);
}

function offsetReset(value: string): OffsetResetPolicy {
  if (value === 'earliest' || value === 'latest' || value === 'none') return value;
  throw new TributaryError('INVALID_CONFIG', `auto.offset.reset must be earliest, latest or none, not "${value}"`);
}

function assignor(value: string): 'uniform' | 'range' {
  if (value === 'uniform' || value === 'range') return value;
  throw new TributaryError('INVALID_CONFIG', `group.remote.assignor must be uniform or range, not "${value}"`);
}

function boolean(name: string, value: string): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new TributaryError('INVALID_CONFIG', `${name} must be true or false, not "${value}"`);
}

function integer(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TributaryError('INVALID_CONFIG', `${name} must be a non-negative integer, not "${value}"`);
  return n;
}
