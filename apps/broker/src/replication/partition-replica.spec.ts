import type { PartitionImage } from '@tributary/metadata';
import { PartitionReplica } from './partition-replica';

const partition = (changes: Partial<PartitionImage> = {}): PartitionImage => ({ partition: 0, replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 0, partitionEpoch: 0, ...changes });

/** Broker 1's replica of a partition on 1,2,3 it leads, with its log ending at 10. */
function leader(): PartitionReplica {
  const replica = new PartitionReplica('t', 0, 1, 0);
  expect(replica.applyMetadata(partition(), 10, 1_000)).toBe('became-leader');
  return replica;
}

describe('PartitionReplica', () => {
  it('becomes leader or follower only when the leader or its epoch changes', () => {
    const replica = new PartitionReplica('t', 0, 2, 0);
    expect(replica.applyMetadata(partition(), 0, 0)).toBe('became-follower');
    expect(replica.applyMetadata(partition({ isr: [1, 2], partitionEpoch: 1 }), 0, 0)).toBe('unchanged');
    expect(replica.isr).toEqual([1, 2]);
    expect(replica.applyMetadata(partition({ leader: 2, leaderEpoch: 1, partitionEpoch: 2 }), 0, 0)).toBe('became-leader');
    expect(replica.applyMetadata(partition({ leader: 1, leaderEpoch: 2, partitionEpoch: 3 }), 0, 0)).toBe('became-follower');
  });

  it('the high watermark is the smallest log end offset in the ISR and never moves back', () => {
    const replica = leader();
    expect(replica.advanceHighWatermark(10)).toBe(false); // no follower has fetched yet
    replica.recordFollowerFetch(2, 10, 10, 1_001);
    replica.recordFollowerFetch(3, 7, 10, 1_001);
    expect(replica.advanceHighWatermark(10)).toBe(true);
    expect(replica.highWatermark).toBe(7);
    replica.recordFollowerFetch(3, 5, 10, 1_002);
    expect(replica.advanceHighWatermark(10)).toBe(false);
    expect(replica.highWatermark).toBe(7);
  });

  it('a follower out of the ISR does not hold the high watermark back', () => {
    const replica = leader();
    replica.applyMetadata(partition({ isr: [1, 2], partitionEpoch: 1 }), 10, 1_000);
    replica.recordFollowerFetch(2, 10, 10, 1_001);
    replica.advanceHighWatermark(10);
    expect(replica.highWatermark).toBe(10);
  });

  it('lags: a follower not caught up for longer than the max lag, counting what it had at its previous fetch', () => {
    const replica = leader();
    replica.recordFollowerFetch(2, 10, 10, 1_000); // caught up at 1000
    replica.recordFollowerFetch(3, 4, 10, 1_200); // behind at 1200
    replica.recordFollowerFetch(3, 10, 20, 1_500); // has all the leader had at 1200, not what came since
    expect(replica.laggingFollowers(1_999, 1_000)).toEqual([]);
    expect(replica.laggingFollowers(2_001, 1_000)).toEqual([2]);
    expect(replica.laggingFollowers(2_201, 1_000)).toEqual([2, 3]);
  });

  it('a follower taken out of the ISR rejoins only on what it fetches afterwards (it may have restarted with an empty log)', () => {
    const replica = leader();
    replica.recordFollowerFetch(2, 10, 10, 1_001);
    replica.recordFollowerFetch(3, 10, 10, 1_001);
    replica.advanceHighWatermark(10);
    replica.applyMetadata(partition({ isr: [1, 2], partitionEpoch: 1 }), 10, 1_002); // broker 3 fenced: it crashed
    expect(replica.caughtUpFollowers()).toEqual([]); // its old position no longer counts
    replica.recordFollowerFetch(3, 0, 10, 1_003); // its new incarnation, from an empty log
    expect(replica.caughtUpFollowers()).toEqual([]);
    replica.recordFollowerFetch(3, 10, 10, 1_004);
    expect(replica.caughtUpFollowers()).toEqual([3]);
  });

  it('a replica out of the ISR may rejoin once it has the high watermark and this leadership\'s start', () => {
    const replica = leader();
    replica.applyMetadata(partition({ isr: [1, 2], partitionEpoch: 1 }), 10, 1_000);
    replica.recordFollowerFetch(2, 12, 12, 1_001);
    replica.advanceHighWatermark(12);
    replica.recordFollowerFetch(3, 9, 12, 1_001);
    expect(replica.caughtUpFollowers()).toEqual([]);
    replica.recordFollowerFetch(3, 12, 12, 1_002);
    expect(replica.caughtUpFollowers()).toEqual([3]);
  });
});
