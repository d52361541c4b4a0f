import { MetadataImage } from './metadata-image';
import { MetadataRecord, PartitionRecord } from './metadata-record';
import { expectTributaryError } from './testing/expect-tributary-error';

const ORDERS = 'AAAAAAAAAAAAAAAAAAAAAg';
const ORDERS_AGAIN = 'AAAAAAAAAAAAAAAAAAAAAw';

function partition(topicId: string, p: number, replicas = [1]): PartitionRecord {
  return { type: 'Partition', topicId, partition: p, replicas, isr: replicas, leader: replicas[0], leaderEpoch: 0, partitionEpoch: 0 };
}

function ordersTopic(topicId = ORDERS, partitions = 2): MetadataRecord[] {
  return [{ type: 'Topic', name: 'orders', topicId }, ...Array.from({ length: partitions }, (_, p) => partition(topicId, p))];
}

describe('MetadataImage', () => {
  it('starts empty', () => {
    const image = MetadataImage.EMPTY;
    expect(image.topicNames()).toEqual([]);
    expect(image.brokers()).toEqual([]);
    expect(image.nextProducerId).toBe(0);
    expect(image.clusterId).toBeNull();
    expect(image.apply([])).toBe(image);
  });

  it('apply: a topic record and its partitions make a topic, found by name and by id', () => {
    const image = MetadataImage.EMPTY.apply(ordersTopic());
    expect(image.topic('orders')).toMatchObject({ name: 'orders', topicId: ORDERS });
    expect(image.topicById(ORDERS)?.name).toBe('orders');
    expect(image.partitionCount('orders')).toBe(2);
    expect(image.partition('orders', 1)).toEqual({ partition: 1, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 });
    expect(image.partitionCount('missing')).toBeUndefined();
  });

  it('apply: returns a new image and leaves the old one as it was', () => {
    const before = MetadataImage.EMPTY.apply(ordersTopic());
    const after = before.apply([partition(ORDERS, 2), { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '5' }]);
    expect(before.partitionCount('orders')).toBe(2);
    expect(before.topicConfigs('orders').size).toBe(0);
    expect(after.partitionCount('orders')).toBe(3);
    expect(after.topicConfigs('orders').get('retention.ms')).toBe('5');
    expect(MetadataImage.EMPTY.topicNames()).toEqual([]);
  });

  it('apply: a partition increase appends partitions after the existing ones', () => {
    const image = MetadataImage.EMPTY.apply(ordersTopic()).apply([partition(ORDERS, 2), partition(ORDERS, 3)]);
    expect(image.topic('orders')?.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
  });

  it('apply: config records set and delete entries; deleting the last entry leaves none', () => {
    const set = MetadataImage.EMPTY.apply([
      ...ordersTopic(),
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '5' },
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '6' },
      { type: 'Config', resourceType: 'broker', resourceName: '', name: 'log.retention.ms', value: '7' },
    ]);
    expect(Object.fromEntries(set.topicConfigs('orders'))).toEqual({ 'retention.ms': '6' });
    expect(set.configs('broker', '').get('log.retention.ms')).toBe('7');
    const deleted = set.apply([{ type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: null }]);
    expect(deleted.topicConfigs('orders').size).toBe(0);
  });

  it('apply: removing a topic removes its partitions and configs; it can then be created again with a new id', () => {
    const created = MetadataImage.EMPTY.apply([
      ...ordersTopic(),
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '5' },
    ]);
    const removed = created.apply([{ type: 'RemoveTopic', topicId: ORDERS }]);
    expect(removed.topic('orders')).toBeUndefined();
    expect(removed.topicById(ORDERS)).toBeUndefined();
    expect(removed.topicConfigs('orders').size).toBe(0);
    const recreated = removed.apply(ordersTopic(ORDERS_AGAIN, 1));
    expect(recreated.topic('orders')?.topicId).toBe(ORDERS_AGAIN);
    expect(recreated.partitionCount('orders')).toBe(1);
    expect(recreated.topicConfigs('orders').size).toBe(0);
  });

  it('apply: a partition change bumps the partition epoch, and the leader epoch only when the leader changes', () => {
    const image = MetadataImage.EMPTY.apply([{ type: 'Topic', name: 'orders', topicId: ORDERS }, partition(ORDERS, 0, [1, 2, 3])]);
    const shrunk = image.apply([{ type: 'PartitionChange', topicId: ORDERS, partition: 0, isr: [1, 2] }]);
    expect(shrunk.partition('orders', 0)).toMatchObject({ isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 1 });
    const moved = shrunk.apply([{ type: 'PartitionChange', topicId: ORDERS, partition: 0, leader: 2 }]);
    expect(moved.partition('orders', 0)).toMatchObject({ replicas: [1, 2, 3], isr: [1, 2], leader: 2, leaderEpoch: 1, partitionEpoch: 2 });
  });

  it('apply: brokers register, are fenced and unfenced, and unregister', () => {
    const registered = MetadataImage.EMPTY.apply([
      { type: 'RegisterBroker', brokerId: 2, brokerEpoch: 5, endpoints: [{ host: 'b2', port: 9092 }], rack: 'r2', fenced: true },
      { type: 'RegisterBroker', brokerId: 1, brokerEpoch: 4, endpoints: [{ host: 'b1', port: 9092 }], rack: null, fenced: false },
    ]);
    expect(registered.brokers().map((b) => b.brokerId)).toEqual([1, 2]);
    expect(registered.unfencedBrokers().map((b) => b.brokerId)).toEqual([1]);
    const unfenced = registered.apply([{ type: 'BrokerRegistrationChange', brokerId: 2, brokerEpoch: 5, fenced: false }]);
    expect(unfenced.unfencedBrokers().map((b) => b.brokerId)).toEqual([1, 2]);
    expect(unfenced.apply([{ type: 'UnregisterBroker', brokerId: 1, brokerEpoch: 4 }]).broker(1)).toBeUndefined();
  });

  it('apply: producer id blocks, features and the cluster id', () => {
    const image = MetadataImage.EMPTY.apply([
      { type: 'ClusterId', clusterId: 'c1' },
      { type: 'FeatureLevel', name: 'metadata.version', featureLevel: 3 },
      { type: 'ProducerIds', brokerId: 1, brokerEpoch: 1, nextProducerId: 1000 },
      { type: 'ProducerIds', brokerId: 1, brokerEpoch: 1, nextProducerId: 2000 },
    ]);
    expect(image.clusterId).toBe('c1');
    expect(image.featureLevel('metadata.version')).toBe(3);
    expect(image.featureLevel('other')).toBe(0);
    expect(image.nextProducerId).toBe(2000);
  });

  it('toRecords: applying the snapshot records to EMPTY rebuilds an equal image', () => {
    const image = MetadataImage.EMPTY.apply([
      { type: 'ClusterId', clusterId: 'c1' },
      { type: 'FeatureLevel', name: 'metadata.version', featureLevel: 3 },
      { type: 'RegisterBroker', brokerId: 1, brokerEpoch: 4, endpoints: [{ host: 'b1', port: 9092 }], rack: 'r1', fenced: false },
      ...ordersTopic(),
      { type: 'PartitionChange', topicId: ORDERS, partition: 1, leader: -1, isr: [] },
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '5' },
      { type: 'Config', resourceType: 'broker', resourceName: '1', name: 'log.retention.ms', value: '7' },
      { type: 'ProducerIds', brokerId: 1, brokerEpoch: 4, nextProducerId: 1000 },
    ]);
    expect(MetadataImage.EMPTY.apply(image.toRecords())).toEqual(image);
  });

  describe('invariants: a record that does not fit the image is refused and nothing of the batch is applied', () => {
    const base = MetadataImage.EMPTY.apply([
      ...ordersTopic(),
      { type: 'RegisterBroker', brokerId: 1, brokerEpoch: 4, endpoints: [], rack: null, fenced: false },
    ]);
    it.each<[string, MetadataRecord, string, string]>([
      ['a partition of an unknown topic', partition(ORDERS_AGAIN, 0), 'UNKNOWN_TOPIC_ID', `topic id ${ORDERS_AGAIN} is not in the image`],
      ['a partition that leaves a gap', partition(ORDERS, 5), 'INVALID_REQUEST', 'partition 5 of orders would leave a gap'],
      ['a partition without replicas', partition(ORDERS, 2, []), 'INVALID_REQUEST', 'has no replicas'],
      ['a partition whose leader is not in its ISR', { ...partition(ORDERS, 2, [1, 2]), isr: [2] }, 'INVALID_REQUEST', 'leader 1 outside its ISR 2'],
      ['an ISR member that is not a replica', { ...partition(ORDERS, 2, [1]), isr: [1, 3] }, 'INVALID_REQUEST', 'in-sync replica 3 that is not a replica'],
      ['a duplicate replica', partition(ORDERS, 2, [1, 1]), 'INVALID_REQUEST', 'lists a replica twice'],
      ['a change to a missing partition', { type: 'PartitionChange', topicId: ORDERS, partition: 9, leader: 1 }, 'UNKNOWN_TOPIC_OR_PARTITION', 'partition 9 of orders does not exist'],
      ['a second topic of the same name', { type: 'Topic', name: 'orders', topicId: ORDERS_AGAIN }, 'TOPIC_ALREADY_EXISTS', 'topic orders exists already'],
      ['a second topic with the same id', { type: 'Topic', name: 'other', topicId: ORDERS }, 'INVALID_REQUEST', `topic id ${ORDERS} is in use already`],
      ['removal of an unknown topic', { type: 'RemoveTopic', topicId: ORDERS_AGAIN }, 'UNKNOWN_TOPIC_ID', 'is not in the image'],
      ['a config of an unknown topic', { type: 'Config', resourceType: 'topic', resourceName: 'nope', name: 'retention.ms', value: '1' }, 'UNKNOWN_TOPIC_OR_PARTITION', 'names topic nope, which does not exist'],
      ['producer ids going backwards', { type: 'ProducerIds', brokerId: 1, brokerEpoch: 4, nextProducerId: 0 }, 'INVALID_REQUEST', 'does not advance past 0'],
      ['a re-registration with an old epoch', { type: 'RegisterBroker', brokerId: 1, brokerEpoch: 4, endpoints: [], rack: null, fenced: false }, 'INVALID_REQUEST', 'not above its current 4'],
      ['a change of a broker with a stale epoch', { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 3, fenced: true }, 'INVALID_REQUEST', 'broker 1 has epoch 4, the record names 3'],
      ['a change of an unregistered broker', { type: 'UnregisterBroker', brokerId: 9, brokerEpoch: 1 }, 'INVALID_REQUEST', 'broker 9 is not registered'],
    ])('refuses %s', (_what, record, code, message) => {
      const batch: MetadataRecord[] = [{ type: 'Topic', name: 'first', topicId: 'AAAAAAAAAAAAAAAAAAAABA' }, record];
      expectTributaryError(() => base.apply(batch), code as 'INVALID_REQUEST', `Metadata record 1 (${record.type}) cannot be applied`, message);
      expect(base.topic('first')).toBeUndefined();
    });

    it('refuses a cluster id other than the one already set', () => {
      const image = MetadataImage.EMPTY.apply([{ type: 'ClusterId', clusterId: 'c1' }]);
      expect(image.apply([{ type: 'ClusterId', clusterId: 'c1' }]).clusterId).toBe('c1');
      expectTributaryError(() => image.apply([{ type: 'ClusterId', clusterId: 'c2' }]), 'INVALID_REQUEST', 'the cluster id is c1 already');
    });
  });
});
