/**
 * Metadata commit latency and throughput of a 3-voter controller quorum on loopback: three
 * tributary-controller processes (libs/testing's ProcessCluster, the bin shims users run), and
 * this process calling the active controller's AllocateProducerIds — the smallest metadata
 * change: one ProducerIds record, decided, replicated to a majority (WAL fsync on each voter)
 * and applied before the answer.
 *
 *   npm run bench:metadata [-- --sequential 2000 --concurrency 64 --seconds 5]
 */
import { credentials } from '@grpc/grpc-js';
import { ControllerServiceClient } from '@tributary/proto';
import { callUnary } from '@tributary/service-common';
import { ProcessCluster, type NodeName } from '@tributary/testing';
import { Command } from 'commander';
import { positiveInteger } from './positive-integer';
import { formatTable } from './format-table';
import { LatencyHistogram } from './latency-histogram';

interface Options {
  sequential: number;
  concurrency: number;
  seconds: number;
}

function parseOptions(): Options {
  return new Command('bench:metadata')
    .description('Metadata commit latency (one request at a time) and throughput (many in flight) of a 3-controller quorum.')
    .option('--sequential <n>', 'requests sent one after another for the latency figures', positiveInteger, 2_000)
    .option('--concurrency <n>', 'requests in flight for the throughput figure', positiveInteger, 64)
    .option('--seconds <n>', 'length of the throughput run', positiveInteger, 5)
    .parse()
    .opts<Options>();
}

async function activeController(cluster: ProcessCluster): Promise<{ id: number; client: ControllerServiceClient }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    for (const id of cluster.controllerIds) {
      const client = new ControllerServiceClient(cluster.address(`controller-${id}` as NodeName), credentials.createInsecure());
      const view = await callUnary(client, 'describeQuorum', {}).catch(() => undefined);
      if (view && view.leaderId === view.nodeId) return { id, client };
      client.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no controller became the leader');
}

/** One metadata change, timed into `latencies`. */
async function change(client: ControllerServiceClient, latencies: LatencyHistogram): Promise<void> {
  const startMs = performance.now();
  await callUnary(client, 'allocateProducerIds', { brokerId: 1, blockSize: 0 });
  latencies.recordMs(performance.now() - startMs);
}

async function sequential(client: ControllerServiceClient, count: number): Promise<{ latencies: LatencyHistogram; seconds: number }> {
  const latencies = new LatencyHistogram();
  const startMs = performance.now();
  for (let i = 0; i < count; i++) await change(client, latencies);
  return { latencies, seconds: (performance.now() - startMs) / 1000 };
}

async function concurrent(client: ControllerServiceClient, concurrency: number, seconds: number): Promise<{ latencies: LatencyHistogram; seconds: number }> {
  const latencies = new LatencyHistogram();
  const startMs = performance.now();
  const endMs = startMs + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < endMs) await change(client, latencies);
    }),
  );
  return { latencies, seconds: (performance.now() - startMs) / 1000 };
}

function row(name: string, run: { latencies: LatencyHistogram; seconds: number }): string[] {
  const { latencies, seconds } = run;
  return [name, String(latencies.count), (latencies.count / seconds).toFixed(0), latencies.percentileMs(50).toFixed(2), latencies.percentileMs(99).toFixed(2), latencies.percentileMs(100).toFixed(2)];
}

async function main(): Promise<void> {
  const options = parseOptions();
  process.stderr.write('starting 3 controllers...\n');
  const cluster = await ProcessCluster.start({ controllers: 3, brokers: 0 });
  const stop = () => void cluster.destroy().then(() => process.exit(130));
  process.once('SIGINT', stop);
  try {
    const { id, client } = await activeController(cluster);
    process.stderr.write(`controller ${id} leads; warming up...\n`);
    await sequential(client, Math.min(200, options.sequential));
    process.stderr.write(`${options.sequential} changes one at a time...\n`);
    const one = await sequential(client, options.sequential);
    process.stderr.write(`${options.concurrency} in flight for ${options.seconds} s...\n`);
    const many = await concurrent(client, options.concurrency, options.seconds);
    client.close();
    console.log('Metadata commits on a 3-voter quorum (separate processes, loopback, WAL fsync per append):');
    console.log(formatTable(['run', 'changes', 'changes/s', 'p50 ms', 'p99 ms', 'max ms'], [row('one at a time', one), row(`${options.concurrency} in flight`, many)]));
  } finally {
    process.off('SIGINT', stop);
    await cluster.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
