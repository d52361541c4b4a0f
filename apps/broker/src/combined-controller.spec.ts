import { credentials } from '@grpc/grpc-js';
import { ControllerServiceClient } from '@tributary/proto';
import { readMetaProperties } from '@tributary/service-common';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from './start-broker';
import { call, startTestBroker, type TestBroker } from './testing/broker-test-client';

describe('combined mode: the broker and its controller, the only voter, in one process', () => {
  let t: TestBroker;
  let controller: ControllerServiceClient;
  const describeQuorum = () => call(controller, 'describeQuorum', {});

  beforeAll(async () => {
    t = await startTestBroker();
    controller = new ControllerServiceClient(`127.0.0.1:${t.broker.controllerPort}`, credentials.createInsecure());
  });
  afterAll(async () => {
    controller.close();
    await t.close();
  });

  it('formats the empty data dir with a new cluster id; the controller leads a quorum of one and the broker is registered and unfenced', async () => {
    const meta = await readMetaProperties(t.dataDir, 'test');
    expect(meta).toMatchObject({ nodeId: 1 });
    const quorum = await describeQuorum();
    expect(quorum).toMatchObject({ nodeId: 1, leaderId: 1, clusterId: meta?.clusterId });
    expect(quorum.voters.map((v) => v.nodeId)).toEqual([1]);
    expect(quorum.brokers).toEqual([expect.objectContaining({ brokerId: 1, fenced: false })]);
    const metadata = await call(t.data, 'metadata', { topics: [], allowAutoTopicCreation: false });
    expect(metadata.clusterId).toBe(meta?.clusterId);
  });

  it('a restart keeps the cluster id and registers the broker again, under a new epoch, unfenced at once', async () => {
    const before = await describeQuorum();
    await t.restart();
    controller.close();
    controller = new ControllerServiceClient(`127.0.0.1:${t.broker.controllerPort}`, credentials.createInsecure());
    const after = await describeQuorum();
    expect(after.clusterId).toBe(before.clusterId);
    expect(after.term).toBeGreaterThan(before.term);
    expect(after.brokers).toEqual([expect.objectContaining({ brokerId: 1, fenced: false, brokerEpoch: expect.any(Number) })]);
    expect(after.brokers[0].brokerEpoch).toBeGreaterThan(before.brokers[0].brokerEpoch);
  });
});

describe('combined mode refuses', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tributary-combined-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('a data dir whose metadata log was written by the embedded controller of earlier versions, touching nothing', async () => {
    const legacyLog = join(dataDir, '__cluster_metadata-0', '00000000000000000000.log');
    await mkdir(join(dataDir, '__cluster_metadata-0'));
    await writeFile(legacyLog, 'old metadata');
    await mkdir(join(dataDir, 'orders-0'));
    await expect(startBroker({ dataDir, port: 0, metricsPort: 0, controllerPort: 0, logLevel: 'silent' })).rejects.toThrow(
      /holds a metadata log of the embedded controller of an earlier Tributary/,
    );
    expect(await readMetaProperties(dataDir, 'test')).toBeUndefined();
  });

  it('to join a larger quorum with an unformatted data dir', async () => {
    const config = { 'process.roles': 'broker,controller', 'controller.quorum.voters': '1@127.0.0.1:1,2@127.0.0.1:2' };
    await expect(startBroker({ dataDir, port: 0, metricsPort: 0, config, logLevel: 'silent' })).rejects.toThrow(/is not formatted.*tributary-controller format/);
  });
});
