/**
 * `tributary-controller`: formats a controller's data dir, or runs the controller and stops it
 * cleanly on SIGINT/SIGTERM. The lines announcing where it listens go to stderr, so stdout stays
 * pure JSON logs.
 */
import { resolve } from 'node:path';
import { parseControllerArgs } from './controller-args';
import { formatControllerDir } from './controller-meta-properties';
import { closeOnSignals, exitOnStartFailure, formatQuorumVoters } from '@tributary/service-common';
import { startController } from './start-controller';

async function main(): Promise<void> {
  const command = parseControllerArgs(process.argv.slice(2));
  if (command.kind === 'format') {
    await formatControllerDir(command.dataDir, command);
    process.stderr.write(`Formatted ${resolve(command.dataDir)} for cluster ${command.clusterId}, node ${command.nodeId}.\n`);
    return;
  }
  const { options } = command;
  if (command.format) await formatControllerDir(options.dataDir, { clusterId: command.format.clusterId, nodeId: options.nodeId });
  const controller = await startController(options);
  process.stderr.write(
    `Tributary controller ${options.nodeId} is running.\n` +
      `  gRPC (controller, raft, health, reflection): ${options.host}:${controller.port}\n` +
      `  voters: ${formatQuorumVoters(options.voters)}\n` +
      `  data dir: ${resolve(options.dataDir)}\n`,
  );
  closeOnSignals(() => controller.close(), { stopping: 'stopping...' });
}

main().catch(exitOnStartFailure('tributary-controller'));
