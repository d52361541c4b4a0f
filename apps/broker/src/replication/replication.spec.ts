import { ErrorCode, RecordsFormat, ReplicationServiceClient, type MetadataResponse } from '@tributary/proto';
import { credentials } from '@grpc/grpc-js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '../../../controller/src/testing/controller-test-cluster';
import { BrokerCluster, type ClusterBroker } from '../testing/broker-cluster';
import { call, failure } from '../testing/broker-test-client';

// Waits are bounded by attempts (eventually); this only keeps jest from cutting a slow machine's run short.
jest.setTimeout(60_000);

const CONFIG = {
  'broker.heartbeat.interval.ms': '100',
  'broker.session.timeout.ms': '3000',
  'replica.lag.time.max.ms': '2000',
  'replica.fetch.wait.max.ms': '100',
  'replica.fetch.backoff.ms': '50',
};

const record = (value: string) => ({ key: undefined, value: Buffer.from(value), headers: [], timestamp: 0, offset: 0, timestampType: 0 });

describe('replication between 3 brokers (RF=3, min.insync.replicas=2)', () => {
  let cluster: BrokerCluster;
  let topicSeq = 0;

  beforeAll(async () => {
    cluster = await BrokerCluster.start(3, CONFIG);
  });
  afterAll(() => cluster.close());

  async function createTopic(): Promise<string> {
    const name = `replicated-${++topicSeq}`;
    await call(cluster.broker(1).admin, 'createTopic', { name, numPartitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' }, ifNotExists: false, validateOnly: false });
    return name;
  }

  const metadata = (via: ClusterBroker, topic: string): Promise<MetadataResponse> => call(via.data, 'metadata', { topics: [topic], allowAutoTopicCreation: false });

  /**
   * The partition once every running broker's metadata shows it with `ready` holding and all agree
   * on it: a broker follows the metadata log on its own, so the one asked first may be ahead of the
   * leader it names (which would then still refuse a produce).
   */
  function partitionWhere(topic: string, ready: (p: MetadataResponse['topics'][0]['partitions'][0]) => boolean, what: string) {
    return eventually(
      async () => {
        const running = [...cluster.brokers.values()].filter((b) => b.running);
        const views = await Promise.all(running.map(async (b) => (await metadata(b, topic)).topics[0]?.partitions[0]));
        const [first] = views;
        const agreed = first !== undefined && views.every((p) => p !== undefined && ready(p) && p.leaderId === first.leaderId && p.leaderEpoch === first.leaderEpoch && p.isr.length === first.isr.length);
        return agreed ? first : undefined;
      },
      what,
      1_500,
    );
  }

  const produce = (broker: ClusterBroker, topic: string, values: string[], acks = -1) =>
    call(broker.data, 'produce', { topic, partition: 0, acks, timeoutMs: 10_000, recordBatch: Buffer.alloc(0), records: values.map(record) });

  async function consumeAll(broker: ClusterBroker, topic: string): Promise<string[]> {
    const response = await call(broker.data, 'fetch', { maxWaitMs: 0, minBytes: 0, maxBytes: 0, format: RecordsFormat.DECODED, partitions: [{ topic, partition: 0, fetchOffset: 0, partitionMaxBytes: 0 }] });
    return response.partitions[0].records.map((r) => Buffer.from(r.value ?? []).toString());
  }

  it('acks=all is answered once every in-sync replica has the batch; the followers hold byte-identical logs', async () => {
    const topic = await createTopic();
    const { leaderId, isr } = await partitionWhere(topic, (p) => p.isr.length === 3, 'a leader with 3 in-sync replicas');
    expect([...isr].sort()).toEqual([1, 2, 3]);
    const leader = cluster.broker(leaderId);
    for (let i = 0; i < 10; i++) await produce(leader, topic, [`v${i}`, `w${i}`]);
    const segment = (id: number) => readFile(join(cluster.dataDir(id), `${topic}-0`, '00000000000000000000.log'));
    const leaderBytes = await segment(leaderId);
    for (const id of [1, 2, 3]) expect((await segment(id)).equals(leaderBytes)).toBe(true);
    expect(await consumeAll(leader, topic)).toEqual(Array.from({ length: 10 }, (_, i) => [`v${i}`, `w${i}`]).flat());
  });

  it('a follower refuses produce and consumer fetch with NOT_LEADER_OR_FOLLOWER naming the leader, and a replica fetch in a stale leader epoch is FENCED_LEADER_EPOCH', async () => {
    const topic = await createTopic();
    const p = await partitionWhere(topic, (q) => q.isr.length === 3, 'a leader with 3 in-sync replicas');
    const follower = cluster.broker([1, 2, 3].find((id) => id !== p.leaderId)!);
    const refused = await failure(produce(follower, topic, ['nope']));
    expect(refused).toMatchObject({ code: 'NOT_LEADER_OR_FOLLOWER', message: expect.stringContaining(`its leader is broker ${p.leaderId}`) });
    const fetched = await call(follower.data, 'fetch', { maxWaitMs: 0, minBytes: 0, maxBytes: 0, format: RecordsFormat.DECODED, partitions: [{ topic, partition: 0, fetchOffset: 0, partitionMaxBytes: 0 }] });
    expect(fetched.partitions[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);

    const replication = new ReplicationServiceClient(`127.0.0.1:${cluster.broker(p.leaderId).port}`, credentials.createInsecure());
    try {
      const stale = await call(replication, 'replicaFetch', {
        replicaId: follower.id,
        brokerEpoch: 0,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 0,
        partitions: [{ topic, partition: 0, currentLeaderEpoch: p.leaderEpoch - 1, fetchOffset: 0, logStartOffset: 0, partitionMaxBytes: 0 }],
      });
      expect(stale.partitions[0]).toMatchObject({ errorCode: ErrorCode.FENCED_LEADER_EPOCH, recordBatches: Buffer.alloc(0) });
    } finally {
      replication.close();
    }
  });

  it('with the ISR below min.insync.replicas acks=all is NOT_ENOUGH_REPLICAS and appends nothing; a restarted follower catches up and rejoins', async () => {
    const topic = await createTopic();
    const p = await partitionWhere(topic, (q) => q.isr.length === 3, 'a leader with 3 in-sync replicas');
    const leader = cluster.broker(p.leaderId);
    await produce(leader, topic, ['before']);
    const followers = [1, 2, 3].filter((id) => id !== p.leaderId);
    for (const id of followers) await cluster.stopBroker(id);
    await partitionWhere(topic, (q) => q.isr.length === 1, 'the ISR shrunk to the leader');

    expect(await failure(produce(leader, topic, ['refused']))).toMatchObject({ code: 'NOT_ENOUGH_REPLICAS' });
    await produce(leader, topic, ['acks-1'], 1);
    expect(await consumeAll(leader, topic)).toEqual(['before', 'acks-1']);

    await cluster.startBroker(followers[0]);
    await partitionWhere(topic, (q) => q.isr.length === 2, 'the restarted follower back in the ISR');
    await produce(leader, topic, ['after']);
    expect(await consumeAll(leader, topic)).toEqual(['before', 'acks-1', 'after']);
    await cluster.startBroker(followers[1]);
    await partitionWhere(topic, (q) => q.isr.length === 3, 'both followers back in the ISR');
  });

  it('when the leader stops, an in-sync follower takes over with every acknowledged record; the old leader returns as a follower and catches up', async () => {
    const topic = await createTopic();
    const p = await partitionWhere(topic, (q) => q.isr.length === 3, 'a leader with 3 in-sync replicas');
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      await produce(cluster.broker(p.leaderId), topic, [`a${i}`]);
      acknowledged.push(`a${i}`);
    }
    await cluster.stopBroker(p.leaderId);
    const moved = await partitionWhere(topic, (q) => q.leaderId !== p.leaderId && q.leaderId > 0, 'a new leader');
    expect(moved.leaderEpoch).toBeGreaterThan(p.leaderEpoch);
    const newLeader = cluster.broker(moved.leaderId);
    for (let i = 0; i < 5; i++) {
      await produce(newLeader, topic, [`b${i}`]);
      acknowledged.push(`b${i}`);
    }
    expect(await consumeAll(newLeader, topic)).toEqual(acknowledged);

    await cluster.startBroker(p.leaderId);
    await partitionWhere(topic, (q) => q.isr.length === 3, 'the old leader back in the ISR');
    const segment = (id: number) => readFile(join(cluster.dataDir(id), `${topic}-0`, '00000000000000000000.log'));
    expect((await segment(p.leaderId)).equals(await segment(moved.leaderId))).toBe(true);
  });
});
