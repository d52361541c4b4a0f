import fc from 'fast-check';
import { TributaryError } from '@tributary/protocol';
import { parseBrokerConfig } from './broker-config';
import { AlterPartitionRequest, ControllerResult, ControllerStateMachine } from './controller-state-machine';
import { MetadataImage, PartitionImage } from './metadata-image';
import { MetadataRecord, decodeMetadataRecord, encodeMetadataRecord } from './metadata-record';
import { expectTributaryError } from './testing/expect-tributary-error';
import { seededRandomBytes } from './testing/seeded-random-bytes';
import { isTopicId } from './topic-id';

function cluster(brokerCount: number, brokerEntries: Record<string, string> = {}) {
  const controller = new ControllerStateMachine({ brokerConfig: parseBrokerConfig(brokerEntries), randomBytes: seededRandomBytes(42) });
  let image = MetadataImage.EMPTY;
  for (let id = 1; id <= brokerCount; id++) {
    image = image.apply(controller.registerBroker(image, { brokerId: id, endpoints: [{ host: '127.0.0.1', port: 9091 + id }] }).records);
  }
  return { controller, image };
}

describe('ControllerStateMachine.createTopic', () => {
  it('returns a topic record, one partition record per partition and the topic configs; applying them creates the topic', () => {
    const { controller, image } = cluster(3);
    const result = controller.createTopic(image, { name: 'orders', numPartitions: 3, replicationFactor: 2, configs: { 'retention.ms': ' 1000 ' } });
    expect(result.records.map((r) => r.type)).toEqual(['Topic', 'Partition', 'Partition', 'Partition', 'Config']);
    expect(result.created).toBe(true);
    expect(isTopicId(result.topic.topicId)).toBe(true);
    const after = image.apply(result.records.map((r) => decodeMetadataRecord(encodeMetadataRecord(r))));
    expect(after.topic('orders')).toEqual(result.topic);
    expect(after.topicConfigs('orders').get('retention.ms')).toBe('1000');
    expect(new Set(after.topic('orders')?.partitions.map((p) => p.leader)).size).toBe(3);
    for (const p of after.topic('orders')?.partitions ?? []) {
      expect(p).toMatchObject({ isr: p.replicas, leader: p.replicas[0], leaderEpoch: 0, partitionEpoch: 0 });
    }
  });

  it("takes 0 partitions and replication factor 0 as the broker's num.partitions and default.replication.factor", () => {
    const { controller, image } = cluster(2, { 'num.partitions': '4', 'default.replication.factor': '2' });
    const { topic } = controller.createTopic(image, { name: 't', numPartitions: 0, replicationFactor: 0 });
    expect(topic.partitions).toHaveLength(4);
    expect(topic.partitions.every((p) => p.replicas.length === 2)).toBe(true);
  });

  it('spreads the first leader of successive topics over the brokers', () => {
    const { controller, image } = cluster(3);
    const leaders = new Set<number>();
    let current = image;
    for (let i = 0; i < 12; i++) {
      const result = controller.createTopic(current, { name: `t${i}`, numPartitions: 1 });
      current = current.apply(result.records);
      leaders.add(result.topic.partitions[0].leader);
    }
    expect(leaders.size).toBe(3);
  });

  it('validateOnly checks everything and returns no records', () => {
    const { controller, image } = cluster(1);
    const result = controller.createTopic(image, { name: 't', numPartitions: 2, validateOnly: true });
    expect(result.records).toEqual([]);
    expect(result.topic.partitions).toHaveLength(2);
    expectTributaryError(() => controller.createTopic(image, { name: 't', numPartitions: -1, validateOnly: true }), 'INVALID_PARTITIONS');
  });

  it('ifNotExists answers an existing topic with no records and created=false', () => {
    const { controller, image } = cluster(1);
    const created = image.apply(controller.createTopic(image, { name: 't', configs: { 'retention.ms': '5' } }).records);
    const again = controller.createTopic(created, { name: 't', numPartitions: 7, ifNotExists: true });
    expect(again).toEqual({ records: [], topic: created.topic('t'), configs: { 'retention.ms': '5' }, created: false });
  });

  it('places replicas on the brokers given in the context instead of the registered ones', () => {
    const { controller } = cluster(0);
    const { topic } = controller.createTopic(MetadataImage.EMPTY, { name: 't', numPartitions: 2 }, { brokers: [{ id: 7, rack: null }] });
    expect(topic.partitions.map((p) => p.replicas)).toEqual([[7], [7]]);
  });

  describe('bad requests: the right code, a message naming the problem, no records', () => {
    const { controller, image } = cluster(2);
    const existing = image.apply(controller.createTopic(image, { name: 'metrics_cpu' }).records);
    it.each([
      ['an invalid name', { name: 'bad name' }, 'INVALID_TOPIC_EXCEPTION', ['Invalid topic name "bad name"', 'character " "']],
      ['an empty name', { name: '' }, 'INVALID_TOPIC_EXCEPTION', ['empty']],
      ['an existing topic', { name: 'metrics_cpu' }, 'TOPIC_ALREADY_EXISTS', ['Topic metrics_cpu already exists']],
      ["a name that collides once '.' is '_'", { name: 'metrics.cpu' }, 'INVALID_TOPIC_EXCEPTION', ['collides with existing topic "metrics_cpu"']],
      ['partitions < 1', { name: 't', numPartitions: -1 }, 'INVALID_PARTITIONS', ['at least 1, got -1']],
      ['a fractional partition count', { name: 't', numPartitions: 1.5 }, 'INVALID_PARTITIONS', ['got 1.5']],
      ['too many partitions', { name: 't', numPartitions: 100_001 }, 'INVALID_PARTITIONS', ['100001', 'limit of 100000']],
      ['a replication factor above the brokers', { name: 't', replicationFactor: 3 }, 'INVALID_REPLICATION_FACTOR', ['3 time(s)', 'only 2 broker(s)']],
      ['a negative replication factor', { name: 't', replicationFactor: -1 }, 'INVALID_REPLICATION_FACTOR', ['at least 1, got -1']],
      ['an unknown config', { name: 't', configs: { 'retention.msec': '1' } }, 'INVALID_CONFIG', ['Unknown topic config name: retention.msec']],
      ['an ill-typed config', { name: 't', configs: { 'segment.bytes': 'big' } }, 'INVALID_CONFIG', ['segment.bytes', '"big"', 'INT']],
      ['min.insync.replicas above the replication factor', { name: 't', replicationFactor: 2, configs: { 'min.insync.replicas': '3' } }, 'INVALID_CONFIG', ['min.insync.replicas=3', 'replication factor 2']],
    ] as const)('refuses %s', (_what, request, code, fragments) => {
      expectTributaryError(() => controller.createTopic(existing, request), code, ...fragments);
    });

    it('refuses any topic when no broker is available', () => {
      expectTributaryError(() => controller.createTopic(MetadataImage.EMPTY, { name: 't' }), 'INVALID_REPLICATION_FACTOR', 'only 0 broker(s)');
    });
  });
});

