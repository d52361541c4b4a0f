/**
 * Replication under faults, as processes (libs/testing's ProcessCluster: 3 controllers, 3
 * brokers, real sockets and disks). An idempotent acks=all producer writes numbered records to
 * an RF=3, min.insync.replicas=2 topic while a consumer tails it; a fault hits in the middle.
 * Checked at the end: every acknowledged record is in the log exactly once and in order per
 * partition, and nothing the tailing consumer saw was later lost.
 */
import { Tributary, type Producer } from '@tributary/client';
import { ProcessCluster, type NodeName } from '@tributary/testing';

// Waits are bounded by attempts or the producer's delivery timeout; this only keeps jest from cutting a slow run short.
jest.setTimeout(120_000);

const TOPIC = 'workload';
const PARTITIONS = 3;
const CONFIG = {
  'broker.heartbeat.interval.ms': '100',
  'broker.session.timeout.ms': '2000',
  'replica.lag.time.max.ms': '2000',
  'replica.fetch.wait.max.ms': '100',
  'replica.fetch.backoff.ms': '100',
  'default.replication.factor': '3',
  'min.insync.replicas': '2',
};

interface Seen {
  offset: number;
  value: string;
}

/** Numbered records to every partition; remembers, per partition, which were acknowledged and when. */
class Workload {
  readonly acknowledged: string[][] = Array.from({ length: PARTITIONS }, () => []);
  readonly ackTimesMs: number[][] = Array.from({ length: PARTITIONS }, () => []);
  failures = 0;
  private next = 0;
  private running = true;
  private readonly done: Promise<void>;

  constructor(private readonly producer: Producer) {
    this.done = this.run();
  }

  get count(): number {
    return this.acknowledged.reduce((sum, values) => sum + values.length, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
    await this.producer.flush();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const sends: Promise<void>[] = [];
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const value = `r${this.next++}`;
        sends.push(
          this.producer.sendRecord({ topic: TOPIC, partition, value }).then(
            () => {
              this.acknowledged[partition].push(value);
              this.ackTimesMs[partition].push(performance.now());
            },
            () => void this.failures++,
          ),
        );
      }
      await Promise.all(sends);
    }
  }
}

describe('replication faults as processes (3 controllers, 3 brokers, RF=3, min.insync.replicas=2)', () => {
  let cluster: ProcessCluster;
  let tributary: Tributary;

  beforeAll(async () => {
    cluster = await ProcessCluster.start({ controllers: 3, brokers: 3, config: CONFIG, faults: true });
    tributary = new Tributary({ bootstrapServers: cluster.bootstrapServers });
    await tributary.admin().createTopic({ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 });
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  async function leaderOf(partition: number): Promise<number> {
    const [topic] = await tributary.admin().describeTopics([TOPIC]);
    return topic.partitions[partition].leader;
  }

  /** Every record of every partition, read back from the start by a fresh consumer. */
  async function readAll(): Promise<Seen[][]> {
    const consumer = tributary.consumer({ autoOffsetReset: 'earliest' });
    const ends = await tributary.admin().listOffsets(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition, spec: 'latest' as const })));
    const seen: Seen[][] = Array.from({ length: PARTITIONS }, () => []);
    consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })));
    let remaining = ends.reduce((sum, e) => sum + e.offset, 0);
    for await (const record of consumer) {
      seen[record.partition].push({ offset: record.offset, value: record.value?.toString() ?? '' });
      if (--remaining === 0) break;
    }
    await consumer.close();
    return seen;
  }

  it('SIGKILL of a partition leader mid-workload loses no acknowledged record and duplicates none', async () => {
    const producer = tributary.producer({ acks: 'all', lingerMs: 2, deliveryTimeoutMs: 60_000 });
    await producer.connect();
    const tail = tributary.consumer({ autoOffsetReset: 'earliest' });
    tail.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })));
    const tailed: Seen[][] = Array.from({ length: PARTITIONS }, () => []);
    const tailing = tail.run({ eachRecord: async (record) => void tailed[record.partition].push({ offset: record.offset, value: record.value?.toString() ?? '' }) });

    const workload = new Workload(producer);
    while (workload.count < 300) await new Promise((r) => setTimeout(r, 20));
    const victim = await leaderOf(0);
    const ackedBeforeKill = workload.acknowledged[0].length;
    const killedAtMs = performance.now();
    await cluster.kill(`broker-${victim}` as NodeName);
    while (workload.acknowledged[0].length < ackedBeforeKill + 50) await new Promise((r) => setTimeout(r, 20));
    const firstAckAfterKillMs = workload.ackTimesMs[0][ackedBeforeKill] - killedAtMs;
    console.log(`SIGKILL of broker ${victim} (leader of ${TOPIC}-0) to the first acks=all produce acknowledged on that partition: ${firstAckAfterKillMs.toFixed(0)} ms`);
    await cluster.startNode(`broker-${victim}` as NodeName);
    await workload.stop();
    await producer.close();
    await tail.close();
    await tailing;

    const final = await readAll();
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const values = final[partition].map((r) => r.value);
      expect(new Set(values).size).toBe(values.length); // no duplicates
      const acked = workload.acknowledged[partition];
      const positions = acked.map((value) => values.indexOf(value));
      expect(positions.filter((p) => p < 0)).toEqual([]); // nothing acknowledged is lost
      expect([...positions].sort((a, b) => a - b)).toEqual(positions); // in order
      const byOffset = new Map(final[partition].map((r) => [r.offset, r.value]));
      for (const seen of tailed[partition]) expect(byOffset.get(seen.offset)).toBe(seen.value); // no consumer saw what was lost
    }
    expect(workload.count).toBeGreaterThan(300);
  });
});
