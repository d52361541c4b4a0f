import type { PartitionDescription, TopicDescription } from '@tributary/proto';
import { describeTopic } from './describe-topic';

/** Kafka's under-replicated partition (the UnderReplicatedPartitions metric, kafka-topics.sh
 * --under-replicated-partitions): fewer in-sync replicas than replicas. */
export function isUnderReplicated(partition: PartitionDescription): boolean {
  return partition.isr.length < partition.replicas.length;
}

export interface UnderReplicatedReport {
  count: number;
  /** The partition lines `topics --describe --under-replicated-partitions` prints, topics by name. */
  text: string;
}

export function underReplicatedReport(topics: readonly TopicDescription[]): UnderReplicatedReport {
  const sorted = [...topics].sort((a, b) => a.name.localeCompare(b.name));
  return {
    count: sorted.reduce((n, topic) => n + topic.partitions.filter(isUnderReplicated).length, 0),
    text: sorted.map((topic) => describeTopic(topic, { topicLine: false, partitionFilter: isUnderReplicated })).join(''),
  };
}
