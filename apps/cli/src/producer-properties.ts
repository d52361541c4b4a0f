import type { Acks, CompressionName, ProducerOptions } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';

/**
 * Maps Kafka producer property names (acks, linger.ms, batch.size, compression.type,
 * enable.idempotence, retries, …) onto ProducerOptions, refusing names it does not know.
 */
export function producerProperties(properties: Map<string, string>, defaults: ProducerOptions = {}): ProducerOptions {
  const options: ProducerOptions = { ...defaults };
  for (const [name, value] of properties) {
    switch (name) {
      case 'acks':
        options.acks = parseAcks(value);
        break;
      case 'linger.ms':
        options.lingerMs = integer(name, value);
        break;
      case 'batch.size':
        options.batchSize = integer(name, value);
        break;
      case 'compression.type':
        options.compression = compression(value);
        break;
      case 'enable.idempotence':
        options.idempotent = boolean(name, value);
        break;
      case 'retries':
        options.retries = integer(name, value);
        break;
      case 'retry.backoff.ms':
        options.retryBackoffMs = integer(name, value);
        break;
      case 'delivery.timeout.ms':
        options.deliveryTimeoutMs = integer(name, value);
        break;
      case 'request.timeout.ms':
        options.requestTimeoutMs = integer(name, value);
        break;
      case 'max.in.flight.requests.per.connection':
        options.maxInFlightPerPartition = integer(name, value);
        break;
      case 'buffer.memory':
        options.bufferMemoryBytes = integer(name, value);
        break;
      case 'max.request.size':
        options.maxRequestBytes = integer(name, value);
        break;
      case 'bootstrap.servers':
      case 'client.id':
      case 'key.serializer':
      case 'value.serializer':
        break;
      default:
        throw new TributaryError('INVALID_CONFIG', `unknown producer property "${name}"`);
    }
  }
  return options;
}

function parseAcks(value: string): Acks {
  if (value === 'all' || value === '-1') return 'all';
  if (value === '0' || value === '1') return Number(value) as 0 | 1;
  throw new TributaryError('INVALID_CONFIG', `acks must be 0, 1, -1 or all, not "${value}"`);
}

const COMPRESSION_NAMES: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

function compression(value: string): CompressionName {
  const name = COMPRESSION_NAMES.find((n) => n === value);
  if (!name) throw new TributaryError('INVALID_CONFIG', `compression.type must be one of ${COMPRESSION_NAMES.join(', ')}, not "${value}"`);
  return name;
}

function integer(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new TributaryError('INVALID_CONFIG', `${name} must be an integer, not "${value}"`);
  return n;
}

function boolean(name: string, value: string): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new TributaryError('INVALID_CONFIG', `${name} must be true or false, not "${value}"`);
}
