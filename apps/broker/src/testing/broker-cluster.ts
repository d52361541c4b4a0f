/**
 * Test helper: one controller and N brokers in this process over real gRPC on 127.0.0.1, each
 * broker with its own temp data dir, stoppable and restartable on the same port and dir.
 */
import { credentials } from '@grpc/grpc-js';
import { formatControllerDir, startController, type RunningController } from '@tributary/controller';
import { AdminServiceClient, BrokerServiceClient } from '@tributary/proto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBroker } from '../broker-options';
import { startBroker } from '../start-broker';

export interface ClusterBroker {
  id: number;
  port: number;
  running: RunningBroker | undefined;
  admin: AdminServiceClient;
  data: BrokerServiceClient;
}

export class BrokerCluster {
  readonly brokers = new Map<number, ClusterBroker>();

  private constructor(
    readonly root: string,
    private readonly controller: RunningController,
    private readonly config: Record<string, string>,
  ) {}

  /** A controller (node 1 of a quorum of one) and brokers 1..size with `config`. */
  static async start(size: number, config: Record<string, string> = {}): Promise<BrokerCluster> {
    const root = await mkdtemp(join(tmpdir(), 'broker-cluster-'));
    const controllerDir = join(root, 'controller');
    await formatControllerDir(controllerDir, { clusterId: 'replication-test', nodeId: 1 });
    const controller = await startController({ nodeId: 1, voters: new Map([[1, '127.0.0.1:0']]), port: 0, dataDir: controllerDir, tickIntervalMs: 20, config, logLevel: 'silent' });
    const cluster = new BrokerCluster(root, controller, { ...config, 'controller.quorum.voters': `1@127.0.0.1:${controller.port}` });
    for (let id = 1; id <= size; id++) await cluster.startBroker(id);
    return cluster;
  }

  broker(id: number): ClusterBroker {
    const broker = this.brokers.get(id);
    if (!broker) throw new Error(`no broker ${id}`);
    return broker;
  }

  dataDir(id: number): string {
    return join(this.root, `broker-${id}`);
  }

  /** Starts broker `id` (again): the same port and data dir. */
  async startBroker(id: number): Promise<ClusterBroker> {
    const existing = this.brokers.get(id);
    const running = await startBroker({
      dataDir: this.dataDir(id),
      port: existing?.port ?? 0,
      metricsPort: 0,
      config: { ...this.config, 'node.id': String(id) },
      logLevel: 'silent',
    });
    if (existing) {
      existing.running = running;
      return existing;
    }
    const address = `127.0.0.1:${running.port}`;
    const broker = { id, port: running.port, running, admin: new AdminServiceClient(address, credentials.createInsecure()), data: new BrokerServiceClient(address, credentials.createInsecure()) };
    this.brokers.set(id, broker);
    return broker;
  }

  /** A clean stop: controlled shutdown first, so leaderships move at once. */
  async stopBroker(id: number): Promise<void> {
    const broker = this.broker(id);
    await broker.running?.close();
    broker.running = undefined;
  }

  async close(): Promise<void> {
    for (const broker of this.brokers.values()) {
      broker.admin.close();
      broker.data.close();
      await broker.running?.close();
    }
    await this.controller.close();
    await rm(this.root, { recursive: true, force: true });
  }
}
