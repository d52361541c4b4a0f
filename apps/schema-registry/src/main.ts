/**
 * `tributary-schema-registry`: runs one registry instance and stops it cleanly on SIGINT/SIGTERM.
 * The lines announcing where it listens go to stderr, so stdout stays pure JSON logs.
 */
import { closeOnSignals, exitOnStartFailure } from '@tributary/service-common';
import { parseSchemaRegistryArgs } from './schema-registry-args';
import { startSchemaRegistry } from './start-schema-registry';

async function main(): Promise<void> {
  const options = parseSchemaRegistryArgs(process.argv.slice(2));
  const registry = await startSchemaRegistry(options);
  process.stderr.write(
    `Tributary schema registry is running.\n` +
      `  REST (Confluent Schema Registry API): ${registry.url}\n` +
      `  gRPC (schema registry, health, reflection): ${options.host}:${registry.grpcPort}\n` +
      `  schemas topic: ${options.topic} on ${options.bootstrapServers}\n`,
  );
  closeOnSignals(() => registry.close(), { stopping: 'stopping...' });
}

main().catch(exitOnStartFailure('tributary-schema-registry'));
