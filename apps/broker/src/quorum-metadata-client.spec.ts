import { formatQuorumVoters } from '@tributary/controller';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerTestCluster, TEST_CONFIG, eventually } from '../../controller/src/testing/controller-test-cluster';
import { call, rpc, startTestBroker, type TestBroker } from './testing/broker-test-client';

jest.setTimeout(60_000);

const LEASE_CONFIG = { 'broker.heartbeat.interval.ms': '50', 'broker.session.timeout.ms': '600' };

/** 3 controllers and 2 brokers in quorum mode, all in this process over real gRPC on 127.0.0.1. */
describe('a broker with controller.quorum.voters', () => {
  let cluster: ControllerTestCluster;
  let voters: string;
  const brokers: TestBroker[] = [];

  beforeAll(async () => {
    cluster = await ControllerTestCluster.start(3, { config: { ...TEST_CONFIG, 'default.replication.factor': '1' } });
    voters = formatQuorumVoters(cluster.voters);
    for (const nodeId of [1, 2]) {
      brokers.push(await startTestBroker({ 'node.id': String(nodeId), 'controller.quorum.voters': voters, ...LEASE_CONFIG }));
    }
  });

  afterAll(async () => {
    for (const broker of brokers) await broker.close();
    await cluster.close();
  });

  async function registeredBrokers(): Promise<{ brokerId: number; fenced: boolean }[]> {
    const leader = await cluster.leader();
    return (await call(cluster.client(leader), 'describeQuorum', {})).brokers;
  }

  const unfenced = async () => {
    const registered = await registeredBrokers();
    return [1, 2].every((id) => registered.some((b) => b.brokerId === id && !b.fenced)) ? registered : undefined;
  };

  async function topicOn(broker: TestBroker, name: string) {
    return (await call(broker.data, 'metadata', { topics: [], allowAutoTopicCreation: false })).topics.find((t) => t.name === name);
  }

  it('registers both brokers with the active controller, which unfences them once they caught up', async () => {
    await eventually(unfenced, 'both brokers registered and unfenced');
  });

  it('takes the cluster id of the quorum and names the active controller', async () => {
    const metadata = await call(brokers[0].data, 'metadata', { topics: [], allowAutoTopicCreation: false });
    expect(metadata.clusterId).toBe('test-cluster');
    expect(metadata.controllerId).toBe(await cluster.leader());
  });

  it('forwards CreateTopic to the active controller and both brokers see the topic; produce and fetch work on its leader', async () => {
    await eventually(unfenced, 'both brokers unfenced');
    const created = await rpc(brokers[0]).createTopic('orders', 2);
    expect(created.created).toBe(true);
    const onController = await cluster.onLeader('describeQuorum', {});
    expect(onController.metadataOffset).toBeGreaterThan(0);
    const leaders = created.topic?.partitions.map((p) => p.leader) ?? [];
    expect(new Set(leaders)).toEqual(new Set([1, 2]));
    for (const broker of brokers) await eventually(() => topicOn(broker, 'orders'), 'the topic in every broker\'s Metadata');

    for (const partition of created.topic?.partitions ?? []) {
      const leader = brokers[partition.leader - 1];
      const produced = await rpc(leader).produceRecords('orders', partition.partition, [{ value: Buffer.from(`to ${partition.partition}`) }]);
      expect(produced.baseOffset).toBe(0);
      const fetched = await rpc(leader).fetch([{ topic: 'orders', partition: partition.partition, fetchOffset: 0 }]);
      expect(fetched.partitions[0].records.map((r) => Buffer.from(r.value ?? []).toString())).toEqual([`to ${partition.partition}`]);
      const follower = brokers[2 - partition.leader];
      await expect(rpc(follower).produceRecords('orders', partition.partition, [{ value: Buffer.from('x') }])).rejects.toMatchObject({
        details: expect.stringContaining('NOT_LEADER_OR_FOLLOWER'),
      });
    }
  });

  it('keeps heartbeating to the new active controller when the active one stops, and topics can still be created', async () => {
    await eventually(unfenced, 'both brokers unfenced');
    const old = await cluster.leader();
    await cluster.stopNode(old);
    const next = await cluster.leader();
    expect(next).not.toBe(old);
    await eventually(unfenced, 'both brokers unfenced under the new active controller');
    const created = await eventually(() => rpc(brokers[1]).createTopic('after-failover', 1), 'a topic created through broker 2');
    expect(created.created).toBe(true);
    await eventually(() => topicOn(brokers[0], 'after-failover'), 'the new topic in broker 1\'s Metadata');
  });

  it('restarts on its data dir: registers again, gets its partition back and keeps its records', async () => {
    await eventually(unfenced, 'both brokers unfenced');
    const orders = await topicOn(brokers[1], 'orders');
    const partition = orders?.partitions.find((p) => p.leaderId === 2)?.partition as number;
    await brokers[1].restart();
    await eventually(unfenced, 'broker 2 unfenced again');
    await eventually(async () => (await topicOn(brokers[1], 'orders'))?.partitions[partition]?.leaderId === 2, 'broker 2 leading its partition again');
    const fetched = await rpc(brokers[1]).fetch([{ topic: 'orders', partition, fetchOffset: 0 }]);
    expect(fetched.partitions[0].records.map((r) => Buffer.from(r.value ?? []).toString())).toEqual([`to ${partition}`]);
  });

  it('refuses to start on a data dir formatted for another cluster', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-broker-'));
    await writeFile(join(dir, 'meta.properties'), 'version=1\ncluster.id=another-cluster\nnode.id=3\n');
    await expect(startTestBroker({ 'node.id': '3', 'controller.quorum.voters': voters, ...LEASE_CONFIG }, dir)).rejects.toMatchObject({
      code: 'INCONSISTENT_CLUSTER_ID',
    });
    await rm(dir, { recursive: true, force: true });
  });
});
