import { BATCH_HEADER_BYTES, CompressionType, compressionTypeFromName, TributaryError, type RecordHeaderEntry } from '@tributary/protocol';
import { Cluster } from './cluster';
import { DefaultPartitioner, type Partitioner } from './default-partitioner';
import { ProducerBatch, type RecordCallback, type RecordMetadata } from './producer-batch';

export type { RecordCallback, RecordMetadata } from './producer-batch';

export type Acks = 0 | 1 | -1 | 'all';
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface ProducerOptions {
  /** 0: no answer awaited; 1: the leader appended; 'all' (-1, the default as in Kafka 3+): the ISR has it. */
  acks?: Acks;
  /** How long a batch waits for more records before it is sent. Default 5 (Kafka 4's linger.ms). */
  lingerMs?: number;
  /** A batch closes once it holds this many (uncompressed) bytes. Default 16384 (batch.size). */
  batchSize?: number;
  /**
   * Bytes of batches one Produce call carries at most, and so also the largest batch and the
   * largest record: a bigger batchSize is capped to it, a bigger record fails alone with
   * RECORD_TOO_LARGE. Default 1048576 (max.request.size).
   */
  maxRequestBytes?: number;
  /** Default 'none' (compression.type). */
  compression?: CompressionName;
  /**
   * Producer id, epoch and sequence numbers so the broker drops duplicates of retried batches.
   * Default: on unless acks is not 'all' (as Kafka's enable.idempotence).
   */
  idempotent?: boolean;
  /** Default Number.MAX_SAFE_INTEGER: retries are bounded by deliveryTimeoutMs instead. */
  retries?: number;
  /** First retry waits this long, doubling up to retryBackoffMaxMs. Defaults 100 and 1000. */
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  /** A record fails once this long has passed since it was produced. Default 120000. */
  deliveryTimeoutMs?: number;
  /** Deadline of one Produce call. Default 30000. */
  requestTimeoutMs?: number;
  /** Produce calls in flight per partition. Default 5; at most 5 with idempotence. */
  maxInFlightPerPartition?: number;
  /** Bytes of records buffered before produce() reports back-pressure. Default 32 MiB (buffer.memory). */
  bufferMemoryBytes?: number;
  partitioner?: Partitioner;
}

export type HeaderValue = Buffer | string | null;

export interface ProducerMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, HeaderValue> | { key: string; value: HeaderValue }[];
  /** Overrides the partitioner. */
  partition?: number;
  /** Milliseconds since the epoch; default now. */
  timestamp?: number;
}

export interface ProducerRecord extends ProducerMessage {
  topic: string;
}

/** Per-partition send state: the open batch, closed batches waiting, and those in flight. */
interface PartitionQueue {
  topic: string;
  partition: number;
  open: ProducerBatch | null;
  /** Cancels the pending linger close of the open batch. */
  cancelLinger: (() => void) | null;
  waiting: ProducerBatch[];
  inFlight: ProducerBatch[];
  /** Produce calls in flight; one call may carry several of the inFlight batches. */
  inFlightCalls: number;
  nextSequence: number;
  /** A batch failed and is being sent again: one call at a time until it is through. */
  retrying: boolean;
  /**
   * The broker has acknowledged a batch of this producer epoch here. Until then batches go one
   * at a time: gRPC calls in flight may arrive in any order, and a broker that does not know the
   * producer yet accepts whatever sequence comes first, so a later batch must not overtake the first.
   */
  established: boolean;
  backoffUntilMs: number;
  backoffTimer: NodeJS.Timeout | null;
  leaderLookup: boolean;
}

const MAX_IDEMPOTENT_IN_FLIGHT = 5;
/** Record framing beyond key and value, for buffer-memory accounting. */
const RECORD_OVERHEAD_BYTES = 24;
/** Varint lengths of a header's key and value, at most. */
const HEADER_OVERHEAD_BYTES = 10;
/** Failures after which the partition's leader may have moved: the topic's metadata is fetched again before the retry
 * (an unreachable or silent leader is how a crashed broker looks, as Kafka's client treats a disconnect). */
const METADATA_ERRORS = new Set(['NOT_LEADER_OR_FOLLOWER', 'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_SERVER_ERROR', 'NETWORK_EXCEPTION', 'REQUEST_TIMED_OUT']);

