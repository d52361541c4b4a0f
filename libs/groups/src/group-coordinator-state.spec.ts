import { GroupCoordinatorState } from './group-coordinator-state';
import { GroupRecord, decodeGroupRecord, encodeGroupRecord } from './group-record';
import { compactLog } from './testing/log-compaction';
import { sequentialMemberIds } from './testing/sequential-member-ids';
import { TestCluster } from './testing/test-cluster';
import { ConsumerSettings, TestConsumer } from './testing/test-consumer';

const GROUP = 'orders-app';
const SESSION_MS = 45_000;

function setup(topics: Record<string, number> = { orders: 4 }, options: Partial<ConstructorParameters<typeof GroupCoordinatorState>[0]> = {}) {
  const cluster = new TestCluster(topics);
  const coordinator = new GroupCoordinatorState({ newMemberId: sequentialMemberIds(), ...options });
  const log: GroupRecord[] = [];
  const consumer = (settings: Partial<ConsumerSettings> = {}) =>
    new TestConsumer(coordinator, () => cluster.image, log, { groupId: GROUP, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['orders'], ...settings });
  const describe = () => coordinator.describeGroups([GROUP])[0];
  return { cluster, coordinator, log, consumer, describe };
}

function rebuilt(log: readonly GroupRecord[]): GroupCoordinatorState {
  const state = new GroupCoordinatorState({ newMemberId: sequentialMemberIds('replayed') });
  for (const r of log) {
    const { key, value } = encodeGroupRecord(r);
    state.replay(decodeGroupRecord(key, value));
  }
  return state;
}

describe('GroupCoordinatorState: joining and rebalancing', () => {
  it('a first member gets an id, epoch 1 and every partition at once', () => {
    const { consumer, describe, log } = setup();
    const c1 = consumer();
    const response = c1.join(0);
    expect(response).toEqual({ errorCode: 'NONE', memberId: 'member-1', memberEpoch: 1, heartbeatIntervalMs: 5000, assignment: { orders: [0, 1, 2, 3] } });
    expect(log.map((r) => r.type)).toEqual(['MemberMetadata', 'PartitionMetadata', 'GroupMetadata', 'TargetAssignmentMember', 'TargetAssignmentMetadata', 'CurrentMemberAssignment']);
    expect(describe()).toMatchObject({ state: 'STABLE', groupEpoch: 1, assignmentEpoch: 1, assignor: 'uniform', subscribedTopics: [{ name: 'orders', numPartitions: 4 }] });
  });

  it('a member may bring its own id (KIP-1082)', () => {
    const { consumer } = setup();
    const c1 = consumer();
    c1.memberId = 'client-chosen';
    expect(c1.join(0)).toMatchObject({ errorCode: 'NONE', memberId: 'client-chosen' });
  });

  it('a heartbeat that changes nothing writes nothing and omits the assignment', () => {
    const { consumer, log } = setup();
    const c1 = consumer();
    c1.join(0);
    const before = log.length;
    expect(c1.heartbeat(5000)).toEqual({ errorCode: 'NONE', memberId: 'member-1', memberEpoch: 1, heartbeatIntervalMs: 5000 });
    expect(log.length).toBe(before);
  });

  it('a joining member gets partitions only after their owner revoked them; no partition is owned twice', () => {
    const { consumer, describe } = setup();
    const c1 = consumer();
    const c2 = consumer();
    c1.join(0);
    expect(c2.join(1)).toMatchObject({ memberEpoch: 2, assignment: {} });
    expect(describe()).toMatchObject({ state: 'RECONCILING', groupEpoch: 2 });
    expect(describe().members.map((m) => [m.memberId, m.memberState])).toEqual([
      ['member-1', 'STABLE'],
      ['member-2', 'UNRELEASED_PARTITIONS'],
    ]);

    // c1 is told to give up two partitions and keeps its epoch until it says it did.
    expect(c1.heartbeat(2)).toMatchObject({ memberEpoch: 1, assignment: { orders: [0, 1] } });
    expect(describe().members[0]).toMatchObject({ memberState: 'UNREVOKED_PARTITIONS', partitionsPendingRevocation: { orders: [2, 3] } });
    expect(c2.heartbeat(3).assignment).toBeUndefined();

    expect(c1.heartbeat(4)).toEqual({ errorCode: 'NONE', memberId: 'member-1', memberEpoch: 2, heartbeatIntervalMs: 5000 });
    expect(c2.heartbeat(5)).toMatchObject({ memberEpoch: 2, assignment: { orders: [2, 3] } });
    expect(describe()).toMatchObject({ state: 'STABLE' });
  });

  it('a member that leaves frees its partitions at once and bumps the group epoch', () => {
    const { consumer, describe } = setup();
    const [c1, c2] = [consumer(), consumer()];
    c1.join(0);
    c2.join(0);
    c1.heartbeat(1);
    c1.heartbeat(2);
    c2.heartbeat(3);
    expect(c2.leave(4)).toMatchObject({ errorCode: 'NONE', memberId: 'member-2', memberEpoch: -1 });
    expect(describe()).toMatchObject({ groupEpoch: 3, state: 'ASSIGNING' });
    expect(c1.heartbeat(5)).toMatchObject({ memberEpoch: 3, assignment: { orders: [0, 1, 2, 3] } });
  });

  it('the range assignor, when the members ask for it, lays out co-partitioned ranges', () => {
    const { consumer, describe } = setup({ orders: 4, payments: 4 });
    const [c1, c2] = [consumer({ serverAssignor: 'range', subscribedTopicNames: ['orders', 'payments'] }), consumer({ serverAssignor: 'range', subscribedTopicNames: ['orders', 'payments'] })];
    c1.join(0);
    c2.join(0);
    c1.heartbeat(1);
    c1.heartbeat(2);
    c2.heartbeat(3);
    expect(describe().assignor).toBe('range');
    expect(c1.owned).toEqual({ orders: [0, 1], payments: [0, 1] });
    expect(c2.owned).toEqual({ orders: [2, 3], payments: [2, 3] });
  });

  it('a subscription change bumps the epoch and moves to the new topics', () => {
    const { consumer } = setup({ orders: 2, payments: 2 });
    const c1 = consumer();
    c1.join(0);
    expect(c1.heartbeat(1, { changes: { subscribedTopicNames: ['payments'] } })).toMatchObject({ memberEpoch: 1, assignment: {} });
    expect(c1.heartbeat(2)).toMatchObject({ memberEpoch: 2, assignment: { payments: [0, 1] } });
  });
});

