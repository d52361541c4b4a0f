/**
 * `tributary-server`: starts a Tributary broker (with its controller, for a one-node cluster)
 * and a schema registry beside it, and stops them cleanly on SIGINT/SIGTERM.
 * The lines announcing where it listens go to stderr, so stdout stays pure JSON logs.
 */
import { startSchemaRegistry, type RunningSchemaRegistry } from '@tributary/schema-registry';
import { startBroker } from '@tributary/broker';
import { closeOnSignals, exitOnStartFailure, freePort, reachableHost } from '@tributary/service-common';
import { resolve } from 'node:path';
import { parseServerArgs } from './server-args';

async function main(): Promise<void> {
  const { broker: options, schemaRegistry } = parseServerArgs(process.argv.slice(2));
  const host = options.host ?? '127.0.0.1';
  // The broker validates schema ids (key/value.schema.validation) against the registry beside it,
  // so it must know the registry's URL before the registry, one of its clients, can start.
  const registryPort = schemaRegistry && (schemaRegistry.port || (await freePort(host)));
  const config = { ...options.config };
  if (registryPort) config['schema.registry.url'] ??= `http://${reachableHost(host)}:${registryPort}`;
  const broker = await startBroker({ ...options, config });
  let registry: RunningSchemaRegistry | undefined;
  try {
    if (registryPort) {
      // Its gRPC mirror takes any free port, so a second server on one machine needs only --schema-registry-port.
      registry = await startSchemaRegistry({ bootstrapServers: `${reachableHost(host)}:${broker.port}`, host, port: registryPort, grpcPort: 0, logLevel: options.logLevel });
    }
  } catch (error) {
    await broker.close();
    throw error;
  }
  process.stderr.write(
    `Tributary is running.\n` +
      `  gRPC (broker, admin, health, reflection): ${host}:${broker.port}\n` +
      `  metrics: http://${host}:${broker.metricsPort}/metrics\n` +
      (broker.controllerPort !== undefined ? `  controller (Raft voter, ControllerService): ${host}:${broker.controllerPort}\n` : '') +
      (registry ? `  schema registry (Confluent REST API): http://${host}:${registry.port} (gRPC ${host}:${registry.grpcPort})\n` : '') +
      `  data dir: ${resolve(options.dataDir)}\n` +
      `Press Ctrl-C to stop.\n`,
  );
  closeOnSignals(
    async () => {
      await registry?.close();
      await broker.close();
    },
    { stopping: 'stopping (moving leaderships, draining calls, flushing logs)...', stopped: 'Tributary stopped.' },
  );
}


main().catch(exitOnStartFailure('tributary-server'));
