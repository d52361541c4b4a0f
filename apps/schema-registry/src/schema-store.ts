import { Tributary, type Admin, type Consumer, type ConsumerBatch, type Producer } from '@tributary/client';
import type { Logger } from 'pino';
import { RegistryErrors } from './registry-error';
import { decodeRecord, encodeRecord, type RegistryRecord } from './registry-records';
import { RegistryState } from './registry-state';

export interface SchemaStoreOptions {
  bootstrapServers: string;
  /** The compacted topic holding the registry (Confluent's kafkastore.topic). */
  topic: string;
  /** Replicas of the topic when it is created; default min(3, brokers), as Confluent's kafkastore.topic.replication.factor. */
  replicationFactor?: number;
  /** How long a write or a catch-up may wait for the log (Confluent's kafkastore.timeout.ms). */
  timeoutMs: number;
  logger: Logger;
  /** Called after each applied record (the registry watches its own INSTANCE record). */
  onApplied?: (record: RegistryRecord) => void;
}

const PARTITION = 0;

/**
 * The registry's storage: the one-partition compacted topic, written with the client's producer
 * (acks=all) and tailed by its consumer from offset 0 into a RegistryState. A write returns once
 * this instance has applied what it wrote, so reads that follow see it (read-your-writes).
 */
export class SchemaStore {
  readonly state = new RegistryState();
  private nextOffset = 0;
  private waiters: { offset: number; resolve: () => void }[] = [];
  /** Offsets of SCHEMA records that lost to an earlier record, until their writer has looked. */
  private readonly rejected = new Set<number>();
  private tailing: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  private constructor(
    private readonly options: SchemaStoreOptions,
    private readonly admin: Admin,
    private readonly producer: Producer,
    private readonly consumer: Consumer,
  ) {}

  /** Creates the topic (compacted) when missing, starts tailing it and waits until it has read it to the end. */
  static async open(options: SchemaStoreOptions): Promise<SchemaStore> {
    const tributary = new Tributary({ bootstrapServers: options.bootstrapServers, requestTimeoutMs: options.timeoutMs });
    const admin = tributary.admin();
    const store = new SchemaStore(options, admin, tributary.producer({ acks: 'all', lingerMs: 0 }), tributary.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 500 }));
    try {
      await store.createTopic();
      store.startTailing();
      await store.catchUp();
      return store;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  private async createTopic(): Promise<void> {
    const brokers = (await this.admin.describeCluster()).brokers.length;
    const { created } = await this.admin.createTopic({
      topic: this.options.topic,
      numPartitions: 1,
      replicationFactor: this.options.replicationFactor ?? Math.max(1, Math.min(3, brokers)),
      configs: { 'cleanup.policy': 'compact' },
      ifNotExists: true,
    });
    if (created) this.options.logger.info({ topic: this.options.topic }, 'created the schemas topic');
  }

  private startTailing(): void {
    this.consumer.assign([{ topic: this.options.topic, partition: PARTITION }]);
    this.consumer.seek({ topic: this.options.topic, partition: PARTITION, offset: 0 });
    this.tailing = this.consumer.run({ eachBatch: (batch) => this.applyBatch(batch) }).catch((error: Error) => {
      this.failure = error;
      this.options.logger.error({ err: error }, 'reading the schemas topic failed; writes and catch-ups fail from now on');
    });
  }

  private applyBatch(batch: ConsumerBatch): void {
    for (const record of batch.records) {
      const decoded = this.decode(record.key, record.value, record.offset);
      if (decoded && !this.state.apply(decoded, record.offset)) this.rejected.add(record.offset);
      if (decoded) this.options.onApplied?.(decoded);
      this.nextOffset = record.offset + 1;
    }
    const ready = this.waiters.filter((w) => w.offset < this.nextOffset);
    this.waiters = this.waiters.filter((w) => w.offset >= this.nextOffset);
    for (const waiter of ready) waiter.resolve();
  }

  /** A record someone else wrote into the topic is skipped (and logged), as every instance skips it alike. */
  private decode(key: Buffer | null, value: Buffer | null, offset: number): RegistryRecord | null {
    try {
      return decodeRecord(key, value);
    } catch (error) {
      this.options.logger.error({ err: error, offset }, 'skipping a record of the schemas topic that is not a registry record');
      return null;
    }
  }

  /** Offset of the next record this instance will apply. */
  get appliedOffset(): number {
    return this.nextOffset;
  }

  /** Waits until every record below `offset` is applied. */
  async waitApplied(offset: number): Promise<void> {
    if (this.failure) throw RegistryErrors.store(`reading the schemas topic failed: ${this.failure.message}`, this.failure);
    if (offset <= this.nextOffset) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.waiters.push({ offset: offset - 1, resolve })),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(RegistryErrors.timeout(`the schemas topic was not read up to offset ${offset} within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Waits until what the topic holds now is applied (Confluent's waitUntilKafkaReaderReachesLastOffset). */
  async catchUp(): Promise<void> {
    const [end] = await this.admin.listOffsets([{ topic: this.options.topic, partition: PARTITION, spec: 'latest' }]);
    await this.waitApplied(end.offset);
  }

  /**
   * Appends records (in one batch) and waits until this instance has applied them. False when a
   * SCHEMA record among them lost to an earlier record: the caller retries against the new state.
   */
  async write(records: readonly RegistryRecord[]): Promise<boolean> {
    if (this.failure) throw RegistryErrors.store(`reading the schemas topic failed: ${this.failure.message}`, this.failure);
    let offsets: number[];
    try {
      const sent = await this.producer.send({
        topic: this.options.topic,
        messages: records.map((record) => ({ ...encodeRecord(record), partition: PARTITION })),
      });
      offsets = sent.map((m) => m.offset);
    } catch (error) {
      throw RegistryErrors.store(`Error while writing to the schemas topic: ${(error as Error).message}`, error);
    }
    await this.waitApplied(Math.max(...offsets) + 1);
    let accepted = true;
    for (const offset of offsets) accepted = !this.rejected.delete(offset) && accepted;
    return accepted;
  }

  async close(): Promise<void> {
    await this.consumer.close();
    await this.tailing;
    await this.producer.close().catch(() => undefined);
    await this.admin.close();
  }
}