describe('GroupCoordinatorState: topics change under the group', () => {
  it('a regex subscription picks up a topic created later, never an internal topic', () => {
    const { consumer, cluster, describe } = setup({ 'orders-eu': 2, payments: 1, __consumer_offsets: 2 });
    const c1 = consumer({ subscribedTopicNames: undefined, subscribedTopicRegex: 'orders-.*' });
    expect(c1.join(0)).toMatchObject({ memberEpoch: 1, assignment: { 'orders-eu': [0, 1] } });
    cluster.createTopic('orders-us', 2);
    expect(c1.heartbeat(1)).toMatchObject({ memberEpoch: 2, assignment: { 'orders-eu': [0, 1], 'orders-us': [0, 1] } });

    const everything = consumer({ subscribedTopicNames: undefined, subscribedTopicRegex: '.*' });
    everything.join(2);
    expect(describe().subscribedTopics.map((t) => t.name)).toEqual(['orders-eu', 'orders-us', 'payments']);
  });

  it('a partition increase is picked up on the next heartbeat', () => {
    const { consumer, cluster } = setup({ orders: 2 });
    const c1 = consumer();
    c1.join(0);
    cluster.addPartitions('orders', 4);
    expect(c1.heartbeat(1)).toMatchObject({ memberEpoch: 2, assignment: { orders: [0, 1, 2, 3] } });
  });

  it('a deleted topic is revoked; a recreated one is assigned again', () => {
    const { consumer, cluster, describe } = setup({ orders: 2, payments: 1 });
    const c1 = consumer({ subscribedTopicNames: ['orders', 'payments'] });
    c1.join(0);
    cluster.deleteTopic('orders');
    expect(c1.heartbeat(1)).toMatchObject({ memberEpoch: 1, assignment: { payments: [0] } });
    expect(c1.heartbeat(2)).toMatchObject({ memberEpoch: 2 });
    const idBefore = describe().subscribedTopics;
    cluster.createTopic('orders', 3);
    expect(c1.heartbeat(3)).toMatchObject({ memberEpoch: 3, assignment: { orders: [0, 1, 2], payments: [0] } });
    expect(describe().subscribedTopics).not.toEqual(idBefore);
  });
});

