import { Acks, Admin, Consumer, Producer, ProducerOptions, RecordCallback, Tributary } from '@tributary/client';
import { performance } from 'node:perf_hooks';
import { BatchClock } from './batch-clock';
import { LatencyHistogram } from './latency-histogram';
import { msSinceStamped, stampSendTime } from './send-time-stamp';
import { sendAtFixedRate } from './send-at-fixed-rate';
import { EndToEndResult, EndToEndSpec, ProduceResult, StreamsSystem, ThroughputResult, WorkloadSpec } from './streams-system';

export const TRIBUTARY_DURABILITY_DESCRIPTION =
  'appended to the partition log in the OS page cache; fsync left to the OS (default flush policy: flush.messages and flush.ms unset, as Kafka)';

export interface TributarySystemOptions {
  /** host:port of one broker or a comma-separated list of a cluster's brokers. */
  bootstrapServers: string;
  /** acks=all turns idempotence on, as the client's (and Kafka's) default. */
  acks: Acks;
  /** Of every topic a run creates; default the brokers' default.replication.factor. */
  replicationFactor?: number;
  lingerMs: number;
  batchSizeBytes: number;
  compression: ProducerOptions['compression'];
  maxInFlight: number;
}

/**
 * Records produce() hands to the client between two looks at the clock: all records of a chunk
 * count as sent at the chunk's start, so timing costs one clock read per chunk, not per record.
 */
const SEND_CHUNK_RECORDS = 1_000;
const E2E_DRAIN_TIMEOUT_MS = 10_000;

/** Tributary through @tributary/client: a topic with one partition per run, acks as configured. */
export class TributarySystem implements StreamsSystem {
  readonly name = 'Tributary';
  private readonly client: Tributary;
  private readonly admin: Admin;

  constructor(private readonly options: TributarySystemOptions) {
    this.client = new Tributary({ bootstrapServers: options.bootstrapServers });
    this.admin = this.client.admin();
  }

  async produce(spec: WorkloadSpec): Promise<ProduceResult> {
    await this.createTopic(spec.name);
    const producer = await this.producer(this.options.lingerMs);
    const ackLatency = new LatencyHistogram();
    const ackClock = new BatchClock();
    const record = { topic: spec.name, partition: 0, value: spec.payload };
    let failure: Error | null = null;
    let sent = 0;
    const startedMs = performance.now();
    try {
      while (sent < spec.recordCount && failure === null) {
        const chunkSentMs = performance.now();
        const onAck: RecordCallback = (error) => {
          if (error) failure ??= error;
          else ackLatency.recordMs(ackClock.nowMs() - chunkSentMs);
        };
        const chunkEnd = Math.min(spec.recordCount, sent + SEND_CHUNK_RECORDS);
        let writable = true;
        while (sent < chunkEnd && writable) {
          writable = producer.produce(record, onAck);
          sent++;
        }
        // Back-pressure: the producer's buffer.memory is full until acknowledgements free it.
        if (!writable) await producer.whenWritable();
      }
      await producer.flush();
    } finally {
      await producer.close();
    }
    const elapsedMs = performance.now() - startedMs;
    if (failure) throw failure;
    return { recordCount: spec.recordCount, payloadBytes: spec.recordCount * spec.payload.length, elapsedMs, ackLatency };
  }

  async consume(spec: WorkloadSpec): Promise<ThroughputResult> {
    const consumer = await this.consumerAtStart(spec.name);
    let recordCount = 0;
    let payloadBytes = 0;
    const startedMs = performance.now();
    await consumer.run({
      eachBatch: async (batch) => {
        for (const record of batch.records) payloadBytes += record.value?.length ?? 0;
        recordCount += batch.records.length;
        if (recordCount >= spec.recordCount) await consumer.close();
      },
    });
    const elapsedMs = performance.now() - startedMs;
    if (recordCount !== spec.recordCount) throw new Error(`topic ${spec.name}: read ${recordCount} records, expected ${spec.recordCount}`);
    return { recordCount, payloadBytes, elapsedMs };
  }

  async endToEnd(spec: EndToEndSpec): Promise<EndToEndResult> {
    await this.createTopic(spec.name);
    const consumer = await this.consumerAtStart(spec.name);
    // No linger: at a modest rate the figure should show the path's latency, not a batching wait.
    const producer = await this.producer(0);
    const latency = new LatencyHistogram();
    let received = 0;
    let sent = -1;
    let failure: Error | null = null;
    const onAck: RecordCallback = (error) => {
      if (error) failure ??= error;
    };
    const consuming = consumer.run({
      eachBatch: async (batch) => {
        for (const record of batch.records) if (record.value) latency.recordMs(msSinceStamped(record.value));
        received += batch.records.length;
        if (received === sent) await consumer.close();
      },
    });
    try {
      sent = await sendAtFixedRate(spec.ratePerSec, spec.durationMs, (count) => {
        for (let i = 0; i < count; i++) producer.produce({ topic: spec.name, partition: 0, value: stampSendTime(spec.payload) }, onAck);
      });
      await producer.flush();
      if (received >= sent) await consumer.close();
      const drainTimer = setTimeout(() => void consumer.close(), E2E_DRAIN_TIMEOUT_MS);
      await consuming;
      clearTimeout(drainTimer);
    } finally {
      await producer.close();
      await consumer.close();
    }
    if (failure) throw failure;
    if (received < sent) throw new Error(`end-to-end: only ${received} of ${sent} records reached the consumer of ${spec.name}`);
    return { recordCount: received, latency };
  }

  async drop(name: string): Promise<void> {
    await this.admin.deleteTopic(name);
  }

  async close(): Promise<void> {
    await this.admin.close();
  }

  private async createTopic(name: string): Promise<void> {
    await this.admin.createTopic({ topic: name, numPartitions: 1, replicationFactor: this.options.replicationFactor });
  }

  private async producer(lingerMs: number): Promise<Producer> {
    const producer = this.client.producer({
      acks: this.options.acks,
      lingerMs,
      batchSize: this.options.batchSizeBytes,
      compression: this.options.compression,
      maxInFlightPerPartition: this.options.maxInFlight,
    });
    await producer.connect();
    return producer;
  }

  private async consumerAtStart(topic: string): Promise<Consumer> {
    const consumer = this.client.consumer();
    await consumer.connect();
    consumer.assign([{ topic, partition: 0 }]);
    consumer.seek({ topic, partition: 0, offset: 0 });
    return consumer;
  }
}
