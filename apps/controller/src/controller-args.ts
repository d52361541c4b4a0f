import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_HOST, type StartControllerOptions } from './controller-options';
import { collectConfig, parsePort, parseQuorumVoters } from '@tributary/service-common';

/** What the command line asks for: format a data dir, or run a controller. */
export type ControllerCommand =
  | { kind: 'format'; clusterId: string; nodeId: number; dataDir: string }
  | { kind: 'run'; options: StartControllerOptions; format?: { clusterId: string } };

function parseNodeId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) throw new InvalidArgumentError(`${value} is not a node id (an integer >= 1)`);
  return id;
}

/**
 * `tributary-controller [run flags]` runs a controller; `tributary-controller format --cluster-id X
 * --node-id N --data-dir D` only formats; `--format --cluster-id X` with the run flags formats
 * (when the dir is empty) and then runs.
 */
export function parseControllerArgs(argv: readonly string[]): ControllerCommand {
  let command: ControllerCommand | undefined;
  const program = new Command('tributary-controller')
    .description('Runs one controller of the Tributary metadata quorum (a Raft voter).')
    .enablePositionalOptions()
    .option('--node-id <id>', 'this controller\'s node id, one of the voters', parseNodeId)
    .option('--controller-quorum-voters <voters>', 'every controller as id@host:port, comma-separated (Kafka\'s controller.quorum.voters)')
    .option('--data-dir <dir>', 'where meta.properties and the metadata log are kept', './data/controller')
    .option('--host <host>', 'address to listen on', DEFAULT_HOST)
    .option('--port <port>', 'gRPC port (default: this node\'s port in the voters)', parsePort)
    .option('--format', 'format the data dir first (needs --cluster-id); a dir formatted already for the same cluster and node is kept')
    .option('--cluster-id <id>', 'the cluster id to format with; the same on every controller')
    .option('--config <key=value>', 'a broker config by its Kafka name; repeatable', collectConfig, {})
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .exitOverride()
    .action((flags: RunFlags) => {
      command = runCommand(flags);
    });
  program
    .command('format')
    .description('Writes meta.properties (cluster id, node id) into an empty data dir.')
    .requiredOption('--cluster-id <id>', 'the cluster id; the same on every controller')
    .requiredOption('--node-id <id>', 'this controller\'s node id', parseNodeId)
    .option('--data-dir <dir>', 'the data dir to format', './data/controller')
    .exitOverride()
    .action((flags: { clusterId: string; nodeId: number; dataDir: string }) => {
      command = { kind: 'format', ...flags };
    });
  program.parse(argv, { from: 'user' });
  return command as ControllerCommand;
}

interface RunFlags {
  nodeId?: number;
  controllerQuorumVoters?: string;
  dataDir: string;
  host: string;
  port?: number;
  format?: boolean;
  clusterId?: string;
  config: Record<string, string>;
  logLevel: string;
}

function runCommand(flags: RunFlags): ControllerCommand {
  if (flags.nodeId === undefined) throw new InvalidArgumentError('--node-id is required');
  if (flags.format && flags.clusterId === undefined) throw new InvalidArgumentError('--format needs --cluster-id');
  const voters = parseQuorumVoters(flags.controllerQuorumVoters ?? `${flags.nodeId}@${flags.host}:${flags.port ?? 9093}`);
  return {
    kind: 'run',
    options: {
      nodeId: flags.nodeId,
      voters,
      dataDir: flags.dataDir,
      host: flags.host,
      port: flags.port,
      config: flags.config,
      logLevel: flags.logLevel,
    },
    ...(flags.format ? { format: { clusterId: flags.clusterId as string } } : {}),
  };
}
