import { credentials } from '@grpc/grpc-js';
import { SchemaRegistryServiceClient } from '@tributary/proto';
import { callUnary } from '@tributary/service-common';
import { REGISTRY_ERROR_CODE_TRAILER } from './grpc/registry-grpc-handlers';
import { http, RegistryTestCluster } from './testing/registry-test-cluster';

jest.setTimeout(60_000);

const record = (name: string, fields: object[] = []) => JSON.stringify({ type: 'record', name, fields });

describe('registry instances over one _schemas topic', () => {
  let cluster: RegistryTestCluster;

  beforeEach(async () => {
    cluster = await RegistryTestCluster.start();
  });
  afterEach(() => cluster.destroy());

  it('a restart (of the registry, and of the broker) keeps subjects, versions, ids, configs, modes and deletes', async () => {
    let registry = await cluster.startRegistry();
    const a = (await http(registry.url, 'POST', '/subjects/a-value/versions', { schema: record('A') })).body as { id: number };
    await http(registry.url, 'POST', '/subjects/a-value/versions', { schema: record('A', [{ name: 'x', type: 'int', default: 0 }]) });
    await http(registry.url, 'POST', '/subjects/b-value/versions', { schema: record('B') });
    await http(registry.url, 'DELETE', '/subjects/b-value');
    await http(registry.url, 'PUT', '/config/a-value', { compatibility: 'FULL' });
    await http(registry.url, 'PUT', '/mode/c-value', { mode: 'READONLY' });
    const snapshot = async (url: string) => ({
      subjects: (await http(url, 'GET', '/subjects?deleted=true')).body,
      versions: (await http(url, 'GET', '/schemas?deleted=true')).body,
      config: (await http(url, 'GET', '/config/a-value')).body,
      mode: (await http(url, 'GET', '/mode/c-value')).body,
      live: (await http(url, 'GET', '/subjects')).body,
    });
    const before = await snapshot(registry.url);
    expect(before.live).toEqual(['a-value']);

    await cluster.stopRegistry(registry);
    registry = await cluster.startRegistry();
    expect(await snapshot(registry.url)).toEqual(before);
    await cluster.stopRegistry(registry);
    await cluster.restartBroker();
    registry = await cluster.startRegistry();
    expect(await snapshot(registry.url)).toEqual(before);
    // The id counter continues past what the log holds.
    const next = (await http(registry.url, 'POST', '/subjects/d-value/versions', { schema: record('D') })).body as { id: number };
    expect(next.id).toBeGreaterThan(a.id + 1);
  });

  it('two instances agree on ids; the second forwards writes to the leader (the earliest registered) and reads its own writes', async () => {
    const leader = await cluster.startRegistry();
    const follower = await cluster.startRegistry();
    const schema = record('Shared');
    const viaFollower = await http(follower.url, 'POST', '/subjects/shared-value/versions', { schema });
    expect(viaFollower.status).toBe(200);
    // Read-your-writes on the follower, at once.
    expect((await http(follower.url, 'GET', '/subjects/shared-value/versions/1')).body).toMatchObject({ id: (viaFollower.body as { id: number }).id });
    expect((await http(leader.url, 'POST', '/subjects/other-value/versions', { schema })).body).toEqual(viaFollower.body);
    const interleaved: number[] = [];
    for (let i = 0; i < 10; i++) {
      const target = i % 2 === 0 ? leader : follower;
      interleaved.push(((await http(target.url, 'POST', `/subjects/s${i}/versions`, { schema: record(`S${i}`) })).body as { id: number }).id);
    }
    expect(new Set(interleaved).size).toBe(10);
    expect((await http(follower.url, 'GET', '/schemas')).body).toEqual((await http(leader.url, 'GET', '/schemas')).body);
    // Errors come back from the leader as they are.
    expect((await http(follower.url, 'DELETE', '/subjects/none')).body).toEqual({ error_code: 40401, message: "Subject 'none' not found." });
    // Config and mode writes are forwarded too.
    expect((await http(follower.url, 'PUT', '/config', { compatibility: 'NONE' })).body).toEqual({ compatibility: 'NONE' });
    expect((await http(leader.url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'NONE' });
  });

  it('concurrent writes through both instances never give one id to two schemas nor two ids to one schema', async () => {
    const first = await cluster.startRegistry();
    const second = await cluster.startRegistry();
    await http(second.url, 'PUT', '/config', { compatibility: 'NONE' });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => http([first, second][i % 2].url, 'POST', `/subjects/c${i % 6}/versions`, { schema: record(`C${i % 10}`) })),
    );
    const idBySchema = new Map<string, number>();
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).toBe(200);
      const id = (answer.body as { id: number }).id;
      expect(idBySchema.get(`C${i % 10}`) ?? id).toBe(id);
      idBySchema.set(`C${i % 10}`, id);
    }
    expect(new Set(idBySchema.values()).size).toBe(10);
  });

  it('when the leader leaves, the next registered instance leads; a leader that cannot be reached is removed by the first follower that tries', async () => {
    const leader = await cluster.startRegistry();
    const second = await cluster.startRegistry();
    const third = await cluster.startRegistry();
    await cluster.stopRegistry(leader);
    expect((await http(third.url, 'POST', '/subjects/after-value/versions', { schema: record('After') })).status).toBe(200);
    expect((await http(second.url, 'GET', '/subjects/after-value/versions')).body).toEqual([1]);

    // An instance advertising an address nobody can reach becomes the leader once the others leave.
    await cluster.startRegistry({ advertisedUrl: 'http://127.0.0.1:1' });
    await cluster.stopRegistry(second);
    await cluster.stopRegistry(third);
    const survivor = await cluster.startRegistry();
    expect((await http(survivor.url, 'POST', '/subjects/ghost-value/versions', { schema: record('Ghost') })).status).toBe(200);
  });

  it('gRPC: register, get by id, get version, list subjects and check compatibility, with Confluent error codes in a trailer', async () => {
    const registry = await cluster.startRegistry();
    const client = new SchemaRegistryServiceClient(`127.0.0.1:${registry.grpcPort}`, credentials.createInsecure());
    try {
      const { id } = await callUnary(client, 'registerSchema', { subject: 'g-value', schema: record('G'), schemaType: '', references: [], normalize: false });
      expect(await callUnary(client, 'getSchemaById', { id })).toEqual({ schema: record('G'), schemaType: 'AVRO', references: [] });
      expect(await callUnary(client, 'getSchemaVersion', { subject: 'g-value', version: '', deleted: false })).toMatchObject({ subject: 'g-value', version: 1, id });
      expect(await callUnary(client, 'listSubjects', { subjectPrefix: 'g-', deleted: false })).toEqual({ subjects: ['g-value'] });
      const check = await callUnary(client, 'checkCompatibility', {
        subject: 'g-value',
        version: 'latest',
        schema: record('G', [{ name: 'x', type: 'int' }]),
        schemaType: 'AVRO',
        references: [],
        verbose: true,
        normalize: false,
      });
      expect(check).toMatchObject({ isCompatible: false, messages: expect.arrayContaining(["{compatibility: 'BACKWARD'}"]) });
      const failure = await callUnary(client, 'getSchemaVersion', { subject: 'nope', version: '1', deleted: false }).catch((e: { code: number; details: string; metadata: { get(k: string): unknown[] } }) => e);
      expect(failure).toMatchObject({ code: 5, details: "40401: Subject 'nope' not found." });
      expect((failure as { metadata: { get(k: string): unknown[] } }).metadata.get(REGISTRY_ERROR_CODE_TRAILER)).toEqual(['40401']);
      const invalid = await callUnary(client, 'registerSchema', { subject: 'g-value', schema: '{', schemaType: 'AVRO', references: [], normalize: false }).catch((e: { code: number }) => e);
      expect(invalid).toMatchObject({ code: 3 });
    } finally {
      client.close();
    }
  });
});
