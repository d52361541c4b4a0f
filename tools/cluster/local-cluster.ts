/**
 * `npm run cluster`: a local Tributary cluster of separate processes — 3 controllers (a Raft
 * quorum) and 3 brokers — on loopback with fixed ports and their own data dirs under
 * ./data/cluster (kept between runs), topics replicated 3 ways by default with
 * min.insync.replicas=2. Ctrl-C stops the brokers (controlled shutdown), then the controllers.
 */
import { ProcessCluster, type NodeName } from '@tributary/testing';
import { resolve } from 'node:path';

const ROOT = resolve(process.argv[2] ?? './data/cluster');
const CONFIG = { 'default.replication.factor': '3', 'min.insync.replicas': '2', 'num.partitions': '3' };

/** broker-N on 9092 + 100·(N-1), controller-N on 9093 + 100·(N-1). */
function portOf(name: NodeName): number {
  const [kind, id] = name.split('-');
  return (kind === 'broker' ? 9092 : 9093) + 100 * (Number(id) - 1);
}

async function main(): Promise<void> {
  process.stderr.write(`starting 3 controllers and 3 brokers (data in ${ROOT})...\n`);
  const cluster = await ProcessCluster.start({ controllers: 3, brokers: 3, root: ROOT, config: CONFIG, clusterId: 'local-cluster', logLevel: 'warn', portOf });
  process.stderr.write(
    `Tributary cluster is running.\n` +
      `  brokers (--bootstrap-server): ${cluster.bootstrapServers}\n` +
      `  controllers (--bootstrap-controller, controller.quorum.voters): ${cluster.quorumVoters}\n` +
      `  defaults: ${Object.entries(CONFIG).map(([k, v]) => `${k}=${v}`).join(' ')}\n` +
      `Press Ctrl-C to stop.\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('stopping brokers, then controllers...\n');
    cluster.stop().then(
      () => {
        process.stderr.write('Tributary cluster stopped.\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`stopping failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`tributary cluster: ${(error as Error).message}\n`);
  process.exit(1);
});
