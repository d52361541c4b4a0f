import { Tributary } from '@tributary/client';
import { recordNameStrategy, SchemaDeserializer, SchemaRegistryClient, SchemaSerializer, SerializingProducer, topicRecordNameStrategy } from '@tributary/serdes';
import type { RunningSchemaRegistry } from './schema-registry-options';
import { RegistryTestCluster } from './testing/registry-test-cluster';

jest.setTimeout(30_000);

const avroOrder = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'quantity', type: 'int' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});
const jsonOrder = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'shop.Order',
  type: 'object',
  properties: { id: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } },
  required: ['id', 'quantity'],
  additionalProperties: false,
});
const protoOrder = 'syntax = "proto3";\npackage shop;\n\nmessage Order {\n  string id = 1;\n  int32 quantity = 2;\n  message Line {\n    string sku = 1;\n  }\n  repeated Line lines = 3;\n}\n\nmessage Refund {\n  string order_id = 1;\n}\n';

describe('serdes against a real registry and broker', () => {
  let cluster: RegistryTestCluster;
  let bootstrap = '';
  let registry: RunningSchemaRegistry;
  let client: SchemaRegistryClient;

  beforeAll(async () => {
    cluster = await RegistryTestCluster.start();
    bootstrap = cluster.bootstrapServers;
    registry = await cluster.startRegistry();
    client = new SchemaRegistryClient({ url: registry.url });
  });
  afterAll(async () => {
    await cluster.destroy();
  });

  it.each([
    ['AVRO', avroOrder, { id: 'o-1', quantity: 2, note: 'gift' }],
    ['JSON', jsonOrder, { id: 'o-1', quantity: 2 }],
    ['PROTOBUF', protoOrder, { id: 'o-1', quantity: 2, lines: [{ sku: 'a' }] }],
  ] as const)('%s: auto-registers under <topic>-value, round trips, and decodes with any deserializer', async (schemaType, schema, value) => {
    const serializer = new SchemaSerializer({ client, schema: { schemaType, schema } });
    const bytes = await serializer.serialize(`orders-${schemaType}`, value);
    const id = SchemaDeserializer.schemaIdOf(bytes);
    expect((await client.getLatest(`orders-${schemaType}-value`)).id).toBe(id);
    const decoded = await new SchemaDeserializer(new SchemaRegistryClient({ url: registry.url })).deserialize(bytes);
    expect(JSON.parse(JSON.stringify(decoded))).toEqual(value);
  });

  it.each([
    ['AVRO', avroOrder, { id: 'o-1', quantity: 'two' }, /quantity must be int, not "two"/],
    ['AVRO', avroOrder, { id: 'o-1' }, /quantity must be int, not undefined/],
    ['JSON', jsonOrder, { id: 'o-1', quantity: 0 }, /\/quantity must be >= 1/],
    ['JSON', jsonOrder, { id: 'o-1', quantity: 1, extra: true }, /must NOT have additional properties/],
    ['PROTOBUF', protoOrder, { id: 'o-1', quantity: 'two' }, /quantity: integer expected/],
    ['PROTOBUF', protoOrder, { id: 'o-1', colour: 'red' }, /Order\.colour: no such field/],
  ] as const)('%s: a value that does not match is refused before anything is sent (%j)', async (schemaType, schema, value, reason) => {
    const serializer = new SchemaSerializer({ client, schema: { schemaType, schema } });
    await expect(serializer.serialize(`refused-${schemaType}`, value)).rejects.toThrow(reason);
    await expect(client.listVersions(`refused-${schemaType}-value`)).rejects.toMatchObject({ errorCode: 40401 });
  });

  it('a producer using the serializers cannot send a record that does not match; valid records arrive decodable', async () => {
    const tributary = new Tributary({ bootstrapServers: bootstrap });
    const producer = new SerializingProducer(tributary.producer(), {
      key: new SchemaSerializer({ client, schema: { schema: '"string"' }, isKey: true }),
      value: new SchemaSerializer({ client, schema: { schema: avroOrder } }),
    });
    await expect(producer.send({ topic: 'checked', messages: [{ key: 'k1', value: { id: 'ok', quantity: 1 } }, { key: 'k2', value: { id: 'bad' } }] })).rejects.toThrow(/does not match the Avro schema shop.Order/);
    await producer.send({ topic: 'checked', messages: [{ key: 'k3', value: { id: 'good', quantity: 3 } }] });
    await producer.close();
    const consumer = tributary.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 'checked', partition: 0 }]);
    const deserializer = new SchemaDeserializer(client);
    for await (const record of consumer) {
      expect(await deserializer.deserialize(record.key!)).toBe('k3');
      expect(await deserializer.deserialize(record.value!)).toEqual(expect.objectContaining({ id: 'good', quantity: 3 }));
      expect(record.offset).toBe(0);
      break;
    }
    await consumer.close();
    expect(await client.listVersions('checked-key')).toEqual([1]);
  });

  it('RecordNameStrategy and TopicRecordNameStrategy name subjects after the record; Protobuf writes the chosen message with its indexes', async () => {
    await new SchemaSerializer({ client, schema: { schema: avroOrder }, subjectNameStrategy: recordNameStrategy }).serialize('any', { id: 'a', quantity: 1 });
    await new SchemaSerializer({ client, schema: { schemaType: 'JSON', schema: jsonOrder }, subjectNameStrategy: topicRecordNameStrategy }).serialize('t1', { id: 'a', quantity: 1 });
    const refund = new SchemaSerializer({ client, schema: { schemaType: 'PROTOBUF', schema: protoOrder }, messageType: 'shop.Refund', subjectNameStrategy: topicRecordNameStrategy });
    const bytes = await refund.serialize('t2', { order_id: 'o-9' });
    expect(bytes.subarray(5, 7)).toEqual(Buffer.from([0x02, 0x02]));
    expect(await new SchemaDeserializer(client).deserialize(bytes)).toEqual({ order_id: 'o-9' });
    const line = await new SchemaSerializer({ client, schema: { schemaType: 'PROTOBUF', schema: protoOrder }, messageType: 'shop.Order.Line' }).serialize('t3', { sku: 'x' });
    expect(line.subarray(5, 8)).toEqual(Buffer.from([0x04, 0x00, 0x00]));
    expect(await new SchemaDeserializer(client).deserialize(line)).toEqual({ sku: 'x' });
    expect(await client.listSubjects()).toEqual(expect.arrayContaining(['shop.Order', 't1-shop.Order', 't2-shop.Refund']));
  });

  it('use-latest writes with the subject\'s latest version; without auto-register an unregistered schema is the registry\'s 40403', async () => {
    const id = await client.register('latest-value', { schema: avroOrder });
    const latest = new SchemaSerializer({ client, useLatestVersion: true });
    expect(SchemaDeserializer.schemaIdOf(await latest.serialize('latest', { id: 'x', quantity: 1 }))).toBe(id);
    const lookupOnly = new SchemaSerializer({ client, schema: { schema: '"long"' }, autoRegister: false });
    await expect(lookupOnly.serialize('latest', 5)).rejects.toMatchObject({ errorCode: 40403 });
    expect(await client.listVersions('latest-value')).toEqual([1]);
  });

  it('references: an Avro schema using a type registered under another subject serializes and deserializes', async () => {
    await client.register('money', { schema: JSON.stringify({ type: 'record', name: 'Money', namespace: 'shop', fields: [{ name: 'cents', type: 'long' }] }) });
    const invoice = JSON.stringify({ type: 'record', name: 'Invoice', namespace: 'shop', fields: [{ name: 'total', type: 'shop.Money' }] });
    const serializer = new SchemaSerializer({ client, schema: { schema: invoice, references: [{ name: 'shop.Money', subject: 'money', version: 1 }] } });
    const bytes = await serializer.serialize('invoices', { total: { cents: 1250 } });
    expect(JSON.parse(JSON.stringify(await new SchemaDeserializer(client).deserialize(bytes)))).toEqual({ total: { cents: 1250 } });
  });
});
