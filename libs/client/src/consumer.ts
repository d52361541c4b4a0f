import { RecordsFormat, type FetchPartitionResponse } from '@tributary/proto';
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_LOG_APPEND_TIME,
  decodeRecordBatches,
  TributaryError,
  type RecordHeaderEntry,
} from '@tributary/protocol';
import type { BrokerConnection } from './broker-connection';
import { Cluster, type TopicPartition } from './cluster';
import { partitionError } from './grpc-error';

export type OffsetResetPolicy = 'earliest' | 'latest' | 'none';

export interface ConsumerOptions {
  /** Longest a fetch waits on the broker for minBytes to arrive. Default 500 (fetch.max.wait.ms). */
  maxWaitMs?: number;
  /** Default 1 (fetch.min.bytes). */
  minBytes?: number;
  /** Upper bound of one fetch response. Default 52428800 (fetch.max.bytes). */
  maxBytes?: number;
  /** Upper bound per partition in one fetch. Default 1048576 (max.partition.fetch.bytes). */
  maxPartitionBytes?: number;
  /** Where to start a partition with no position, or after OFFSET_OUT_OF_RANGE. Default 'latest'. */
  autoOffsetReset?: OffsetResetPolicy;
  /** Fetched bytes held for the application before fetching pauses. Default: maxBytes. */
  maxBufferedBytes?: number;
  retryBackoffMs?: number;
}

export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeaderEntry[];
}

export interface ConsumerBatch {
  topic: string;
  partition: number;
  records: ConsumerRecord[];
  /** The partition's high watermark when the batch was fetched. */
  highWatermark: number;
}

export interface RunOptions {
  eachRecord?: (record: ConsumerRecord) => Promise<void> | void;
  eachBatch?: (batch: ConsumerBatch) => Promise<void> | void;
}

/**
 * Where a newly assigned partition starts when the application did not seek. Consumer groups
 * plug their committed offsets in here (null: none committed, so autoOffsetReset applies) and
 * call assign() on every rebalance; a plain consumer has no committed offsets.
 */
export interface StartingOffsets {
  resolve(partitions: TopicPartition[]): Promise<(number | null)[]>;
}

interface PartitionState {
  tp: TopicPartition;
  /** Next offset to hand to the application; null until known. */
  position: number | null;
  /** Next offset to fetch (ahead of position while fetched records wait in the buffer). */
  fetchPosition: number | null;
  /** Bumped by every seek: fetches and buffered records of an older epoch are dropped. */
  epoch: number;
  paused: boolean;
  resolving: boolean;
  retryAtMs: number;
}

interface Buffered {
  state: PartitionState;
  epoch: number;
  batch: ConsumerBatch;
  bytes: number;
}

const EARLIEST = -2;
const LATEST = -1;

/**
 * Kafka's consumer, for explicitly assigned partitions. A fetch loop per leader keeps the next
 * Fetch in flight while the application works through what arrived (pipelining), up to
 * maxBufferedBytes; batches come as raw Kafka batches and are decoded here, skipping records
 * below the fetch offset. Records reach the application through an async iterator or run().
 */
export class Consumer implements AsyncIterable<ConsumerRecord> {
  private readonly maxWaitMs: number;
  private readonly minBytes: number;
  private readonly maxBytes: number;
  private readonly maxPartitionBytes: number;
  private readonly autoOffsetReset: OffsetResetPolicy;
  private readonly maxBufferedBytes: number;
  private readonly retryBackoffMs: number;
  private readonly states = new Map<string, PartitionState>();
  private readonly fetching = new Set<string>();
  private readonly buffer: Buffered[] = [];
  private bufferedBytes = 0;
  private wakeUp: (() => void) | null = null;
  private failure: Error | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private fetchesSent = 0;