describe('GroupCoordinatorState: static membership', () => {
  function twoStatic() {
    const ctx = setup();
    const a = ctx.consumer({ instanceId: 'host-a' });
    const b = ctx.consumer({ instanceId: 'host-b' });
    a.join(0);
    b.join(0);
    a.heartbeat(1);
    a.heartbeat(2);
    b.heartbeat(3);
    return { ...ctx, a, b };
  }

  it('a static member that comes back within its session keeps its partitions without a rebalance', () => {
    const { a, b, describe, consumer } = twoStatic();
    const epochBefore = describe().groupEpoch;
    const partitionsOfA = a.owned;
    expect(a.leave(10, -2)).toMatchObject({ errorCode: 'NONE', memberEpoch: -2 });
    expect(describe()).toMatchObject({ groupEpoch: epochBefore });
    expect(b.heartbeat(11).assignment).toBeUndefined();

    const restarted = consumer({ instanceId: 'host-a' });
    expect(restarted.join(SESSION_MS - 1)).toMatchObject({ memberId: 'member-3', memberEpoch: epochBefore, assignment: partitionsOfA });
    expect(describe()).toMatchObject({ groupEpoch: epochBefore, state: 'STABLE' });
    expect(describe().members.map((m) => [m.memberId, m.instanceId])).toEqual([
      ['member-2', 'host-b'],
      ['member-3', 'host-a'],
    ]);
  });

  it('a static member that does not come back within its session is removed and its partitions move', () => {
    const { a, b, coordinator, describe } = twoStatic();
    a.leave(10, -2);
    b.heartbeat(SESSION_MS);
    expect(coordinator.expireMembers(10 + SESSION_MS - 1).response).toEqual([]);
    expect(coordinator.expireMembers(10 + SESSION_MS).response).toEqual([{ groupId: GROUP, memberId: 'member-1', reason: 'session-timeout' }]);
    expect(b.heartbeat(10 + SESSION_MS + 1)).toMatchObject({ assignment: { orders: [0, 1, 2, 3] } });
    expect(describe().members).toHaveLength(1);
  });

  it('an instance id in use by a live member cannot join again (UNRELEASED_INSTANCE_ID), and nothing changes', () => {
    const { consumer, describe, log } = twoStatic();
    const before = describe();
    const logLength = log.length;
    expect(consumer({ instanceId: 'host-a' }).join(20)).toMatchObject({ errorCode: 'UNRELEASED_INSTANCE_ID', errorMessage: expect.stringContaining('member-1') });
    expect(describe()).toEqual(before);
    expect(log.length).toBe(logLength);
  });

  it('a heartbeat for an instance id held by another member id is FENCED_INSTANCE_ID', () => {
    const { a, coordinator, cluster } = twoStatic();
    const { response } = coordinator.heartbeat({ groupId: GROUP, memberId: 'impostor', memberEpoch: a.memberEpoch, instanceId: 'host-a' }, 20, cluster.image);
    expect(response.errorCode).toBe('FENCED_INSTANCE_ID');
  });
});

