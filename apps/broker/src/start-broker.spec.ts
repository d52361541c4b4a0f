import { credentials, loadPackageDefinition, makeGenericClientConstructor, type Client, type GrpcObject, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { encodeRecordBatch } from '@tributary/protocol';
import { service as healthService } from 'grpc-health-check';
import { get } from 'node:http';
import { join } from 'node:path';
import { call, rpc, startTestBroker, type TestBroker } from './testing/broker-test-client';

function unary<Res>(client: Client, method: string, request: object): Promise<Res> {
  return new Promise((resolve, reject) =>
    (client as unknown as Record<string, (r: object, cb: (e: ServiceError | null, res: Res) => void) => void>)[method](request, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) =>
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject),
  );
}

describe('startBroker', () => {
  let t: TestBroker;
  beforeAll(async () => {
    t = await startTestBroker();
  });
  afterAll(() => t.close());

  it('restart keeps topics, configs and records', async () => {
    const r = rpc(t);
    const created = await r.createTopic('durable', 2, { 'retention.ms': '86400000' });
    for (let i = 0; i < 20; i++) await r.produceRecords('durable', i % 2, [{ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }]);

    await t.restart();
    const after = rpc(t);
    const described = await call(t.admin, 'describeTopics', { names: ['durable'] });
    expect(described.topics[0]).toMatchObject({ topicId: created.topic?.topicId, configs: { 'retention.ms': '86400000' } });
    const fetched = await after.fetch([
      { topic: 'durable', partition: 0, fetchOffset: 0 },
      { topic: 'durable', partition: 1, fetchOffset: 0 },
    ]);
    expect(fetched.partitions[0].records.map((x) => x.value?.toString())).toEqual(['v0', 'v2', 'v4', 'v6', 'v8', 'v10', 'v12', 'v14', 'v16', 'v18']);
    expect(fetched.partitions[1].records).toHaveLength(10);
    expect((await after.produceBatch('durable', 0, encodeRecordBatch([{ key: null, value: Buffer.from('more') }]))).baseOffset).toBe(10);
  });

  it('health answers SERVING for the server and each service', async () => {
    const Health = makeGenericClientConstructor(healthService, 'Health');
    const client = new Health(t.address, credentials.createInsecure());
    try {
      for (const name of ['', 'tributary.broker.v1.BrokerService', 'tributary.broker.v1.AdminService']) {
        expect(await unary<{ status: string }>(client, 'check', { service: name })).toEqual({ status: 'SERVING' });
      }
    } finally {
      client.close();
    }
  });

  it('server reflection lists the services', async () => {
    const reflectionProto = join(require.resolve('@grpc/reflection'), '..', '..', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');
    const pkg = loadPackageDefinition(loadSync(reflectionProto, { keepCase: true })) as GrpcObject;
    const Reflection = ((pkg.grpc as GrpcObject).reflection as GrpcObject).v1 as GrpcObject;
    const ServerReflection = Reflection.ServerReflection as unknown as new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client & {
      ServerReflectionInfo(): NodeJS.ReadWriteStream & { write(m: object): void; end(): void; on(e: string, f: (x: never) => void): void };
    };
    const client = new ServerReflection(t.address, credentials.createInsecure());
    try {
      const names = await new Promise<string[]>((resolve, reject) => {
        const stream = client.ServerReflectionInfo();
        stream.on('data', (response: { list_services_response?: { service: { name: string }[] } }) => {
          resolve((response.list_services_response?.service ?? []).map((s) => s.name));
          stream.end();
        });
        stream.on('error', reject);
        stream.write({ list_services: '' });
      });
      expect(names).toEqual(
        expect.arrayContaining(['tributary.broker.v1.BrokerService', 'tributary.broker.v1.AdminService', 'grpc.health.v1.Health']),
      );
    } finally {
      client.close();
    }
  });

  it('serves Prometheus metrics over HTTP with produce counts and log end offsets', async () => {
    const r = rpc(t);
    await r.createTopic('measured', 1);
    await r.produceRecords('measured', 0, [{ value: Buffer.from('x') }, { value: Buffer.from('y') }]);
    const { status, body } = await httpGet(`http://127.0.0.1:${t.broker.metricsPort}/metrics`);
    expect(status).toBe(200);
    expect(body).toContain('tributary_produce_requests_total{topic="measured",error="NONE"} 1');
    expect(body).toContain('tributary_produce_records_total{topic="measured"} 2');
    expect(body).toContain('tributary_partition_log_end_offset{topic="measured",partition="0"} 2');
    expect(body).toContain('tributary_produce_latency_seconds_bucket');
  });
});
