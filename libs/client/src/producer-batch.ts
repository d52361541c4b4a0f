import { RecordBatchBuilder, type BatchOptions, type RecordInput } from '@tributary/protocol';

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
  /** Creation order, which is also sequence order within a partition. */
  readonly id = batchesCreated++;
  private readonly builder: RecordBatchBuilder;
  private readonly callbacks: (RecordCallback | undefined)[] = [];
  private readonly timestamps: number[] = [];
  private bytes: Buffer | null = null;
  readonly createdAtMs = Date.now();
  attempts = 0;
  /** Sent while an earlier batch of its partition was still in flight. */
  sentBehindOthers = false;
  /** Estimated bytes this batch holds against the producer's buffer memory. */
  bufferedBytes = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly baseSequence: number,
    options: BatchOptions,
  ) {
    this.builder = new RecordBatchBuilder(options);
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
