/** How a broker process is started: by the CLI (main.ts), by tests and by benchmarks. */
export interface StartBrokerOptions {
  /** Where partition logs, the metadata log and meta.properties live. */
  dataDir: string;
  /** Address to bind gRPC and metrics to; 127.0.0.1 by default. */
  host?: string;
  /** gRPC port; 9092 by default, 0 for an ephemeral port. */
  port?: number;
  /** Prometheus metrics port; 9644 by default, 0 for an ephemeral port. */
  metricsPort?: number;
  /** gRPC port of the controller when this process is the quorum's only voter; 9093 by default, 0 for an ephemeral port. */
  controllerPort?: number;
  /** Broker configs by Kafka's names, e.g. {'auto.create.topics.enable': 'false'}. */
  config?: Record<string, string>;
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  logLevel?: string;
}

export interface RunningBroker {
  /** The bound gRPC port (the ephemeral one when 0 was asked for). */
  port: number;
  metricsPort: number;
  /** The bound port of the controller running in this process (combined mode); undefined for a broker only. */
  controllerPort: number | undefined;
  /** Stops accepting, drains calls in flight, flushes and closes every log. */
  close(): Promise<void>;
}

export const BROKER_OPTIONS = Symbol('BROKER_OPTIONS');

export const DEFAULT_GRPC_PORT = 9092;
export const DEFAULT_METRICS_PORT = 9644;
export const DEFAULT_HOST = '127.0.0.1';
