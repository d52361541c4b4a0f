import type { TopicDescription } from '@tributary/proto';

/**
 * A topic as `kafka-topics.sh --describe` prints it: one topic line, then one line per
 * partition, each starting with a tab.
 *
 *   Topic: T	TopicId: …	PartitionCount: N	ReplicationFactor: N	Configs: k=v,…
 *   	Topic: T	Partition: 0	Leader: 1	Replicas: 1,2,3	Isr: 1,2,3
 */
export function describeTopic(topic: TopicDescription): string {
  const replicationFactor = topic.partitions[0]?.replicas.length ?? 0;
  const configs = Object.entries(topic.configs)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const lines = [
    `Topic: ${topic.name}\tTopicId: ${topic.topicId}\tPartitionCount: ${topic.partitions.length}\tReplicationFactor: ${replicationFactor}\tConfigs: ${configs}`,
  ];
  for (const p of [...topic.partitions].sort((a, b) => a.partition - b.partition)) {
    lines.push(`\tTopic: ${topic.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`);
  }
  return lines.join('\n') + '\n';
}
