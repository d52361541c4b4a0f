/**
 * Test helpers: N controllers in one process over real gRPC on 127.0.0.1, each with its own
 * formatted temp dir; clients that follow NOT_CONTROLLER redirects; brokers that only register
 * and heartbeat; a follower of the metadata log that keeps a local image.
 */
import { credentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { MetadataImage, decodeMetadataRecord } from '@tributary/metadata';
import { CONTROLLER_ID_TRAILER, ControllerServiceClient, ERROR_CODE_TRAILER, type FetchMetadataResponse } from '@tributary/proto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callUnary as call } from '@tributary/service-common';
import { eventually, freePort } from '@tributary/testing';
import { formatControllerDir } from '../controller-meta-properties';
import type { RunningController, StartControllerOptions } from '../controller-options';
import { startController } from '../start-controller';

export { call };

/** Polls `condition` until it holds; fails after `attempts` polls — a bound so a broken test ends, not a timing assertion. */
export { eventually };

export function errorCode(error: unknown): string | undefined {
  return (error as ServiceError).metadata?.get(ERROR_CODE_TRAILER)[0]?.toString();
}

/** Fast timings: elections in a few hundred ms, leases of 600 ms renewed every 50 ms. */
export const TEST_CONFIG = { 'broker.heartbeat.interval.ms': '50', 'broker.session.timeout.ms': '600', 'default.replication.factor': '3' };


export class ControllerTestCluster {
  private readonly running = new Map<number, RunningController>();
  readonly clients = new Map<number, ControllerServiceClient>();

  private constructor(
    readonly root: string,
    readonly voters: Map<number, string>,
    private readonly overrides: Partial<StartControllerOptions>,
  ) {}

  static async start(size: number, overrides: Partial<StartControllerOptions> = {}, clusterId = 'test-cluster'): Promise<ControllerTestCluster> {
    const root = await mkdtemp(join(tmpdir(), 'controller-cluster-'));
    const voters = new Map<number, string>();
    for (let id = 1; id <= size; id++) voters.set(id, `127.0.0.1:${await freePort()}`);
    const cluster = new ControllerTestCluster(root, voters, overrides);
    for (const id of voters.keys()) await formatControllerDir(cluster.dir(id), { clusterId, nodeId: id });
    await Promise.all([...voters.keys()].map((id) => cluster.startNode(id)));
    return cluster;
  }

  dir(id: number): string {
    return join(this.root, `controller-${id}`);
  }

  async startNode(id: number): Promise<void> {
    const controller = await startController({
      nodeId: id,
      voters: this.voters,
      dataDir: this.dir(id),
      tickIntervalMs: 10,
      config: TEST_CONFIG,
      logLevel: 'silent',
      ...this.overrides,
    });
    this.running.set(id, controller);
    this.clients.set(id, new ControllerServiceClient(this.voters.get(id) as string, credentials.createInsecure()));
  }

  async stopNode(id: number): Promise<void> {
    this.clients.get(id)?.close();
    this.clients.delete(id);
    await this.running.get(id)?.close();
    this.running.delete(id);
  }

  client(id: number): ControllerServiceClient {
    const client = this.clients.get(id);
    if (!client) throw new Error(`controller ${id} is stopped`);
    return client;
  }

  /** The leader every running controller agrees on. */
  async leader(): Promise<number> {
    return eventually(async () => {
      const views = await Promise.all([...this.clients.values()].map((c) => call(c, 'describeQuorum', {})));
      const leaderId = views[0].leaderId;
      return leaderId !== 0 && views.every((v) => v.leaderId === leaderId) && this.clients.has(leaderId) ? leaderId : undefined;
    }, 'a leader all running controllers agree on');
  }

  /** Calls whichever controller leads: follows the NOT_CONTROLLER trailer, retries while there is none. */
  async onLeader<K extends keyof ControllerServiceClient>(method: K, request: Parameters<typeof call<ControllerServiceClient, K>>[2]) {
    let target = [...this.clients.keys()][0];
    return eventually(async () => {
      try {
        return await call(this.client(target), method, request);
      } catch (error) {
        if (errorCode(error) !== 'NOT_CONTROLLER') throw error;
        const hinted = Number((error as ServiceError).metadata.get(CONTROLLER_ID_TRAILER)[0] ?? 0);
        target = this.clients.has(hinted) ? hinted : [...this.clients.keys()][(([...this.clients.keys()].indexOf(target) + 1) % this.clients.size)];
        return undefined;
      }
    }, `${String(method)} on the active controller`);
  }

  async close(): Promise<void> {
    for (const id of [...this.running.keys()]) await this.stopNode(id);
    await rm(this.root, { recursive: true, force: true });
  }
}

/** A broker that only registers and heartbeats (reporting the metadata offset it was told), until stopped. */
export class HeartbeatingBroker {
  brokerEpoch = 0;
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cluster: ControllerTestCluster,
    readonly brokerId: number,
  ) {}

  async register(): Promise<void> {
    const { brokerEpoch } = await this.cluster.onLeader('registerBroker', {
      brokerId: this.brokerId,
      incarnationId: `incarnation-${this.brokerId}-${Date.now()}`,
      clusterId: 'test-cluster',
      endpoints: [{ host: '127.0.0.1', port: 19000 + this.brokerId }],
      rack: undefined,
    });
    this.brokerEpoch = brokerEpoch;
    this.timer = setInterval(() => void this.beat().catch(() => undefined), 50).unref();
  }

  /** One heartbeat; the next one reports the offset this one was told, so the broker catches up. */
  async beat(): Promise<{ isFenced: boolean }> {
    const response = await this.cluster.onLeader('brokerHeartbeat', {
      brokerId: this.brokerId,
      brokerEpoch: this.brokerEpoch,
      currentMetadataOffset: this.offset,
      wantFence: false,
      wantShutdown: false,
    });
    this.offset = response.metadataOffset;
    return response;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Follows FetchMetadata from one controller and keeps the image it builds. */
export class MetadataFollower {
  image = MetadataImage.EMPTY;
  offset = 0;
  readonly received: FetchMetadataResponse[] = [];
  private readonly stream: ClientReadableStream<FetchMetadataResponse>;

  constructor(client: ControllerServiceClient, fromOffset = 0) {
    this.offset = fromOffset;
    this.stream = client.fetchMetadata({ fromOffset });
    this.stream.on('data', (message: FetchMetadataResponse) => {
      this.received.push(message);
      const records = message.records.map((r) => decodeMetadataRecord(Buffer.from(r)));
      this.image = (message.isSnapshot ? MetadataImage.EMPTY : this.image).apply(records);
      this.offset = message.offset;
    });
    this.stream.on('error', () => undefined);
  }

  close(): void {
    this.stream.cancel();
  }
}
