/**
 * The workload and checks of the process-level replication fault tests (replication-faults.spec.ts):
 * idempotent acks=all producers writing numbered records to every partition of an RF=3,
 * min.insync.replicas=2 topic while a consumer tails it, and at the end: every acknowledged record
 * exactly once and in send order per partition, nothing the tailing consumer saw later lost, and
 * every replica back in the ISR holding the leader's log byte for byte. Also the cluster views the
 * tests wait on (every running broker agreeing on leaders and ISRs, the active controller) and the
 * unavailability windows they print.
 */
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { Tributary, type Consumer, type Producer } from '@tributary/client';
import { BrokerServiceClient, ControllerServiceClient, ERROR_CODE_TRAILER, type DescribeQuorumResponse, type PartitionMetadata } from '@tributary/proto';
import { callUnary } from '@tributary/service-common';
import { eventually as waitUntil, type NodeName, type ProcessCluster } from '@tributary/testing';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PARTITIONS = 3;

/** Short sessions and lag limits so every fault resolves in seconds; the safety rules are the defaults'. */
export const CLUSTER_CONFIG = {
  'broker.heartbeat.interval.ms': '100',
  'broker.session.timeout.ms': '2000',
  'replica.lag.time.max.ms': '2000',
  'replica.fetch.wait.max.ms': '100',
  'replica.fetch.backoff.ms': '100',
  'default.replication.factor': '3',
  'min.insync.replicas': '2',
};
export const REPLICA_LAG_TIME_MAX_MS = Number(CLUSTER_CONFIG['replica.lag.time.max.ms']);

/** Polls of 50 ms: 600 bound a wait at ~30 s, far above what a healthy run needs. */
const POLL_ATTEMPTS = 600;
const POLL_INTERVAL_MS = 50;
/**
 * The clients' request timeout: a produce waits this long for the ISR (and the client for any
 * answer) before it is retried, a metadata call before another broker is asked. Kafka's 30 s
 * would make a paused broker's partitions wait that long.
 */
export const REQUEST_TIMEOUT_MS = 5_000;
/** Records a partition's producer keeps in flight, so batches pipeline and retries meet later sends. */
const IN_FLIGHT_PER_PARTITION = 4;

export const brokerName = (id: number): NodeName => `broker-${id}`;
export const controllerName = (id: number): NodeName => `controller-${id}`;

