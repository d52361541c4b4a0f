import { status } from '@grpc/grpc-js';
import { AlterConfigOp, ConfigResourceType, ConfigSource } from '@tributary/proto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { call, failure, rpc, startTestBroker, type TestBroker } from './testing/broker-test-client';

describe('AdminService', () => {
  let t: TestBroker;
  let r: ReturnType<typeof rpc>;

  beforeAll(async () => {
    t = await startTestBroker();
    r = rpc(t);
  });
  afterAll(() => t.close());

  it('creates a topic with partitions and configs, then lists and describes it', async () => {
    const created = await r.createTopic('orders', 3, { 'retention.ms': '60000', 'cleanup.policy': 'compact' });
    expect(created.created).toBe(true);
    expect(created.topic?.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr])).toEqual([
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
      [2, 1, [1], [1]],
    ]);
    for (const p of [0, 1, 2]) expect(existsSync(join(t.dataDir, `orders-${p}`))).toBe(true);

    const listed = await call(t.admin, 'listTopics', { includeInternal: false });
    expect(listed.topics.map((topic) => topic.name)).toContain('orders');
    const described = await call(t.admin, 'describeTopics', { names: ['orders'] });
    expect(described.topics[0]).toMatchObject({
      name: 'orders',
      topicId: created.topic?.topicId,
      configs: { 'retention.ms': '60000', 'cleanup.policy': 'compact' },
    });
  });

  it('if_not_exists answers created=false for an existing topic; without it the code is TOPIC_ALREADY_EXISTS', async () => {
    await r.createTopic('twice', 1);
    expect((await r.createTopic('twice', 5, {}, { ifNotExists: true })).created).toBe(false);
    const error = await failure(r.createTopic('twice', 1));
    expect(error).toMatchObject({ status: status.ALREADY_EXISTS, code: 'TOPIC_ALREADY_EXISTS' });
    expect(error.message).toMatch(/^TOPIC_ALREADY_EXISTS: .*twice/);
  });

  it('validate_only checks a topic and creates nothing', async () => {
    const result = await r.createTopic('dry-run', 2, {}, { validateOnly: true });
    expect(result.topic?.partitions).toHaveLength(2);
    expect((await call(t.admin, 'listTopics', { includeInternal: true })).topics.map((x) => x.name)).not.toContain('dry-run');
    expect(existsSync(join(t.dataDir, 'dry-run-0'))).toBe(false);
  });

  it('num_partitions 0 takes the broker num.partitions', async () => {
    expect((await r.createTopic('defaulted', 0)).topic?.partitions).toHaveLength(1);
  });

  it.each([
    ['an empty name', ''],
    ['"."', '.'],
    ['".."', '..'],
    ['a name with illegal characters', 'bad/name'],
    ['a name with a space', 'bad name'],
    ['a name longer than 249 characters', 'x'.repeat(250)],
  ])('refuses %s with INVALID_TOPIC_EXCEPTION', async (_what, name) => {
    const error = await failure(r.createTopic(name, 1));
    expect(error).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'INVALID_TOPIC_EXCEPTION' });
    expect(error.message).toMatch(/^INVALID_TOPIC_EXCEPTION: .*(topic|name)/i);
  });

  it('refuses partitions < 1 with INVALID_PARTITIONS', async () => {
    const error = await failure(r.createTopic('negative', -1));
    expect(error).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'INVALID_PARTITIONS' });
    expect(error.message).toMatch(/-1/);
    expect((await call(t.admin, 'listTopics', { includeInternal: true })).topics.map((x) => x.name)).not.toContain('negative');
  });

  it.each([
    ['an unknown config', { 'retention.msec': '1000' }, /retention\.msec/],
    ['an ill-typed config', { 'retention.ms': 'soon' }, /soon.*retention\.ms/],
    ['a config out of range', { 'segment.bytes': '1' }, /segment\.bytes/],
    ['a value not allowed', { 'cleanup.policy': 'shred' }, /cleanup\.policy.*shred/],
  ])('refuses %s with INVALID_CONFIG naming it, creating nothing', async (_what, configs, named) => {
    const error = await failure(r.createTopic('configured', 1, configs));
    expect(error).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'INVALID_CONFIG' });
    expect(error.message).toMatch(named);
    expect(existsSync(join(t.dataDir, 'configured-0'))).toBe(false);
  });

  it('raises the partition count and refuses to decrease it with INVALID_PARTITIONS', async () => {
    await r.createTopic('growing', 2);
    const grown = await call(t.admin, 'createPartitions', { topic: 'growing', totalCount: 4, validateOnly: false });
    expect(grown.topic?.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    expect(existsSync(join(t.dataDir, 'growing-3'))).toBe(true);

    const error = await failure(call(t.admin, 'createPartitions', { topic: 'growing', totalCount: 3, validateOnly: false }));
    expect(error).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'INVALID_PARTITIONS' });
    expect(error.message).toMatch(/growing.*4.*3/);
    expect((await call(t.admin, 'describeTopics', { names: ['growing'] })).topics[0].partitions).toHaveLength(4);
  });

  it('describes topic configs with their sources and alters them (set and delete)', async () => {
    await r.createTopic('tuned', 1, { 'retention.ms': '1000' });
    const resource = { type: ConfigResourceType.TOPIC, name: 'tuned' };
    const before = await call(t.admin, 'describeConfigs', { resource, names: ['retention.ms', 'segment.bytes'] });
    expect(before.entries.map((e) => [e.name, e.value, e.source])).toEqual([
      ['retention.ms', '1000', ConfigSource.DYNAMIC_TOPIC_CONFIG],
      ['segment.bytes', '1073741824', ConfigSource.DEFAULT_CONFIG],
    ]);
    await call(t.admin, 'alterConfigs', {
      resource,
      validateOnly: false,
      entries: [
        { name: 'retention.ms', value: '', op: AlterConfigOp.DELETE },
        { name: 'max.message.bytes', value: '2048', op: AlterConfigOp.SET },
      ],
    });
    const after = await call(t.admin, 'describeTopics', { names: ['tuned'] });
    expect(after.topics[0].configs).toEqual({ 'max.message.bytes': '2048' });

    const error = await failure(
      call(t.admin, 'alterConfigs', { resource, validateOnly: false, entries: [{ name: 'max.message.bytes', value: 'big', op: AlterConfigOp.SET }] }),
    );
    expect(error).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(error.message).toMatch(/max\.message\.bytes/);
  });

  it('describes broker configs read-only and refuses to alter them', async () => {
    const resource = { type: ConfigResourceType.BROKER, name: '1' };
    const described = await call(t.admin, 'describeConfigs', { resource, names: ['num.partitions'] });
    expect(described.entries[0]).toMatchObject({ name: 'num.partitions', value: '1', readOnly: true });
    const error = await failure(
      call(t.admin, 'alterConfigs', { resource, validateOnly: false, entries: [{ name: 'num.partitions', value: '3', op: AlterConfigOp.SET }] }),
    );
    expect(error.code).toBe('INVALID_REQUEST');
  });

  it('deletes a topic and its partition directories', async () => {
    await r.createTopic('doomed', 2);
    await call(t.admin, 'deleteTopic', { name: 'doomed' });
    expect((await call(t.admin, 'listTopics', { includeInternal: true })).topics.map((x) => x.name)).not.toContain('doomed');
    expect(existsSync(join(t.dataDir, 'doomed-0'))).toBe(false);
    const error = await failure(call(t.admin, 'deleteTopic', { name: 'doomed' }));
    expect(error).toMatchObject({ status: status.NOT_FOUND, code: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });

  it('describes the cluster: its id, the controller and this broker at its address', async () => {
    const cluster = await call(t.admin, 'describeCluster', {});
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(cluster.controllerId).toBe(1);
    expect(cluster.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: '127.0.0.1', port: t.broker.port })]);
  });
});
