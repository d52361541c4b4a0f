import { GroupCoordinatorState } from './group-coordinator-state';
import { GroupRecord } from './group-record';
import { NO_OFFSET, OFFSETS_RETENTION_MS_DEFAULT } from './group-offsets';
import { expectGroupError } from './testing/expect-group-error';
import { sequentialMemberIds } from './testing/sequential-member-ids';
import { TestCluster } from './testing/test-cluster';
import { TestConsumer } from './testing/test-consumer';

const GROUP = 'billing';
const DAY_MS = 24 * 60 * 60 * 1000;

function setup() {
  const cluster = new TestCluster({ orders: 2 });
  const coordinator = new GroupCoordinatorState({ newMemberId: sequentialMemberIds() });
  const log: GroupRecord[] = [];
  const consumer = () => new TestConsumer(coordinator, () => cluster.image, log, { groupId: GROUP, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['orders'] });
  return { cluster, coordinator, consumer };
}

describe('offset commits', () => {
  it('a member commits partitions it owns at its current epoch; a fetch returns them with metadata and leader epoch', () => {
    const { coordinator, consumer } = setup();
    const c1 = consumer();
    c1.join(0);
    const { records } = coordinator.commitOffsets(
      { groupId: GROUP, memberId: c1.memberId, memberEpoch: c1.memberEpoch, offsets: [{ topic: 'orders', partition: 1, offset: 10, leaderEpoch: 3, metadata: 'checkpoint' }] },
      500,
    );
    expect(records).toEqual([{ type: 'OffsetCommit', groupId: GROUP, topic: 'orders', partition: 1, value: { offset: 10, leaderEpoch: 3, metadata: 'checkpoint', commitTimestampMs: 500 } }]);
    expect(coordinator.fetchOffsets(GROUP)).toEqual([{ topic: 'orders', partition: 1, offset: 10, leaderEpoch: 3, metadata: 'checkpoint', commitTimestampMs: 500 }]);
    expect(coordinator.fetchOffsets(GROUP, [{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }])).toEqual([
      { topic: 'orders', partition: 0, offset: NO_OFFSET, metadata: '' },
      { topic: 'orders', partition: 1, offset: 10, leaderEpoch: 3, metadata: 'checkpoint', commitTimestampMs: 500 },
    ]);
  });

  it('a member may still commit a partition it is giving up (pending revocation)', () => {
    const { coordinator, consumer } = setup();
    const [c1, c2] = [consumer(), consumer()];
    c1.join(0);
    c2.join(1);
    c1.heartbeat(2); // told to give up orders-1
    expect(c1.owned).toEqual({ orders: [0] });
    expect(() => coordinator.commitOffsets({ groupId: GROUP, memberId: c1.memberId, memberEpoch: c1.memberEpoch, offsets: [{ topic: 'orders', partition: 1, offset: 5 }] }, 3)).not.toThrow();
  });

  it('refuses commits from fenced, unknown or stale members, and for partitions the member does not own, changing nothing', () => {
    const { coordinator, consumer } = setup();
    const [c1, c2] = [consumer(), consumer()];
    c1.join(0);
    c2.join(1);
    c1.heartbeat(2);
    c1.heartbeat(3);
    c2.heartbeat(4);
    const commit = (memberId: string, memberEpoch: number, partition = 0) => () =>
      coordinator.commitOffsets({ groupId: GROUP, memberId, memberEpoch, offsets: [{ topic: 'orders', partition, offset: 1 }] }, 5);
    expectGroupError(commit(c1.memberId, 1), 'STALE_MEMBER_EPOCH', 'epoch 1 but its epoch is 2');
    expectGroupError(commit('ghost', 2), 'UNKNOWN_MEMBER_ID', 'ghost');
    expectGroupError(commit(c1.memberId, 2, 1), 'STALE_MEMBER_EPOCH', 'does not own orders-1');
    expectGroupError(commit('', -1), 'UNKNOWN_MEMBER_ID', 'only while it is empty');
    expectGroupError(() => coordinator.commitOffsets({ groupId: 'no-such-group', memberId: 'm', memberEpoch: 3, offsets: [] }, 5), 'GROUP_ID_NOT_FOUND');
    expect(coordinator.fetchOffsets(GROUP)).toEqual([]);
  });

  it('refuses bad offsets all at once: negative offsets, oversized metadata, invalid group ids', () => {
    const { coordinator } = setup();
    expectGroupError(() => coordinator.commitOffsets({ groupId: GROUP, offsets: [{ topic: 'orders', partition: 0, offset: 1 }, { topic: 'orders', partition: 1, offset: -5 }] }, 0), 'INVALID_REQUEST', 'offset -5');
    expectGroupError(() => coordinator.commitOffsets({ groupId: GROUP, offsets: [{ topic: 'orders', partition: 0, offset: 1, metadata: 'x'.repeat(4097) }] }, 0), 'OFFSET_METADATA_TOO_LARGE', 'offset.metadata.max.bytes (4096)');
    expectGroupError(() => coordinator.commitOffsets({ groupId: '', offsets: [] }, 0), 'INVALID_GROUP_ID');
    expect(coordinator.fetchOffsets(GROUP)).toEqual([]);
    expect(coordinator.listGroups()).toEqual([]);
  });

  it('an admin tool or standalone consumer commits with memberId "" and epoch -1 to an empty or unknown group', () => {
    const { coordinator, consumer } = setup();
    coordinator.commitOffsets({ groupId: 'standalone', offsets: [{ topic: 'orders', partition: 0, offset: 3 }] }, 0);
    expect(coordinator.listGroups()).toEqual([{ groupId: 'standalone', state: 'EMPTY' }]);
    const c1 = consumer();
    c1.join(1);
    c1.leave(2);
    coordinator.commitOffsets({ groupId: GROUP, memberId: '', memberEpoch: -1, offsets: [{ topic: 'orders', partition: 1, offset: 9 }] }, 3);
    expect(coordinator.fetchOffsets(GROUP)).toMatchObject([{ partition: 1, offset: 9 }]);
  });
});

