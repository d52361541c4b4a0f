import { join } from 'node:path';
import { freePort } from '@tributary/testing';
import { ServerProcess } from './server-process';

const SERVER_BIN = join(__dirname, '..', 'apps', 'server', 'bin', 'tributary-server.js');

/**
 * A Tributary broker in its own process (the same bin shim `npm start` runs) on a free loopback
 * port with a fresh temp data directory and the default flush policy (unless `config`, broker
 * configs by their Kafka names, says otherwise), so the benchmark's own CPU use is not counted
 * against the broker.
 */
export async function startTributaryServer(options: { cpuProfileDir?: string; config?: Record<string, string> } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  const controllerPort = await freePort();
  return ServerProcess.start({
    name: 'tributary-server',
    command: process.execPath,
    port,
    args: (dataDir) => [
      ...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : []),
      SERVER_BIN, '--data-dir', dataDir, '--port', String(port), '--metrics-port', String(metricsPort),
      '--controller-port', String(controllerPort),
      '--no-schema-registry',
      ...Object.entries(options.config ?? {}).flatMap(([key, value]) => ['--config', `${key}=${value}`]),
    ],
  });
}
