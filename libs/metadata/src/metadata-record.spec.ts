import fc from 'fast-check';
import { expectTributaryError } from './testing/expect-tributary-error';
import { MetadataRecord, decodeMetadataRecord, encodeMetadataRecord } from './metadata-record';
import { isTopicId } from './topic-id';

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const brokerId = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const int64 = fc.maxSafeInteger();
const ids = fc.array(brokerId, { maxLength: 5 });
const topicId = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((bytes) => Buffer.from(bytes).toString('base64url'))
  .filter(isTopicId);
const text = fc.string({ unit: 'binary', maxLength: 40 });

const record: fc.Arbitrary<MetadataRecord> = fc.oneof(
  fc.record({
    type: fc.constant('RegisterBroker' as const),
    brokerId,
    brokerEpoch: int64,
    endpoints: fc.array(fc.record({ host: text, port: fc.integer({ min: 0, max: 65535 }) }), { maxLength: 3 }),
    rack: fc.option(text, { nil: null }),
    fenced: fc.boolean(),
    incarnationId: text.filter((s) => s.length > 0),
  }, { requiredKeys: ['type', 'brokerId', 'brokerEpoch', 'endpoints', 'rack', 'fenced'] }),
  fc.record({ type: fc.constant('UnregisterBroker' as const), brokerId, brokerEpoch: int64 }),
  fc.record({ type: fc.constant('BrokerRegistrationChange' as const), brokerId, brokerEpoch: int64, fenced: fc.boolean() }, { requiredKeys: ['type', 'brokerId', 'brokerEpoch'] }),
  fc.record({ type: fc.constant('Topic' as const), name: text, topicId }),
  fc.record({
    type: fc.constant('Partition' as const),
    topicId,
    partition: int32,
    replicas: ids,
    isr: ids,
    leader: int32,
    leaderEpoch: int32,
    partitionEpoch: int32,
  }),
  fc.record(
    { type: fc.constant('PartitionChange' as const), topicId, partition: int32, leader: int32, isr: ids, replicas: ids },
    { requiredKeys: ['type', 'topicId', 'partition'] },
  ),
  fc.record({ type: fc.constant('RemoveTopic' as const), topicId }),
  fc.record({
    type: fc.constant('Config' as const),
    resourceType: fc.constantFrom('topic' as const, 'broker' as const),
    resourceName: text,
    name: text,
    value: fc.option(text, { nil: null }),
  }),
  fc.record({ type: fc.constant('ProducerIds' as const), brokerId, brokerEpoch: int64, nextProducerId: int64 }),
  fc.record({ type: fc.constant('FeatureLevel' as const), name: text, featureLevel: fc.integer({ min: 0, max: 32767 }) }),
  fc.record({ type: fc.constant('ClusterId' as const), clusterId: text.filter((s) => s.length > 0) }),
);

function withHeader(apiKey: number, version: number, body: string): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(apiKey, 0);
  header.writeUInt16BE(version, 2);
  return Buffer.concat([header, Buffer.from(body, 'utf8')]);
}

describe('metadata record encoding', () => {
  it('round-trips every record type', () => {
    fc.assert(fc.property(record, (r) => expect(decodeMetadataRecord(encodeMetadataRecord(r))).toEqual(r)), { numRuns: 2000 });
  });

  it("starts with Kafka's apiKey and version 0", () => {
    const bytes = encodeMetadataRecord({ type: 'RemoveTopic', topicId: 'AAAAAAAAAAAAAAAAAAAAAg' });
    expect([...bytes.subarray(0, 4)]).toEqual([0, 9, 0, 0]);
    expect(bytes.subarray(4).toString()).toBe('{"topicId":"AAAAAAAAAAAAAAAAAAAAAg"}');
  });

  it('writes RegisterBroker as version 1 when it carries an incarnation id and as version 0 when not', () => {
    const v0 = { type: 'RegisterBroker' as const, brokerId: 1, brokerEpoch: 1, endpoints: [], rack: null, fenced: true };
    expect(encodeMetadataRecord(v0).readUInt16BE(2)).toBe(0);
    expect(encodeMetadataRecord({ ...v0, incarnationId: 'i' }).readUInt16BE(2)).toBe(1);
    expectTributaryError(() => decodeMetadataRecord(withHeader(0, 2, '{}')), 'UNSUPPORTED_VERSION', 'RegisterBroker metadata record version 2', 'highest known (1)');
  });

  it('decodes from a view into a larger buffer', () => {
    const bytes = encodeMetadataRecord({ type: 'ClusterId', clusterId: 'c1' });
    const larger = Buffer.concat([Buffer.from([1, 2, 3]), bytes, Buffer.from([4])]);
    expect(decodeMetadataRecord(larger.subarray(3, 3 + bytes.length))).toEqual({ type: 'ClusterId', clusterId: 'c1' });
  });

  it('refuses an unknown record type with UNSUPPORTED_VERSION', () => {
    expectTributaryError(() => decodeMetadataRecord(withHeader(77, 0, '{}')), 'UNSUPPORTED_VERSION', 'Unknown metadata record type 77');
  });

  it('refuses a newer record version with UNSUPPORTED_VERSION', () => {
    expectTributaryError(() => decodeMetadataRecord(withHeader(2, 1, '{}')), 'UNSUPPORTED_VERSION', 'Topic metadata record version 1', 'highest known (0)');
  });

  it.each([
    ['shorter than the 4-byte header', Buffer.from([0, 2])],
    ['the Topic body is not JSON', withHeader(2, 0, '{"name":')],
    ['the Topic body is not an object', withHeader(2, 0, '[1]')],
    ['Topic.topicId is undefined, expected a 22-character base64url topic id', withHeader(2, 0, '{"name":"t"}')],
    ['Topic.topicId is "short"', withHeader(2, 0, '{"name":"t","topicId":"short"}')],
    ['the Topic body has a "type" field', withHeader(2, 0, '{"type":"RemoveTopic","topicId":"AAAAAAAAAAAAAAAAAAAAAg"}')],
    ['Topic has unknown field(s) extra', withHeader(2, 0, '{"name":"t","topicId":"AAAAAAAAAAAAAAAAAAAAAg","extra":1}')],
    ['Partition.partition is 0.5, expected an int32', withHeader(3, 0, '{"topicId":"AAAAAAAAAAAAAAAAAAAAAg","partition":0.5,"replicas":[],"isr":[],"leader":1,"leaderEpoch":0,"partitionEpoch":0}')],
    ["Config.resourceType is \"group\", expected 'topic' or 'broker'", withHeader(4, 0, '{"resourceType":"group","resourceName":"g","name":"n","value":null}')],
    ['RegisterBroker.endpoints', withHeader(0, 0, '{"brokerId":1,"brokerEpoch":1,"endpoints":[{"host":"h","port":70000}],"rack":null,"fenced":false}')],
    ['the fields of RegisterBroker are those of version 1, the header says 0', withHeader(0, 0, '{"brokerId":1,"brokerEpoch":1,"endpoints":[],"rack":null,"fenced":true,"incarnationId":"i"}')],
    ['the fields of RegisterBroker are those of version 0, the header says 1', withHeader(0, 1, '{"brokerId":1,"brokerEpoch":1,"endpoints":[],"rack":null,"fenced":true}')],
  ])('refuses malformed bytes with CORRUPT_MESSAGE saying %s', (message, bytes) => {
    expectTributaryError(() => decodeMetadataRecord(bytes), 'CORRUPT_MESSAGE', 'Malformed metadata record', message);
  });
});
