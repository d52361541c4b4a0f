/** How a schema registry is started: by its command line (main.ts), by tests and by benchmarks. */
export interface StartSchemaRegistryOptions {
  /** The cluster holding `_schemas`: "host:port[,host:port…]" of brokers. */
  bootstrapServers: string;
  /** Address to bind REST and gRPC to; 127.0.0.1 by default. */
  host?: string;
  /** REST port; 8081 by default (Confluent's), 0 for an ephemeral port. */
  port?: number;
  /** gRPC port; 8086 by default, 0 for an ephemeral port. */
  grpcPort?: number;
  /**
   * The REST base URL other instances forward writes to; its identity in the leader rule.
   * Default http://<host>:<bound REST port>.
   */
  advertisedUrl?: string;
  /** Whether this instance may lead (Confluent's leader.eligibility); default true. */
  leaderEligibility?: boolean;
  /** The compacted topic of the registry (Confluent's kafkastore.topic); default `_schemas`. */
  topic?: string;
  /** Replicas of the topic when it is created; default min(3, brokers). */
  topicReplicationFactor?: number;
  /** How long a write may wait for the log, and a forwarded request for the leader (ms); default 10000. */
  timeoutMs?: number;
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  logLevel?: string;
}

export interface RunningSchemaRegistry {
  /** The bound REST port. */
  port: number;
  /** The bound gRPC port. */
  grpcPort: number;
  /** This instance's REST base URL as other instances see it. */
  url: string;
  /** Leaves the leader election, stops serving and closes its clients. */
  close(): Promise<void>;
}

export const DEFAULT_REST_PORT = 8081;
export const DEFAULT_GRPC_PORT = 8086;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_SCHEMAS_TOPIC = '_schemas';
export const DEFAULT_TIMEOUT_MS = 10_000;

export const REGISTRY_OPTIONS = Symbol('REGISTRY_OPTIONS');
export const REGISTRY_LOGGER = Symbol('REGISTRY_LOGGER');
