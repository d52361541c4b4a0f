/**
 * The quorum as separate processes on loopback (libs/testing's ProcessCluster, through the same
 * bin shims users run): 3 controllers and 2 brokers in quorum mode, every link between nodes
 * through a fault proxy. Faults: SIGKILL of the active controller, the active controller cut off
 * from the others, a broker paused past its session.
 */
import { credentials } from '@grpc/grpc-js';
import { AdminServiceClient, BrokerServiceClient, ControllerServiceClient, type DescribeQuorumResponse, type MetadataResponse } from '@tributary/proto';
import { ProcessCluster, type NodeName } from '@tributary/testing';
import { MetadataFollower, call, errorCode, eventually } from './testing/controller-test-cluster';

// Every wait below is bounded by attempts (eventually); this only keeps jest from cutting a slow machine's run short.
jest.setTimeout(90_000);

const CLUSTER_ID = 'process-cluster';
/** Short heartbeats so fencing decisions come quickly; a session long enough to outlive an election. */
const CONFIG = { 'broker.heartbeat.interval.ms': '100', 'broker.session.timeout.ms': '4000' };
/** Polls of 50 ms: 400 of them bound a wait at ~20 s, far above what a healthy run needs. */
const POLL_ATTEMPTS = 400;
const POLL_INTERVAL_MS = 50;

const controller = (id: number): NodeName => `controller-${id}`;
const broker = (id: number): NodeName => `broker-${id}`;

