/**
 * GroupService against a real broker over gRPC: the coordinator's protocol as a client in any
 * language speaks it (FindCoordinator, heartbeats, offset commits), durability across a
 * restart, and the errors of bad requests.
 */
import { credentials } from '@grpc/grpc-js';
import { GroupServiceClient, type ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatResponse, type OffsetToCommit } from '@tributary/proto';
import { ErrorCode } from '@tributary/protocol';
import { eventually } from '../../../controller/src/testing/controller-test-cluster';
import { call, failure, rpc, startTestBroker, type TestBroker } from '../testing/broker-test-client';

jest.setTimeout(60_000);

const CONFIG = {
  'offsets.topic.num.partitions': '3',
  'group.consumer.session.timeout.ms': '1500',
  'group.consumer.heartbeat.interval.ms': '100',
};

type Heartbeat = Partial<ConsumerGroupHeartbeatRequest> & Pick<ConsumerGroupHeartbeatRequest, 'groupId'>;
type Owned = Record<string, number[]>;

describe('GroupService (KIP-848 consumer groups)', () => {
  let broker: TestBroker;
  let groups: GroupServiceClient;

  beforeAll(async () => {
    broker = await startTestBroker(CONFIG);
    groups = new GroupServiceClient(broker.address, credentials.createInsecure());
    await rpc(broker).createTopic('clicks', 4);
  });
  afterAll(async () => {
    groups?.close();
    await broker?.close();
  });

  const heartbeat = (request: Heartbeat) => call(groups, 'consumerGroupHeartbeat', { memberId: '', memberEpoch: 0, clientId: 'test', ...request });
  const join = (groupId: string, extra: Partial<ConsumerGroupHeartbeatRequest> = {}) =>
    heartbeat({ groupId, rebalanceTimeoutMs: 5_000, subscribedTopicNames: { names: ['clicks'] }, ownedTopicPartitions: { topicPartitions: [] }, ...extra });
  const owned = (response: ConsumerGroupHeartbeatResponse): Owned | undefined =>
    response.assignment && Object.fromEntries(response.assignment.topicPartitions.map((tp) => [tp.topic, [...tp.partitions].sort()]));
  const report = (owns: Owned) => ({ topicPartitions: Object.entries(owns).map(([topic, partitions]) => ({ topic, partitions })) });
  const commit = (groupId: string, memberId: string, memberEpoch: number, offsets: Partial<OffsetToCommit>[]) =>
    call(groups, 'offsetCommit', { groupId, memberId, memberEpoch, offsets: offsets.map((o) => ({ topic: 'clicks', partition: 0, offset: 0, ...o })) });

  it('FindCoordinator creates __consumer_offsets and names this broker', async () => {
    const { coordinator } = await call(groups, 'findCoordinator', { groupId: 'finder' });
    expect(coordinator).toMatchObject({ nodeId: 1, port: broker.broker.port });
    const topics = await call(broker.admin, 'describeTopics', { names: ['__consumer_offsets'] });
    expect(topics.topics[0]).toMatchObject({ name: '__consumer_offsets', isInternal: true });
    expect(topics.topics[0].partitions).toHaveLength(3);
  });

  it('a second member gets partitions only after the first released them, so none has two owners', async () => {
    const first = await join('sharing');
    expect(owned(first)).toEqual({ clicks: [0, 1, 2, 3] });
    const second = await join('sharing');
    expect(owned(second) ?? {}).toEqual({}); // everything is still owned by the first member

    const revoked = await heartbeat({ groupId: 'sharing', memberId: first.memberId, memberEpoch: first.memberEpoch });
    const kept = owned(revoked)!;
    expect(kept.clicks).toHaveLength(2);
    const afterRelease = await heartbeat({ groupId: 'sharing', memberId: first.memberId, memberEpoch: revoked.memberEpoch, ownedTopicPartitions: report(kept) });
    expect(afterRelease.memberEpoch).toBeGreaterThan(first.memberEpoch);
    // Until it reported the release it could still commit what it was giving up; now it cannot,
    // so it never overwrites the progress of the partition's next owner.
    const released = [0, 1, 2, 3].find((p) => !kept.clicks.includes(p));
    expect(await failure(commit('sharing', first.memberId, afterRelease.memberEpoch, [{ partition: released, offset: 1 }]))).toMatchObject({
      code: 'STALE_MEMBER_EPOCH',
      message: expect.stringContaining(`does not own clicks-${released}`),
    });

    const given = await heartbeat({ groupId: 'sharing', memberId: second.memberId, memberEpoch: second.memberEpoch, ownedTopicPartitions: report({}) });
    const theirs = owned(given)!;
    expect(theirs.clicks).toHaveLength(2);
    expect([...kept.clicks, ...theirs.clicks].sort()).toEqual([0, 1, 2, 3]);

    const described = await call(groups, 'describeGroups', { groupIds: ['sharing'] });
    expect(described.groups[0]).toMatchObject({ groupId: 'sharing', errorCode: ErrorCode.NONE, assignor: 'uniform' });
    expect(described.groups[0].members.map((m) => m.memberId).sort()).toEqual([first.memberId, second.memberId].sort());
    const listed = await call(groups, 'listGroups', { states: [] });
    expect(listed.groups.map((g) => g.groupId)).toContain('sharing');
  });

  it('committed offsets are fetched back and survive a broker restart', async () => {
    const member = await join('durable');
    await commit('durable', member.memberId, member.memberEpoch, [{ partition: 0, offset: 42, metadata: 'm' }, { partition: 3, offset: 7 }]);
    const fetch = () => call(groups, 'offsetFetch', { groupId: 'durable', partitions: [{ topic: 'clicks', partition: 0 }, { topic: 'clicks', partition: 1 }, { topic: 'clicks', partition: 3 }] });
    const before = await fetch();
    expect(before.offsets.map((o) => [o.partition, o.offset, o.metadata])).toEqual([[0, 42, 'm'], [1, -1, ''], [3, 7, '']]);

    groups.close();
    await broker.restart();
    groups = new GroupServiceClient(broker.address, credentials.createInsecure());
    const after = await eventually(() => fetch(), 'the coordinator loaded after the restart');
    expect(after.offsets).toEqual(before.offsets);
    // Members get a fresh session after a load: the member is still there and may go on.
    const again = await heartbeat({ groupId: 'durable', memberId: member.memberId, memberEpoch: member.memberEpoch });
    expect(again.memberId).toBe(member.memberId);
  });

  it('a member that stops heartbeating is removed after group.consumer.session.timeout.ms and its partitions go to the others', async () => {
    const silent = await join('timeouts');
    const other = await join('timeouts');
    expect(owned(silent)).toEqual({ clicks: [0, 1, 2, 3] });
    const final = await eventually(async () => {
      const response = await heartbeat({ groupId: 'timeouts', memberId: other.memberId, memberEpoch: other.memberEpoch, ownedTopicPartitions: report({}) });
      return owned(response)?.clicks.length === 4 ? response : undefined;
    }, 'the silent member expired and its partitions moved');
    expect(final.memberEpoch).toBeGreaterThan(other.memberEpoch);
    expect(await failure(heartbeat({ groupId: 'timeouts', memberId: silent.memberId, memberEpoch: silent.memberEpoch }))).toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
  });

  it('bad requests are refused with the group error that says what was wrong, and change nothing', async () => {
    expect(await failure(call(groups, 'findCoordinator', { groupId: '  ' }))).toMatchObject({ code: 'INVALID_GROUP_ID' });
    expect(await failure(join('bad-regex', { subscribedTopicNames: undefined, subscribedTopicRegex: '(a' }))).toMatchObject({ code: 'INVALID_REGULAR_EXPRESSION' });
    const member = await join('strict');
    expect(await failure(heartbeat({ groupId: 'strict', memberId: member.memberId, memberEpoch: member.memberEpoch + 5 }))).toMatchObject({ code: 'FENCED_MEMBER_EPOCH' });
    expect(await failure(commit('strict', member.memberId, member.memberEpoch, [{ topic: 'nowhere', partition: 0, offset: 1 }]))).toMatchObject({
      code: 'UNKNOWN_TOPIC_OR_PARTITION',
      message: expect.stringContaining('nowhere-0'),
    });
    expect(await failure(commit('strict', '', -1, [{ partition: 0, offset: 1 }]))).toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
    const fetched = await call(groups, 'offsetFetch', { groupId: 'strict', partitions: [] });
    expect(fetched.offsets).toEqual([]);

    const unknown = await call(groups, 'describeGroups', { groupIds: ['never-there'] });
    expect(unknown.groups[0]).toMatchObject({ groupId: 'never-there', state: 'DEAD', errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
    const deleted = await call(groups, 'deleteGroups', { groupIds: ['strict', 'never-there'] });
    expect(deleted.results).toEqual([
      { groupId: 'strict', errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: expect.any(String) },
      { groupId: 'never-there', errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: expect.any(String) },
    ]);
    expect((await call(groups, 'describeGroups', { groupIds: ['strict'] })).groups[0].members).toHaveLength(1);
  });

  it('an empty group is deleted with its offsets', async () => {
    const member = await join('short-lived');
    await commit('short-lived', member.memberId, member.memberEpoch, [{ partition: 1, offset: 5 }]);
    await heartbeat({ groupId: 'short-lived', memberId: member.memberId, memberEpoch: -1 });
    const deleted = await call(groups, 'deleteGroups', { groupIds: ['short-lived'] });
    expect(deleted.results[0]).toMatchObject({ groupId: 'short-lived', errorCode: ErrorCode.NONE });
    const fetched = await call(groups, 'offsetFetch', { groupId: 'short-lived', partitions: [{ topic: 'clicks', partition: 1 }] });
    expect(fetched.offsets[0].offset).toBe(-1);
  });
});
