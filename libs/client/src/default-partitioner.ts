import { partitionForKey } from '@tributary/protocol';

/** Chooses a partition for a record that does not name one. */
export interface Partitioner {
  partition(topic: string, key: Buffer | null, partitionCount: number): number;
  /** A batch for `partition` of `topic` was closed (full or lingered out). */
  onBatchClosed(topic: string, partition: number, partitionCount: number): void;
}

/**
 * Kafka's default partitioner. Keyed records go to `toPositive(murmur2(key)) % partitions`, so
 * the same keys land on the same partitions as with Kafka's clients. Records without a key stick
 * to one partition until its batch closes, then move to another (KIP-480's sticky partitioner):
 * batches fill up instead of many small ones being sent.
 */
export class DefaultPartitioner implements Partitioner {
  private readonly sticky = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  partition(topic: string, key: Buffer | null, partitionCount: number): number {
    if (key !== null) return partitionForKey(key, partitionCount);
    let partition = this.sticky.get(topic);
    if (partition === undefined || partition >= partitionCount) {
      partition = Math.floor(this.random() * partitionCount);
      this.sticky.set(topic, partition);
    }
    return partition;
  }

  onBatchClosed(topic: string, partition: number, partitionCount: number): void {
    if (this.sticky.get(topic) !== partition || partitionCount < 2) return;
    // Any partition but the current one, uniformly.
    const next = (partition + 1 + Math.floor(this.random() * (partitionCount - 1))) % partitionCount;
    this.sticky.set(topic, next);
  }
}