describe('ControllerStateMachine.deleteTopic', () => {
  it('returns a RemoveTopic record; applying it deletes the topic and its configs', () => {
    const { controller, image } = cluster(1);
    const created = image.apply(controller.createTopic(image, { name: 't', configs: { 'retention.ms': '5' } }).records);
    const { records } = controller.deleteTopic(created, { name: 't' });
    expect(records).toEqual([{ type: 'RemoveTopic', topicId: created.topic('t')?.topicId }]);
    const deleted = created.apply(records);
    expect(deleted.topic('t')).toBeUndefined();
    expect(deleted.topicConfigs('t').size).toBe(0);
  });

  it('refuses an unknown topic, an internal topic and deletion when delete.topic.enable=false', () => {
    const { controller, image } = cluster(1);
    expectTributaryError(() => controller.deleteTopic(image, { name: 'nope' }), 'UNKNOWN_TOPIC_OR_PARTITION', 'Topic nope does not exist');
    const internal = image.apply(controller.createTopic(image, { name: '__consumer_offsets' }).records);
    expectTributaryError(() => controller.deleteTopic(internal, { name: '__consumer_offsets' }), 'INVALID_REQUEST', 'internal');
    expect(controller.deleteTopic(internal, { name: '__consumer_offsets', allowInternal: true }).records).toHaveLength(1);
    const locked = cluster(1, { 'delete.topic.enable': 'false' });
    const withTopic = locked.image.apply(locked.controller.createTopic(locked.image, { name: 't' }).records);
    expectTributaryError(() => locked.controller.deleteTopic(withTopic, { name: 't' }), 'TOPIC_DELETION_DISABLED', 'delete.topic.enable=false');
  });
});

describe('ControllerStateMachine.createPartitions', () => {
  const { controller, image } = cluster(3);
  const created = image.apply(controller.createTopic(image, { name: 't', numPartitions: 2, replicationFactor: 2 }).records);

  it('adds partitions numbered after the existing ones, with the same replication factor', () => {
    const result = controller.createPartitions(created, { topic: 't', totalCount: 5 });
    expect(result.records.map((r) => r.type === 'Partition' && r.partition)).toEqual([2, 3, 4]);
    const after = created.apply(result.records);
    expect(after.topic('t')).toEqual(result.topic);
    expect(after.topic('t')?.partitions.every((p) => p.replicas.length === 2)).toBe(true);
    expect(controller.createPartitions(created, { topic: 't', totalCount: 5, validateOnly: true }).records).toEqual([]);
  });

  it('with racks, places added partitions across racks too', () => {
    const racked = [1, 2, 3, 4].map((id) => ({ id, rack: id % 2 === 0 ? 'even' : 'odd' }));
    const topic = controller.createTopic(MetadataImage.EMPTY, { name: 'r', numPartitions: 2, replicationFactor: 2 }, { brokers: racked });
    const withTopic = MetadataImage.EMPTY.apply(topic.records);
    const grown = controller.createPartitions(withTopic, { topic: 'r', totalCount: 6 }, { brokers: racked });
    for (const p of grown.topic.partitions) expect(new Set(p.replicas.map((id) => id % 2)).size).toBe(2);
  });

  it.each([
    ['fewer partitions', 1, 'currently has 2 partitions, which is higher than the requested 1'],
    ['the same count', 2, 'already has 2 partitions'],
    ['too many partitions', 200_000, 'limit of 100000'],
  ])('refuses %s with INVALID_PARTITIONS naming the current count', (_what, totalCount, message) => {
    expectTributaryError(() => controller.createPartitions(created, { topic: 't', totalCount }), 'INVALID_PARTITIONS', message);
  });

  it('refuses an unknown topic', () => {
    expectTributaryError(() => controller.createPartitions(created, { topic: 'nope', totalCount: 3 }), 'UNKNOWN_TOPIC_OR_PARTITION', 'nope');
  });
});

