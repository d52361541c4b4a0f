/**
 * Broker-side schema validation (topic configs key/value.schema.validation) against a real
 * broker whose schema.registry.url names a real registry: records carrying a schema id
 * registered under the topic's subject are appended; anything else is INVALID_RECORD with
 * nothing appended.
 */
import { credentials } from '@grpc/grpc-js';
import { AdminServiceClient, BrokerServiceClient, type Record as ProtoRecord } from '@tributary/proto';
import { encodeWireFormat, SchemaRegistryClient, SchemaSerializer } from '@tributary/serdes';
import { freePort } from '@tributary/testing';
import { call, failure } from '../../broker/src/testing/broker-test-client';
import { RegistryTestCluster } from './testing/registry-test-cluster';

jest.setTimeout(30_000);

const payment = JSON.stringify({ type: 'record', name: 'Payment', namespace: 'bank', fields: [{ name: 'cents', type: 'long' }] });
const order = JSON.stringify({ type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'string' }] });

describe('broker-side schema validation', () => {
  let cluster: RegistryTestCluster;
  let registry: SchemaRegistryClient;
  let admin: AdminServiceClient;
  let data: BrokerServiceClient;

  beforeAll(async () => {
    // The broker must know the registry's URL before the registry (a client of the broker) starts.
    const registryPort = await freePort();
    cluster = await RegistryTestCluster.start({ 'schema.registry.url': `http://127.0.0.1:${registryPort}` });
    await cluster.startRegistry({ port: registryPort });
    registry = new SchemaRegistryClient({ url: `http://127.0.0.1:${registryPort}` });
    admin = new AdminServiceClient(cluster.bootstrapServers, credentials.createInsecure());
    data = new BrokerServiceClient(cluster.bootstrapServers, credentials.createInsecure());
  });
  afterAll(async () => {
    admin?.close();
    data?.close();
    await cluster?.destroy();
  });

  const createTopic = (name: string, configs: Record<string, string>) =>
    call(admin, 'createTopic', { name, numPartitions: 1, replicationFactor: 0, configs, ifNotExists: false, validateOnly: false });

  const produce = (topic: string, records: Partial<ProtoRecord>[]) =>
    call(data, 'produce', {
      topic,
      partition: 0,
      acks: 1,
      timeoutMs: 10_000,
      recordBatch: Buffer.alloc(0),
      records: records.map((r) => ({ headers: [], timestamp: 0, offset: 0, timestampType: 0, ...r })),
    });

  const logEndOffset = async (topic: string) => (await call(data, 'listOffsets', { partitions: [{ topic, partition: 0, timestamp: -1 }] })).partitions[0].offset;

  it('value.schema.validation: values with an id registered under <topic>-value are appended; a bad one refuses its whole batch', async () => {
    await createTopic('payments', { 'value.schema.validation': 'true' });
    const valid = await new SchemaSerializer({ client: registry, schema: { schema: payment } }).serialize('payments', { cents: 125 });
    const elsewhere = await registry.register('orders-value', { schema: order });

    expect((await produce('payments', [{ value: valid }, { value: valid }])).baseOffset).toBe(0);
    const refusals = [
      [Buffer.from('{"cents":125}'), "its value is not in Confluent's wire format (unknown magic byte 123"],
      [encodeWireFormat(elsewhere, Buffer.from([2])), `schema id ${elsewhere} is not registered under subject payments-value (it is under orders-value)`],
      [encodeWireFormat(987_654, Buffer.from([2])), 'schema id 987654 is not registered in the schema registry'],
      [undefined, 'its value is null'],
    ] as const;
    for (const [value, reason] of refusals) {
      const refused = await failure(produce('payments', [{ value: valid }, { value }]));
      expect(refused).toMatchObject({ code: 'INVALID_RECORD', message: expect.stringContaining(`record 1 of the batch to payments was refused by value.schema.validation: ${reason}`) });
    }
    expect(await logEndOffset('payments')).toBe(2);
  });

  it('key.schema.validation checks keys under <topic>-key and leaves values alone', async () => {
    await createTopic('accounts', { 'key.schema.validation': 'true' });
    const key = await new SchemaSerializer({ client: registry, schema: { schema: '"string"' }, isKey: true }).serialize('accounts', 'acc-1');
    await produce('accounts', [{ key, value: Buffer.from('anything') }]);
    // Another schema: the same one under two subjects would share its id.
    const valueId = await registry.register('accounts-value', { schema: '"long"' });
    const refused = await failure(produce('accounts', [{ key: encodeWireFormat(valueId, Buffer.from([0])), value: Buffer.from('x') }]));
    expect(refused).toMatchObject({ code: 'INVALID_RECORD', message: expect.stringContaining(`not registered under subject accounts-key`) });
    expect(await logEndOffset('accounts')).toBe(1);
  });

  it('RecordNameStrategy: the subject is the record name of the schema the id names', async () => {
    await createTopic('mixed', { 'value.schema.validation': 'true', 'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy' });
    const orderId = await registry.register('shop.Order', { schema: order });
    await produce('mixed', [{ value: encodeWireFormat(orderId, Buffer.from([2, 0x61])) }]);
    const paymentId = await registry.register('payments-value', { schema: payment });
    const refused = await failure(produce('mixed', [{ value: encodeWireFormat(paymentId, Buffer.from([2])) }]));
    expect(refused).toMatchObject({ code: 'INVALID_RECORD', message: expect.stringContaining('not registered under subject bank.Payment') });
  });

  it('an unknown subject name strategy is INVALID_CONFIG and creates nothing', async () => {
    const refused = await failure(createTopic('strategic', { 'value.subject.name.strategy': 'SubjectByMood' }));
    expect(refused).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('value.subject.name.strategy') });
    const listed = await call(data, 'metadata', { topics: ['strategic'], allowAutoTopicCreation: false });
    expect(listed.topics[0]?.errorCode).not.toBe(0);
  });
});
