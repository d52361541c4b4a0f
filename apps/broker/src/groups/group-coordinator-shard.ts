import { decodeGroupRecord, encodeGroupRecord, GroupCoordinatorState, type GroupCoordinatorOptions, type GroupRecord } from '@tributary/groups';
import { decodeRecordBatches, encodeRecordBatch, TributaryError } from '@tributary/protocol';

/** How a shard reaches its __consumer_offsets partition on the broker that leads it. */
export interface OffsetsPartitionAccess {
  /** Every record of the partition, log start to log end, in order. */
  readAll(): AsyncIterable<{ key: Buffer | null; value: Buffer | null }>;
  /** Appends one batch as leader and resolves once every in-sync replica has it (acks=all). */
  appendDurably(batch: Buffer): Promise<void>;
}

/** Reading a partition to rebuild its groups goes in chunks of this many bytes. */
const LOAD_CHUNK_BYTES = 1024 * 1024;

export async function* readPartition(read: (offset: number, maxBytes: number) => Promise<{ batches: Buffer; nextOffset?: number }>, startOffset: number, endOffset: number) {
  let offset = startOffset;
  while (offset < endOffset) {
    const chunk = await read(offset, LOAD_CHUNK_BYTES);
    if (chunk.nextOffset === undefined) return;
    for (const batch of decodeRecordBatches(chunk.batches)) {
      for (const record of batch.records) if (record.offset >= offset) yield record;
    }
    offset = chunk.nextOffset;
  }
}

/**
 * The groups of one __consumer_offsets partition, on the broker leading it (libs/groups's
 * caller contract): rebuilt by replaying the partition, then one operation at a time, each
 * answered only once its records are on every in-sync replica. When an append fails the
 * in-memory state is ahead of the log, so it is rebuilt from the log before the next operation.
 */
export class GroupCoordinatorShard {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly partition: number,
    private readonly access: OffsetsPartitionAccess,
    private readonly options: GroupCoordinatorOptions,
    private state: GroupCoordinatorState,
  ) {}

  static async load(partition: number, access: OffsetsPartitionAccess, options: GroupCoordinatorOptions, nowMs: number): Promise<GroupCoordinatorShard> {
    return new GroupCoordinatorShard(partition, access, options, await replay(access, options, nowMs));
  }

  /** Runs `operation` after every earlier one; resolves with its response once its records are durable. */
  run<T>(operation: (state: GroupCoordinatorState) => { records: readonly GroupRecord[]; response: T }): Promise<T> {
    return this.enqueue(async () => {
      const { records, response } = operation(this.state);
      if (records.length > 0) {
        try {
          await this.access.appendDurably(encodeGroupRecords(records));
        } catch (error) {
          this.state = await replay(this.access, this.options, Date.now());
          throw new TributaryError('COORDINATOR_LOAD_IN_PROGRESS', `the group coordinator of __consumer_offsets-${this.partition} could not store the change and reloaded its groups; retry (${(error as Error).message})`, { cause: error });
        }
      }
      return response;
    });
  }

  /** Answers `query` from the state as of every earlier operation. */
  read<T>(query: (state: GroupCoordinatorState) => T): Promise<T> {
    return this.enqueue(async () => query(this.state));
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

async function replay(access: OffsetsPartitionAccess, options: GroupCoordinatorOptions, nowMs: number): Promise<GroupCoordinatorState> {
  const state = new GroupCoordinatorState(options);
  for await (const record of access.readAll()) {
    // A record without a key is none of the coordinator's (Kafka skips them too).
    if (record.key !== null) state.replay(decodeGroupRecord(record.key, record.value));
  }
  state.activate(nowMs);
  return state;
}

function encodeGroupRecords(records: readonly GroupRecord[]): Buffer {
  const timestamp = Date.now();
  return encodeRecordBatch(records.map((record) => ({ ...encodeGroupRecord(record), headers: [], timestamp })));
}