describe('ControllerStateMachine.alterConfigs', () => {
  const { controller, image } = cluster(1);
  const created = image.apply(controller.createTopic(image, { name: 't', configs: { 'cleanup.policy': 'compact' } }).records);

  it('turns SET and DELETE into config records; applying them changes the topic configs', () => {
    const { records } = controller.alterConfigs(created, {
      resource: { type: 'topic', name: 't' },
      ops: [
        { op: 'SET', name: 'retention.ms', value: '10' },
        { op: 'DELETE', name: 'cleanup.policy' },
        { op: 'DELETE', name: 'segment.ms' },
      ],
    });
    expect(records).toEqual([
      { type: 'Config', resourceType: 'topic', resourceName: 't', name: 'retention.ms', value: '10' },
      { type: 'Config', resourceType: 'topic', resourceName: 't', name: 'cleanup.policy', value: null },
      { type: 'Config', resourceType: 'topic', resourceName: 't', name: 'segment.ms', value: null },
    ]);
    expect(Object.fromEntries(created.apply(records).topicConfigs('t'))).toEqual({ 'retention.ms': '10' });
  });

  it('validateOnly returns no records', () => {
    const ops = [{ op: 'SET', name: 'retention.ms', value: '10' }] as const;
    expect(controller.alterConfigs(created, { resource: { type: 'topic', name: 't' }, ops, validateOnly: true }).records).toEqual([]);
  });

  it('sets dynamic broker configs, refusing read-only and unknown ones', () => {
    const { records } = controller.alterConfigs(created, { resource: { type: 'broker', name: '1' }, ops: [{ op: 'SET', name: 'log.retention.ms', value: '5' }] });
    expect(created.apply(records).brokerConfigs('1').get('log.retention.ms')).toBe('5');
    const alter = (name: string, value = '1') => () =>
      controller.alterConfigs(created, { resource: { type: 'broker', name: '1' }, ops: [{ op: 'SET', name, value }] });
    expectTributaryError(alter('node.id'), 'INVALID_CONFIG', 'node.id is read-only');
    expectTributaryError(alter('nope'), 'INVALID_CONFIG', 'Unknown broker config name: nope');
    expectTributaryError(alter('num.partitions', 'x'), 'INVALID_CONFIG', 'num.partitions');
    expectTributaryError(
      () => controller.alterConfigs(created, { resource: { type: 'broker', name: '9' }, ops: [] }),
      'INVALID_REQUEST',
      'Broker 9 is not registered',
    );
  });

  it.each([
    ['an unknown topic', { type: 'topic', name: 'nope' }, [{ op: 'SET', name: 'retention.ms', value: '1' }], 'UNKNOWN_TOPIC_OR_PARTITION', 'Topic nope does not exist'],
    ['an unknown config', { type: 'topic', name: 't' }, [{ op: 'SET', name: 'retention', value: '1' }], 'INVALID_CONFIG', 'Unknown topic config name: retention'],
    ['deleting an unknown config', { type: 'topic', name: 't' }, [{ op: 'DELETE', name: 'retention' }], 'INVALID_CONFIG', 'Unknown topic config name: retention'],
    ['an ill-typed value', { type: 'topic', name: 't' }, [{ op: 'SET', name: 'retention.ms', value: 'soon' }], 'INVALID_CONFIG', 'Invalid value "soon" for configuration retention.ms'],
    ['min.insync.replicas above the replication factor', { type: 'topic', name: 't' }, [{ op: 'SET', name: 'min.insync.replicas', value: '2' }], 'INVALID_CONFIG', 'replication factor 1'],
    ['a config named twice', { type: 'topic', name: 't' }, [{ op: 'SET', name: 'retention.ms', value: '1' }, { op: 'DELETE', name: 'retention.ms' }], 'INVALID_REQUEST', 'retention.ms appears twice'],
  ] as const)('refuses %s', (_what, resource, ops, code, message) => {
    expectTributaryError(() => controller.alterConfigs(created, { resource, ops }), code, message);
  });
});

describe('ControllerStateMachine producer ids, brokers and cluster id', () => {
  it('hands out consecutive, disjoint producer id blocks', () => {
    const { controller, image } = cluster(1);
    const first = controller.allocateProducerIds(image, { brokerId: 1 });
    expect(first).toMatchObject({ firstProducerId: 0, blockSize: 1000 });
    const after = image.apply(first.records);
    const second = controller.allocateProducerIds(after, { brokerId: 1, blockSize: 10 });
    expect(second).toMatchObject({ firstProducerId: 1000, blockSize: 10 });
    expect(after.apply(second.records).nextProducerId).toBe(1010);
  });

  it('refuses a bad block size and a stale broker epoch', () => {
    const { controller, image } = cluster(1);
    expectTributaryError(() => controller.allocateProducerIds(image, { brokerId: 1, blockSize: 0 }), 'INVALID_REQUEST', 'block size');
    expectTributaryError(() => controller.allocateProducerIds(image, { brokerId: 1, brokerEpoch: 99 }), 'INVALID_REQUEST', 'epoch 99');
  });

  it('registers brokers with rising epochs and fences and unfences them', () => {
    const { controller, image } = cluster(2);
    expect(image.brokers().map((b) => b.brokerEpoch)).toEqual([1, 2]);
    const again = controller.registerBroker(image, { brokerId: 1, endpoints: [{ host: 'h', port: 1 }], rack: 'r1', fenced: true });
    expect(again.brokerEpoch).toBe(3);
    const reregistered = image.apply(again.records);
    expect(reregistered.broker(1)).toMatchObject({ brokerEpoch: 3, rack: 'r1', fenced: true });
    const unfenced = reregistered.apply(controller.setBrokerFenced(reregistered, 1, false).records);
    expect(unfenced.broker(1)?.fenced).toBe(false);
    expect(controller.setBrokerFenced(unfenced, 1, false).records).toEqual([]);
    expectTributaryError(() => controller.setBrokerFenced(unfenced, 9, true), 'INVALID_REQUEST', 'Broker 9 is not registered');
    expectTributaryError(() => controller.registerBroker(image, { brokerId: -1, endpoints: [] }), 'INVALID_REQUEST', 'Broker id');
    expectTributaryError(() => controller.registerBroker(image, { brokerId: 3, endpoints: [{ host: 'h', port: 70000 }] }), 'INVALID_REQUEST', 'h:70000');
  });

  it('formats a cluster once and refuses another cluster id', () => {
    const { controller } = cluster(0);
    const formatted = MetadataImage.EMPTY.apply(controller.formatCluster(MetadataImage.EMPTY, 'c1').records);
    expect(formatted.clusterId).toBe('c1');
    expect(controller.formatCluster(formatted, 'c1').records).toEqual([]);
    expectTributaryError(() => controller.formatCluster(formatted, 'c2'), 'INCONSISTENT_CLUSTER_ID', 'belongs to cluster c1, not c2');
  });
});

