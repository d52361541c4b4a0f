import { decodeRecordBatch, RecordBatchBuilder, type BatchOptions, type RecordInput } from '@tributary/protocol';

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 with acks=0: the broker does not say. */
  offset: number;
  timestamp: number;
}

export type RecordCallback = (error: Error | null, metadata: RecordMetadata | null) => void;

/**
 * Records bound for one partition, written into a RecordBatchBuilder as they arrive and sent as
 * one Kafka batch. Idempotent batches carry their base sequence from the moment they open: a
 * partition has one open batch at a time, so the sequence is known then.
 */
let batchesCreated = 0;

export class ProducerBatch {
  /**
   * Creation order, which is also sequence order within a partition. The halves of a split batch
   * share its place in line: they take ids in [id, id + idSpan), so they stay ahead of newer batches.
   */
  readonly id: number;
  private readonly idSpan: number;
  private readonly builder: RecordBatchBuilder;
  private readonly callbacks: (RecordCallback | undefined)[] = [];
  private readonly timestamps: number[] = [];
  private bytes: Buffer | null = null;
  readonly createdAtMs: number;
  attempts = 0;
  /** Sent while an earlier batch of its partition was still in flight. */
  sentBehindOthers = false;
  /** Estimated bytes this batch holds against the producer's buffer memory. */
  bufferedBytes = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly baseSequence: number,
    private readonly options: BatchOptions,
    origin: { id: number; idSpan: number; createdAtMs: number } = { id: batchesCreated++, idSpan: 1, createdAtMs: Date.now() },
  ) {
    this.builder = new RecordBatchBuilder(options);
    this.id = origin.id;
    this.idSpan = origin.idSpan;
    this.createdAtMs = origin.createdAtMs;
  }

  get count(): number {
    return this.builder.count;
  }

  get sizeBytes(): number {
    return this.builder.sizeBytes;
  }

  append(record: RecordInput & { timestamp: number }, callback: RecordCallback | undefined, estimatedBytes: number): void {
    this.builder.append(record);
    this.callbacks.push(callback);
    this.timestamps.push(record.timestamp);
    this.bufferedBytes += estimatedBytes;
  }

  /** The batch's bytes; built once, so retries send exactly the same batch. */
  build(): Buffer {
    this.bytes ??= this.builder.build();
    return this.bytes;
  }

  /**
   * Two batches holding this batch's records, first half and second half, with the sequence
   * numbers they had here: what Kafka's producer does when the broker refuses a batch as too large
   * for the topic (RECORD_TOO_LARGE). Needs at least two records.
   */
  split(): [ProducerBatch, ProducerBatch] {
    const records = decodeRecordBatch(this.build()).records;
    const firstCount = Math.ceil(records.length / 2);
    const half = (from: number, to: number, id: number): ProducerBatch => {
      const baseSequence = this.baseSequence < 0 ? -1 : (this.baseSequence + from) % 0x8000_0000;
      const options = { ...this.options, baseSequence, initialCapacityBytes: undefined };
      // The halves keep this batch's creation time: delivery.timeout.ms counts from the send.
      const batch = new ProducerBatch(this.topic, this.partition, baseSequence, options, { id, idSpan: this.idSpan / 2, createdAtMs: this.createdAtMs });
      for (let i = from; i < to; i++) {
        const { key, value, headers } = records[i];
        batch.append({ key, value, headers, timestamp: this.timestamps[i] }, this.callbacks[i], 0);
      }
      return batch;
    };
    const first = half(0, firstCount, this.id);
    const second = half(firstCount, records.length, this.id + this.idSpan / 2);
    // Buffer memory is released per batch: the halves together hold what this batch held.
    first.bufferedBytes = Math.ceil(this.bufferedBytes / 2);
    second.bufferedBytes = this.bufferedBytes - first.bufferedBytes;
    return [first, second];
  }

  complete(baseOffset: number): void {
    for (let i = 0; i < this.callbacks.length; i++) {
      const callback = this.callbacks[i];
      if (callback) {
        callback(null, {
          topic: this.topic,
          partition: this.partition,
          offset: baseOffset < 0 ? -1 : baseOffset + i,
          timestamp: this.timestamps[i],
        });
      }
    }
  }

  fail(error: Error): void {
    for (const callback of this.callbacks) callback?.(error, null);
  }
}