  constructor(
    private readonly cluster: Cluster,
    options: ConsumerOptions = {},
    private readonly startingOffsets: StartingOffsets | null = null,
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 500;
    this.minBytes = options.minBytes ?? 1;
    this.maxBytes = options.maxBytes ?? 52_428_800;
    this.maxPartitionBytes = options.maxPartitionBytes ?? 1_048_576;
    this.autoOffsetReset = options.autoOffsetReset ?? 'latest';
    if (!['earliest', 'latest', 'none'].includes(this.autoOffsetReset)) {
      throw new TributaryError('INVALID_CONFIG', `autoOffsetReset must be earliest, latest or none, not ${this.autoOffsetReset}`);
    }
    this.maxBufferedBytes = options.maxBufferedBytes ?? this.maxBytes;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  /** Replaces the assigned partitions. Partitions kept keep their positions. */
  assign(partitions: TopicPartition[]): void {
    const next = new Map<string, PartitionState>();
    for (const tp of partitions) {
      const key = keyOf(tp);
      next.set(key, this.states.get(key) ?? newState(tp));
    }
    this.states.clear();
    for (const [key, state] of next) this.states.set(key, state);
    this.dropBuffered((b) => !this.states.has(keyOf(b.state.tp)));
    this.pump();
  }

  assignment(): TopicPartition[] {
    return [...this.states.values()].map((s) => ({ ...s.tp }));
  }

  /** The next offset the application will see from a partition (null until known). */
  position(tp: TopicPartition): number | null {
    return this.stateOf(tp).position;
  }

  seek(target: TopicPartition & { offset: number }): void {
    const state = this.stateOf(target);
    if (!Number.isSafeInteger(target.offset) || target.offset < 0) {
      throw new TributaryError('OFFSET_OUT_OF_RANGE', `cannot seek ${target.topic}-${target.partition} to ${target.offset}; offsets are integers >= 0`);
    }
    this.moveTo(state, target.offset);
  }

  async seekToBeginning(partitions: TopicPartition[] = this.assignment()): Promise<void> {
    await this.seekToListedOffset(partitions, EARLIEST);
  }

  async seekToEnd(partitions: TopicPartition[] = this.assignment()): Promise<void> {
    await this.seekToListedOffset(partitions, LATEST);
  }

  /** Moves to the first record with a timestamp at or after `timestampMs` (the end if none). */
  async seekToTimestamp(timestampMs: number, partitions: TopicPartition[] = this.assignment()): Promise<void> {
    await this.seekToListedOffset(partitions, timestampMs);
  }

  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.stateOf(tp).paused = true;
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.stateOf(tp).paused = false;
    this.pump();
    this.signal();
  }

  paused(): TopicPartition[] {
    return [...this.states.values()].filter((s) => s.paused).map((s) => ({ ...s.tp }));
  }

  /** Counters for tests and monitoring: fetches sent so far, and fetched records not yet handed out. */
  stats(): { fetchesSent: number; bufferedRecords: number } {
    return { fetchesSent: this.fetchesSent, bufferedRecords: this.buffer.reduce((n, b) => n + b.batch.records.length, 0) };
  }