/** A controller with 1000 ms leases whose image follows every record it returns (through the codec);
 * the metadata offset is the number of records applied, so a broker is caught up at `offset`. */
function quorum(brokerEntries: Record<string, string> = {}) {
  const controller = new ControllerStateMachine({
    brokerConfig: parseBrokerConfig(brokerEntries),
    randomBytes: seededRandomBytes(7),
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
  });
  const state = { image: MetadataImage.EMPTY.apply(controller.formatCluster(MetadataImage.EMPTY, 'c1').records), offset: 1 };
  const run = <T extends ControllerResult>(result: T): T => {
    state.image = state.image.apply(result.records.map((r) => decodeMetadataRecord(encodeMetadataRecord(r))));
    state.offset += result.records.length;
    return result;
  };
  const register = (brokerId: number, nowMs = 0, rack: string | null = null, incarnationId = `inc-${brokerId}`) =>
    run(controller.registerBroker(state.image, { brokerId, incarnationId, clusterId: 'c1', endpoints: [{ host: 'h', port: 9000 + brokerId }], rack }, nowMs));
  const heartbeat = (brokerId: number, nowMs: number, wants: { wantFence?: boolean; wantShutdown?: boolean; behindBy?: number } = {}) =>
    run(
      controller.heartbeat(
        state.image,
        {
          brokerId,
          brokerEpoch: state.image.broker(brokerId)?.brokerEpoch ?? -1,
          currentMetadataOffset: state.offset - (wants.behindBy ?? 0),
          wantFence: wants.wantFence,
          wantShutdown: wants.wantShutdown,
        },
        { nowMs, lastCommittedOffset: state.offset },
      ),
    );
  /** Registers and unfences brokers 1..n at time 0. */
  const start = (n: number, rack?: (id: number) => string) => {
    for (let id = 1; id <= n; id++) register(id, 0, rack ? rack(id) : null);
    for (let id = 1; id <= n; id++) heartbeat(id, 0);
  };
  return { controller, state, run, register, heartbeat, start };
}

const SESSION_TIMEOUT_MS = 1000;

describe('ControllerStateMachine broker registration', () => {
  it('registers a broker fenced with its incarnation and a new epoch each time', () => {
    const { state, register } = quorum();
    const first = register(1);
    expect(state.image.broker(1)).toMatchObject({ brokerEpoch: first.brokerEpoch, fenced: true, incarnationId: 'inc-1' });
    const again = register(1, 10);
    expect(again.brokerEpoch).toBeGreaterThan(first.brokerEpoch);
  });

  it.each([
    ['another cluster id', { clusterId: 'c2' }, 'INCONSISTENT_CLUSTER_ID', ["Broker 5 belongs to cluster c2, but this controller's cluster is c1"]],
    ['an empty incarnation id', { incarnationId: '' }, 'INVALID_REQUEST', ['empty incarnation id']],
    ['a negative broker id', { brokerId: -1 }, 'INVALID_REQUEST', ['Broker id']],
  ] as const)('refuses %s', (_what, override, code, fragments) => {
    const { controller, state } = quorum();
    const request = { brokerId: 5, incarnationId: 'i', clusterId: 'c1', endpoints: [], ...override };
    expectTributaryError(() => controller.registerBroker(state.image, request, 0), code, ...fragments);
  });

  it('refuses a broker of a cluster when the controller is not formatted', () => {
    const { controller } = quorum();
    expectTributaryError(
      () => controller.registerBroker(MetadataImage.EMPTY, { brokerId: 1, clusterId: 'c1', endpoints: [] }, 0),
      'INVALID_REQUEST',
      'not formatted yet',
    );
  });

  it.each([
    ['the same incarnation while its session is live', 'inc-1', 500, true],
    ['another incarnation once the session has lapsed', 'other', 1000 + SESSION_TIMEOUT_MS, true],
    ['another incarnation while the session is live', 'other', 1000 + SESSION_TIMEOUT_MS - 1, false],
  ])('re-registration of %s: accepted=%s', (_what, incarnationId, nowMs, accepted) => {
    const { controller, state, register, heartbeat } = quorum();
    register(1, 0);
    heartbeat(1, 1000);
    const request = { brokerId: 1, incarnationId, clusterId: 'c1', endpoints: [] };
    if (accepted) {
      expect(controller.registerBroker(state.image, request, nowMs).records.at(-1)).toMatchObject({ type: 'RegisterBroker', incarnationId });
    } else {
      expectTributaryError(() => controller.registerBroker(state.image, request, nowMs), 'DUPLICATE_BROKER_REGISTRATION', 'incarnation inc-1', 'incarnation other');
    }
  });

  it('a fenced broker holds no session: another incarnation registers at once after a controlled shutdown', () => {
    const { controller, state, register, heartbeat } = quorum();
    register(1, 0);
    heartbeat(1, 1000);
    heartbeat(1, 1001, { wantShutdown: true });
    expect(state.image.broker(1)?.fenced).toBe(true);
    const request = { brokerId: 1, incarnationId: 'restarted', clusterId: 'c1', endpoints: [] };
    expect(controller.registerBroker(state.image, request, 1002).records.at(-1)).toMatchObject({ type: 'RegisterBroker', incarnationId: 'restarted' });
  });

  it('re-registering an unfenced broker moves its leaderships away first', () => {
    const { controller, state, run, start, register } = quorum();
    start(2);
    run(controller.createTopic(state.image, { name: 't', numPartitions: 4, replicationFactor: 2 }));
    register(1, SESSION_TIMEOUT_MS * 5, null, 'restarted');
    expect(state.image.broker(1)?.fenced).toBe(true);
    expect(state.image.topic('t')?.partitions.every((p) => p.leader === 2 && p.isr.join() === '2')).toBe(true);
  });
});