/** libs/testing's eventually at this workload's pace: process-level faults take seconds to heal. */
export function eventually<T>(condition: () => Promise<T | undefined | false> | T | undefined | false, what: string, attempts = POLL_ATTEMPTS): Promise<T> {
  return waitUntil(condition, what, attempts, POLL_INTERVAL_MS);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Seen {
  offset: number;
  value: string;
}

/** `<partition>:<n>`: the n-th record sent to that partition. */
const valueOf = (partition: number, n: number): string => `${partition}:${n}`;

/**
 * One idempotent acks=all producer sending numbered records to every partition, each partition on
 * its own (a stalled partition does not hold the others back), with a few records in flight.
 * Remembers per partition which numbers were acknowledged and when, and every failure.
 */
export class Workload {
  /** Per partition, the record numbers acknowledged, in acknowledgement order. */
  readonly acknowledged: number[][] = Array.from({ length: PARTITIONS }, () => []);
  readonly ackTimesMs: number[][] = Array.from({ length: PARTITIONS }, () => []);
  readonly failures: string[] = [];
  private running = true;
  private readonly done: Promise<void[]>;

  private constructor(
    private readonly producer: Producer,
    readonly topic: string,
  ) {
    this.done = Promise.all(Array.from({ length: PARTITIONS }, (_, partition) => this.run(partition)));
  }

  static async start(tributary: Tributary, topic: string): Promise<Workload> {
    const producer = tributary.producer({ acks: 'all', idempotent: true, lingerMs: 2, deliveryTimeoutMs: 120_000, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    await producer.connect();
    return new Workload(producer, topic);
  }

  get count(): number {
    return this.acknowledged.reduce((sum, acked) => sum + acked.length, 0);
  }

  /** Resolves once every partition has `more` acknowledgements beyond what it has now: the workload goes on. */
  async progress(more: number, what: string): Promise<void> {
    const targets = this.acknowledged.map((acked) => acked.length + more);
    await eventually(() => this.acknowledged.every((acked, p) => acked.length >= targets[p]), `${more} more acknowledgements on every partition ${what}`);
  }

  /** Stops sending and waits for every record in flight to be acknowledged or to fail. */
  async stop(): Promise<void> {
    this.running = false;
    await this.done;
    await this.producer.close();
  }

  private async run(partition: number): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    for (let n = 0; this.running; n++) {
      const sent: Promise<void> = this.producer
        .sendRecord({ topic: this.topic, partition, value: valueOf(partition, n) })
        .then(
          () => {
            this.acknowledged[partition].push(n);
            this.ackTimesMs[partition].push(performance.now());
          },
          (error: Error) => void this.failures.push(`${valueOf(partition, n)}: ${error.message}`),
        )
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
      if (inFlight.size >= IN_FLIGHT_PER_PARTITION) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }
}

/** A consumer reading every partition from the start as records become readable (below the high watermark). */
export class Tail {
  readonly seen: Seen[][] = Array.from({ length: PARTITIONS }, () => []);
  private readonly running: Promise<void>;

  private constructor(private readonly consumer: Consumer) {
    this.running = consumer.run({ eachRecord: (record) => void this.seen[record.partition].push({ offset: record.offset, value: record.value?.toString() ?? '' }) });
  }

  static start(tributary: Tributary, topic: string): Tail {
    const consumer = tributary.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 100 });
    consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
    return new Tail(consumer);
  }

  async stop(): Promise<void> {
    await this.consumer.close();
    await this.running;
  }
}

/** Every record of every partition up to its high watermark, read from the start by a fresh consumer. */
export async function readAll(tributary: Tributary, topic: string): Promise<Seen[][]> {
  const admin = tributary.admin();
  const ends = await admin.listOffsets(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, spec: 'latest' as const })));
  await admin.close();
  const seen: Seen[][] = Array.from({ length: PARTITIONS }, () => []);
  let remaining = ends.reduce((sum, end) => sum + end.offset, 0);
  if (remaining === 0) return seen;
  const consumer = tributary.consumer({ autoOffsetReset: 'earliest' });
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  for await (const record of consumer) {
    if (record.offset >= ends[record.partition].offset) continue;
    seen[record.partition].push({ offset: record.offset, value: record.value?.toString() ?? '' });
    if (--remaining === 0) break;
  }
  await consumer.close();
  return seen;
}

/**
 * The end-of-test check; returns how many records it checked. Per partition: no value twice,
 * every acknowledged record present and in send order, and at every offset the tail read, the
 * value it read.
 */
export function checkLog(final: Seen[][], workload: Workload, tail: Tail): number {
  let checked = 0;
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const values = final[partition].map((r) => r.value);
    expect(values.length - new Set(values).size).toBe(0); // no duplicates
    const position = new Map(values.map((value, i) => [value, i]));
    const acked = [...workload.acknowledged[partition]].sort((a, b) => a - b);
    const missing = acked.filter((n) => !position.has(valueOf(partition, n)));
    expect({ partition, missing }).toEqual({ partition, missing: [] }); // nothing acknowledged is lost
    const positions = acked.map((n) => position.get(valueOf(partition, n)) as number);
    const outOfOrder = positions.filter((p, i) => i > 0 && p < positions[i - 1]).length;
    expect({ partition, outOfOrder }).toEqual({ partition, outOfOrder: 0 }); // in the order sent
    const byOffset = new Map(final[partition].map((r) => [r.offset, r.value]));
    const lost = tail.seen[partition].filter((seen) => byOffset.get(seen.offset) !== seen.value);
    expect({ partition, lost }).toEqual({ partition, lost: [] }); // nothing a consumer saw was lost
    checked += acked.length + tail.seen[partition].length;
  }
  return checked;
}

