import { Command, InvalidArgumentError } from 'commander';
import { collectConfig, parsePort } from '@tributary/service-common';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONTROLLER_PORT } from '@tributary/controller';
import { DEFAULT_REST_PORT } from '@tributary/schema-registry';
import { DEFAULT_GRPC_PORT, DEFAULT_HOST, DEFAULT_METRICS_PORT, type StartBrokerOptions } from '@tributary/broker';

/**
 * Parses Kafka's server.properties format: `key=value` or `key: value` lines, `#`/`!` comments,
 * blank lines ignored. Multi-line continuations and escapes are not supported.
 */
export function parseProperties(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const separator = line.search(/[=:]/);
    if (separator <= 0) throw new InvalidArgumentError(`cannot read the properties line "${line}": expected key=value`);
    entries[line.slice(0, separator).trim()] = line.slice(separator + 1).trim();
  }
  return entries;
}

/** What `tributary-server` runs: the broker, and unless told not to, a schema registry beside it. */
export interface ServerCommand {
  broker: StartBrokerOptions;
  /** The registry's REST port (its gRPC port is any free one); absent with --no-schema-registry. */
  schemaRegistry?: { port: number };
}

/** `tributary-server` flags; --config entries override --config-file. */
export function parseServerArgs(argv: readonly string[]): ServerCommand {
  const program = new Command('tributary-server')
    .description('Runs a Tributary broker; unless controller.quorum.voters names other controllers, its controller runs in the same process (a one-node cluster).')
    .option('--data-dir <dir>', 'where logs and metadata are kept', './data')
    .option('--host <host>', 'address to listen on', DEFAULT_HOST)
    .option('--port <port>', 'gRPC port (0: any free port)', parsePort, DEFAULT_GRPC_PORT)
    .option('--metrics-port <port>', 'Prometheus metrics port (0: any free port)', parsePort, DEFAULT_METRICS_PORT)
    .option('--controller-port <port>', 'gRPC port of the controller when this node is the only one (0: any free port)', parsePort, DEFAULT_CONTROLLER_PORT)
    .option('--schema-registry-port <port>', 'REST port of the schema registry run beside the broker (0: any free port)', parsePort, DEFAULT_REST_PORT)
    .option('--no-schema-registry', 'run no schema registry in this process')
    .option('--config-file <file>', "broker configs in Kafka's server.properties format")
    .option('--config <key=value>', 'a broker config by its Kafka name; repeatable', collectConfig, {})
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .exitOverride()
    .parse(argv, { from: 'user' });
  const flags = program.opts<{
    dataDir: string;
    host: string;
    port: number;
    metricsPort: number;
    controllerPort: number;
    schemaRegistry: boolean;
    schemaRegistryPort: number;
    configFile?: string;
    config: Record<string, string>;
    logLevel: string;
  }>();
  const fromFile = flags.configFile ? parseProperties(readFileSync(flags.configFile, 'utf8')) : {};
  return {
    broker: {
      dataDir: flags.dataDir,
      host: flags.host,
      port: flags.port,
      metricsPort: flags.metricsPort,
      controllerPort: flags.controllerPort,
      config: { ...fromFile, ...flags.config },
      logLevel: flags.logLevel,
    },
    ...(flags.schemaRegistry ? { schemaRegistry: { port: flags.schemaRegistryPort } } : {}),
  };
}