describe('ControllerStateMachine heartbeats', () => {
  it('a fenced broker stays fenced while behind the committed offset and is unfenced once caught up', () => {
    const { state, register, heartbeat } = quorum();
    register(1);
    expect(heartbeat(1, 10, { behindBy: 1 })).toEqual({ records: [], isCaughtUp: false, isFenced: true, shouldShutDown: false });
    const caughtUp = heartbeat(1, 20);
    expect(caughtUp).toMatchObject({ isCaughtUp: true, isFenced: false, shouldShutDown: false });
    expect(caughtUp.records).toEqual([{ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: state.image.broker(1)?.brokerEpoch, fenced: false }]);
    expect(heartbeat(1, 30).records).toEqual([]);
  });

  it.each([
    ['an unknown broker', 9, 0, 'Broker 9 is not registered'],
    ['a stale epoch', 1, -1, 'sent a heartbeat with epoch'],
    ['a newer epoch', 1, 1, 'sent a heartbeat with epoch'],
  ])('refuses a heartbeat of %s with STALE_BROKER_EPOCH', (_what, brokerId, epochDelta, message) => {
    const { controller, state, register } = quorum();
    const { brokerEpoch } = register(1);
    expectTributaryError(
      () => controller.heartbeat(state.image, { brokerId, brokerEpoch: brokerEpoch + epochDelta, currentMetadataOffset: 0 }, { nowMs: 0, lastCommittedOffset: 0 }),
      'STALE_BROKER_EPOCH',
      message,
    );
  });

  it('wantFence fences an unfenced broker and keeps a fenced one fenced though caught up', () => {
    const { state, start, heartbeat } = quorum();
    start(1);
    expect(heartbeat(1, 10, { wantFence: true })).toMatchObject({ isFenced: true });
    expect(state.image.broker(1)?.fenced).toBe(true);
    expect(heartbeat(1, 20, { wantFence: true })).toMatchObject({ records: [], isFenced: true, isCaughtUp: true });
  });
});

describe('ControllerStateMachine lease expiry and leader election', () => {
  it('fences a broker whose lease lapsed and re-elects its partitions from the ISR, bumping leader epochs', () => {
    const { controller, state, run, start, heartbeat } = quorum();
    start(3);
    run(controller.createTopic(state.image, { name: 't', numPartitions: 6, replicationFactor: 3 }));
    const before = state.image.topic('t')?.partitions ?? [];
    heartbeat(2, 900);
    heartbeat(3, 900);
    expect(controller.fenceExpiredBrokers(state.image, 999).records).toEqual([]);
    const fenced = run(controller.fenceExpiredBrokers(state.image, 1000));
    expect(fenced.fencedBrokerIds).toEqual([1]);
    expect(state.image.broker(1)?.fenced).toBe(true);
    state.image.topic('t')?.partitions.forEach((p, i) => {
      expect(p.isr).not.toContain(1);
      expect([2, 3]).toContain(p.leader);
      expect(p.leader).toBe(before[i].leader === 1 ? before[i].replicas.find((id) => id !== 1) : before[i].leader);
      expect(p.leaderEpoch).toBe(before[i].leaderEpoch + (before[i].leader === 1 ? 1 : 0));
    });
  });

  it('leaves leader -1 when no ISR member is live and re-elects the last in-sync replica when it returns', () => {
    const { controller, state, run, start, heartbeat } = quorum();
    start(2);
    run(controller.createTopic(state.image, { name: 't', numPartitions: 2, replicationFactor: 2 }));
    heartbeat(2, 500);
    run(controller.fenceExpiredBrokers(state.image, 1000)); // broker 1
    expect(state.image.topic('t')?.partitions.map((p) => [p.leader, p.isr])).toEqual([[2, [2]], [2, [2]]]);
    run(controller.fenceExpiredBrokers(state.image, 1500)); // broker 2, the last in-sync replica
    expect(state.image.topic('t')?.partitions.map((p) => [p.leader, p.isr])).toEqual([[-1, [2]], [-1, [2]]]);
    heartbeat(1, 1600); // back, caught up, but not in any ISR: no leadership
    expect(state.image.topic('t')?.partitions.map((p) => p.leader)).toEqual([-1, -1]);
    heartbeat(2, 1700);
    expect(state.image.topic('t')?.partitions.map((p) => [p.leader, p.isr])).toEqual([[2, [2]], [2, [2]]]);
  });

  it('with unclean.leader.election.enable, elects a live out-of-sync replica instead of leaving leader -1', () => {
    const { controller, state, run, start, heartbeat } = quorum({ 'unclean.leader.election.enable': 'true' });
    start(2);
    run(controller.createTopic(state.image, { name: 't', numPartitions: 1, replicationFactor: 2 }));
    heartbeat(2, 500);
    run(controller.fenceExpiredBrokers(state.image, 1000));
    heartbeat(1, 1100);
    run(controller.fenceExpiredBrokers(state.image, 1500));
    expect(state.image.partition('t', 0)).toMatchObject({ leader: 1, isr: [1] });
  });

  it('an active controller gives every broker a full session before fencing anyone', () => {
    const { controller, state, start } = quorum();
    start(2);
    controller.activate(state.image, 50_000);
    expect(controller.fenceExpiredBrokers(state.image, 50_000 + SESSION_TIMEOUT_MS - 1).fencedBrokerIds).toEqual([]);
    expect(controller.fenceExpiredBrokers(state.image, 50_000 + SESSION_TIMEOUT_MS).fencedBrokerIds).toEqual([1, 2]);
  });
});

