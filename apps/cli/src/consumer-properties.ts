import type { ConsumerOptions, OffsetResetPolicy } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';

/**
 * Consumer configs accepted but without effect: the broker is --bootstrap-server, keys and values
 * print as UTF-8, offsets are committed only by consumer groups, and with no transactions yet
 * read_committed and read_uncommitted both read every record.
 */
const ACCEPTED_WITHOUT_EFFECT = new Set(['bootstrap.servers', 'client.id', 'key.deserializer', 'value.deserializer', 'enable.auto.commit', 'auto.commit.interval.ms']);

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
        throw groupsNotSupported();
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

export function groupsNotSupported(): TributaryError {
  return new TributaryError('INVALID_REQUEST', 'consumer groups (--group, group.id) are not supported yet (issue 5, consumer groups); consume with --partition/--offset or --from-beginning instead');
}

function offsetReset(value: string): OffsetResetPolicy {
  if (value === 'earliest' || value === 'latest' || value === 'none') return value;
  throw new TributaryError('INVALID_CONFIG', `auto.offset.reset must be earliest, latest or none, not "${value}"`);
}

function integer(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TributaryError('INVALID_CONFIG', `${name} must be a non-negative integer, not "${value}"`);
  return n;
}
