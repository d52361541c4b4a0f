import { describeTopic } from './describe-topic';

describe('describeTopic (kafka-topics.sh --describe output)', () => {
  it('prints the topic line then a tab-led line per partition', () => {
    const text = describeTopic({
      name: 'orders',
      topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
      isInternal: false,
      configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' },
      partitions: [
        { partition: 1, leader: 2, leaderEpoch: 0, replicas: [2, 3, 1], isr: [2, 3] },
        { partition: 0, leader: 1, leaderEpoch: 0, replicas: [1, 2, 3], isr: [1, 2, 3] },
      ],
    });
    expect(text).toBe(
      'Topic: orders\tTopicId: AAAAAAAAAAAAAAAAAAAAAA\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: cleanup.policy=compact,retention.ms=1000\n' +
        '\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\n' +
        '\tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3\n',
    );
  });
});
