import { isTributaryError } from '@tributary/protocol';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { LocalBroker } from './testing/local-broker';
import { Tributary } from './tributary';

describe('Admin against a real broker', () => {
  let broker: LocalBroker;
  let admin: ReturnType<Tributary['admin']>;
  let client: Tributary;

  beforeAll(async () => {
    broker = await LocalBroker.start({ 'auto.create.topics.enable': 'false' });
    client = new Tributary({ bootstrapServers: broker.bootstrap });
    admin = client.admin();
  });
  afterAll(async () => {
    await admin.close();
    await broker.destroy();
  });

  const codeOf = (p: Promise<unknown>) => p.then(() => 'NONE', (e: unknown) => (isTributaryError(e) ? e.code : String(e)));

  it('creates, lists, describes, grows and deletes a topic', async () => {
    const created = await admin.createTopic({ topic: 'a1', numPartitions: 2, configs: { 'retention.ms': '60000' } });
    expect(created.created).toBe(true);
    expect((await admin.createTopic({ topic: 'a1', numPartitions: 2, ifNotExists: true })).created).toBe(false);
    expect((await admin.listTopics()).map((t) => t.name)).toContain('a1');
    const [described] = await admin.describeTopics(['a1']);
    expect(described).toMatchObject({ name: 'a1', configs: { 'retention.ms': '60000' } });
    expect(described.partitions).toHaveLength(2);
    expect((await admin.createPartitions({ topic: 'a1', totalCount: 4 })).partitions).toHaveLength(4);
    await admin.deleteTopic('a1');
    expect((await admin.listTopics()).map((t) => t.name)).not.toContain('a1');
  });

  it('describes and alters topic configs', async () => {
    await admin.createTopic({ topic: 'a2', numPartitions: 1 });
    await admin.alterConfigs({ type: 'topic', name: 'a2' }, { 'cleanup.policy': 'compact' });
    const entries = await admin.describeConfigs({ type: 'topic', name: 'a2' }, ['cleanup.policy']);
    expect(entries.find((e) => e.name === 'cleanup.policy')?.value).toBe('compact');
    await admin.alterConfigs({ type: 'topic', name: 'a2' }, { 'cleanup.policy': null });
    const [after] = await admin.describeConfigs({ type: 'topic', name: 'a2' }, ['cleanup.policy']);
    expect(after.value).toBe('delete');
  });

  it('describes the cluster and lists offsets', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toEqual([expect.objectContaining({ host: '127.0.0.1', port: broker.port })]);
    await admin.createTopic({ topic: 'a3', numPartitions: 1 });
    const producer = client.producer();
    await producer.send({ topic: 'a3', messages: [{ value: 'x', timestamp: 5000 }, { value: 'y', timestamp: 9000 }] });
    await producer.close();
    const offsets = await admin.listOffsets([
      { topic: 'a3', partition: 0, spec: 'earliest' },
      { topic: 'a3', partition: 0, spec: 'latest' },
      { topic: 'a3', partition: 0, spec: 6000 },
    ]);
    expect(offsets.map((o) => o.offset)).toEqual([0, 2, 1]);
  });

  it('reports the broker\'s error codes', async () => {
    await admin.createTopic({ topic: 'a4', numPartitions: 2 });
    expect(await codeOf(admin.createTopic({ topic: 'a4', numPartitions: 2 }))).toBe('TOPIC_ALREADY_EXISTS');
    expect(await codeOf(admin.createPartitions({ topic: 'a4', totalCount: 1 }))).toBe('INVALID_PARTITIONS');
    expect(await codeOf(admin.createTopic({ topic: 'bad/name' }))).toBe('INVALID_TOPIC_EXCEPTION');
    expect(await codeOf(admin.createTopic({ topic: 'a5', configs: { 'no.such.config': '1' } }))).toBe('INVALID_CONFIG');
    expect(await codeOf(admin.deleteTopic('missing'))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('fails a producer on an unknown topic when auto-creation is off', async () => {
    const producer = client.producer();
    expect(await codeOf(producer.send({ topic: 'never-created', messages: [{ value: 'x' }] }))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    await producer.close();
  });

  it('goes on to the next broker when one takes the connection but never answers (a hung process)', async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentAddress = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const viaSilent = new Tributary({ bootstrapServers: [silentAddress, broker.bootstrap], requestTimeoutMs: 500 }).admin();
    try {
      await admin.createTopic({ topic: 'past-a-silent-broker' });
      expect((await viaSilent.listTopics()).map((t) => t.name)).toContain('past-a-silent-broker');
    } finally {
      await viaSilent.close();
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('fails with a clear error when no broker listens', async () => {
    const unreachable = new Tributary({ bootstrapServers: '127.0.0.1:1' }).admin();
    const error = await unreachable.listTopics().catch((e: unknown) => e);
    await unreachable.close();
    expect((error as Error).message).toMatch(/cannot reach broker 127\.0\.0\.1:1/);
    expect(isTributaryError(error, 'NETWORK_EXCEPTION')).toBe(true);
    expect((error as Error).message).not.toMatch(/Resolution note/);
  });
});
