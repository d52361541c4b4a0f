import { SchemaRegistry as KafkajsRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { SchemaDeserializer, SchemaRegistryClient, SchemaSerializer } from '@tributary/serdes';
import { http, RegistryTestCluster } from './testing/registry-test-cluster';

jest.setTimeout(30_000);

/**
 * The independent npm client @kafkajs/confluent-schema-registry (3.9.0), written against
 * Confluent's registry, works unchanged against ours; and what it encodes our serdes decodes and
 * the other way round (the wire format checked against an independent implementation).
 */
describe('@kafkajs/confluent-schema-registry against our registry', () => {
  let cluster: RegistryTestCluster;
  let url = '';
  let kafkajs: KafkajsRegistry;
  let ours: SchemaRegistryClient;

  beforeAll(async () => {
    cluster = await RegistryTestCluster.start();
    url = (await cluster.startRegistry()).url;
    kafkajs = new KafkajsRegistry({ host: url });
    ours = new SchemaRegistryClient({ url });
  });
  afterAll(() => cluster.destroy());

  it('Avro: registers (setting the subject\'s compatibility), encodes and decodes; our serdes reads and writes the same bytes', async () => {
    const schema = JSON.stringify({ type: 'record', name: 'Payment', namespace: 'shop', fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }] });
    const { id } = await kafkajs.register({ type: SchemaType.AVRO, schema }, { subject: 'payments-value' });
    expect((await http(url, 'GET', '/config/payments-value')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(await kafkajs.getLatestSchemaId('payments-value')).toBe(id);
    expect(await kafkajs.getRegistryId('payments-value', 1)).toBe(id);
    const payment = { id: 'p-1', amount: 12.5 };
    const encoded = await kafkajs.encode(id, payment);
    expect(await kafkajs.decode(encoded)).toEqual(payment);
    expect(await new SchemaDeserializer(ours).deserialize(encoded)).toEqual(payment);
    const serializer = new SchemaSerializer({ client: ours, schema: { schemaType: 'AVRO', schema } });
    const ourBytes = await serializer.serialize('payments', payment);
    expect(ourBytes).toEqual(encoded);
    await expect(kafkajs.encode(id, { id: 'p-2', amount: 'lots' })).rejects.toThrow();
  });

  it('JSON Schema: registers, encodes and decodes; our deserializer reads it', async () => {
    const schema = JSON.stringify({ type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name'] });
    const { id } = await kafkajs.register({ type: SchemaType.JSON, schema }, { subject: 'people-value' });
    const person = { name: 'Ada', age: 36 };
    const encoded = await kafkajs.encode(id, person);
    expect(await kafkajs.decode(encoded)).toEqual(person);
    expect(await new SchemaDeserializer(ours).deserialize(encoded)).toEqual(person);
    expect((await http(url, 'GET', `/schemas/ids/${id}`)).body).toEqual({ schemaType: 'JSON', schema });
  });

  // @kafkajs/confluent-schema-registry 3.x writes Protobuf without Confluent's message indexes
  // (its issues #152 and #248) and skips leading zero bytes when reading: it reads what we write,
  // and our deserializer, which follows Confluent's format, refuses what it writes.
  it('Protobuf: registers, encodes and decodes; it reads what our serializer writes (message indexes included)', async () => {
    const schema = 'syntax = "proto3";\npackage shop;\n\nmessage Order {\n  string id = 1;\n  int32 quantity = 2;\n}\n';
    const { id } = await kafkajs.register({ type: SchemaType.PROTOBUF, schema }, { subject: 'orders-value' });
    const order = { id: 'o-1', quantity: 3 };
    const encoded = await kafkajs.encode(id, order);
    expect(await kafkajs.decode(encoded)).toMatchObject(order);
    await expect(new SchemaDeserializer(ours).deserialize(encoded)).rejects.toThrow(/message indexes/);
    const ourBytes = await new SchemaSerializer({ client: ours, schema: { schemaType: 'PROTOBUF', schema } }).serialize('orders', order);
    expect(ourBytes.subarray(0, 6)).toEqual(Buffer.from([0, 0, 0, 0, id, 0]));
    expect(await kafkajs.decode(ourBytes)).toMatchObject(order);
    expect(await new SchemaDeserializer(ours).deserialize(ourBytes)).toEqual(order);
  });

  it('an incompatible schema is refused with the registry\'s 409', async () => {
    const v1 = JSON.stringify({ type: 'record', name: 'Strict', fields: [{ name: 'a', type: 'int' }] });
    await kafkajs.register({ type: SchemaType.AVRO, schema: v1 }, { subject: 'strict-value' });
    const v2 = JSON.stringify({ type: 'record', name: 'Strict', fields: [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }] });
    await expect(kafkajs.register({ type: SchemaType.AVRO, schema: v2 }, { subject: 'strict-value' })).rejects.toMatchObject({ status: 409 });
  });
});