  /** Records in offset order per partition, until close(). Throws what stops the consumer. */
  async *records(): AsyncGenerator<ConsumerRecord, void, undefined> {
    for (;;) {
      const next = await this.nextBatch();
      if (next === null) return;
      for (const record of next.batch.records) {
        if (next.state.epoch !== next.epoch || this.closed) break;
        next.state.position = record.offset + 1;
        yield record;
      }
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    return this.records();
  }

  /** Calls eachBatch or eachRecord for everything fetched, until close(); rejects on failure. */
  async run(handlers: RunOptions): Promise<void> {
    if (!handlers.eachBatch === !handlers.eachRecord) {
      throw new TributaryError('INVALID_REQUEST', 'run() needs exactly one of eachBatch and eachRecord');
    }
    for (;;) {
      const next = await this.nextBatch();
      if (next === null) return;
      if (handlers.eachBatch) {
        await handlers.eachBatch(next.batch);
        if (next.state.epoch === next.epoch) next.state.position = lastOffset(next.batch) + 1;
        continue;
      }
      for (const record of next.batch.records) {
        if (next.state.epoch !== next.epoch || this.closed) break;
        await handlers.eachRecord!(record);
        next.state.position = record.offset + 1;
      }
    }
  }

  /** Stops fetching and ends records()/run(). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.signal();
    this.cluster.close();
  }

  disconnect(): Promise<void> {
    return this.close();
  }

  private stateOf(tp: TopicPartition): PartitionState {
    const state = this.states.get(keyOf(tp));
    if (!state) throw new TributaryError('INVALID_REQUEST', `${tp.topic}-${tp.partition} is not assigned to this consumer; assign() it first`);
    return state;
  }

  private moveTo(state: PartitionState, offset: number): void {
    state.epoch++;
    state.position = offset;
    state.fetchPosition = offset;
    this.dropBuffered((b) => b.state === state);
    this.pump();
  }

  private async seekToListedOffset(partitions: TopicPartition[], timestamp: number): Promise<void> {
    const states = partitions.map((tp) => this.stateOf(tp));
    const offsets = await this.listOffsets(partitions, timestamp);
    states.forEach((state, i) => this.moveTo(state, offsets[i]));
  }

  /** ListOffsets at each partition's leader; a timestamp past every record gives the end. */
  private async listOffsets(partitions: TopicPartition[], timestamp: number): Promise<number[]> {
    return Promise.all(
      partitions.map(async (tp) => {
        const leader = await this.cluster.leaderFor(tp);
        const response = await leader.call('listOffsets', { partitions: [{ ...tp, timestamp }] });
        const result = response.partitions[0];
        const error = result ? partitionError(result.errorCode, result.errorMessage, `${tp.topic}-${tp.partition}`) : null;
        if (error) throw error;
        if (result.offset >= 0) return result.offset;
        return this.listOffsets([tp], LATEST).then(([end]) => end);
      }),
    );
  }

  private async nextBatch(): Promise<Buffered | null> {
    for (;;) {
      if (this.closed) return null;
      if (this.failure) throw this.failure;
      const i = this.buffer.findIndex((b) => !b.state.paused);
      if (i >= 0) {
        const [next] = this.buffer.splice(i, 1);
        this.bufferedBytes -= next.bytes;
        this.pump();
        if (next.state.epoch === next.epoch && this.states.get(keyOf(next.state.tp)) === next.state) return next;
        continue;
      }
      await new Promise<void>((resolve) => (this.wakeUp = resolve));
    }
  }

  private signal(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.signal();
  }

  /** Starts whatever work is possible now: position lookups and one fetch per leader. */
  private pump(): void {
    if (this.closed || this.failure) return;
    const byLeader = new Map<BrokerConnection, PartitionState[]>();
    const now = Date.now();
    let earliestRetryMs = Infinity;
    for (const state of this.states.values()) {
      if (state.paused || state.resolving) continue;
      if (state.retryAtMs > now) {
        earliestRetryMs = Math.min(earliestRetryMs, state.retryAtMs);
        continue;
      }
      if (state.fetchPosition === null) {
        this.resolvePosition(state);
        continue;
      }
      const leader = this.cluster.knownLeader(state.tp);
      if (leader === null) {
        this.lookUpLeader(state);
        continue;
      }
      const list = byLeader.get(leader) ?? [];
      list.push(state);
      byLeader.set(leader, list);
    }
    if (earliestRetryMs < Infinity && this.retryTimer === null) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.pump();
      }, earliestRetryMs - now);
    }
    if (this.bufferedBytes >= this.maxBufferedBytes) return;
    for (const [leader, states] of byLeader) {
      if (!this.fetching.has(leader.address)) this.fetch(leader, states);
    }
  }

  private lookUpLeader(state: PartitionState): void {
    state.resolving = true;
    this.cluster.leaderFor(state.tp).then(
      () => {
        state.resolving = false;
        this.pump();
      },
      (error: Error) => {
        state.resolving = false;
        this.retryOrFail(state, error);
      },
    );
  }

  private resolvePosition(state: PartitionState): void {
    state.resolving = true;
    const epoch = state.epoch;
    (async () => {
      const committed = this.startingOffsets ? (await this.startingOffsets.resolve([state.tp]))[0] : null;
      if (committed !== null) return committed;
      if (this.autoOffsetReset === 'none') {
        throw new TributaryError('OFFSET_OUT_OF_RANGE', `${state.tp.topic}-${state.tp.partition} has no position and autoOffsetReset is none; seek() first`);
      }
      return (await this.listOffsets([state.tp], this.autoOffsetReset === 'earliest' ? EARLIEST : LATEST))[0];
    })().then(
      (offset) => {
        state.resolving = false;
        if (state.epoch === epoch) this.moveTo(state, offset);
        else this.pump();
      },
      (error: Error) => {
        state.resolving = false;
        this.retryOrFail(state, error);
      },
    );
  }

  private retryOrFail(state: PartitionState, error: Error): void {
    if (error instanceof TributaryError && error.retriable && error.code !== 'UNKNOWN_TOPIC_OR_PARTITION') {
      this.cluster.invalidate(state.tp.topic);
      state.retryAtMs = Date.now() + this.retryBackoffMs;
      this.pump();
      return;
    }
    this.fail(error);
  }

  private fetch(leader: BrokerConnection, states: PartitionState[]): void {
    this.fetching.add(leader.address);
    this.fetchesSent++;
    const epochs = states.map((s) => s.epoch);
    const offsets = states.map((s) => s.fetchPosition as number);
    leader
      .call(
        'fetch',
        {
          maxWaitMs: this.maxWaitMs,
          minBytes: this.minBytes,
          maxBytes: this.maxBytes,
          format: RecordsFormat.RAW_BATCHES,
          partitions: states.map((s, i) => ({ ...s.tp, fetchOffset: offsets[i], partitionMaxBytes: this.maxPartitionBytes })),
        },
        this.maxWaitMs + 30_000,
      )
      .then(
        (response) => {
          this.fetching.delete(leader.address);
          if (this.closed) return;
          for (const result of response.partitions) {
            const i = states.findIndex((s) => s.tp.topic === result.topic && s.tp.partition === result.partition);
            if (i < 0 || states[i].epoch !== epochs[i] || this.states.get(keyOf(states[i].tp)) !== states[i]) continue;
            this.absorb(states[i], offsets[i], result);
          }
          this.pump();
        },
        (error: Error) => {
          this.fetching.delete(leader.address);
          if (this.closed) return;
          for (const state of states) this.retryOrFail(state, error);
        },
      );
  }

  private absorb(state: PartitionState, fetchOffset: number, result: FetchPartitionResponse): void {
    const error = partitionError(result.errorCode, result.errorMessage, `${state.tp.topic}-${state.tp.partition}`);
    if (error?.code === 'OFFSET_OUT_OF_RANGE' && this.autoOffsetReset !== 'none') {
      const resetTo = this.autoOffsetReset === 'earliest' ? result.logStartOffset : result.highWatermark;
      this.moveTo(state, resetTo);
      return;
    }
    if (error) {
      this.retryOrFail(state, error);
      return;
    }
    const bytes = result.recordBatches;
    if (bytes.length === 0) return;
    let decoded;
    try {
      decoded = decodeRecordBatches(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    const records: ConsumerRecord[] = [];
    let next = fetchOffset;
    for (const { header, records: batchRecords } of decoded) {
      next = Math.max(next, header.baseOffset + header.lastOffsetDelta + 1);
      if ((header.attributes & ATTRIBUTE_CONTROL) !== 0) continue;
      const timestampType = (header.attributes & ATTRIBUTE_LOG_APPEND_TIME) !== 0 ? 'LogAppendTime' : 'CreateTime';
      for (const r of batchRecords) {
        // A batch may start before the fetch offset; those records were delivered already.
        if (r.offset < fetchOffset) continue;
        records.push({ topic: state.tp.topic, partition: state.tp.partition, timestampType, ...r });
      }
    }
    state.fetchPosition = next;
    if (records.length === 0) return;
    this.buffer.push({
      state,
      epoch: state.epoch,
      bytes: bytes.length,
      batch: { topic: state.tp.topic, partition: state.tp.partition, records, highWatermark: result.highWatermark },
    });
    this.bufferedBytes += bytes.length;
    this.signal();
  }

  private dropBuffered(predicate: (b: Buffered) => boolean): void {
    for (let i = this.buffer.length - 1; i >= 0; i--) {
      if (predicate(this.buffer[i])) {
        this.bufferedBytes -= this.buffer[i].bytes;
        this.buffer.splice(i, 1);
      }
    }
  }
}

function newState(tp: TopicPartition): PartitionState {
  return { tp: { topic: tp.topic, partition: tp.partition }, position: null, fetchPosition: null, epoch: 0, paused: false, resolving: false, retryAtMs: 0 };
}

function keyOf(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

function lastOffset(batch: ConsumerBatch): number {
  return batch.records[batch.records.length - 1].offset;
}
