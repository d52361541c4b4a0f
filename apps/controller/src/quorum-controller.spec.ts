import { credentials, type ServiceError } from '@grpc/grpc-js';
import { CONTROLLER_ADDRESS_TRAILER, CONTROLLER_ID_TRAILER, RaftTransportServiceClient } from '@tributary/proto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController } from './start-controller';
import { ControllerTestCluster, HeartbeatingBroker, MetadataFollower, TEST_CONFIG, call, errorCode, eventually } from './testing/controller-test-cluster';

// Polls are bounded by attempts (eventually); this only keeps jest from cutting a slow machine's run short.
jest.setTimeout(20_000);

describe('controller quorum: 3 controllers over gRPC on loopback', () => {
  let cluster: ControllerTestCluster;
  const brokers: HeartbeatingBroker[] = [];

  beforeAll(async () => {
    cluster = await ControllerTestCluster.start(3, { retainedBatchesMax: 3 });
  });

  afterAll(async () => {
    for (const b of brokers) b.stop();
    await cluster.close();
  });

  it('elects one leader that every controller names', async () => {
    const leader = await cluster.leader();
    const view = await call(cluster.client(leader), 'describeQuorum', {});
    expect(view).toMatchObject({ nodeId: leader, leaderId: leader, clusterId: 'test-cluster' });
    expect(view.voters.map((v) => v.nodeId).sort()).toEqual([1, 2, 3]);
  });

  it('brokers register with an epoch and are unfenced by heartbeats once caught up', async () => {
    for (const id of [1, 2, 3]) {
      const broker = new HeartbeatingBroker(cluster, id);
      await broker.register();
      brokers.push(broker);
      expect(broker.brokerEpoch).toBeGreaterThan(0);
    }
    await eventually(async () => {
      const view = await call(cluster.client(await cluster.leader()), 'describeQuorum', {});
      return view.brokers.length === 3 && view.brokers.every((b) => !b.fenced);
    }, 'three unfenced brokers');
  });

  it('a follower answers NOT_CONTROLLER naming the leader in the message and the trailers', async () => {
    const leader = await cluster.leader();
    const follower = [1, 2, 3].find((id) => id !== leader) as number;
    const error = (await call(cluster.client(follower), 'createTopic', { name: 'nope', numPartitions: 1, replicationFactor: 1, configs: {}, ifNotExists: false, validateOnly: false }).catch((e) => e)) as ServiceError;
    expect(errorCode(error)).toBe('NOT_CONTROLLER');
    expect(error.details).toContain(`node ${leader} at ${cluster.voters.get(leader)}`);
    expect(error.metadata.get(CONTROLLER_ID_TRAILER)).toEqual([String(leader)]);
    expect(error.metadata.get(CONTROLLER_ADDRESS_TRAILER)).toEqual([cluster.voters.get(leader)]);
  });

  it('CreateTopic places the replicas of each partition on distinct unfenced brokers and spreads leaders', async () => {
    const { topic } = await cluster.onLeader('createTopic', { name: 'orders', numPartitions: 3, replicationFactor: 3, configs: {}, ifNotExists: false, validateOnly: false });
    expect(topic?.partitions).toHaveLength(3);
    for (const p of topic?.partitions ?? []) expect([...p.replicas].sort()).toEqual([1, 2, 3]);
    expect(new Set(topic?.partitions.map((p) => p.leader)).size).toBe(3);
  });

  it('AlterPartition: the leader shrinks the ISR; a request with a stale partition epoch is refused and changes nothing', async () => {
    const { topic } = await cluster.onLeader('createTopic', { name: 'isr-changes', numPartitions: 1, replicationFactor: 3, configs: {}, ifNotExists: false, validateOnly: false });
    const p = topic!.partitions[0];
    const leader = brokers.find((b) => b.brokerId === p.leader) as HeartbeatingBroker;
    const request = { brokerId: p.leader, brokerEpoch: leader.brokerEpoch, topic: 'isr-changes', partition: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: 0, newIsr: [p.leader] };
    const shrunk = await cluster.onLeader('alterPartition', request);
    expect(shrunk).toEqual({ leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: 1, isr: [p.leader] });
    const stale = await call(cluster.client(await cluster.leader()), 'alterPartition', { ...request, newIsr: p.isr }).catch((e: unknown) => e);
    expect(errorCode(stale)).toBe('INVALID_UPDATE_VERSION');
    const follower = new MetadataFollower(cluster.client(await cluster.leader()));
    try {
      const isr = await eventually(() => follower.image.topic('isr-changes')?.partitions[0].isr, 'isr-changes in the metadata log');
      expect(isr).toEqual([p.leader]);
    } finally {
      follower.close();
    }
  });

  it('concurrent requests are decided one after another, each seeing the ones before it, even before they commit', async () => {
    const leader = cluster.client(await cluster.leader());
    const names = Array.from({ length: 10 }, (_, i) => `concurrent-${i}`);
    const create = (name: string) =>
      call(leader, 'createTopic', { name, numPartitions: 1, replicationFactor: 1, configs: {}, ifNotExists: false, validateOnly: false }).then(
        () => 'created',
        (error: unknown) => errorCode(error),
      );
    // Every name asked for twice, all at once: exactly one of each pair creates it.
    const outcomes = await Promise.all([...names, ...names].map(create));
    for (let i = 0; i < names.length; i++) expect([outcomes[i], outcomes[i + names.length]].sort()).toEqual(['TOPIC_ALREADY_EXISTS', 'created']);
    const follower = new MetadataFollower(leader);
    try {
      await eventually(() => names.every((name) => follower.image.topic(name) !== undefined), 'every concurrent topic in the metadata log');
    } finally {
      follower.close();
    }
  });

  it('FetchMetadata sends a snapshot to a follower behind the retained batches, then each batch as it commits', async () => {
    const leader = await cluster.leader();
    const follower = new MetadataFollower(cluster.client(leader), 0);
    try {
      await eventually(() => follower.image.topic('orders') !== undefined, 'the snapshot with topic orders');
      expect(follower.received[0].isSnapshot).toBe(true);
      const snapshotOffset = follower.offset;
      await cluster.onLeader('createTopic', { name: 'payments', numPartitions: 1, replicationFactor: 1, configs: {}, ifNotExists: false, validateOnly: false });
      await eventually(() => follower.image.topic('payments') !== undefined, 'the tail batch with topic payments');
      const tail = follower.received.slice(1);
      expect(tail.length).toBeGreaterThan(0);
      expect(tail.every((m) => !m.isSnapshot && m.offset > snapshotOffset)).toBe(true);
      expect(follower.image.brokers().map((b) => b.brokerId).sort()).toEqual([1, 2, 3]);
    } finally {
      follower.close();
    }
  });

  it('a broker that stops heartbeating is fenced after the session timeout and its partitions get leaders from the ISR', async () => {
    const follower = new MetadataFollower(cluster.client(await cluster.leader()), 0);
    try {
      await eventually(() => follower.image.topic('orders') !== undefined, 'topic orders');
      const silent = brokers[0];
      silent.stop();
      await eventually(() => follower.image.broker(silent.brokerId)?.fenced, `broker ${silent.brokerId} fenced`);
      await eventually(() => {
        const partitions = follower.image.topic('orders')?.partitions ?? [];
        return partitions.every((p) => p.leader !== silent.brokerId && p.leader !== -1 && p.isr.includes(p.leader) && !p.isr.includes(silent.brokerId));
      }, 'new leaders from the ISR for orders');
    } finally {
      follower.close();
    }
  });

  it('stopping the leader elects a new one that still has the topics and keeps serving brokers', async () => {
    const old = await cluster.leader();
    await cluster.stopNode(old);
    const leader = await cluster.leader();
    expect(leader).not.toBe(old);
    const again = await cluster.onLeader('createTopic', { name: 'orders', numPartitions: 3, replicationFactor: 3, configs: {}, ifNotExists: true, validateOnly: false });
    expect(again.created).toBe(false);
    const returning = new HeartbeatingBroker(cluster, 1);
    await returning.register();
    brokers.push(returning);
    await eventually(async () => {
      const view = await call(cluster.client(leader), 'describeQuorum', {});
      return view.brokers.find((b) => b.brokerId === 1 && b.brokerEpoch === returning.brokerEpoch && !b.fenced);
    }, 'broker 1 registered again and unfenced by the new leader');
    await cluster.startNode(old);
    await eventually(async () => (await call(cluster.client(old), 'describeQuorum', {})).leaderId === leader, 'the old leader to follow the new one');
  });

  it('refuses bad broker requests with a clear error and applies nothing', async () => {
    const leader = await cluster.leader();
    const offsetBefore = (await call(cluster.client(leader), 'describeQuorum', {})).metadataOffset;
    const live = brokers.find((b) => b.brokerId === 2) as HeartbeatingBroker;
    const heartbeat = { currentMetadataOffset: 0, wantFence: false, wantShutdown: false };
    // Sent to the leader itself: onLeader would retry what it refuses.
    const refusals: [string, Promise<unknown>, string, RegExp][] = [
      ['a heartbeat from an unknown broker', call(cluster.client(leader), 'brokerHeartbeat', { brokerId: 42, brokerEpoch: 1, ...heartbeat }), 'STALE_BROKER_EPOCH', /Broker 42 is not registered/],
      ['a heartbeat with a stale epoch', call(cluster.client(leader), 'brokerHeartbeat', { brokerId: 2, brokerEpoch: live.brokerEpoch - 1, ...heartbeat }), 'STALE_BROKER_EPOCH', /register again/],
      [
        'a registration of a live broker id by another incarnation',
        call(cluster.client(leader), 'registerBroker', { brokerId: 2, incarnationId: 'an-impostor', clusterId: 'test-cluster', endpoints: [{ host: '127.0.0.1', port: 1 }], rack: undefined }),
        'DUPLICATE_BROKER_REGISTRATION',
        /session is still live/,
      ],
      [
        'a registration from another cluster',
        call(cluster.client(leader), 'registerBroker', { brokerId: 9, incarnationId: 'elsewhere', clusterId: 'other-cluster', endpoints: [{ host: '127.0.0.1', port: 1 }], rack: undefined }),
        'INCONSISTENT_CLUSTER_ID',
        /other-cluster/,
      ],
    ];
    for (const [what, request, code, message] of refusals) {
      const error = (await request.then(() => undefined, (e: unknown) => e)) as ServiceError | undefined;
      expect({ what, code: errorCode(error), details: error?.details }).toEqual({ what, code, details: expect.stringMatching(message) });
    }
    const after = await call(cluster.client(leader), 'describeQuorum', {});
    expect(after.brokers.find((b) => b.brokerId === 2)).toMatchObject({ brokerEpoch: live.brokerEpoch, incarnationId: expect.not.stringMatching('an-impostor') });
    expect(after.brokers.map((b) => b.brokerId)).not.toContain(9);
    // Lease-driven records (fencing) aside, nothing was written: the brokers stay as they were.
    expect(after.metadataOffset).toBe(offsetBefore);
  });

  it('refuses Raft messages from a node of another cluster', async () => {
    const transport = new RaftTransportServiceClient(cluster.voters.get(1) as string, credentials.createInsecure());
    try {
      const error = (await call(transport, 'send', { clusterId: 'another-cluster', messages: [] }).catch((e) => e)) as ServiceError;
      expect(error.details).toContain('cluster id mismatch');
    } finally {
      transport.close();
    }
  });
});