/**
 * Per partition, the longest time between two consecutive acknowledgements (the first counted
 * from the last one before `fromMs`) that ends in (fromMs, toMs]: how long that partition could
 * not be written when the fault at `fromMs` hit. A gap belongs to the phase it ends in, since
 * it began before whatever caused it; null when none ends in it.
 */
export function longestGaps(workload: Workload, fromMs: number, toMs: number): (number | null)[] {
  return workload.ackTimesMs.map((times) => {
    let longest: number | null = null;
    let previous = fromMs;
    for (const t of times) {
      if (t > toMs) break;
      if (t > fromMs) longest = Math.max(longest ?? 0, t - previous);
      previous = t;
    }
    return longest;
  });
}

/** Fault phases with their start times, reported as the longest gap between acknowledgements per partition in each. */
export class FaultLog {
  private readonly marks: { what: string; atMs: number }[] = [];

  mark(what: string): void {
    this.marks.push({ what, atMs: performance.now() });
  }

  /** One line per phase: from its mark to the next one (the last to `endMs`). */
  report(workload: Workload, title: string, endMs = performance.now()): string {
    const lines = this.marks.map((mark, i) => {
      const gaps = longestGaps(workload, mark.atMs, this.marks[i + 1]?.atMs ?? endMs);
      return `  ${mark.what}: ${gaps.map((gap, p) => `p${p} ${gap === null ? 'none acknowledged' : `${gap.toFixed(0)} ms`}`).join(', ')}`;
    });
    return `${title} — longest gap between acknowledgements per partition:\n${lines.join('\n')}`;
  }
}

/** Metadata and DescribeQuorum as each node answers them, over direct channels (never through a fault proxy). */
export class ClusterViews {
  private readonly brokers = new Map<string, BrokerServiceClient>();
  private readonly controllers = new Map<string, ControllerServiceClient>();

  constructor(private readonly cluster: ProcessCluster) {}

  /** The topic's partitions as broker `id` has them in its metadata. */
  async partitions(id: number, topic: string): Promise<PartitionMetadata[]> {
    const response = await callUnary(this.broker(id), 'metadata', { topics: [topic], allowAutoTopicCreation: false }, { deadline: Date.now() + 2_000 });
    return response.topics.find((t) => t.name === topic)?.partitions ?? [];
  }

  /**
   * The partitions once every running broker's metadata (but `except`'s: paused ones answer
   * nothing) shows them all with `ready` holding and all agree on leaders, epochs and ISRs: a
   * broker follows the metadata log on its own, so one asked first may be ahead of the leader it
   * names (which would still refuse a produce).
   */
  agreed(topic: string, ready: (p: PartitionMetadata) => boolean, what: string, except: number[] = []): Promise<PartitionMetadata[]> {
    return eventually(async () => {
      const running = this.cluster.brokerIds.filter((id) => this.cluster.isRunning(brokerName(id)) && !except.includes(id));
      const views = await Promise.all(running.map((id) => this.partitions(id, topic)));
      const [first] = views;
      const same = (a: PartitionMetadata, b: PartitionMetadata) => a.leaderId === b.leaderId && a.leaderEpoch === b.leaderEpoch && [...a.isr].sort().join() === [...b.isr].sort().join();
      const ok = first.length === PARTITIONS && views.every((view) => view.length === PARTITIONS && view.every((p, i) => ready(p) && same(p, first[i])));
      return ok ? first : undefined;
    }, what);
  }

  /** Every partition led, with every replica in its ISR, as every running broker sees it. */
  fullIsr(topic: string, what = 'every replica in the ISR of every partition'): Promise<PartitionMetadata[]> {
    return this.agreed(topic, (p) => p.leaderId > 0 && p.isr.length === p.replicas.length, what);
  }

  /** The active controller: the one a running controller names as leader and that says so itself. */
  activeController(): Promise<DescribeQuorumResponse> {
    return eventually(async () => {
      const running = this.cluster.controllerIds.filter((id) => this.cluster.isRunning(controllerName(id)));
      const views = await Promise.all(running.map((id) => this.describeQuorum(id).catch(() => undefined)));
      return views.find((v) => v !== undefined && v.leaderId === v.nodeId && views.every((other) => other === undefined || other.leaderId === v.nodeId));
    }, 'an active controller every running controller follows');
  }