describe('controller quorum as processes: 3 controllers and 2 brokers on loopback', () => {
  let cluster: ProcessCluster;
  const controllerClients = new Map<number, ControllerServiceClient>();
  const brokerClients = new Map<number, { admin: AdminServiceClient; data: BrokerServiceClient }>();
  let killed: { id: number; term: number };
  let leaderAfterKill: number;
  let brokerEpochs: Map<number, number>;

  const poll = <T>(condition: () => Promise<T | undefined> | T | undefined, what: string) => eventually(condition, what, POLL_ATTEMPTS, POLL_INTERVAL_MS);

  function controllerClient(id: number): ControllerServiceClient {
    let client = controllerClients.get(id);
    if (!client) {
      client = new ControllerServiceClient(cluster.address(controller(id)), credentials.createInsecure());
      controllerClients.set(id, client);
    }
    return client;
  }

  /** A fresh channel, for a controller that restarted (an old one may sit in reconnect back-off). */
  function reconnectController(id: number): void {
    controllerClients.get(id)?.close();
    controllerClients.delete(id);
  }

  const describeQuorum = (id: number): Promise<DescribeQuorumResponse> => call(controllerClient(id), 'describeQuorum', {});
  const metadata = (id: number): Promise<MetadataResponse> => call(brokerClients.get(id)!.data, 'metadata', { topics: [], allowAutoTopicCreation: false });
  const brokerTopics = async (id: number): Promise<string[]> => (await metadata(id)).topics.map((t) => t.name);

  /** The view of a controller that answers as the leader, among `ids`. */
  function leaderView(ids: number[]): Promise<DescribeQuorumResponse> {
    return poll(async () => {
      const views = await Promise.all(ids.map((id) => describeQuorum(id).catch(() => undefined)));
      return views.find((v) => v !== undefined && v.leaderId === v.nodeId);
    }, `a leader among controllers ${ids.join(', ')}`);
  }

  /** Broker id → epoch of the unfenced brokers, as controller `id` sees them. */
  async function unfencedBrokers(id: number): Promise<Map<number, number>> {
    const view = await describeQuorum(id);
    return new Map(view.brokers.filter((b) => !b.fenced).map((b) => [b.brokerId, b.brokerEpoch]));
  }

  function createTopic(brokerId: number, name: string, numPartitions: number) {
    return call(brokerClients.get(brokerId)!.admin, 'createTopic', { name, numPartitions, replicationFactor: 2, configs: {}, ifNotExists: false, validateOnly: false });
  }

  beforeAll(async () => {
    cluster = await ProcessCluster.start({ controllers: 3, brokers: 2, config: CONFIG, faults: true, clusterId: CLUSTER_ID });
    for (const id of cluster.brokerIds) {
      const address = cluster.address(broker(id));
      brokerClients.set(id, { admin: new AdminServiceClient(address, credentials.createInsecure()), data: new BrokerServiceClient(address, credentials.createInsecure()) });
    }
  });

  afterAll(async () => {
    for (const client of controllerClients.values()) client.close();
    for (const { admin, data } of brokerClients.values()) {
      admin.close();
      data.close();
    }
    await cluster?.destroy();
  });

  it('both brokers registered with the quorum and were unfenced before announcing they run, with its cluster id', async () => {
    const leader = await leaderView(cluster.controllerIds);
    expect(leader.clusterId).toBe(CLUSTER_ID);
    brokerEpochs = await unfencedBrokers(leader.nodeId);
    expect([...brokerEpochs.keys()].sort()).toEqual([1, 2]);
    for (const id of cluster.brokerIds) expect((await metadata(id)).clusterId).toBe(CLUSTER_ID);
  });

  it('a topic created through a broker reaches both brokers', async () => {
    const { topic } = await createTopic(1, 'before-failover', 2);
    expect(topic?.partitions).toHaveLength(2);
    for (const id of cluster.brokerIds) await poll(async () => (await brokerTopics(id)).includes('before-failover'), `topic before-failover in broker ${id}`);
  });

  it('SIGKILL of the active controller: the survivors elect another leader in a higher term', async () => {
    const old = await leaderView(cluster.controllerIds);
    killed = { id: old.nodeId, term: old.term };
    const survivors = cluster.controllerIds.filter((id) => id !== killed.id);
    const killedAtMs = performance.now();
    await cluster.kill(controller(killed.id));
    const elected = await leaderView(survivors);
    console.log(`controller failover: SIGKILL of leader ${killed.id} (term ${killed.term}) to leader ${elected.nodeId} answering (term ${elected.term}): ${(performance.now() - killedAtMs).toFixed(0)} ms`);
    leaderAfterKill = elected.nodeId;
    expect(leaderAfterKill).not.toBe(killed.id);
    expect(elected.term).toBeGreaterThan(killed.term);
  });

  it('after the failover the metadata is kept, a new topic can be created through a broker, and brokers stay unfenced', async () => {
    const follower = new MetadataFollower(controllerClient(leaderAfterKill), 0);
    try {
      await poll(() => follower.image.topic('before-failover') !== undefined, "topic before-failover in the new leader's metadata log");
    } finally {
      follower.close();
    }
    const createdAtMs = performance.now();
    const { topic } = await createTopic(2, 'after-failover', 1);
    console.log(`first topic creation through a broker after the failover: ${(performance.now() - createdAtMs).toFixed(0)} ms`);
    expect(topic?.name).toBe('after-failover');
    for (const id of cluster.brokerIds) await poll(async () => (await brokerTopics(id)).includes('after-failover'), `topic after-failover in broker ${id}`);
    // Unfenced throughout and under the same epochs: their sessions outlived the election, no re-registration.
    expect(await unfencedBrokers(leaderAfterKill)).toEqual(brokerEpochs);
  });

  it('the killed controller restarts from its data dir, rejoins as a follower and catches up with the leader', async () => {
    await cluster.startNode(controller(killed.id));
    reconnectController(killed.id);
    const target = (await describeQuorum(leaderAfterKill)).appliedIndex;
    const rejoined = await poll(async () => {
      const view = await describeQuorum(killed.id);
      return view.leaderId === leaderAfterKill && view.appliedIndex >= target ? view : undefined;
    }, `controller ${killed.id} following ${leaderAfterKill} at applied index ${target}`);
    expect(rejoined.term).toBe((await describeQuorum(leaderAfterKill)).term);
    expect(rejoined.clusterId).toBe(CLUSTER_ID);
    expect(await unfencedBrokers(leaderAfterKill)).toEqual(brokerEpochs);
  });

  it('the active controller cut off from the others commits nothing; the majority elects another and goes on; healed, it follows', async () => {
    const isolated = (await leaderView(cluster.controllerIds)).nodeId;
    const majority = cluster.controllerIds.filter((id) => id !== isolated);
    cluster.isolate(controller(isolated));

    // Asked directly, it cannot confirm its leadership (no quorum answers its ReadIndex), steps down and refuses.
    const refused = await call(controllerClient(isolated), 'createTopic', { name: 'on-the-minority', numPartitions: 1, replicationFactor: 1, configs: {}, ifNotExists: false, validateOnly: false }).then(
      () => 'committed',
      (error: unknown) => errorCode(error),
    );
    expect(refused).toBe('NOT_CONTROLLER');

    const elected = await leaderView(majority);
    await createTopic(1, 'on-the-majority', 1);
    for (const id of cluster.brokerIds) await poll(async () => (await brokerTopics(id)).includes('on-the-majority'), `topic on-the-majority in broker ${id}`);

    cluster.heal();
    const target = (await describeQuorum(elected.nodeId)).appliedIndex;
    await poll(async () => {
      const view = await describeQuorum(isolated);
      return view.leaderId === elected.nodeId && view.appliedIndex >= target ? view : undefined;
    }, `controller ${isolated} following ${elected.nodeId} after the heal`);
    const follower = new MetadataFollower(controllerClient(isolated), 0);
    try {
      await poll(() => follower.image.topic('on-the-majority') !== undefined, "topic on-the-majority in the healed controller's metadata log");
      expect(follower.image.topic('on-the-minority')).toBeUndefined();
    } finally {
      follower.close();
    }
    for (const id of cluster.brokerIds) expect(await brokerTopics(id)).not.toContain('on-the-minority');
  });

  it('a broker paused past its session is fenced and its leaderships move to the other in-sync replica; resumed, it is unfenced again', async () => {
    const { topic } = await createTopic(1, 'fencing', 4);
    const ledByBroker1 = topic!.partitions.filter((p) => p.leader === 1).map((p) => p.partition);
    expect(ledByBroker1.length).toBeGreaterThan(0);
    for (const id of cluster.brokerIds) await poll(async () => (await brokerTopics(id)).includes('fencing'), `topic fencing in broker ${id}`);

    cluster.pause(broker(1));
    const leader = (await leaderView(cluster.controllerIds)).nodeId;
    await poll(async () => ((await unfencedBrokers(leader)).has(1) ? undefined : true), 'broker 1 fenced after its session lapsed');
    const moved = await poll(async () => {
      const partitions = (await metadata(2)).topics.find((t) => t.name === 'fencing')?.partitions ?? [];
      return partitions.every((p) => p.leaderId === 2 && p.isr.join() === '2') ? partitions : undefined;
    }, 'every partition of fencing led by broker 2, alone in the ISR');
    expect(moved.filter((p) => ledByBroker1.includes(p.partition)).map((p) => p.leaderEpoch)).toEqual(
      topic!.partitions.filter((p) => ledByBroker1.includes(p.partition)).map((p) => p.leaderEpoch + 1),
    );

    cluster.resume(broker(1));
    await poll(async () => ((await unfencedBrokers(leader)).has(1) ? true : undefined), 'broker 1 unfenced after it resumed heartbeating');
  });
});