describe('preferred-leader balancing', () => {
  it('a broker fenced and back gets its preferred leaderships again after the leader imbalance check', async () => {
    const cluster = await ControllerTestCluster.start(3, { config: { ...TEST_CONFIG, 'leader.imbalance.check.interval.seconds': '1' } });
    const brokers = [new HeartbeatingBroker(cluster, 1), new HeartbeatingBroker(cluster, 2)];
    const follower = new MetadataFollower(cluster.client(await cluster.leader()), 0);
    try {
      for (const b of brokers) await b.register();
      await eventually(() => [1, 2].every((id) => follower.image.broker(id)?.fenced === false), 'brokers 1 and 2 unfenced');
      await cluster.onLeader('createTopic', { name: 'balanced', numPartitions: 2, replicationFactor: 2, configs: {}, ifNotExists: false, validateOnly: false });
      const preferring1 = () => follower.image.topic('balanced')?.partitions.find((p) => p.replicas[0] === 1);

      brokers[0].stop();
      const failedOver = await eventually(() => {
        const p = preferring1();
        return follower.image.broker(1)?.fenced && p?.leader === 2 ? p : undefined;
      }, 'broker 1 fenced and its partition led by broker 2');
      brokers[0] = new HeartbeatingBroker(cluster, 1);
      await brokers[0].register();
      await eventually(() => follower.image.broker(1)?.fenced === false, 'broker 1 back and unfenced');
      // What leader 2's replica manager would send once the returned follower caught up.
      await cluster.onLeader('alterPartition', {
        brokerId: 2,
        brokerEpoch: brokers[1].brokerEpoch,
        topic: 'balanced',
        partition: failedOver.partition,
        leaderEpoch: failedOver.leaderEpoch,
        partitionEpoch: failedOver.partitionEpoch,
        newIsr: [2, 1],
      });

      const balanced = await eventually(() => (preferring1()?.leader === 1 ? preferring1() : undefined), 'broker 1 leading its preferred partition again');
      expect(balanced).toMatchObject({ isr: [1, 2], leaderEpoch: failedOver.leaderEpoch + 1 });
      expect(follower.image.topic('balanced')?.partitions.map((p) => p.leader).sort()).toEqual([1, 2]);
    } finally {
      for (const b of brokers) b.stop();
      follower.close();
      await cluster.close();
    }
  });
});

