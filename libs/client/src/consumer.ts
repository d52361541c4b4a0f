import { RecordsFormat, type FetchPartitionResponse } from '@tributary/proto';
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_LOG_APPEND_TIME,
  decodeRecordBatches,
  isTributaryError,
  TributaryError,
  type RecordHeaderEntry,
} from '@tributary/protocol';
import type { BrokerConnection } from './broker-connection';
import { Cluster, type TopicPartition } from './cluster';
import { DeliveryGate } from './delivery-gate';
import type { TopicPartitionOffset } from './group-offsets';
import { GroupSubscription, type GroupMetadata, type GroupOptions, type SubscribeOptions } from './group-subscription';
import { partitionError } from './grpc-error';

export type OffsetResetPolicy = 'earliest' | 'latest' | 'none';

/** Fetch settings, and the group settings subscribe() takes as defaults. */
export interface ConsumerOptions extends GroupOptions {
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
  /** Deadline of one coordinator call, retries included, in a group. Default 30000 (request.timeout.ms). */
  requestTimeoutMs?: number;
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
 * Where a newly assigned partition starts when the application did not seek: a subscribed
 * consumer's committed offsets (null: none committed, so autoOffsetReset applies); a consumer
 * with assigned partitions has none.
 */
export interface StartingOffsets {
  resolve(partitions: TopicPartition[]): Promise<(number | null)[]>;
  /** Where the offsets come from, for errors (e.g. "group orders"). */
  readonly source: string;
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
 * Kafka's consumer, for assigned partitions or as a member of a consumer group (subscribe()).
 * A fetch loop per leader keeps the next Fetch in flight while the application works through
 * what arrived (pipelining), up to maxBufferedBytes; batches come as raw Kafka batches and are
 * decoded here, skipping records below the fetch offset. Records reach the application through
 * an async iterator or run(); group work (rebalance callbacks, auto-commit) happens between them.
 */
export class Consumer implements AsyncIterable<ConsumerRecord> {
  private readonly maxWaitMs: number;
  private readonly minBytes: number;
  private readonly maxBytes: number;
  private readonly maxPartitionBytes: number;
  private readonly autoOffsetReset: OffsetResetPolicy;
  private readonly maxBufferedBytes: number;
  private readonly requestTimeoutMs: number;
  private readonly retryBackoffMs: number;
  private readonly states = new Map<string, PartitionState>();
  private readonly fetching = new Set<string>();
  private readonly buffer: Buffered[] = [];
  private readonly gate = new DeliveryGate();
  private bufferedBytes = 0;
  private wakeUp: (() => void) | null = null;
  private failure: Error | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  private fetchesSent = 0;
  private group: GroupSubscription | null = null;
  private startingOffsets: StartingOffsets | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ConsumerOptions = {},
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
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  /** Replaces the assigned partitions. Partitions kept keep their positions. */
  assign(partitions: TopicPartition[]): void {
    if (this.group) throw new TributaryError('INVALID_REQUEST', 'this consumer is subscribed: its group assigns its partitions (assign() and subscribe() are mutually exclusive)');
    this.replaceAssignment(partitions);
  }

  /**
   * Joins the consumer group `groupId` (or the consumer's groupId) and consumes what the
   * coordinator assigns: each partition from its committed offset, else by autoOffsetReset.
   * Options left out come from the consumer's options. Joining goes on in the background.
   */
  subscribe(options: SubscribeOptions): void {
    if (this.closed) throw new TributaryError('INVALID_REQUEST', 'this consumer is closed');
    if (this.group) throw new TributaryError('INVALID_REQUEST', 'this consumer is subscribed already; close it and subscribe with a new one');
    if (this.states.size > 0) throw new TributaryError('INVALID_REQUEST', 'this consumer has assigned partitions (assign() and subscribe() are mutually exclusive)');
    const group = new GroupSubscription(
      this.cluster,
      { ...this.options, ...options },
      {
        assign: (partitions) => this.replaceAssignment(partitions),
        consumedOffsets: (partitions) => this.consumedOffsets(partitions),
        gate: this.gate,
        fail: (error) => this.fail(error),
      },
      { timeoutMs: this.requestTimeoutMs, retryBackoffMs: this.retryBackoffMs, retryBackoffMaxMs: 1000 },
    );
    this.group = group;
    this.startingOffsets = group.offsets;
    group.start();
  }