/**
 * Kafka's producer, in TypeScript. Records are appended to a per-partition batch (RecordBatchBuilder,
 * so each record is encoded once), batches close when full or after lingerMs, and each closed batch
 * is sent on the raw-batch fast path, up to maxInFlightPerPartition calls per partition (without
 * idempotence, a backlog of closed batches shares one call).
 * Retriable failures are retried with backoff in sequence order; with idempotence the broker
 * answers a duplicate with the original offset, so retries neither duplicate nor reorder.
 */
export class Producer {
  private readonly cluster: Cluster;
  private readonly acks: number;
  private readonly idempotent: boolean;
  private readonly lingerMs: number;
  /** batchSize capped at maxRequestBytes. */
  private readonly batchSize: number;
  private readonly maxRequestBytes: number;
  private readonly compression: CompressionType;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly retryBackoffMaxMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly bufferMemoryBytes: number;
  private readonly partitioner: Partitioner;

  /** Per topic, indexed by partition: looked up per record, so no string key is built. */
  private readonly queues = new Map<string, PartitionQueue[]>();
  private readonly partitionCounts = new Map<string, number>();
  /** Records of topics whose metadata is being fetched, in arrival order. */
  private readonly awaitingMetadata = new Map<string, { record: ProducerRecord; callback?: RecordCallback }[]>();
  private readonly metadataLookups = new Map<string, Promise<void>>();
  private readonly unfinished = new Set<ProducerBatch>();
  private readonly finishWaiters: (() => void)[] = [];
  private readonly writableWaiters: (() => void)[] = [];
  private bufferedBytes = 0;
  private producerId = -1;
  private producerEpoch = -1;
  private connecting: Promise<void> | null = null;
  private closed = false;