describe('controller restart after snapshots', () => {
  it('a controller stopped while the others snapshot and compact catches up from a snapshot plus the log tail', async () => {
    const cluster = await ControllerTestCluster.start(3, { snapshotEntries: 5 });
    try {
      const leader = await cluster.leader();
      const lagging = [1, 2, 3].find((id) => id !== leader) as number;
      await cluster.stopNode(lagging);
      for (let i = 0; i < 12; i++) await cluster.onLeader('allocateProducerIds', { brokerId: 7, blockSize: 0 });
      const target = (await call(cluster.client(leader), 'describeQuorum', {})).appliedIndex;
      await cluster.startNode(lagging);
      await eventually(async () => (await call(cluster.client(lagging), 'describeQuorum', {})).appliedIndex >= target, 'the restarted controller to catch up');
      const follower = new MetadataFollower(cluster.client(lagging));
      try {
        await eventually(() => follower.image.nextProducerId === 12 * 1000, 'every producer-id block in the restarted controller\'s image');
      } finally {
        follower.close();
      }
    } finally {
      await cluster.close();
    }
  });
});

describe('controller start-up', () => {
  it('refuses an unformatted data dir and says how to format it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'controller-unformatted-'));
    try {
      await expect(startController({ nodeId: 1, voters: new Map([[1, '127.0.0.1:0']]), dataDir: dir, logLevel: 'silent' })).rejects.toThrow(
        /not formatted.*tributary-controller format --cluster-id/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a single voter formats the cluster id into the metadata on becoming leader', async () => {
    const cluster = await ControllerTestCluster.start(1, {}, 'solo-cluster');
    try {
      await cluster.onLeader('allocateProducerIds', { brokerId: 7, blockSize: 0 });
      const follower = new MetadataFollower(cluster.client(1));
      await eventually(() => follower.image.clusterId === 'solo-cluster' && follower.image.nextProducerId === 1000, 'cluster id and producer ids in the image');
      follower.close();
    } finally {
      await cluster.close();
    }
  });
});
