/**
 * A real MetadataImage for tests, built from the records the controller would write, so the
 * coordinator sees cluster topics exactly as the broker will hand them over.
 */
import { MetadataImage, MetadataRecord } from '@tributary/metadata';

/** A stable, valid topic id per (name, incarnation): 16 bytes in base64url like Kafka's Uuid. */
export function testTopicId(name: string, incarnation = 0): string {
  const bytes = Buffer.alloc(16);
  bytes[0] = 0x41; // keeps the printed id from starting with '-'
  Buffer.from(`${incarnation}:${name}`).copy(bytes, 1, 0, 14);
  return bytes.toString('base64url');
}

function partitionRecord(topicId: string, partition: number): MetadataRecord {
  return { type: 'Partition', topicId, partition, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 };
}

/** Mutable holder of an immutable image: createTopic, addPartitions and deleteTopic move it on. */
export class TestCluster {
  image = MetadataImage.EMPTY;
  private incarnations = new Map<string, number>();

  constructor(topics: Readonly<Record<string, number>> = {}) {
    for (const [name, partitions] of Object.entries(topics)) this.createTopic(name, partitions);
  }

  createTopic(name: string, partitions: number): this {
    const incarnation = this.incarnations.get(name) ?? 0;
    this.incarnations.set(name, incarnation + 1);
    const topicId = testTopicId(name, incarnation);
    this.image = this.image.apply([{ type: 'Topic', name, topicId }, ...Array.from({ length: partitions }, (_, p) => partitionRecord(topicId, p))]);
    return this;
  }

  addPartitions(name: string, total: number): this {
    const topic = this.image.topic(name);
    if (!topic) throw new Error(`no topic ${name}`);
    this.image = this.image.apply(Array.from({ length: total - topic.partitions.length }, (_, i) => partitionRecord(topic.topicId, topic.partitions.length + i)));
    return this;
  }

  deleteTopic(name: string): this {
    const topic = this.image.topic(name);
    if (!topic) throw new Error(`no topic ${name}`);
    this.image = this.image.apply([{ type: 'RemoveTopic', topicId: topic.topicId }]);
    return this;
  }
}