describe('ControllerStateMachine.balancePartitionLeaders (preferred leaders)', () => {
  /** Brokers 1 and 2, topic t (2 partitions, RF 2); broker 1's lease lapses and it comes back,
   * unfenced but out of every ISR, as after a restart. */
  function failedOver(brokerEntries: Record<string, string> = {}) {
    const q = quorum(brokerEntries);
    q.start(2);
    q.run(q.controller.createTopic(q.state.image, { name: 't', numPartitions: 2, replicationFactor: 2 }));
    q.heartbeat(2, 500);
    q.run(q.controller.fenceExpiredBrokers(q.state.image, 1000));
    q.heartbeat(1, 1100);
    const preferring1 = (): PartitionImage => {
      const found = q.state.image.topic('t')?.partitions.find((p) => p.replicas[0] === 1);
      if (found === undefined) throw new Error('no partition of t prefers broker 1');
      return found;
    };
    /** What partition leader 2 sends once broker 1 has caught up as a follower. */
    const readmit = () => {
      const p = preferring1();
      const request = { brokerId: 2, brokerEpoch: q.state.image.broker(2)?.brokerEpoch ?? -1, topic: 't', partition: p.partition, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [2, 1] };
      q.run(q.controller.alterPartition(q.state.image, request));
    };
    return { ...q, preferring1, readmit };
  }

  it('gives the lead back to the returned broker once it is in the ISR again, bumping the leader epoch', () => {
    const { controller, state, run, preferring1, readmit } = failedOver();
    expect(preferring1()).toMatchObject({ leader: 2, isr: [2] });
    expect(controller.balancePartitionLeaders(state.image).records).toEqual([]); // out of the ISR
    readmit();
    const before = preferring1();
    run(controller.balancePartitionLeaders(state.image));
    expect(preferring1()).toMatchObject({ leader: 1, isr: [1, 2], leaderEpoch: before.leaderEpoch + 1 });
    expect(state.image.topic('t')?.partitions.map((p) => p.leader).sort()).toEqual([1, 2]);
    expect(controller.balancePartitionLeaders(state.image).records).toEqual([]);
  });

  it('moves nothing with auto.leader.rebalance.enable=false', () => {
    const { controller, state, readmit } = failedOver({ 'auto.leader.rebalance.enable': 'false' });
    readmit();
    expect(controller.balancePartitionLeaders(state.image).records).toEqual([]);
  });
});

describe('ControllerStateMachine placement on live brokers', () => {
  it('places replicas only on unfenced brokers and names live against requested when too few', () => {
    const { controller, state, run, start, register } = quorum();
    start(2);
    register(3); // registered, still fenced
    const { topic } = run(controller.createTopic(state.image, { name: 't', numPartitions: 8, replicationFactor: 2 }));
    expect(new Set(topic.partitions.flatMap((p) => p.replicas))).toEqual(new Set([1, 2]));
    expectTributaryError(
      () => controller.createTopic(state.image, { name: 'u', replicationFactor: 3 }),
      'INVALID_REPLICATION_FACTOR',
      '3 time(s)',
      'only 2 broker(s) are available',
      '3 registered',
    );
  });

  it('places across racks when the live brokers have racks', () => {
    const { controller, state, run, start } = quorum();
    start(4, (id) => (id % 2 === 0 ? 'even' : 'odd'));
    const { topic } = run(controller.createTopic(state.image, { name: 't', numPartitions: 8, replicationFactor: 2 }));
    for (const p of topic.partitions) expect(new Set(p.replicas.map((id) => id % 2)).size).toBe(2);
  });
});

describe('ControllerStateMachine controlled shutdown', () => {
  it('moves leaderships and ISR memberships away, then fences the broker and lets it shut down', () => {
    const { controller, state, run, start, heartbeat } = quorum();
    start(3);
    run(controller.createTopic(state.image, { name: 't', numPartitions: 6, replicationFactor: 2 }));
    const first = heartbeat(1, 100, { wantShutdown: true });
    expect(first).toMatchObject({ isFenced: false, shouldShutDown: false });
    expect(first.records.length).toBeGreaterThan(0);
    expect(state.image.broker(1)?.fenced).toBe(false);
    for (const p of state.image.topic('t')?.partitions ?? []) {
      expect(p.leader).not.toBe(1);
      expect(p.isr).not.toContain(1);
    }
    expect(heartbeat(1, 200, { wantShutdown: true, behindBy: 1 })).toMatchObject({ records: [], shouldShutDown: false });
    expect(heartbeat(1, 300, { wantShutdown: true })).toMatchObject({ isFenced: true, shouldShutDown: true });
    expect(state.image.broker(1)?.fenced).toBe(true);
    expectTributaryError(() => controller.createTopic(state.image, { name: 'u', replicationFactor: 3 }), 'INVALID_REPLICATION_FACTOR', 'only 2');
  });

  it('a broker shutting down is not given new replicas nor elected leader', () => {
    const { controller, state, run, start, heartbeat } = quorum();
    start(2);
    run(controller.createTopic(state.image, { name: 't', numPartitions: 1, replicationFactor: 2 }));
    heartbeat(2, 100, { wantShutdown: true });
    expect(controller.createTopic(state.image, { name: 'u', numPartitions: 4 }).topic.partitions.every((p) => p.replicas.join() === '1')).toBe(true);
    heartbeat(1, 100, { wantFence: true });
    expect(state.image.partition('t', 0)).toMatchObject({ leader: -1, isr: [1] });
  });
});

