/**
 * `tributary-server`: starts a Tributary broker (with its controller, for a one-node cluster) and
 * stops it cleanly on SIGINT/SIGTERM.
 * The lines announcing where it listens go to stderr, so stdout stays pure JSON logs.
 */
import { closeOnSignals, exitOnStartFailure } from '@tributary/service-common';
import { resolve } from 'node:path';
import { parseServerArgs } from './server-args';
import { startBroker } from './start-broker';

async function main(): Promise<void> {
  const options = parseServerArgs(process.argv.slice(2));
  const broker = await startBroker(options);
  const host = options.host ?? '127.0.0.1';
  process.stderr.write(
    `Tributary is running.\n` +
      `  gRPC (broker, admin, health, reflection): ${host}:${broker.port}\n` +
      `  metrics: http://${host}:${broker.metricsPort}/metrics\n` +
      (broker.controllerPort !== undefined ? `  controller (Raft voter, ControllerService): ${host}:${broker.controllerPort}\n` : '') +
      `  data dir: ${resolve(options.dataDir)}\n` +
      `Press Ctrl-C to stop.\n`,
  );
  closeOnSignals(() => broker.close(), { stopping: 'stopping (moving leaderships, draining calls, flushing logs)...', stopped: 'Tributary stopped.' });
}

main().catch(exitOnStartFailure('tributary-server'));