  /**
   * Commits `offsets` (each the next offset to read), or what the application consumed of every
   * owned partition. Rejects with the coordinator's refusal (e.g. UNKNOWN_MEMBER_ID when fenced).
   */
  async commitSync(offsets?: TopicPartitionOffset[]): Promise<void> {
    await this.requireGroup('commitSync').commitSync(offsets);
  }

  /** commitSync without waiting: the callback, if any, hears how it went. */
  commitAsync(offsets?: TopicPartitionOffset[], callback?: (error: Error | null) => void): void {
    this.requireGroup('commitAsync')
      .commitSync(offsets)
      .then(
        () => callback?.(null),
        (error: Error) => callback?.(error),
      );
  }

  /** The group's committed offset of each partition (null where none). */
  async committed(partitions: TopicPartition[]): Promise<(number | null)[]> {
    return this.requireGroup('committed').offsets.resolve(partitions);
  }

  /** The group, member id and epoch of a subscribed consumer; null before subscribe(). */
  groupMetadata(): GroupMetadata | null {
    return this.group?.metadata() ?? null;
  }

  private replaceAssignment(partitions: TopicPartition[]): void {
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

  /** Moves a partition this consumer owns to `offset` (also inside onPartitionsAssigned). */
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
      try {
        for (const record of next.batch.records) {
          if (this.gate.held) await this.gate.opened();
          if (!this.isCurrent(next) || this.closed) break;
          next.state.position = record.offset + 1;
          this.gate.begin();
          try {
            yield record;
          } finally {
            this.gate.end();
          }
        }
      } finally {
        // Left mid-batch (a break out of for-await): the records not handed out are fetched again.
        const { position } = next.state;
        if (this.isCurrent(next) && !this.closed && position !== null && position <= lastOffset(next.batch)) this.moveTo(next.state, position);
      }
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    return this.records();
  }

  /** Calls eachBatch or eachRecord for everything fetched, until close(); rejects on failure. */
  async run(handlers: RunOptions): Promise<void> {
    const { eachBatch, eachRecord } = handlers;
    if (!eachBatch === !eachRecord) {
      throw new TributaryError('INVALID_REQUEST', 'run() needs exactly one of eachBatch and eachRecord');
    }
    for (;;) {
      const next = await this.nextBatch();
      if (next === null) return;
      if (eachBatch) {
        await this.deliver(next, lastOffset(next.batch), () => eachBatch(next.batch));
        continue;
      }
      for (const record of next.batch.records) {
        if (!(await this.deliver(next, record.offset, () => eachRecord?.(record)))) break;
      }
    }
  }

  /**
   * Stops fetching and ends records()/run(). A subscribed consumer first gives up its partitions
   * as in a rebalance (onPartitionsRevoked, then the auto-commit) and leaves its group.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  disconnect(): Promise<void> {
    return this.close();
  }

  private async shutDown(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.signal();
    this.gate.close();
    await this.group?.close();
    this.cluster.close();
  }

  /**
   * Hands a batch (or one record of it) to a run() handler once group work lets it, and moves the
   * position past `lastOffset` when the handler is done; false when the batch went stale.
   */
  private async deliver(next: Buffered, lastOffset: number, handler: () => Promise<void> | void): Promise<boolean> {
    if (this.gate.held) await this.gate.opened();
    if (!this.isCurrent(next) || this.closed) return false;
    this.gate.begin();
    try {
      await handler();
      // The position moves before the gate opens, so an auto-commit right after counts this delivery.
      if (this.isCurrent(next)) next.state.position = lastOffset + 1;
    } finally {
      this.gate.end();
    }
    return true;
  }

