/**
 * `tributary-server`: starts a single-node Tributary and stops it cleanly on SIGINT/SIGTERM.
 * The lines announcing where it listens go to stderr, so stdout stays pure JSON logs.
 */
import { CommanderError } from 'commander';
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
      `  data dir: ${resolve(options.dataDir)}\n` +
      `Press Ctrl-C to stop.\n`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping (draining calls, flushing logs)...\n`);
    broker.close().then(
      () => {
        process.stderr.write('Tributary stopped.\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`Stopping failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.stderr.write(`tributary-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
