import type { CompressionName } from '@tributary/client';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RedisDurability } from './redis-server';

export type SystemId = 'tributary' | RedisDurability;

export interface BenchOptions {
  sizesBytes: number[];
  /** Records per size; undefined picks recordCountFor(size). */
  recordCount?: number;
  systems: SystemId[];
  lingerMs: number;
  batchSizeBytes: number;
  compression: CompressionName;
  maxInFlight: number;
  redisPipelineSize: number;
  redisPipelinesInFlight: number;
  redisReadCount: number;
  e2eRatePerSec: number;
  e2eDurationMs: number;
  seed: number;
  /** Where the broker process writes a V8 CPU profile (node --cpu-prof), if anywhere. */
  cpuProfileDir?: string;
}

export const USAGE = `Usage: npm run bench -- [options]
Produce/consume throughput and latency of Tributary beside Redis Streams (ioredis), one producer.

  --sizes B,B,...            record value sizes in bytes (default 100,1024)
  --records N                records per size (default: 512 MiB worth, at most 3,000,000)
  --systems S,S,...          tributary, memory-only, aof-everysec (default: all three;
                             the last two are Redis without persistence and with appendfsync everysec)
  --linger-ms N              Tributary producer lingerMs (default 5)
  --batch-size B             Tributary producer batchSize in bytes (default 1048576)
  --max-in-flight N          Tributary producer maxInFlightPerPartition (default 5)
  --compression C            Tributary producer compression: none, gzip, snappy, lz4, zstd (default none)
  --redis-pipeline N         XADDs per Redis pipeline (default 1000)
  --redis-pipelines N        Redis pipelines in flight (default 4)
  --redis-read-count N       COUNT per XREAD (default 10000)
  --e2e-rate N               records/s of the end-to-end latency run; 0 skips it (default 10000)
  --e2e-seconds N            length of the end-to-end latency run (default 5)
  --seed N                   seed of the payload's PRNG (default 1)
  --cpu-prof-dir DIR         write the broker's CPU profile (node --cpu-prof) into DIR; profile the
                             client side with: node --cpu-prof --cpu-prof-dir DIR bench/run.js ...
  --help                     show this text

Prerequisite: redis-server on PATH (Debian/Ubuntu: sudo apt-get install -y redis-server).`;

const SYSTEM_IDS: readonly SystemId[] = ['tributary', 'memory-only', 'aof-everysec'];
const COMPRESSIONS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const DEFAULT_BYTES_PER_SIZE = 512 * 1024 * 1024;
const DEFAULT_RECORD_COUNT_MAX = 3_000_000;

/** Parsed flags, or null when --help was asked for. Throws on a bad flag with what to fix. */
export function parseBenchOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      sizes: { type: 'string', default: '100,1024' },
      records: { type: 'string' },
      systems: { type: 'string', default: SYSTEM_IDS.join(',') },
      'linger-ms': { type: 'string', default: '5' },
      'batch-size': { type: 'string', default: '1048576' },
      compression: { type: 'string', default: 'none' },
      'max-in-flight': { type: 'string', default: '5' },
      'redis-pipeline': { type: 'string', default: '1000' },
      'redis-pipelines': { type: 'string', default: '4' },
      'redis-read-count': { type: 'string', default: '10000' },
      'e2e-rate': { type: 'string', default: '10000' },
      'e2e-seconds': { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
      'cpu-prof-dir': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return null;
  const systems = list(values.systems).map((id) => {
    if (!SYSTEM_IDS.includes(id as SystemId)) throw new Error(`--systems: unknown system "${id}"; use ${SYSTEM_IDS.join(', ')}`);
    return id as SystemId;
  });
  if (!COMPRESSIONS.includes(values.compression as CompressionName)) {
    throw new Error(`--compression: unknown codec "${values.compression}"; use ${COMPRESSIONS.join(', ')}`);
  }
  return {
    sizesBytes: list(values.sizes).map((size) => integer('--sizes', size, 8)),
    recordCount: values.records === undefined ? undefined : integer('--records', values.records, 1),
    systems,
    lingerMs: integer('--linger-ms', values['linger-ms'], 0),
    batchSizeBytes: integer('--batch-size', values['batch-size'], 1),
    compression: values.compression as CompressionName,
    maxInFlight: integer('--max-in-flight', values['max-in-flight'], 1),
    redisPipelineSize: integer('--redis-pipeline', values['redis-pipeline'], 1),
    redisPipelinesInFlight: integer('--redis-pipelines', values['redis-pipelines'], 1),
    redisReadCount: integer('--redis-read-count', values['redis-read-count'], 1),
    e2eRatePerSec: integer('--e2e-rate', values['e2e-rate'], 0),
    e2eDurationMs: integer('--e2e-seconds', values['e2e-seconds'], 1) * 1000,
    seed: integer('--seed', values.seed, 0),
    cpuProfileDir: values['cpu-prof-dir'] === undefined ? undefined : resolve(values['cpu-prof-dir']),
  };
}

/** Records per size when --records is not given: enough for a few seconds at a good rate. */
export function recordCountFor(options: BenchOptions, sizeBytes: number): number {
  return options.recordCount ?? Math.min(DEFAULT_RECORD_COUNT_MAX, Math.floor(DEFAULT_BYTES_PER_SIZE / sizeBytes));
}

function list(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}

function integer(flag: string, value: string, min: number): number {
  const parsed = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(parsed) || parsed < min) throw new Error(`${flag}: expected an integer >= ${min}, got "${value}"`);
  return parsed;
}
