import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { RaftTransportServiceService } from '@tributary/proto';
import { nodeId, type NodeId } from '@tributary/raft';
import { createRaftTransportHandlers } from '../raft-transport-handlers';
import { RaftNode, type RaftNodeOptions } from '../raft-node';
import { KvStateMachine } from './kv-state-machine';

interface Slot {
  id: NodeId;
  dir: string;
  address: string;
  server: Server;
  node?: RaftNode;
  kv: KvStateMachine;
}

/**
 * N Raft nodes in one process over real gRPC on 127.0.0.1, each with its own directory. A
 * stopped node's server stays up and drops what arrives, as a dead process's peers would see
 * (calls fail or vanish); restarting opens the same directory.
 */
export class TestCluster {
  private constructor(
    readonly root: string,
    readonly slots: Slot[],
    private readonly overrides: Partial<RaftNodeOptions>,
  ) {}

  static async start(size: number, overrides: Partial<RaftNodeOptions> = {}): Promise<TestCluster> {
    const root = await mkdtemp(path.join(tmpdir(), 'raft-cluster-'));
    const slots: Slot[] = [];
    for (let i = 1; i <= size; i++) {
      const slot = { id: nodeId(i), dir: path.join(root, `node-${i}`), kv: new KvStateMachine() } as Slot;
      slot.server = new Server();
      slot.server.addService(
        RaftTransportServiceService,
        createRaftTransportHandlers({ clusterId: 'test-cluster', nodeId: slot.id, receive: (ms) => slot.node?.receive(ms) }),
      );
      const port = await new Promise<number>((resolve, reject) =>
        slot.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
      );
      slot.address = `127.0.0.1:${port}`;
      slots.push(slot);
    }
    const cluster = new TestCluster(root, slots, overrides);
    for (const slot of slots) await cluster.startNode(slot.id);
    return cluster;
  }

  /** Starts (or restarts, from its directory) node `id` with a fresh state machine. */
  async startNode(id: NodeId): Promise<RaftNode> {
    const slot = this.slot(id);
    slot.kv = new KvStateMachine();
    slot.node = await RaftNode.start({
      id,
      clusterId: 'test-cluster',
      dir: slot.dir,
      stateMachine: slot.kv,
      peers: new Map(this.slots.filter((s) => s.id !== id).map((s) => [s.id, s.address])),
      initialVoters: this.slots.map((s) => s.id),
      tickIntervalMs: 10,
      ...this.overrides,
    });
    return slot.node;
  }

  async stopNode(id: NodeId): Promise<void> {
    const slot = this.slot(id);
    const node = slot.node;
    slot.node = undefined;
    await node?.stop();
  }

  node(id: NodeId): RaftNode {
    const node = this.slot(id).node;
    if (!node) throw new Error(`node ${id} is stopped`);
    return node;
  }

  kv(id: NodeId): KvStateMachine {
    return this.slot(id).kv;
  }

  running(): RaftNode[] {
    return this.slots.flatMap((s) => (s.node ? [s.node] : []));
  }

  /** The one running node that believes itself leader, if exactly one does. */
  leader(): RaftNode | undefined {
    const leaders = this.running().filter((n) => n.status().role === 'leader');
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  async close(): Promise<void> {
    for (const slot of this.slots) {
      await this.stopNode(slot.id);
      slot.server.forceShutdown();
    }
    await rm(this.root, { recursive: true, force: true });
  }

  private slot(id: NodeId): Slot {
    const slot = this.slots.find((s) => s.id === id);
    if (!slot) throw new Error(`no node ${id}`);
    return slot;
  }
}
