import { PartitionImage } from './metadata-image';
import { isrWithout, partitionChange } from './partition-change';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';
const partition = (replicas: number[], isr: number[], leader: number): PartitionImage => ({
  partition: 0,
  replicas,
  isr,
  leader,
  leaderEpoch: 3,
  partitionEpoch: 7,
});

describe('partitionChange', () => {
  it.each([
    ['keeps a live leader that stays in the ISR', partition([1, 2, 3], [1, 2, 3], 1), [1, 2], [1, 2, 3], false, {}],
    ['elects the first live ISR member in replica order when the leader is dead', partition([3, 1, 2], [1, 2, 3], 3), [1, 2], [1, 2], false, { leader: 1, isr: [1, 2] }],
    ['skips ISR members that are not live', partition([1, 2, 3], [1, 2, 3], 1), [3], [2, 3], false, { leader: 3, isr: [2, 3] }],
    ['gives leader -1 when no ISR member is live', partition([1, 2], [1], 1), [2], [1], false, { leader: -1 }],
    ['elects an out-of-sync live replica alone when unclean election is on', partition([1, 2], [1], 1), [2], [1], true, { leader: 2, isr: [2] }],
    ['elects a returning ISR member for a partition with no leader', partition([1, 2], [2], -1), [2], [2], false, { leader: 2 }],
    ['changes only the ISR when the leader stays', partition([1, 2, 3], [1, 2, 3], 1), [1, 2, 3], [1, 3], false, { isr: [1, 3] }],
  ])('%s', (_what, current, live, isr, uncleanLeaderElection, expected) => {
    const change = partitionChange(TOPIC_ID, current, { isr, isLive: (id) => live.includes(id), uncleanLeaderElection });
    expect(change).toEqual(Object.keys(expected).length === 0 ? null : { type: 'PartitionChange', topicId: TOPIC_ID, partition: 0, ...expected });
  });
});

describe('partitionChange with a preferred election', () => {
  const preferred = (current: PartitionImage, live: number[]) =>
    partitionChange(TOPIC_ID, current, { isr: current.isr, isLive: (id) => live.includes(id), uncleanLeaderElection: false, election: 'preferred' });

  it('moves the lead from a valid leader to the first replica when it is live and in the ISR', () => {
    expect(preferred(partition([1, 2, 3], [1, 2, 3], 2), [1, 2, 3])).toEqual({ type: 'PartitionChange', topicId: TOPIC_ID, partition: 0, leader: 1 });
  });

  it('otherwise elects as usual: the valid leader stays, a dead one is replaced from the ISR', () => {
    expect(preferred(partition([1, 2, 3], [2, 3], 2), [1, 2, 3])).toBeNull();
    expect(preferred(partition([1, 2, 3], [1, 2, 3], 2), [2, 3])).toBeNull();
    expect(preferred(partition([1, 2, 3], [2, 3], 2), [1, 3])).toEqual({ type: 'PartitionChange', topicId: TOPIC_ID, partition: 0, leader: 3 });
  });
});

describe('isrWithout', () => {
  it('drops the broker but never the last member', () => {
    expect(isrWithout([1, 2, 3], 2)).toEqual([1, 3]);
    expect(isrWithout([2], 2)).toEqual([2]);
    expect(isrWithout([1], 2)).toEqual([1]);
  });
});