type Step =
  | { op: 'register'; brokerId: number; restart: boolean }
  | { op: 'heartbeat'; brokerId: number; want: 'nothing' | 'fence' | 'shutdown' | 'staleEpoch'; behind: boolean }
  | { op: 'tick'; elapsedMs: number }
  | { op: 'fenceExpired' }
  | { op: 'balanceLeaders' }
  | { op: 'createTopic'; numPartitions: number; replicationFactor: number }
  | { op: 'snapshot' };

const brokerIdArb = fc.integer({ min: 1, max: 5 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('register' as const), brokerId: brokerIdArb, restart: fc.boolean() }),
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('heartbeat' as const),
      brokerId: brokerIdArb,
      want: fc.constantFrom(...(['nothing', 'nothing', 'nothing', 'nothing', 'fence', 'shutdown', 'staleEpoch'] as const)),
      behind: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const), elapsedMs: fc.integer({ min: 1, max: 2 * SESSION_TIMEOUT_MS }) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'fenceExpired' as const }) },
  fc.constant({ op: 'balanceLeaders' as const }),
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('createTopic' as const), numPartitions: fc.integer({ min: 1, max: 4 }), replicationFactor: fc.integer({ min: 1, max: 3 }) }),
  },
  fc.constant({ op: 'snapshot' as const }),
);

/** Checks the invariants of the image after a step; `epochs` carries leader epochs seen so far. */
function checkInvariants(image: MetadataImage, epochs: Map<string, number>): void {
  for (const topic of image.topics()) {
    for (const p of topic.partitions) {
      const where = `${topic.name}-${p.partition}`;
      expect({ where, distinct: new Set(p.replicas).size === p.replicas.length }).toEqual({ where, distinct: true });
      if (p.leader !== -1) {
        expect({ where, leaderInIsr: p.isr.includes(p.leader), leaderFenced: image.broker(p.leader)?.fenced ?? true }).toEqual({
          where,
          leaderInIsr: true,
          leaderFenced: false,
        });
      }
      const key = `${topic.topicId}/${p.partition}`;
      expect(p.leaderEpoch).toBeGreaterThanOrEqual(epochs.get(key) ?? 0);
      epochs.set(key, p.leaderEpoch);
    }
  }
}

describe('ControllerStateMachine random operation sequences', () => {
  it('keep leaders in their ISR and unfenced (or -1), replicas distinct, leader epochs growing; snapshot + tail replays to the image', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 20, maxLength: 80 }), (steps) => {
        const { controller, state, run, register, heartbeat, start } = quorum();
        start(3); // brokers 4 and 5 may join later
        const epochs = new Map<string, number>();
        let nowMs = 0;
        let topics = 0;
        const log: MetadataRecord[] = state.image.toRecords();
        let snapshot = { records: state.image.toRecords(), offset: log.length };
        const runLogged = <T extends ControllerResult>(result: T): T => {
          log.push(...result.records);
          return run(result);
        };
        for (const step of steps) {
          try {
            switch (step.op) {
              case 'register':
                log.push(...register(step.brokerId, nowMs, null, step.restart ? `inc-${step.brokerId}-${nowMs}` : `inc-${step.brokerId}`).records);
                break;
              case 'heartbeat': {
                if (step.want === 'staleEpoch') {
                  const epoch = state.image.broker(step.brokerId)?.brokerEpoch ?? 0;
                  const request = { brokerId: step.brokerId, brokerEpoch: epoch - 1, currentMetadataOffset: state.offset };
                  expectTributaryError(() => controller.heartbeat(state.image, request, { nowMs, lastCommittedOffset: state.offset }), 'STALE_BROKER_EPOCH');
                  break;
                }
                if (state.image.broker(step.brokerId) === undefined) break;
                const wants = { wantFence: step.want === 'fence', wantShutdown: step.want === 'shutdown', behindBy: step.behind ? 1 : 0 };
                log.push(...heartbeat(step.brokerId, nowMs, wants).records);
                break;
              }
              case 'tick':
                nowMs += step.elapsedMs;
                break;
              case 'fenceExpired':
                runLogged(controller.fenceExpiredBrokers(state.image, nowMs));
                break;
              case 'balanceLeaders':
                runLogged(controller.balancePartitionLeaders(state.image));
                break;
              case 'createTopic':
                runLogged(controller.createTopic(state.image, { name: `t${topics++}`, numPartitions: step.numPartitions, replicationFactor: step.replicationFactor }));
                break;
              case 'snapshot':
                snapshot = { records: state.image.toRecords(), offset: log.length };
                break;
            }
          } catch (e) {
            // Refusals are part of the model (a duplicate registration, too few live brokers);
            // anything else, and any failure to apply returned records, is a bug.
            if (!(e instanceof TributaryError) || !['DUPLICATE_BROKER_REGISTRATION', 'INVALID_REPLICATION_FACTOR'].includes(e.code)) throw e;
          }
          checkInvariants(state.image, epochs);
        }
        expect(MetadataImage.EMPTY.apply(snapshot.records).apply(log.slice(snapshot.offset))).toEqual(state.image);
        expect(MetadataImage.EMPTY.apply(state.image.toRecords())).toEqual(state.image);
      }),
      { seed: 20240601, numRuns: 100 },
    );
  });
});