  describeQuorum(id: number): Promise<DescribeQuorumResponse> {
    return callUnary(this.controller(id), 'describeQuorum', {}, { deadline: Date.now() + 2_000 });
  }

  /** An acks=all Produce of structured records sent straight to broker `id`: the error code it was refused with (NONE when accepted) and the message. */
  async produceTo(id: number, topic: string, partition: number, values: string[]): Promise<{ code: string; message: string }> {
    const records = values.map((value) => ({ key: undefined, value: Buffer.from(value), headers: [], timestamp: 0, offset: 0, timestampType: 0 }));
    try {
      await callUnary(this.broker(id), 'produce', { topic, partition, acks: -1, timeoutMs: REQUEST_TIMEOUT_MS, recordBatch: Buffer.alloc(0), records }, { deadline: Date.now() + 2 * REQUEST_TIMEOUT_MS });
      return { code: 'NONE', message: 'appended and acknowledged' };
    } catch (error) {
      const serviceError = error as ServiceError;
      return { code: String(serviceError.metadata?.get(ERROR_CODE_TRAILER)[0] ?? `gRPC status ${serviceError.code}`), message: serviceError.details };
    }
  }

  /** A fresh channel to a node that restarted (an old one may sit in reconnect back-off). */
  forget(name: NodeName): void {
    const address = this.cluster.address(name);
    this.brokers.get(address)?.close();
    this.brokers.delete(address);
    this.controllers.get(address)?.close();
    this.controllers.delete(address);
  }

  close(): void {
    for (const client of [...this.brokers.values(), ...this.controllers.values()]) client.close();
    this.brokers.clear();
    this.controllers.clear();
  }

  private broker(id: number): BrokerServiceClient {
    const address = this.cluster.address(brokerName(id));
    let client = this.brokers.get(address);
    if (!client) {
      client = new BrokerServiceClient(address, credentials.createInsecure());
      this.brokers.set(address, client);
    }
    return client;
  }

  private controller(id: number): ControllerServiceClient {
    const address = this.cluster.address(controllerName(id));
    let client = this.controllers.get(address);
    if (!client) {
      client = new ControllerServiceClient(address, credentials.createInsecure());
      this.controllers.set(address, client);
    }
    return client;
  }
}

/**
 * Waits until every replica of every partition holds the same log bytes (a follower fetches the
 * leader's batches as they are, so once caught up its segments equal the leader's).
 */
export async function replicasIdentical(cluster: ProcessCluster, topic: string): Promise<void> {
  for (let partition = 0; partition < PARTITIONS; partition++) {
    await eventually(async () => {
      const logs = await Promise.all(cluster.brokerIds.map((id) => segmentBytes(join(cluster.dataDir(brokerName(id)), `${topic}-${partition}`))));
      return logs.every((log) => log.length > 0 && log.equals(logs[0]));
    }, `byte-identical logs of ${topic}-${partition} on every broker`);
  }
}

/** A partition directory's segments, concatenated in offset order. */
async function segmentBytes(dir: string): Promise<Buffer> {
  const segments = (await readdir(dir)).filter((name) => name.endsWith('.log')).sort();
  return Buffer.concat(await Promise.all(segments.map((name) => readFile(join(dir, name)))));
}

/**
 * Brings the cluster back to health after a test, whatever it left behind: links healed, paused
 * processes resumed, stopped ones started.
 */
export async function restore(cluster: ProcessCluster, views: ClusterViews): Promise<void> {
  cluster.heal();
  const names = [...cluster.controllerIds.map(controllerName), ...cluster.brokerIds.map(brokerName)];
  for (const name of names) if (cluster.isRunning(name)) cluster.resume(name);
  for (const name of names) {
    if (cluster.isRunning(name)) continue;
    await cluster.startNode(name);
    views.forget(name);
  }
}
