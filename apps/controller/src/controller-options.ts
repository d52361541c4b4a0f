/** How a controller process is started: by the CLI (main.ts), by tests and by benchmarks. */
export interface StartControllerOptions {
  /** This controller's node id; must be one of `voters`. */
  nodeId: number;
  /** Every controller: node id → "host:port" (Kafka's controller.quorum.voters). */
  voters: ReadonlyMap<number, string>;
  /** Holds meta.properties (written by `format`) and the metadata log `__cluster_metadata-0/`. */
  dataDir: string;
  /** Address to bind gRPC to; 127.0.0.1 by default. */
  host?: string;
  /** gRPC port; by default the port of this node in `voters`. */
  port?: number;
  /** Broker configs by Kafka's names: placement defaults (num.partitions, default.replication.factor),
   * broker.heartbeat.interval.ms, broker.session.timeout.ms, delete.topic.enable … */
  config?: Record<string, string>;
  /** Raft timing: a tick every `tickIntervalMs` (default 100), election after `electionTick` (10) ticks. */
  tickIntervalMs?: number;
  electionTick?: number;
  /** A Raft snapshot every this many applied entries (default 10 000). */
  snapshotEntries?: number;
  /** Metadata batches kept for FetchMetadata followers; one further behind get a snapshot (default 10 000). */
  retainedBatchesMax?: number;
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  logLevel?: string;
}

export interface RunningController {
  /** The bound gRPC port. */
  port: number;
  /** Stops serving, ends FetchMetadata streams, stops the Raft node and closes its files. */
  close(): Promise<void>;
}

export const CONTROLLER_OPTIONS = Symbol('CONTROLLER_OPTIONS');
export const CONTROLLER_LOGGER = Symbol('CONTROLLER_LOGGER');
export const CONTROLLER_CLUSTER_ID = Symbol('CONTROLLER_CLUSTER_ID');

export const DEFAULT_CONTROLLER_PORT = 9093;
/** Kafka's name for the metadata log's directory inside a data dir. */
export const METADATA_LOG_DIR = '__cluster_metadata-0';
export const DEFAULT_HOST = '127.0.0.1';