describe('ControllerStateMachine.alterPartition (ISR changes by the leader)', () => {
  /** Three live brokers and topic t (one partition on 1,2,3 led by 1); the leader's request for it. */
  function setup() {
    const q = quorum();
    q.start(3);
    q.run(q.controller.createTopic(q.state.image, { name: 't', numPartitions: 1, replicationFactor: 3 }, { brokers: [1, 2, 3].map((id) => ({ id, rack: null })) }));
    const p = () => q.state.image.topic('t')!.partitions[0];
    const request = (changes: Partial<AlterPartitionRequest> = {}): AlterPartitionRequest => ({
      brokerId: p().leader,
      brokerEpoch: q.state.image.broker(p().leader)!.brokerEpoch,
      topic: 't',
      partition: 0,
      leaderEpoch: p().leaderEpoch,
      partitionEpoch: p().partitionEpoch,
      newIsr: p().isr,
      ...changes,
    });
    return { ...q, p, request };
  }

  it('a shrink and a later expansion apply in replica order, bumping the partition epoch but not the leader epoch', () => {
    const { controller, state, run, p, request } = setup();
    const leader = p().leader;
    const follower = p().replicas.find((id) => id !== leader)!;
    const before = p();
    const shrunk = run(controller.alterPartition(state.image, request({ newIsr: p().isr.filter((id) => id !== follower) })));
    expect(shrunk.partition).toEqual(p());
    expect(p()).toMatchObject({ leader, leaderEpoch: before.leaderEpoch, partitionEpoch: before.partitionEpoch + 1, isr: before.replicas.filter((id) => id !== follower) });
    run(controller.alterPartition(state.image, request({ newIsr: [follower, ...p().isr] })));
    expect(p()).toMatchObject({ isr: before.replicas, partitionEpoch: before.partitionEpoch + 2, leaderEpoch: before.leaderEpoch });
  });

  it('the current ISR again changes nothing', () => {
    const { controller, state, request } = setup();
    expect(controller.alterPartition(state.image, request()).records).toEqual([]);
  });

  it.each([
    ['an unregistered sender', (r: AlterPartitionRequest) => ({ brokerId: 9, brokerEpoch: r.brokerEpoch }), 'STALE_BROKER_EPOCH'],
    ['a stale broker epoch', (r: AlterPartitionRequest) => ({ brokerEpoch: r.brokerEpoch - 1 }), 'STALE_BROKER_EPOCH'],
    ['an unknown topic', () => ({ topic: 'nope' }), 'UNKNOWN_TOPIC_OR_PARTITION'],
    ['an unknown partition', () => ({ partition: 5 }), 'UNKNOWN_TOPIC_OR_PARTITION'],
    ['an older leader epoch', (r: AlterPartitionRequest) => ({ leaderEpoch: r.leaderEpoch - 1 }), 'FENCED_LEADER_EPOCH'],
    ['a newer leader epoch', (r: AlterPartitionRequest) => ({ leaderEpoch: r.leaderEpoch + 1 }), 'UNKNOWN_LEADER_EPOCH'],
    ['a stale partition epoch', (r: AlterPartitionRequest) => ({ partitionEpoch: r.partitionEpoch - 1 }), 'INVALID_UPDATE_VERSION'],
    ['an ISR without the leader', (r: AlterPartitionRequest) => ({ newIsr: r.newIsr.filter((id) => id !== r.brokerId) }), 'INVALID_REQUEST'],
    ['an ISR with a non-replica', (r: AlterPartitionRequest) => ({ newIsr: [...r.newIsr, 7] }), 'INVALID_REQUEST'],
    ['an ISR with a duplicate', (r: AlterPartitionRequest) => ({ newIsr: [...r.newIsr, r.brokerId] }), 'INVALID_REQUEST'],
  ])('refuses %s (%#) with a clear error and writes nothing', (_what, change, code) => {
    const { controller, state, request } = setup();
    const before = state.image;
    const r = request();
    expect(() => controller.alterPartition(state.image, { ...r, ...change(r) })).toThrow(expect.objectContaining({ code }));
    expect(state.image).toBe(before);
  });

  it('refuses a follower that is not the leader', () => {
    const { controller, state, p, request } = setup();
    const follower = p().replicas.find((id) => id !== p().leader)!;
    const r = request({ brokerId: follower, brokerEpoch: state.image.broker(follower)!.brokerEpoch });
    expect(() => controller.alterPartition(state.image, r)).toThrow(expect.objectContaining({ code: 'NOT_LEADER_OR_FOLLOWER' }));
  });

  it('refuses to add a fenced replica back into the ISR', () => {
    const { controller, state, run, p, request } = setup();
    const follower = p().replicas.find((id) => id !== p().leader)!;
    run(controller.setBrokerFenced(state.image, follower, true));
    expect(p().isr).not.toContain(follower);
    expect(() => controller.alterPartition(state.image, request({ newIsr: [...p().isr, follower] }))).toThrow(expect.objectContaining({ code: 'INELIGIBLE_REPLICA' }));
  });
});
