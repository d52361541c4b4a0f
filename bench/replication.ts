/**
 * What replication costs one producer, and how long a partition is unwritable when its leader
 * dies. In one run:
 *
 *   1. acks=1 throughput against a single broker (one tributary-server process, RF=1: the
 *      `npm run bench` setup);
 *   2. acks=all (idempotent) and acks=1 throughput into an RF=3 topic on a local cluster with
 *      min.insync.replicas=2 (libs/testing's ProcessCluster: 3 controller and 3 broker processes);
 *   3. failover, repeated: while an acks=all producer keeps records in flight, SIGKILL of the
 *      partition's leader, then the time until a surviving broker's metadata names a new leader
 *      and until a record handed to the producer after the kill is acknowledged; the killed broker
 *      is restarted and must be back in the ISR before the next kill.
 *
 *   npm run bench:replication [-- --size 100 --records 2000000 --failovers 3]
 *   npm run bench:replication -- --config broker.session.timeout.ms=3000 --config broker.heartbeat.interval.ms=500
 */
import { Tributary, type Acks, type Admin, type Producer, type ProducerRecord } from '@tributary/client';
import { BROKER_CONFIG_DEFS_BY_NAME } from '@tributary/metadata';
import type { PartitionDescription } from '@tributary/proto';
import { ProcessCluster, type NodeName } from '@tributary/testing';
import { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { parseBenchOptions } from './bench-options';
import { configEntry } from './config-entry';
import { formatTable } from './format-table';
import { makePayload } from './payload';
import { positiveInteger } from './positive-integer';
import { describeMachine, gitRevision } from './run-environment';
import { ServerProcess, stopServersOnSignals } from './server-process';
import type { ProduceResult } from './streams-system';
import { count, mibPerSec, ms, progress, ratio, recordsPerSec, spreadRow, WARM_UP_FRACTION } from './throughput-figures';
import { startTributaryServer } from './tributary-server';
import { TributarySystem } from './tributary-system';
import { waitFor } from './wait-for';

interface Options {
  size: number;
  records: number;
  failovers: number;
  config: Record<string, string>;
}

const REPLICATION_FACTOR = 3;
const CLUSTER_CONFIG: Record<string, string> = {
  'min.insync.replicas': '2',
  // A preferred-leader move between picking the leader to kill and the kill would time the kill of a follower.
  'auto.leader.rebalance.enable': 'false',
};
/** Shown with the results: they decide how fast a dead leader is noticed and a lagging follower dropped. */
const FAILOVER_CONFIGS = ['broker.session.timeout.ms', 'broker.heartbeat.interval.ms', 'replica.lag.time.max.ms'];
const FAILOVER_TOPIC = 'bench-failover';
/** Records the failover workload keeps outstanding, so the leader dies with produce calls in flight, as under load. */
const FAILOVER_IN_FLIGHT = 8;
/** Acknowledgements the workload must see with the ISR full before a kill: the producer then writes to the current leader. */
const STEADY_ACKS = 50;

function parseOptions(): Options {
  return new Command('bench:replication')
    .description(
      'acks=all throughput on 3 brokers (RF=3, min.insync.replicas=2) beside acks=1 on one broker, and the time from SIGKILL of a partition leader to the first acknowledged acks=all produce.',
    )
    .option('--size <bytes>', 'record value size', positiveInteger, 100)
    .option('--records <n>', 'records per throughput run, after an unmeasured tenth as warm-up', positiveInteger, 2_000_000)
    .option('--failovers <n>', 'leader kills, each followed by a restart of the killed broker', positiveInteger, 3)
    .option('--config <key=value>', 'a config for every cluster node, e.g. broker.session.timeout.ms=3000 (repeatable)', configEntry, {})
    .parse()
    .opts<Options>();
}

let cluster: ProcessCluster | undefined;

async function main(): Promise<void> {
  const options = parseOptions();
  // The producer settings of `npm run bench`'s defaults, so the single-broker figure is that bench's.
  const producerDefaults = parseBenchOptions([]);
  if (!producerDefaults) throw new Error('the bench defaults asked for --help');
  const producer = {
    lingerMs: producerDefaults.lingerMs,
    batchSizeBytes: producerDefaults.batchSizeBytes,
    compression: producerDefaults.compression,
    maxInFlight: producerDefaults.maxInFlight,
  };
  const payload = makePayload(options.size, producerDefaults.seed);
  const config = { ...CLUSTER_CONFIG, ...options.config };
  const configValue = (name: string) => config[name] ?? BROKER_CONFIG_DEFS_BY_NAME.get(name)?.defaultValue ?? '(unset)';
  const minInsync = configValue('min.insync.replicas');

  console.log(describeMachine());
  console.log(`Tributary: git ${gitRevision()}`);
  console.log(
    `Producer: one, one partition, ${options.size} B values (random bytes), lingerMs=${producer.lingerMs}, batchSize=${producer.batchSizeBytes}, ` +
      `maxInFlightPerPartition=${producer.maxInFlight}, compression=${producer.compression}; acks=all is idempotent.`,
  );
  console.log(`Cluster: 3 controllers, 3 brokers, separate processes on loopback; ${Object.entries(config).map(([k, v]) => `${k}=${v}`).join(' ')}`);

  const throughput: { setup: string; acks: Acks; result: ProduceResult }[] = [];
  const server = await startTributaryServer();
  try {
    const system = new TributarySystem({ bootstrapServers: `127.0.0.1:${server.port}`, acks: 1, ...producer });
    throughput.push({ setup: '1 broker, RF=1', acks: 1, result: await measureProduce(system, '1 broker acks=1', options.records, payload) });
    await system.close();
  } finally {
    await server.stop();
  }

  process.stderr.write('starting 3 controllers and 3 brokers...\n');
  cluster = await ProcessCluster.start({ controllers: 3, brokers: 3, config });
  let failovers: Failover[];
  try {
    const replicated = `3 brokers, RF=${REPLICATION_FACTOR}, min.insync.replicas=${minInsync}`;
    for (const acks of ['all', 1] as const) {
      const system = new TributarySystem({ bootstrapServers: cluster.bootstrapServers, acks, replicationFactor: REPLICATION_FACTOR, ...producer });
      throughput.push({ setup: replicated, acks, result: await measureProduce(system, `3 brokers acks=${acks}`, options.records, payload) });
      await system.close();
    }
    failovers = await measureFailovers(cluster, options.failovers, payload);
  } finally {
    await cluster.destroy();
  }

  console.log(`\nThroughput, ${count(options.records)} records of ${options.size} B:`);
  console.log(
    formatTable(
      ['setup', 'acks', 'records/s', 'MiB/s', 'ack p50 ms', 'ack p99 ms'],
      throughput.map(({ setup, acks, result }) => [
        setup,
        String(acks),
        count(recordsPerSec(result)),
        mibPerSec(result).toFixed(1),
        ms(result.ackLatency.percentileMs(50)),
        ms(result.ackLatency.percentileMs(99)),
      ]),
    ),
  );
  const [single, all] = throughput;
  console.log(`acks=all on RF=${REPLICATION_FACTOR} / acks=1 on one broker: ${ratio(recordsPerSec(all.result), recordsPerSec(single.result))} the records/s`);

  console.log(
    `\nFailover, ${failovers.length} × SIGKILL of the partition leader (${FAILOVER_IN_FLIGHT} acks=all records in flight, lingerMs=0; ` +
      `${FAILOVER_CONFIGS.map((name) => `${name}=${configValue(name)}`).join(' ')}):`,
  );
  const spread = (label: string, pick: (f: Failover) => number) => spreadRow(label, failovers.map(pick));
  console.log(
    formatTable(
      ['interval', 'min ms', 'median ms', 'max ms'],
      [
        spread('SIGKILL of the leader → a new leader in the metadata', (f) => f.electedMs),
        spread('SIGKILL of the leader → first acks=all produce acknowledged', (f) => f.acknowledgedMs),
        spread('restart of the killed broker → it serves', (f) => f.restartedMs),
        spread('it serves → back in the ISR', (f) => f.rejoinedMs),
      ],
    ),
  );
  console.log(
    '\nThe first acknowledged produce is of a record handed to the producer once the killed process had exited, so only a new leader can have ' +
      'acknowledged it; "in the metadata" is as a surviving broker answers DescribeTopics, polled every 20 ms.',
  );
}

/** An unmeasured warm-up run of a tenth of the records, then the measured run; both topics are deleted after. */
async function measureProduce(system: TributarySystem, label: string, recordCount: number, payload: Buffer): Promise<ProduceResult> {
  const name = `bench-${label.replace(/[^a-z0-9]+/gi, '-')}`;
  const warmUp = { name: `${name}-warmup`, recordCount: Math.ceil(recordCount / WARM_UP_FRACTION), payload };
  await system.produce(warmUp);
  await system.drop(warmUp.name);
  const result = await system.produce({ name, recordCount, payload });
  progress('Tributary', `${label}: produce ${payload.length} B`, result);
  await system.drop(name);
  return result;
}

interface Failover {
  victim: number;
  electedMs: number;
  acknowledgedMs: number;
  restartedMs: number;
  rejoinedMs: number;
}

async function measureFailovers(cluster: ProcessCluster, repetitions: number, payload: Buffer): Promise<Failover[]> {
  const tributary = new Tributary({ bootstrapServers: cluster.bootstrapServers });
  const admin = tributary.admin();
  await admin.createTopic({ topic: FAILOVER_TOPIC, numPartitions: 1, replicationFactor: REPLICATION_FACTOR });
  // No linger: a record handed over after the kill should wait for the failover, not for a batch to fill.
  const producer = tributary.producer({ acks: 'all', lingerMs: 0 });
  await producer.connect();
  const record: ProducerRecord = { topic: FAILOVER_TOPIC, partition: 0, value: payload };
  const workload = new Workload(producer, record);
  const failovers: Failover[] = [];
  try {
    for (let i = 1; i <= repetitions; i++) {
      const { leader: victim } = await partitionWhere(admin, (p) => p.leader > 0 && p.isr.length === REPLICATION_FACTOR, 'the ISR to hold every replica');
      await workload.acknowledgements(STEADY_ACKS);
      const name: NodeName = `broker-${victim}`;
      const killedAt = performance.now();
      await cluster.kill(name);
      const [elected, acknowledgedAt] = await Promise.all([
        partitionWhere(admin, (p) => p.leader > 0 && p.leader !== victim, 'a new leader').then((p) => ({ leader: p.leader, at: performance.now() })),
        producer.sendRecord(record).then(() => performance.now()),
      ]);
      const restartAt = performance.now();
      await cluster.startNode(name);
      const servesAt = performance.now();
      await partitionWhere(admin, (p) => p.isr.includes(victim), `broker ${victim} back in the ISR`);
      const failover = {
        victim,
        electedMs: elected.at - killedAt,
        acknowledgedMs: acknowledgedAt - killedAt,
        restartedMs: servesAt - restartAt,
        rejoinedMs: performance.now() - servesAt,
      };
      failovers.push(failover);
      process.stderr.write(
        `failover ${i}/${repetitions}: SIGKILL of broker ${victim}; broker ${elected.leader} leads after ${ms(failover.electedMs)} ms; ` +
          `first acknowledged after ${ms(failover.acknowledgedMs)} ms; restarted in ${ms(failover.restartedMs)} ms, back in the ISR ${ms(failover.rejoinedMs)} ms later\n`,
      );
    }
  } finally {
    await workload.stop();
    await producer.close();
    await admin.close();
  }
  return failovers;
}

/** `record` sent over and over with FAILOVER_IN_FLIGHT outstanding; the first failure stops it and is thrown by `stop`. */
class Workload {
  private acknowledged = 0;
  private failure: Error | undefined;
  private running = true;
  private readonly senders: Promise<void>[];

  constructor(producer: Producer, record: ProducerRecord) {
    this.senders = Array.from({ length: FAILOVER_IN_FLIGHT }, async () => {
      while (this.running && !this.failure) {
        await producer.sendRecord(record).then(
          () => void this.acknowledged++,
          (error: Error) => void (this.failure ??= error),
        );
      }
    });
  }

  /** Resolves once `n` more records are acknowledged. */
  async acknowledgements(n: number): Promise<void> {
    const target = this.acknowledged + n;
    await waitFor(`${n} acknowledgements`, () => (this.failure ? Promise.reject(this.failure) : this.acknowledged >= target || undefined));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.senders);
    if (this.failure) throw this.failure;
  }
}

/** The failover partition once the metadata a broker answers with satisfies `ready`; a call that fails (its broker just died) is tried again. */
function partitionWhere(admin: Admin, ready: (p: PartitionDescription) => boolean, what: string): Promise<PartitionDescription> {
  return waitFor(what, async () => {
    const topics = await admin.describeTopics([FAILOVER_TOPIC]).catch(() => []);
    const partition = topics[0]?.partitions[0];
    return partition && ready(partition) ? partition : undefined;
  });
}

stopServersOnSignals(async () => {
  await cluster?.destroy();
});

main().then(
  () => process.exit(0),
  async (error: Error) => {
    console.error(`bench: ${error.stack ?? error.message}`);
    await ServerProcess.stopAll();
    process.exit(1);
  },
);
