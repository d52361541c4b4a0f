import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '@tributary/proto';
import { TributaryError } from '@tributary/protocol';
import type { TopicPartition } from './cluster';
import { DeliveryGate } from './delivery-gate';
import type { GroupCoordinator } from './group-coordinator';
import { GroupMembership, type MemberSubscription } from './group-membership';

interface Call {
  request: ConsumerGroupHeartbeatRequest;
  resolve(response: ConsumerGroupHeartbeatResponse): void;
  reject(error: Error): void;
}

/** A coordinator the test answers call by call. */
class ScriptedCoordinator {
  readonly groupId = 'g';
  private readonly calls: Call[] = [];
  private waiter: ((call: Call) => void) | null = null;

  call(_method: string, request: ConsumerGroupHeartbeatRequest): Promise<ConsumerGroupHeartbeatResponse> {
    return new Promise((resolve, reject) => {
      const call = { request, resolve, reject };
      if (this.waiter) {
        this.waiter(call);
        this.waiter = null;
      } else {
        this.calls.push(call);
      }
    });
  }

  next(): Promise<Call> {
    const queued = this.calls.shift();
    return queued ? Promise.resolve(queued) : new Promise((resolve) => (this.waiter = resolve));
  }

  close(): void {
    // Nothing to stop: the test answers every call itself.
  }
}

const names = (partitions: TopicPartition[]) => partitions.map((tp) => `${tp.topic}-${tp.partition}`).join(',');
const assignment = (...partitions: number[]) => ({ topicPartitions: [{ topic: 't', partitions }] });
const answer = (memberEpoch: number, partitions?: number[]): ConsumerGroupHeartbeatResponse => ({
  memberId: 'm1',
  memberEpoch,
  // Long enough that every heartbeat in these tests is one the membership sends at once.
  heartbeatIntervalMs: 60_000,
  ...(partitions ? { assignment: assignment(...partitions) } : {}),
});