describe('deleteGroup', () => {
  it('deletes an empty group with its offsets, writing tombstones; describe then says DEAD', () => {
    const { coordinator, consumer } = setup();
    const c1 = consumer();
    c1.join(0);
    coordinator.commitOffsets({ groupId: GROUP, memberId: c1.memberId, memberEpoch: c1.memberEpoch, offsets: [{ topic: 'orders', partition: 0, offset: 1 }] }, 1);
    expectGroupError(() => coordinator.deleteGroup(GROUP), 'NON_EMPTY_GROUP', '1 member(s)');
    c1.leave(2);
    const { records } = coordinator.deleteGroup(GROUP);
    expect(records.map((r) => [r.type, r.value])).toEqual([
      ['OffsetCommit', null],
      ['TargetAssignmentMetadata', null],
      ['PartitionMetadata', null],
      ['GroupMetadata', null],
    ]);
    expect(coordinator.describeGroups([GROUP])).toEqual([{ groupId: GROUP, state: 'DEAD', groupEpoch: 0, assignmentEpoch: 0, assignor: 'uniform', subscribedTopics: [], members: [] }]);
    expect(coordinator.fetchOffsets(GROUP)).toEqual([]);
    expectGroupError(() => coordinator.deleteGroup(GROUP), 'GROUP_ID_NOT_FOUND');
  });
});

describe('expireOffsets', () => {
  it('never expires the offsets of a group with members, however old', () => {
    const { coordinator, consumer } = setup();
    const c1 = consumer();
    c1.join(0);
    coordinator.commitOffsets({ groupId: GROUP, memberId: c1.memberId, memberEpoch: c1.memberEpoch, offsets: [{ topic: 'orders', partition: 0, offset: 1 }] }, 0);
    expect(coordinator.expireOffsets(30 * DAY_MS).records).toEqual([]);
  });

  it('expires offsets once the group has been empty, and the offset unchanged, for the retention period (7 days by default)', () => {
    const { coordinator, consumer } = setup();
    const c1 = consumer();
    c1.join(0);
    coordinator.commitOffsets({ groupId: GROUP, memberId: c1.memberId, memberEpoch: c1.memberEpoch, offsets: [{ topic: 'orders', partition: 0, offset: 1 }] }, 0);
    const emptyAt = 10 * DAY_MS;
    c1.heartbeat(emptyAt - 1);
    c1.leave(emptyAt);
    // An admin commit after the group emptied counts from its own time.
    const adminAt = emptyAt + DAY_MS;
    coordinator.commitOffsets({ groupId: GROUP, offsets: [{ topic: 'orders', partition: 1, offset: 5 }] }, adminAt);

    expect(coordinator.expireOffsets(emptyAt + OFFSETS_RETENTION_MS_DEFAULT - 1).records).toEqual([]);
    const first = coordinator.expireOffsets(emptyAt + OFFSETS_RETENTION_MS_DEFAULT);
    expect(first.response).toEqual({ expiredOffsets: [{ groupId: GROUP, topic: 'orders', partition: 0 }], deletedGroups: [] });
    expect(coordinator.fetchOffsets(GROUP)).toMatchObject([{ partition: 1, offset: 5 }]);

    const second = coordinator.expireOffsets(adminAt + OFFSETS_RETENTION_MS_DEFAULT);
    expect(second.response).toEqual({ expiredOffsets: [{ groupId: GROUP, topic: 'orders', partition: 1 }], deletedGroups: [GROUP] });
    expect(second.records.map((r) => r.type)).toEqual(['OffsetCommit', 'TargetAssignmentMetadata', 'PartitionMetadata', 'GroupMetadata']);
    expect(coordinator.listGroups()).toEqual([]);
  });

  it('takes the retention as an argument, and removes a group that only ever had offsets', () => {
    const { coordinator } = setup();
    coordinator.commitOffsets({ groupId: 'standalone', offsets: [{ topic: 'orders', partition: 0, offset: 3 }] }, 0);
    expect(coordinator.expireOffsets(999, 1000).records).toEqual([]);
    const { records, response } = coordinator.expireOffsets(1000, 1000);
    expect(records).toEqual([{ type: 'OffsetCommit', groupId: 'standalone', topic: 'orders', partition: 0, value: null }]);
    expect(response.deletedGroups).toEqual(['standalone']);
    expect(coordinator.listGroups()).toEqual([]);
  });
});
