/**
 * A group outlives its coordinator: 3 brokers, __consumer_offsets with 3 replicas; when the
 * broker leading the group's offsets partition stops, the new leader rebuilds the group from
 * the replicated partition, keeps its committed offsets and members, and goes on serving it.
 */
import { credentials } from '@grpc/grpc-js';
import { GroupServiceClient } from '@tributary/proto';
import { eventually } from '../../../controller/src/testing/controller-test-cluster';
import { BrokerCluster } from '../testing/broker-cluster';
import { call, failure } from '../testing/broker-test-client';

jest.setTimeout(60_000);

const CONFIG = {
  'broker.heartbeat.interval.ms': '100',
  'broker.session.timeout.ms': '3000',
  'replica.lag.time.max.ms': '2000',
  'replica.fetch.wait.max.ms': '100',
  'offsets.topic.num.partitions': '1',
  'offsets.topic.replication.factor': '3',
  'group.consumer.session.timeout.ms': '10000',
  'group.consumer.heartbeat.interval.ms': '100',
};

describe('group coordinator failover (3 brokers, __consumer_offsets RF=3)', () => {
  let cluster: BrokerCluster;
  const clients = new Map<number, GroupServiceClient>();

  beforeAll(async () => {
    cluster = await BrokerCluster.start(3, CONFIG);
    for (const broker of cluster.brokers.values()) clients.set(broker.id, new GroupServiceClient(`127.0.0.1:${broker.port}`, credentials.createInsecure()));
    await call(cluster.broker(1).admin, 'createTopic', { name: 'orders', numPartitions: 2, replicationFactor: 3, configs: {}, ifNotExists: false, validateOnly: false });
  });
  afterAll(async () => {
    for (const client of clients.values()) client.close();
    await cluster?.close();
  });

  const clientOf = (id: number): GroupServiceClient => {
    const client = clients.get(id);
    if (!client) throw new Error(`no broker ${id}`);
    return client;
  };

  /** The coordinator as any running broker names it, once every in-sync replica has the offsets partition. */
  const coordinator = (except?: number) =>
    eventually(async () => {
      const via = [...cluster.brokers.values()].find((b) => b.running && b.id !== except);
      if (!via) return undefined;
      const { coordinator: node } = await call(clientOf(via.id), 'findCoordinator', { groupId: 'billing' });
      const topic = (await call(via.admin, 'describeTopics', { names: ['__consumer_offsets'] })).topics[0];
      return node && node.nodeId !== except && topic?.partitions[0]?.isr.length === (except ? 2 : 3) ? node.nodeId : undefined;
    }, 'a coordinator with its in-sync replicas');

  it('the new coordinator has the committed offsets and the member, which goes on heartbeating', async () => {
    const first = await coordinator();
    const group = clientOf(first);
    const joined = await call(group, 'consumerGroupHeartbeat', {
      groupId: 'billing',
      memberId: '',
      memberEpoch: 0,
      rebalanceTimeoutMs: 5_000,
      subscribedTopicNames: { names: ['orders'] },
      ownedTopicPartitions: { topicPartitions: [] },
      clientId: 'failover-test',
    });
    await call(group, 'offsetCommit', { groupId: 'billing', memberId: joined.memberId, memberEpoch: joined.memberEpoch, offsets: [{ topic: 'orders', partition: 1, offset: 99 }] });

    await cluster.stopBroker(first);
    const second = await coordinator(first);
    expect(second).not.toBe(first);
    const fetched = await eventually(
      () => call(clientOf(second), 'offsetFetch', { groupId: 'billing', partitions: [{ topic: 'orders', partition: 1 }] }),
      'the new coordinator loaded the group',
    );
    expect(fetched.offsets[0].offset).toBe(99);
    const again = await call(clientOf(second), 'consumerGroupHeartbeat', { groupId: 'billing', memberId: joined.memberId, memberEpoch: joined.memberEpoch, clientId: 'failover-test' });
    expect(again.memberId).toBe(joined.memberId);

    // The old coordinator comes back as a follower of the offsets partition and refuses the group.
    await cluster.startBroker(first);
    const refused = await eventually(async () => {
      const answer = await failure(call(clientOf(first), 'offsetFetch', { groupId: 'billing', partitions: [] }));
      return answer.code === 'NOT_COORDINATOR' ? answer : undefined;
    }, 'the restarted broker answering NOT_COORDINATOR');
    expect(refused.message).toContain(`led by broker ${second}`);
  });
});