  constructor(cluster: Cluster, options: ProducerOptions = {}) {
    this.cluster = cluster;
    this.acks = options.acks === 'all' || options.acks === undefined ? -1 : options.acks;
    if (![0, 1, -1].includes(this.acks)) throw new TributaryError('INVALID_CONFIG', `acks must be 0, 1, -1 or all, not ${options.acks}`);
    if (options.idempotent && this.acks !== -1) {
      throw new TributaryError('INVALID_CONFIG', 'idempotence needs acks=all; set acks to all or turn idempotence off');
    }
    this.retries = nonNegative('retries', options.retries ?? Number.MAX_SAFE_INTEGER);
    if (options.idempotent && this.retries === 0) {
      throw new TributaryError('INVALID_CONFIG', 'idempotence needs retries > 0; raise retries or turn idempotence off');
    }
    // As Kafka: idempotence is on by default, unless acks or retries rule it out.
    this.idempotent = options.idempotent ?? (this.acks === -1 && this.retries > 0);
    this.lingerMs = nonNegative('lingerMs', options.lingerMs ?? 5);
    this.maxRequestBytes = positive('maxRequestBytes', options.maxRequestBytes ?? 1024 * 1024);
    this.batchSize = Math.min(positive('batchSize', options.batchSize ?? 16384), this.maxRequestBytes);
    this.compression = compressionTypeFromName(options.compression ?? 'none');
    this.retryBackoffMs = nonNegative('retryBackoffMs', options.retryBackoffMs ?? 100);
    this.retryBackoffMaxMs = Math.max(this.retryBackoffMs, options.retryBackoffMaxMs ?? 1000);
    this.deliveryTimeoutMs = positive('deliveryTimeoutMs', options.deliveryTimeoutMs ?? 120_000);
    this.requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? 30_000);
    this.maxInFlight = positive('maxInFlightPerPartition', options.maxInFlightPerPartition ?? MAX_IDEMPOTENT_IN_FLIGHT);
    if (this.idempotent && this.maxInFlight > MAX_IDEMPOTENT_IN_FLIGHT) {
      throw new TributaryError('INVALID_CONFIG', `idempotence allows at most ${MAX_IDEMPOTENT_IN_FLIGHT} calls in flight per partition`);
    }
    this.bufferMemoryBytes = positive('bufferMemoryBytes', options.bufferMemoryBytes ?? 32 * 1024 * 1024);
    this.partitioner = options.partitioner ?? new DefaultPartitioner();
  }

  /** Reaches the cluster and, with idempotence, obtains a producer id. Called by send() too. */
  connect(): Promise<void> {
    this.connecting ??= (async () => {
      await this.cluster.connect();
      if (this.idempotent) {
        const ids = await this.cluster.withAnyBroker((connection) => connection.call('initProducerId', { producerId: -1, producerEpoch: -1 }));
        this.producerId = ids.producerId;
        this.producerEpoch = ids.producerEpoch;
      }
    })();
    return this.connecting;
  }

  /** Sends messages to a topic; resolves with each record's offset once all are acknowledged. */
  async send(request: { topic: string; messages: ProducerMessage[] }): Promise<RecordMetadata[]> {
    await this.connect();
    if (!this.writable) await this.whenWritable();
    return new Promise((resolve, reject) => {
      const results: RecordMetadata[] = new Array(request.messages.length);
      let pending = request.messages.length;
      let failed = false;
      if (pending === 0) resolve(results);
      request.messages.forEach((message, i) => {
        this.produce({ ...message, topic: request.topic }, (error, metadata) => {
          if (failed) return;
          if (error) {
            failed = true;
            reject(error);
            return;
          }
          results[i] = metadata!;
          if (--pending === 0) resolve(results);
        });
      });
    });
  }

  /** One record, one promise. */
  async sendRecord(record: ProducerRecord): Promise<RecordMetadata> {
    await this.connect();
    if (!this.writable) await this.whenWritable();
    return new Promise((resolve, reject) => {
      this.produce(record, (error, metadata) => (error ? reject(error) : resolve(metadata!)));
    });
  }

  /**
   * The fast path: appends a record without a promise and calls `callback` when it is
   * acknowledged or has failed. Returns false when buffered records exceed bufferMemoryBytes;
   * the caller should then wait for whenWritable() (as with a Node stream's write()).
   * Call connect() first.
   */
  produce(record: ProducerRecord, callback?: RecordCallback): boolean {
    if (this.closed) throw new TributaryError('INVALID_REQUEST', 'the producer is closed; create a new one');
    if (this.connecting === null) throw new TributaryError('INVALID_REQUEST', 'call producer.connect() before produce()');
    const waiting = this.awaitingMetadata.get(record.topic);
    const partitionCount = this.partitionCounts.get(record.topic);
    if (waiting !== undefined || partitionCount === undefined) {
      this.awaitMetadata(record, callback);
    } else {
      this.append(record, partitionCount, callback);
    }
    return this.writable;
  }

  get writable(): boolean {
    return this.bufferedBytes < this.bufferMemoryBytes;
  }

  /** Resolves once buffered records are below bufferMemoryBytes. */
  whenWritable(): Promise<void> {
    if (this.writable) return Promise.resolve();
    return new Promise((resolve) => this.writableWaiters.push(resolve));
  }

  /** Sends every buffered record now and resolves once all are acknowledged or failed. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.metadataLookups.values()]);
    for (const queue of this.allQueues()) this.closeOpenBatch(queue);
    if (this.unfinished.size === 0) return;
    await new Promise<void>((resolve) => this.finishWaiters.push(resolve));
  }

  /** Flushes, then closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    for (const queue of this.allQueues()) if (queue.backoffTimer) clearTimeout(queue.backoffTimer);
    this.cluster.close();
  }

  /** kafkajs's name for close(). */
  disconnect(): Promise<void> {
    return this.close();
  }

  private awaitMetadata(record: ProducerRecord, callback: RecordCallback | undefined): void {
    const topic = record.topic;
    let waiting = this.awaitingMetadata.get(topic);
    if (!waiting) {
      waiting = [];
      this.awaitingMetadata.set(topic, waiting);
    }
    waiting.push({ record, callback });
    this.bufferedBytes += estimateBytes(toBuffer(record.key), toBuffer(record.value), toHeaders(record.headers));
    if (this.metadataLookups.has(topic)) return;
    const lookup = this.cluster
      .partitionCount(topic)
      .then(
        (count) => {
          this.partitionCounts.set(topic, count);
          return null;
        },
        (error: Error) => error,
      )
      .then((error) => {
        const records = this.awaitingMetadata.get(topic) ?? [];
        this.awaitingMetadata.delete(topic);
        this.metadataLookups.delete(topic);
        for (const { record: r, callback: cb } of records) {
          this.bufferedBytes -= estimateBytes(toBuffer(r.key), toBuffer(r.value), toHeaders(r.headers));
          if (error) cb?.(error, null);
          else this.append(r, this.partitionCounts.get(topic)!, cb);
        }
        this.notifyWritable();
      });
    this.metadataLookups.set(topic, lookup);
  }

  private append(record: ProducerRecord, partitionCount: number, callback: RecordCallback | undefined): void {
    const key = toBuffer(record.key);
    let partition = record.partition;
    if (partition === undefined) {
      partition = this.partitioner.partition(record.topic, key, partitionCount);
    } else if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
      callback?.(new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${record.topic} has no partition ${partition} (it has ${partitionCount})`), null);
      return;
    }
    const queue = this.queueFor(record.topic, partition);
    const value = toBuffer(record.value);
    const headers = toHeaders(record.headers);
    const estimated = estimateBytes(key, value, headers);
    if (estimated + BATCH_HEADER_BYTES > this.maxRequestBytes) {
      // As Kafka's producer: a record that cannot fit in any request fails before it is batched.
      callback?.(
        new TributaryError(
          'RECORD_TOO_LARGE',
          `a record of about ${estimated + BATCH_HEADER_BYTES} bytes (key, value, headers and batch framing) exceeds maxRequestBytes=${this.maxRequestBytes} ` +
            `(max.request.size) for topic ${record.topic}; send a smaller record or raise maxRequestBytes and the topic's max.message.bytes`,
        ),
        null,
      );
      return;
    }
    if (queue.open !== null && queue.open.sizeBytes + estimated > this.batchSize) this.closeOpenBatch(queue);
    const batch = queue.open ?? this.openBatch(queue);
    try {
      batch.append(
        { key, value, headers, timestamp: record.timestamp ?? Date.now() },
        callback,
        estimated,
      );
    } catch (e) {
      callback?.(e as Error, null);
      return;
    }
    this.bufferedBytes += estimated;
    if (batch.sizeBytes >= this.batchSize) this.closeOpenBatch(queue);
  }

  private *allQueues(): Iterable<PartitionQueue> {
    for (const queues of this.queues.values()) for (const queue of queues) if (queue) yield queue;
  }

  private queueFor(topic: string, partition: number): PartitionQueue {
    let queues = this.queues.get(topic);
    if (!queues) {
      queues = [];
      this.queues.set(topic, queues);
    }
    let queue = queues[partition];
    if (!queue) {
      queue = {
        topic,
        partition,
        open: null,
        cancelLinger: null,
        waiting: [],
        inFlight: [],
        inFlightCalls: 0,
        nextSequence: 0,
        retrying: false,
        established: !this.idempotent,
        backoffUntilMs: 0,
        backoffTimer: null,
        leaderLookup: false,
      };
      queues[partition] = queue;
    }
    return queue;
  }

  private openBatch(queue: PartitionQueue): ProducerBatch {
    const batch = new ProducerBatch(queue.topic, queue.partition, this.idempotent ? queue.nextSequence : -1, {
      compression: this.compression,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: this.idempotent ? queue.nextSequence : -1,
      // A bit more than batchSize: the record that crosses the limit still fits without a copy.
      initialCapacityBytes: this.batchSize + 1024,
    });
    queue.open = batch;
    this.unfinished.add(batch);
    queue.cancelLinger = this.scheduleLingerClose(queue);
    return batch;
  }

  /**
   * Closes the open batch after lingerMs. lingerMs=0 closes it once the current turn of the event
   * loop ends, so records sent together still share a batch; a 0 ms timer would wait at least 1 ms.
   */
  private scheduleLingerClose(queue: PartitionQueue): () => void {
    const close = (): void => this.closeOpenBatch(queue);
    if (this.lingerMs === 0) {
      const immediate = setImmediate(close);
      return () => clearImmediate(immediate);
    }
    const timer = setTimeout(close, this.lingerMs);
    return () => clearTimeout(timer);
  }

  private closeOpenBatch(queue: PartitionQueue): void {
    const batch = queue.open;
    if (batch === null) return;
    queue.open = null;
    queue.cancelLinger?.();
    queue.cancelLinger = null;
    if (batch.count === 0) {
      // Its only record was refused by the builder (and its callback told so).
      this.finish(batch);
      return;
    }
    if (this.idempotent) queue.nextSequence = incrementSequence(queue.nextSequence, batch.count);
    this.partitioner.onBatchClosed(queue.topic, queue.partition, this.partitionCounts.get(queue.topic) ?? 1);
    queue.waiting.push(batch);
    this.sendWaiting(queue);
  }

  /** Sends waiting batches, in order, while the partition has room in flight. */
  private sendWaiting(queue: PartitionQueue): void {
    if (this.closed) return;
    const now = Date.now();
    if (queue.backoffUntilMs > now) {
      queue.backoffTimer ??= setTimeout(() => {
        queue.backoffTimer = null;
        this.sendWaiting(queue);
      }, queue.backoffUntilMs - now);
      return;
    }
    const maxInFlight = queue.retrying || !queue.established ? 1 : this.maxInFlight;
    let calls = 0;
    while (queue.waiting.length > 0 && calls < maxInFlight - queue.inFlightCalls) {
      const connection = this.leaderOrLookup(queue);
      if (connection === null) return;
      const batches = this.takeRequest(queue);
      const sentBehindOthers = queue.inFlight.length > 0;
      for (const batch of batches) {
        batch.attempts++;
        batch.sentBehindOthers = sentBehindOthers;
        queue.inFlight.push(batch);
      }
      queue.inFlightCalls++;
      calls++;
      connection
        .produceRaw({
          topic: queue.topic,
          partition: queue.partition,
          acks: this.acks,
          timeoutMs: this.requestTimeoutMs,
          recordBatch: batches.length === 1 ? batches[0].build() : Buffer.concat(batches.map((b) => b.build())),
        }, this.requestTimeoutMs)
        .then(
          (response) => {
            queue.inFlightCalls--;
            // The broker appends a call's batches back to back: each starts where the one before ended.
            let baseOffset = response.baseOffset;
            for (const batch of batches) {
              this.onAcknowledged(queue, batch, baseOffset, false);
              if (baseOffset >= 0) baseOffset += batch.count;
            }
            this.sendWaiting(queue);
          },
          (error: Error) => {
            queue.inFlightCalls--;
            for (const batch of batches) this.onFailed(queue, batch, error, batches.length > 1);
          },
        );
    }
  }

  /**
   * The waiting batches for one Produce call. Without idempotence a backlog of closed batches
   * goes together, up to maxRequestBytes (Kafka's max.request.size), as Kafka's sender drains
   * them: per-call costs then no longer bound throughput when batch.size is small. Idempotent
   * batches go one per call: the broker answers a retried call by its first batch, so a retry must
   * never group batches differently from the attempt that may have landed.
   */
  private takeRequest(queue: PartitionQueue): ProducerBatch[] {
    const batches = [queue.waiting.shift()!];
    if (this.idempotent || queue.retrying) return batches;
    let bytes = batches[0].build().length;
    while (queue.waiting.length > 0 && queue.waiting[0].attempts === 0 && bytes + queue.waiting[0].build().length <= this.maxRequestBytes) {
      const batch = queue.waiting.shift()!;
      bytes += batch.build().length;
      batches.push(batch);
    }
    return batches;
  }

  /** The leader's connection if known now; otherwise looks it up and sends once it is known. */
  private leaderOrLookup(queue: PartitionQueue) {
    const connection = this.cluster.knownLeader(queue);
    if (connection !== null || queue.leaderLookup) return connection;
    queue.leaderLookup = true;
    this.cluster.leaderFor(queue).then(
      () => {
        queue.leaderLookup = false;
        this.sendWaiting(queue);
      },
      (error: Error) => {
        queue.leaderLookup = false;
        // Fail or back off the head batch as if its call had failed.
        const batch = queue.waiting.shift();
        if (batch) {
          batch.attempts++;
          queue.inFlight.push(batch);
          this.onFailed(queue, batch, error);
        }
      },
    );
    return null;
  }

  private onAcknowledged(queue: PartitionQueue, batch: ProducerBatch, baseOffset: number, sendNext = true): void {
    removeFrom(queue.inFlight, batch);
    queue.established = true;
    if (queue.retrying && queue.inFlight.length === 0 && !queue.waiting.some((b) => b.attempts > 0)) queue.retrying = false;
    this.finish(batch);
    batch.complete(this.acks === 0 ? -1 : baseOffset);
    if (sendNext) this.sendWaiting(queue);
  }

  /** `sharedCall`: the batch went in one Produce call with others, and the error may be theirs. */
  private onFailed(queue: PartitionQueue, batch: ProducerBatch, error: Error, sharedCall = false): void {
    removeFrom(queue.inFlight, batch);
    const code = error instanceof TributaryError ? error.code : 'UNKNOWN_SERVER_ERROR';
    // A batch overtaken by an earlier one (or behind one being retried) is refused as out of
    // order; it is fine once the earlier batch is through.
    const overtaken = code === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && (batch.sentBehindOthers || queue.retrying);
    const retriable = (error instanceof TributaryError && error.retriable) || overtaken;
    const expired = Date.now() - batch.createdAtMs >= this.deliveryTimeoutMs;
    if (code === 'RECORD_TOO_LARGE' && !expired && (sharedCall || batch.count > 1)) {
      if (sharedCall) {
        // The broker refuses the whole call for one batch: each goes again alone to learn which.
        this.requeue(queue, batch);
      } else {
        // Too large for the topic's max.message.bytes, which the producer does not know: as Kafka's
        // producer, send the records again in two halves (and halves of those) until they fit.
        this.unfinished.delete(batch);
        const halves = batch.split();
        for (const half of halves) this.unfinished.add(half);
        this.requeue(queue, ...halves);
      }
      this.sendWaiting(queue);
      return;
    }
    // An overtaken batch did nothing wrong (gRPC calls may arrive out of order): that resend is not one of its retries.
    if (!retriable || expired || (!overtaken && batch.attempts > this.retries)) {
      this.finish(batch);
      batch.fail(error);
      this.sendWaiting(queue);
      return;
    }
    if (METADATA_ERRORS.has(code)) this.cluster.invalidate(queue.topic);
    this.requeue(queue, batch);
    if (!overtaken) {
      const backoffMs = Math.min(this.retryBackoffMaxMs, this.retryBackoffMs * 2 ** Math.min(batch.attempts - 1, 20));
      queue.backoffUntilMs = Date.now() + backoffMs;
    }
    this.sendWaiting(queue);
  }

  /** Back in line by sequence (idempotent) or creation order, ahead of newer batches; then one call at a time. */
  private requeue(queue: PartitionQueue, ...batches: ProducerBatch[]): void {
    const at = queue.waiting.findIndex((b) => b.id > batches[0].id);
    queue.waiting.splice(at < 0 ? queue.waiting.length : at, 0, ...batches);
    queue.retrying = true;
  }

  private finish(batch: ProducerBatch): void {
    this.unfinished.delete(batch);
    this.bufferedBytes -= batch.bufferedBytes;
    this.notifyWritable();
    if (this.unfinished.size === 0 && this.awaitingMetadata.size === 0) {
      for (const resolve of this.finishWaiters.splice(0)) resolve();
    }
  }

  private notifyWritable(): void {
    if (this.writable) for (const resolve of this.writableWaiters.splice(0)) resolve();
  }
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function toHeaders(headers: ProducerMessage['headers']): RecordHeaderEntry[] | undefined {
  if (headers === undefined) return undefined;
  const entries = Array.isArray(headers) ? headers : Object.entries(headers).map(([key, value]) => ({ key, value }));
  return entries.map(({ key, value }) => ({ key, value: toBuffer(value) }));
}

/** Bytes a record adds to a batch before compression: key, value, headers and varint framing. */
function estimateBytes(key: Buffer | null, value: Buffer | null, headers: RecordHeaderEntry[] | undefined): number {
  let bytes = (key?.length ?? 0) + (value?.length ?? 0) + RECORD_OVERHEAD_BYTES;
  for (const header of headers ?? []) bytes += Buffer.byteLength(header.key) + (header.value?.length ?? 0) + HEADER_OVERHEAD_BYTES;
  return bytes;
}

/** Kafka's sequence numbers wrap from Integer.MAX_VALUE to 0. */
function incrementSequence(sequence: number, count: number): number {
  return (sequence + count) % 0x8000_0000;
}

function removeFrom<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new TributaryError('INVALID_CONFIG', `${name} must be positive, not ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0)) throw new TributaryError('INVALID_CONFIG', `${name} must be zero or more, not ${value}`);
  return value;
}
