import { MetadataImage } from './metadata-image';
import { MetadataRecord } from './metadata-record';
import { preferredLeaderChanges } from './preferred-leader-balance';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

interface Assignment {
  replicas: number[];
  isr: number[];
  leader: number;
}

/** Brokers 1..3 (unfenced) and topic t with one partition per assignment, at leader epoch 4. */
function imageOf(assignments: Assignment[]): MetadataImage {
  const records: MetadataRecord[] = [
    ...[1, 2, 3].map((brokerId): MetadataRecord => ({ type: 'RegisterBroker', brokerId, brokerEpoch: brokerId, endpoints: [{ host: 'h', port: 9000 + brokerId }], rack: null, fenced: false })),
    { type: 'Topic', name: 't', topicId: TOPIC_ID },
    ...assignments.map((a, partition): MetadataRecord => ({ type: 'Partition', topicId: TOPIC_ID, partition, ...a, leaderEpoch: 4, partitionEpoch: 0 })),
  ];
  return MetadataImage.EMPTY.apply(records);
}

/** `count` partitions preferring broker 1 on replicas [1,2], the first `ledBy2` of them led by 2. */
function preferring1(count: number, ledBy2: number): Assignment[] {
  return Array.from({ length: count }, (_, i) => ({ replicas: [1, 2], isr: [1, 2], leader: i < ledBy2 ? 2 : 1 }));
}

const allLive = () => true;
const leaderChange = (partition: number, leader: number) => ({ type: 'PartitionChange', topicId: TOPIC_ID, partition, leader });

describe('preferredLeaderChanges', () => {
  it('above the per-broker percentage, gives every partition the broker does not lead back to it; applying bumps the leader epoch', () => {
    const image = imageOf(preferring1(4, 2)); // 50% > 10%
    const records = preferredLeaderChanges(image, { isLive: allLive, imbalancePerBrokerPercentage: 10 });
    expect(records).toEqual([leaderChange(0, 1), leaderChange(1, 1)]);
    expect(image.apply(records).topic('t')?.partitions.map((p) => [p.leader, p.leaderEpoch])).toEqual([[1, 5], [1, 5], [1, 4], [1, 4]]);
  });

  it.each([
    ['exactly at the percentage', 10, 1, 10, []],
    ['below the percentage', 10, 1, 20, []],
    ['just above the percentage', 10, 1, 9, [leaderChange(0, 1)]],
    ['with percentage 0, any imbalance', 10, 1, 0, [leaderChange(0, 1)]],
    ['balanced, even with percentage 0', 3, 0, 0, []],
  ])('%s (%i partitions, %i led elsewhere, %i%%)', (_what, count, ledBy2, imbalancePerBrokerPercentage, expected) => {
    expect(preferredLeaderChanges(imageOf(preferring1(count, ledBy2)), { isLive: allLive, imbalancePerBrokerPercentage })).toEqual(expected);
  });

  it('judges each broker on its own preferred partitions', () => {
    // Broker 1: 1 of 10 led elsewhere (10%, within); broker 3: 1 of 2 (50%, above).
    const image = imageOf([...preferring1(10, 1), { replicas: [3, 1], isr: [3, 1], leader: 1 }, { replicas: [3, 2], isr: [3, 2], leader: 3 }]);
    expect(preferredLeaderChanges(image, { isLive: allLive, imbalancePerBrokerPercentage: 10 })).toEqual([leaderChange(10, 3)]);
  });

  it('moves nothing to a preferred replica that is not live (fenced or shutting down)', () => {
    const image = imageOf(preferring1(2, 2));
    expect(preferredLeaderChanges(image, { isLive: (id) => id !== 1, imbalancePerBrokerPercentage: 10 })).toEqual([]);
  });

  it('moves nothing to a preferred replica out of the ISR, and still moves the partitions where it is in', () => {
    const image = imageOf([{ replicas: [1, 2], isr: [2], leader: 2 }, { replicas: [1, 2], isr: [2, 1], leader: 2 }]);
    expect(preferredLeaderChanges(image, { isLive: allLive, imbalancePerBrokerPercentage: 10 })).toEqual([leaderChange(1, 1)]);
  });

  it('leaves a partition with no leader to the regular election rather than electing anyone else', () => {
    const image = imageOf([{ replicas: [1, 2], isr: [2], leader: -1 }]);
    expect(preferredLeaderChanges(image, { isLive: allLive, imbalancePerBrokerPercentage: 10 })).toEqual([]);
  });
});
