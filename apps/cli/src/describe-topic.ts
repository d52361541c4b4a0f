import type { PartitionDescription, TopicDescription } from '@tributary/proto';

export interface DescribeTopicOptions {
  /** The topic line; kafka-topics.sh leaves it out when reporting partitions in trouble. */
  topicLine?: boolean;
  /** Which partition lines to print; all by default, none with --topics-with-overrides. */
  partitionFilter?: (partition: PartitionDescription) => boolean;
}

/**
 * A topic as `kafka-topics.sh --describe` prints it: one topic line, then one line per
 * partition, each starting with a tab.
 *
 *   Topic: T	TopicId: …	PartitionCount: N	ReplicationFactor: N	Configs: k=v,…
 *   	Topic: T	Partition: 0	Leader: 1	Replicas: 1,2,3	Isr: 1,2,3
 */
export function describeTopic(topic: TopicDescription, options: DescribeTopicOptions = {}): string {
  const { topicLine = true, partitionFilter = () => true } = options;
  const replicationFactor = topic.partitions[0]?.replicas.length ?? 0;
  const configs = Object.entries(topic.configs)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const lines: string[] = [];
  if (topicLine) {
    lines.push(
    `Topic: ${topic.name}\tTopicId: ${topic.topicId}\tPartitionCount: ${topic.partitions.length}\tReplicationFactor: ${replicationFactor}\tConfigs: ${configs}`,
    );
  }
  for (const p of [...topic.partitions].sort((a, b) => a.partition - b.partition).filter(partitionFilter)) {
    lines.push(`\tTopic: ${topic.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`);
  }
  return lines.map((line) => `${line}\n`).join('');
}
