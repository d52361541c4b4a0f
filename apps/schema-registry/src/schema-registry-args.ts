import { Command, InvalidArgumentError } from 'commander';
import { parsePort } from '@tributary/service-common';
import { DEFAULT_GRPC_PORT, DEFAULT_HOST, DEFAULT_REST_PORT, DEFAULT_SCHEMAS_TOPIC, DEFAULT_TIMEOUT_MS, type StartSchemaRegistryOptions } from './schema-registry-options';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${value} is not a positive integer`);
  return n;
}

function bool(value: string): boolean {
  if (value !== 'true' && value !== 'false') throw new InvalidArgumentError(`${value} is not true or false`);
  return value === 'true';
}

/** `tributary-schema-registry --bootstrap-server host:port [flags]`. */
export function parseSchemaRegistryArgs(argv: readonly string[]): StartSchemaRegistryOptions {
  const flags = new Command('tributary-schema-registry')
    .description('Runs a Confluent-compatible schema registry (REST and gRPC) storing its schemas in the cluster\'s _schemas topic.')
    .option('--bootstrap-server <host:port[,host:port…]>', 'brokers of the cluster holding the schemas topic (kafkastore.bootstrap.servers)', '127.0.0.1:9092')
    .option('--host <host>', 'address to listen on', DEFAULT_HOST)
    .option('--port <port>', 'REST port', parsePort, DEFAULT_REST_PORT)
    .option('--grpc-port <port>', 'gRPC port (SchemaRegistryService, health, reflection)', parsePort, DEFAULT_GRPC_PORT)
    .option('--advertised-url <url>', 'the REST base URL other instances forward writes to (default http://<host>:<port>)')
    .option('--leader-eligibility <true|false>', 'whether this instance may be the writer (leader.eligibility)', bool, true)
    .option('--topic <name>', 'the compacted topic holding the registry (kafkastore.topic)', DEFAULT_SCHEMAS_TOPIC)
    .option('--topic-replication-factor <n>', 'replicas of the topic when it is created (default min(3, brokers))', positive)
    .option('--timeout-ms <ms>', 'how long a write waits for the log and a forwarded request for the leader', positive, DEFAULT_TIMEOUT_MS)
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .exitOverride()
    .parse(argv, { from: 'user' })
    .opts<{
      bootstrapServer: string;
      host: string;
      port: number;
      grpcPort: number;
      advertisedUrl?: string;
      leaderEligibility: boolean;
      topic: string;
      topicReplicationFactor?: number;
      timeoutMs: number;
      logLevel: string;
    }>();
  return {
    bootstrapServers: flags.bootstrapServer,
    host: flags.host,
    port: flags.port,
    grpcPort: flags.grpcPort,
    ...(flags.advertisedUrl ? { advertisedUrl: flags.advertisedUrl } : {}),
    leaderEligibility: flags.leaderEligibility,
    topic: flags.topic,
    ...(flags.topicReplicationFactor ? { topicReplicationFactor: flags.topicReplicationFactor } : {}),
    timeoutMs: flags.timeoutMs,
    logLevel: flags.logLevel,
  };
}