  /** Whether a buffered batch still belongs to its partition: not seeked past, still assigned. */
  private isCurrent(next: Buffered): boolean {
    return next.state.epoch === next.epoch && this.states.get(keyOf(next.state.tp)) === next.state;
  }

  private requireGroup(call: string): GroupSubscription {
    if (!this.group) throw new TributaryError('INVALID_REQUEST', `${call}() needs a consumer group: subscribe({ groupId, topics | pattern }) first`);
    return this.group;
  }

  private consumedOffsets(partitions?: TopicPartition[]): TopicPartitionOffset[] {
    const states = partitions ? partitions.map((tp) => this.states.get(keyOf(tp))) : [...this.states.values()];
    return states.flatMap((s) => (s && s.position !== null ? [{ ...s.tp, offset: s.position }] : []));
  }

  private stateOf(tp: TopicPartition): PartitionState {
    const state = this.states.get(keyOf(tp));
    if (!state) {
      const hint = this.group ? 'its group has not given it to this member' : 'assign() it first';
      throw new TributaryError('INVALID_REQUEST', `${tp.topic}-${tp.partition} is not assigned to this consumer; ${hint}`);
    }
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
        if (this.isCurrent(next)) return next;
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
    const unresolved: PartitionState[] = [];
    const now = Date.now();
    let earliestRetryMs = Infinity;
    for (const state of this.states.values()) {
      if (state.paused || state.resolving) continue;
      if (state.retryAtMs > now) {
        earliestRetryMs = Math.min(earliestRetryMs, state.retryAtMs);
        continue;
      }
      if (state.fetchPosition === null) {
        unresolved.push(state);
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
    if (unresolved.length > 0) this.resolvePositions(unresolved);
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

  /** Starting positions: the committed offsets (one lookup for all), else autoOffsetReset. */
  private resolvePositions(states: PartitionState[]): void {
    const epochs = states.map((state) => state.epoch);
    for (const state of states) state.resolving = true;
    (async () => {
      const committed = this.startingOffsets ? await this.startingOffsets.resolve(states.map((s) => s.tp)) : states.map(() => null);
      return Promise.all(states.map((state, i) => committed[i] ?? this.resetOffset(state.tp)));
    })().then(
      (offsets) => {
        states.forEach((state, i) => {
          state.resolving = false;
          if (state.epoch === epochs[i]) this.moveTo(state, offsets[i]);
        });
        this.pump();
      },
      (error: Error) => {
        for (const state of states) {
          state.resolving = false;
          this.retryOrFail(state, error);
        }
      },
    );
  }

  private async resetOffset(tp: TopicPartition): Promise<number> {
    if (this.autoOffsetReset === 'none') {
      const where = `${tp.topic}-${tp.partition}`;
      throw new TributaryError(
        'OFFSET_OUT_OF_RANGE',
        this.startingOffsets
          ? `${where} has no committed offset in ${this.startingOffsets.source} and autoOffsetReset (auto.offset.reset) is none; commit one (tributary groups --reset-offsets) or use earliest or latest`
          : `${where} has no position and autoOffsetReset is none; seek() first`,
      );
    }
    return (await this.listOffsets([tp], this.autoOffsetReset === 'earliest' ? EARLIEST : LATEST))[0];
  }

  private retryOrFail(state: PartitionState, error: Error): void {
    // An assigned partition that does not exist is the application's mistake; in a group it is a
    // topic deleted under the member, whose partitions the coordinator revokes shortly.
    const unknownFails = this.group === null && isTributaryError(error, 'UNKNOWN_TOPIC_OR_PARTITION');
    if (error instanceof TributaryError && error.retriable && !unknownFails) {
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