describe('GroupMembership (the client side of KIP-848)', () => {
  let coordinator: ScriptedCoordinator;
  let steps: string[];
  let failures: Error[];

  const membership = (subscription: Partial<MemberSubscription> = {}) =>
    new GroupMembership(
      coordinator as unknown as GroupCoordinator,
      { topics: ['t'], rebalanceTimeoutMs: 1000, clientId: 'client-1', ...subscription },
      {
        onPartitionsAssigned: (p) => void steps.push(`assigned ${names(p)}`),
        onPartitionsRevoked: (p) => void steps.push(`revoked ${names(p)}`),
        onPartitionsLost: (p) => void steps.push(`lost ${names(p)}`),
      },
      {
        assign: (p) => void steps.push(`fetch ${names(p)}`),
        gate: new DeliveryGate(),
        commitBeforeRevocation: async (p) => void steps.push(`commit ${names(p)}`),
        fail: (e) => void failures.push(e),
      },
      { retryBackoffMs: 1, retryBackoffMaxMs: 1 },
    );

  beforeEach(() => {
    coordinator = new ScriptedCoordinator();
    steps = [];
    failures = [];
  });

  it('joins, takes an assignment, and gives up a revoked partition (callback, commit, no more fetching) before reporting the smaller set', async () => {
    const m = membership();
    m.start();
    const join = await coordinator.next();
    expect(join.request).toMatchObject({ groupId: 'g', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: { names: ['t'] }, ownedTopicPartitions: { topicPartitions: [] }, clientId: 'client-1' });
    join.resolve(answer(1, [0, 1]));

    const ack = await coordinator.next();
    expect(steps).toEqual(['fetch t-0,t-1', 'assigned t-0,t-1']);
    expect(ack.request).toMatchObject({ memberId: 'm1', memberEpoch: 1, ownedTopicPartitions: assignment(0, 1) });
    ack.resolve(answer(1, [0]));

    const report = await coordinator.next();
    expect(steps.slice(2)).toEqual(['revoked t-1', 'commit t-1', 'fetch t-0']);
    expect(report.request).toMatchObject({ memberEpoch: 1, ownedTopicPartitions: assignment(0) });
    const answered = m.nextHeartbeat(); // the one in flight
    report.resolve(answer(2));
    await answered;
    expect(m.identity()).toEqual({ memberId: 'm1', memberEpoch: 2 });
    expect(m.owns({ topic: 't', partition: 0 }) && !m.owns({ topic: 't', partition: 1 })).toBe(true);

    const closing = m.close();
    const leave = await coordinator.next();
    expect(leave.request).toMatchObject({ memberId: 'm1', memberEpoch: -1 });
    leave.resolve(answer(-1));
    await closing;
    expect(steps.slice(5)).toEqual(['revoked t-0', 'commit t-0', 'fetch ']);
    expect(failures).toEqual([]);
  });

  it('when fenced, loses its partitions without committing and joins again with epoch 0 and nothing owned', async () => {
    const m = membership();
    m.start();
    (await coordinator.next()).resolve(answer(1, [0, 1]));
    (await coordinator.next()).reject(new TributaryError('FENCED_MEMBER_EPOCH', 'member m1 sent epoch 1 but the coordinator knows epoch 3'));

    const rejoin = await coordinator.next();
    expect(steps).toEqual(['fetch t-0,t-1', 'assigned t-0,t-1', 'fetch ', 'lost t-0,t-1']);
    expect(rejoin.request).toMatchObject({ memberId: 'm1', memberEpoch: 0, ownedTopicPartitions: { topicPartitions: [] } });
    rejoin.resolve(answer(4, [1]));
    const ack = await coordinator.next();
    expect(ack.request).toMatchObject({ memberEpoch: 4, ownedTopicPartitions: assignment(1) });
    ack.resolve(answer(4));
    await closeAnswering(m, coordinator);
  });

  it('joins again when fenced while owning nothing', async () => {
    const m = membership();
    m.start();
    (await coordinator.next()).resolve(answer(1, []));
    await m.nextHeartbeat(); // the join's
    const heartbeat = m.nextHeartbeat();
    (await coordinator.next()).reject(new TributaryError('UNKNOWN_MEMBER_ID', 'member m1 is not in group g'));
    await heartbeat;
    const rejoin = await coordinator.next();
    expect(rejoin.request).toMatchObject({ memberId: 'm1', memberEpoch: 0 });
    rejoin.resolve(answer(2, []));
    expect(steps).toEqual([]);
    await closeAnswering(m, coordinator);
  });

  it('leaves as a static member with epoch -2 and its instance id', async () => {
    const m = membership({ instanceId: 'instance-1' });
    m.start();
    const join = await coordinator.next();
    expect(join.request.instanceId).toBe('instance-1');
    join.resolve(answer(1, []));
    const closing = m.close();
    const leave = await coordinator.next();
    expect(leave.request).toMatchObject({ memberId: 'm1', memberEpoch: -2, instanceId: 'instance-1' });
    leave.resolve(answer(-2));
    await closing;
  });

  it('stops on a refusal no retry changes, and tells the consumer', async () => {
    const m = membership({ topics: undefined, pattern: '(a' });
    m.start();
    const refusal = new TributaryError('INVALID_REGULAR_EXPRESSION', 'SubscribedTopicRegex (a is not a valid regular expression');
    (await coordinator.next()).reject(refusal);
    await m.nextHeartbeat();
    expect(failures).toEqual([refusal]);
    await m.close();
  });

  it('retries a heartbeat that fails with a retriable error', async () => {
    const m = membership();
    m.start();
    (await coordinator.next()).reject(new TributaryError('COORDINATOR_LOAD_IN_PROGRESS', 'loading'));
    const again = await coordinator.next();
    expect(again.request).toMatchObject({ memberId: '', memberEpoch: 0 });
    again.resolve(answer(1, [0]));
    (await coordinator.next()).resolve(answer(1));
    await closeAnswering(m, coordinator);
    expect(failures).toEqual([]);
  });
});

/** Closes, answering the leave heartbeat. */
async function closeAnswering(m: GroupMembership, coordinator: ScriptedCoordinator): Promise<void> {
  const closing = m.close();
  (await coordinator.next()).resolve(answer(-1));
  await closing;
}