describe('GroupCoordinatorState: sessions and fencing', () => {
  it('a member that stops heartbeating is removed after session.timeout.ms and its partitions move', () => {
    const { consumer, coordinator, describe } = setup();
    const [c1, c2] = [consumer(), consumer()];
    c1.join(0);
    c2.join(0);
    c1.heartbeat(1);
    c1.heartbeat(2);
    c2.heartbeat(3);
    for (let t = 5000; t <= 50_000; t += 5000) c2.heartbeat(t);
    expect(coordinator.expireMembers(2 + SESSION_MS - 1).response).toEqual([]);
    const expired = coordinator.expireMembers(2 + SESSION_MS);
    expect(expired.response).toEqual([{ groupId: GROUP, memberId: 'member-1', reason: 'session-timeout' }]);
    expect(expired.records.map((r) => r.type)).toEqual(['CurrentMemberAssignment', 'TargetAssignmentMember', 'MemberMetadata', 'GroupMetadata']);
    expect(c2.heartbeat(50_001)).toMatchObject({ memberEpoch: describe().groupEpoch, assignment: { orders: [0, 1, 2, 3] } });
    expect(c1.heartbeat(50_002)).toMatchObject({ errorCode: 'UNKNOWN_MEMBER_ID' });
  });

  it('session.timeout.ms is configurable', () => {
    const { consumer, coordinator } = setup({ orders: 1 }, { sessionTimeoutMs: 1000 });
    consumer().join(0);
    expect(coordinator.expireMembers(1000).response).toHaveLength(1);
  });

  it('a member that does not revoke within its rebalance timeout is removed even while heartbeating', () => {
    const { consumer, coordinator } = setup();
    const [c1, c2] = [consumer({ rebalanceTimeoutMs: 10_000 }), consumer()];
    c1.join(0);
    c2.join(0);
    // Told to revoke at t=1000, it never hears of it and keeps reporting all four partitions.
    c1.heartbeat(1000, { lose: true });
    c1.heartbeat(6000, { lose: true });
    c1.heartbeat(10_999, { lose: true });
    expect(coordinator.expireMembers(10_999).response).toEqual([]);
    expect(coordinator.expireMembers(11_000).response).toEqual([{ groupId: GROUP, memberId: 'member-1', reason: 'rebalance-timeout' }]);
  });

  it('an epoch ahead of the coordinator is FENCED_MEMBER_EPOCH; the member rejoins with epoch 0 and the same id', () => {
    const { consumer, describe } = setup();
    const c1 = consumer();
    c1.join(0);
    c1.memberEpoch = 7;
    expect(c1.heartbeat(1)).toMatchObject({ errorCode: 'FENCED_MEMBER_EPOCH', errorMessage: expect.stringContaining('rejoin') });
    expect(c1.owned).toEqual({});
    expect(c1.join(2)).toMatchObject({ errorCode: 'NONE', memberId: 'member-1', memberEpoch: 1, assignment: { orders: [0, 1, 2, 3] } });
    expect(describe()).toMatchObject({ groupEpoch: 1, state: 'STABLE' });
  });

  it('an older epoch is FENCED_MEMBER_EPOCH unless it is the previous one sent with partitions the member still has (a lost response)', () => {
    const { consumer } = setup();
    const [c1, c2] = [consumer(), consumer()];
    c1.join(0);
    c2.join(0);
    c1.heartbeat(1);
    c1.heartbeat(2); // epoch 1 → 2
    c2.heartbeat(3, { lose: true }); // c2 moves to epoch 2 with [2, 3] but never hears of it
    expect(c2.memberEpoch).toBe(2);
    expect(c2.heartbeat(4)).toMatchObject({ errorCode: 'NONE', memberEpoch: 2, assignment: { orders: [2, 3] } });

    const c3 = consumer();
    c3.join(5);
    c1.heartbeat(6);
    c1.heartbeat(7); // c1 now at epoch 3
    c1.memberEpoch = 1; // neither current nor previous
    expect(c1.heartbeat(8)).toMatchObject({ errorCode: 'FENCED_MEMBER_EPOCH' });
  });

  it('an unknown member is UNKNOWN_MEMBER_ID, an unknown group GROUP_ID_NOT_FOUND', () => {
    const { coordinator, cluster, consumer } = setup();
    consumer().join(0);
    expect(coordinator.heartbeat({ groupId: GROUP, memberId: 'ghost', memberEpoch: 3 }, 1, cluster.image).response).toMatchObject({ errorCode: 'UNKNOWN_MEMBER_ID' });
    expect(coordinator.heartbeat({ groupId: 'nope', memberId: 'ghost', memberEpoch: 3 }, 1, cluster.image).response).toMatchObject({ errorCode: 'GROUP_ID_NOT_FOUND' });
    expect(coordinator.heartbeat({ groupId: GROUP, memberId: 'ghost', memberEpoch: -1 }, 1, cluster.image).response).toMatchObject({ errorCode: 'UNKNOWN_MEMBER_ID' });
  });

  it('group.consumer.max.size refuses one member too many (GROUP_MAX_SIZE_REACHED)', () => {
    const { consumer } = setup({ orders: 1 }, { maxGroupSize: 1 });
    consumer().join(0);
    expect(consumer().join(1)).toMatchObject({ errorCode: 'GROUP_MAX_SIZE_REACHED' });
  });
});

describe('GroupCoordinatorState: bad requests leave the state as it was', () => {
  const cases: [string, object, string, string][] = [
    ['an empty group id', { groupId: ' ' }, 'INVALID_REQUEST', "GroupId can't be empty"],
    ['an epoch below -2', { memberEpoch: -3 }, 'INVALID_REQUEST', 'MemberEpoch -3 is invalid'],
    ['a heartbeat without member id', { memberEpoch: 1, memberId: '' }, 'INVALID_REQUEST', "MemberId can't be empty"],
    ['a join without rebalance timeout', { rebalanceTimeoutMs: undefined }, 'INVALID_REQUEST', 'RebalanceTimeoutMs must be provided'],
    ['a join without subscription', { subscribedTopicNames: undefined }, 'INVALID_REQUEST', 'SubscribedTopicNames or SubscribedTopicRegex'],
    ['a join owning partitions', { ownedTopicPartitions: [{ topic: 'orders', partitions: [0] }] }, 'INVALID_REQUEST', 'TopicPartitions must be empty'],
    ['an invalid regex', { subscribedTopicRegex: 'orders-(' }, 'INVALID_REGULAR_EXPRESSION', 'orders-('],
    ['an unknown assignor', { serverAssignor: 'sticky' }, 'UNSUPPORTED_ASSIGNOR', 'Supported assignors: uniform, range'],
    ['a blank instance id', { instanceId: '' }, 'INVALID_REQUEST', "InstanceId can't be empty"],
    ['a static leave without instance id', { memberEpoch: -2, memberId: 'member-1' }, 'INVALID_REQUEST', "InstanceId can't be null"],
    ['negative owned partitions', { memberEpoch: 1, memberId: 'member-1', ownedTopicPartitions: [{ topic: 'orders', partitions: [-1] }] }, 'INVALID_REQUEST', 'partition numbers'],
  ];
  it.each(cases)('%s', (_name, change, code, fragment) => {
    const { coordinator, cluster, consumer, describe } = setup();
    consumer().join(0);
    const before = describe();
    const request = { groupId: GROUP, memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['orders'], ...change };
    const { records, response } = coordinator.heartbeat(request, 1, cluster.image);
    expect(records).toEqual([]);
    expect(response).toMatchObject({ errorCode: code, errorMessage: expect.stringContaining(fragment) });
    expect(describe()).toEqual(before);
  });
});

describe('GroupCoordinatorState: replay', () => {
  function busyLog() {
    const ctx = setup({ orders: 4, payments: 2 });
    const a = ctx.consumer({ instanceId: 'host-a', subscribedTopicNames: ['orders', 'payments'] });
    const b = ctx.consumer({ subscribedTopicRegex: 'pay.*', subscribedTopicNames: ['orders'] });
    const c = ctx.consumer({ serverAssignor: 'range' });
    a.join(0);
    b.join(1);
    a.heartbeat(2);
    c.join(3);
    b.heartbeat(4);
    a.heartbeat(5);
    ctx.cluster.createTopic('payments-eu', 3);
    c.heartbeat(6);
    b.heartbeat(7);
    a.leave(8, -2);
    c.leave(9);
    const offsetsOfB = Object.entries(b.owned).map(([topic, ps]) => ({ topic, partition: ps[0], offset: 42, metadata: 'm' }));
    ctx.log.push(
      ...ctx.coordinator.commitOffsets({ groupId: GROUP, memberId: b.memberId, memberEpoch: b.memberEpoch, offsets: offsetsOfB }, 10).records,
      ...ctx.coordinator.commitOffsets({ groupId: 'standalone', offsets: [{ topic: 'orders', partition: 0, offset: 7 }] }, 11).records,
      ...ctx.coordinator.commitOffsets({ groupId: 'doomed', offsets: [{ topic: 'orders', partition: 1, offset: 1 }] }, 12).records,
      ...ctx.coordinator.deleteGroup('doomed').records,
    );
    return ctx;
  }

  function snapshot(state: GroupCoordinatorState) {
    const groups = state.listGroups().map((g) => g.groupId);
    return { list: state.listGroups(), describe: state.describeGroups(groups), offsets: groups.map((g) => state.fetchOffsets(g)) };
  }

  it('replaying the encoded records rebuilds exactly the same groups and offsets', () => {
    const { coordinator, log } = busyLog();
    const offsets = coordinator.fetchOffsets(GROUP);
    expect(offsets.length).toBeGreaterThan(0);
    expect(snapshot(rebuilt(log))).toEqual(snapshot(coordinator));
  });

  it('so does replaying what compaction leaves, with or without its tombstones', () => {
    const { coordinator, log } = busyLog();
    expect(snapshot(rebuilt(compactLog(log, { dropTombstones: false })))).toEqual(snapshot(coordinator));
    expect(snapshot(rebuilt(compactLog(log, { dropTombstones: true })))).toEqual(snapshot(coordinator));
  });

  it('a coordinator rebuilt from the log serves the group on: members keep their epochs and partitions', () => {
    const { coordinator, log, cluster } = busyLog();
    const b = coordinator.describeGroups([GROUP])[0].members.find((m) => m.instanceId === undefined);
    const takeover = rebuilt(log);
    takeover.activate(100);
    const owned = Object.entries(b?.assignment ?? {}).map(([topic, partitions]) => ({ topic, partitions }));
    const { response } = takeover.heartbeat({ groupId: GROUP, memberId: b?.memberId ?? '', memberEpoch: b?.memberEpoch ?? 0, ownedTopicPartitions: owned }, 101, cluster.image);
    expect(response).toMatchObject({ errorCode: 'NONE', memberId: b?.memberId });
    expect(takeover.expireMembers(100 + SESSION_MS - 1).response).toEqual([]);
  });
});
