import { TributaryError } from '@tributary/protocol';
import { MemoryStorage, RawNode, nodeId, type ConfState, type Entry, type NodeId, type RaftConfig } from '../index';
import { InvariantViolation, SafetyChecker } from './safety-checker';
import { SimNetwork } from './sim-network';
import type { Prng } from './prng';
import type { RegisterOp } from './linearizability';

/** A client operation on the replicated key-value store, as recorded in the history. */
export interface ClientOp {
  readonly id: number;
  readonly kind: 'put' | 'get';
  readonly via: 'log' | 'readIndex';
  readonly key: string;
  value: string | undefined;
  readonly call: number;
  ret: number;
  readonly proposer: NodeId;
  readonly incarnation: number;
}

export interface SimClusterOptions {
  voters: number;
  /** Nodes that start outside the cluster, for membership changes. */
  spares: number;
  rng: Prng;
  electionTick?: number;
  heartbeatTick?: number;
  raft?: Pick<RaftConfig, 'preVote' | 'checkQuorum' | 'maxSizePerMsgBytes' | 'maxInflightMsgs' | 'unsafe'>;
  /** Chance that a node crashes after persisting a Ready and before sending its messages. */
  crashAfterPersistRate?: number;
  /** Snapshot and compact a node's log once this many entries were applied since the last snapshot. */
  snapshotEveryEntries?: number;
}

/** One simulated node: its durable state survives a crash, everything else is rebuilt. */
class SimNode {
  raw: RawNode | undefined;
  kv = new Map<string, string>();
  confState: ConfState = { voters: [], learners: [] };
  applied = 0;
  incarnation = 0;
  pendingReads: { opId: number; index: number }[] = [];

  constructor(readonly id: NodeId, readonly storage: MemoryStorage) {}
}

/** The state machine's snapshot format: UTF-8 JSON of the [key, value] pairs. */
function encodeKv(kv: Map<string, string>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify([...kv]));
}

function decodeKv(data: Uint8Array): Map<string, string> {
  return data.length === 0 ? new Map() : new Map(JSON.parse(new TextDecoder().decode(data)) as [string, string][]);
}

/** A client operation's entry: its op id as 4 bytes, big-endian. Empty entries are no-ops. */
function encodeOpId(id: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, id);
  return b;
}

function decodeOpId(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
}

/**
 * A whole Raft cluster in one process: nodes, a faulty network, crash and restart from durable
 * state only, a key-value state machine with a recorded client history, and the safety
 * checker run on everything nodes persist and apply. Time advances only through `tick()`.
 */
export class SimCluster {
  readonly nodes = new Map<NodeId, SimNode>();
  readonly network: SimNetwork;
  readonly checker = new SafetyChecker();
  readonly ops = new Map<number, ClientOp>();
  now = 0;
  /** Chance that a node crashes after persisting a Ready and before sending its messages. */
  crashAfterPersistRate: number;
  private clock = 0;
  private nextOpId = 1;
  private readonly rng: Prng;
  private readonly electionTick: number;
  private readonly heartbeatTick: number;

  constructor(private readonly options: SimClusterOptions) {
    this.rng = options.rng;
    this.electionTick = options.electionTick ?? 10;
    this.heartbeatTick = options.heartbeatTick ?? 1;
    this.crashAfterPersistRate = options.crashAfterPersistRate ?? 0;
    this.network = new SimNetwork(this.rng.fork());
    const voters = Array.from({ length: options.voters }, (_, i) => nodeId(i + 1));
    for (let i = 1; i <= options.voters + options.spares; i++) {
      const node = new SimNode(nodeId(i), new MemoryStorage());
      this.nodes.set(node.id, node);
      this.start(node);
      if (i <= options.voters) node.raw?.bootstrap(voters);
      this.processReady(node);
    }
  }

  ids(): NodeId[] {
    return [...this.nodes.keys()];
  }

  node(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no simulated node ${id}`);
    return n;
  }

  raw(id: NodeId): RawNode {
    const raw = this.node(id).raw;
    if (!raw) throw new Error(`node ${id} is down`);
    return raw;
  }

  isUp(id: NodeId): boolean {
    return this.node(id).raw !== undefined;
  }

  /** Builds the volatile half of a node from its durable state (a start or restart). */
  private start(node: SimNode): void {
    const snap = node.storage.snapshot();
    node.incarnation++;
    node.kv = decodeKv(snap.data);
    node.confState = snap.metadata.confState;
    node.applied = snap.metadata.index;
    node.pendingReads = [];
    const random = this.rng.fork();
    node.raw = new RawNode({
      id: node.id,
      storage: node.storage,
      electionTick: this.electionTick,
      heartbeatTick: this.heartbeatTick,
      random: () => random.next(),
      applied: snap.metadata.index,
      ...this.options.raft,
    });
  }

  crash(id: NodeId): void {
    this.node(id).raw = undefined;
  }

  restart(id: NodeId): void {
    const node = this.node(id);
    if (node.raw) return;
    this.start(node);
    this.processReady(node);
  }

  /** One unit of time: every node ticks, then the messages due now are delivered. */
  tick(): void {
    this.now++;
    for (const node of this.nodes.values()) {
      if (!node.raw) continue;
      node.raw.tick();
      this.processReady(node);
    }
    this.deliverDue();
  }

  /** Delivers messages due now, including those sent in reply without delay. */
  deliverDue(): void {
    for (let round = 0; this.network.hasDue(this.now); round++) {
      if (round > 10_000) throw new Error('simulated network: messages keep arriving within one tick');
      for (const m of this.network.takeDue(this.now)) {
        const node = this.node(m.to);
        if (!node.raw) continue;
        node.raw.step(m);
        this.processReady(node);
      }
    }
  }

  /** The caller's side of the Ready contract: persist, then send, then apply, then advance. */
  processReady(node: SimNode): void {
    while (node.raw?.hasReady()) {
      const raw = node.raw;
      const rd = raw.ready();
      const st = node.storage;
      if (rd.snapshot) st.applySnapshot(rd.snapshot);
      st.append(rd.entries);
      for (const e of rd.entries) this.checker.persisted(node.id, e, st.term(e.index - 1));
      if (rd.hardState) {
        st.setHardState(rd.hardState);
        this.checker.commitPersisted(node.id, rd.hardState.commit);
      }
      if (rd.softState?.role === 'leader') {
        this.checker.leaderElected(st.initialState().hardState.term, node.id, (i) => st.term(i));
      }
      // Durable now. A crash here loses only the messages and the applying.
      if (this.rng.chance(this.crashAfterPersistRate)) {
        this.crash(node.id);
        return;
      }
      for (const m of rd.messages) this.network.send(this.now, m);
      if (rd.snapshot) {
        node.kv = decodeKv(rd.snapshot.data);
        node.confState = rd.snapshot.metadata.confState;
        node.applied = rd.snapshot.metadata.index;
      }
      for (const e of rd.committedEntries) this.apply(node, raw, e);
      for (const r of rd.readStates) node.pendingReads.push({ opId: Number(r.context), index: r.index });
      this.serveReads(node);
      raw.advance();
      this.maybeSnapshot(node);
    }
  }

  private apply(node: SimNode, raw: RawNode, e: Entry): void {
    this.checker.appliedEntry(node.id, e);
    node.applied = e.index;
    if (e.type === 'confChange') {
      node.confState = raw.applyConfChange(e.data);
      return;
    }
    if (e.data.length === 0) return;
    const op = this.ops.get(decodeOpId(e.data));
    if (!op) throw new InvariantViolation('integrity', `node ${node.id} applied an entry of unknown op at index ${e.index}`);
    const result = op.kind === 'put' ? op.value : node.kv.get(op.key);
    if (op.kind === 'put' && op.value !== undefined) node.kv.set(op.key, op.value);
    if (op.proposer === node.id && op.incarnation === node.incarnation && op.ret === Infinity) {
      op.value = result;
      op.ret = ++this.clock;
    }
  }

  private serveReads(node: SimNode): void {
    if (node.pendingReads.length === 0) return;
    const waiting: { opId: number; index: number }[] = [];
    for (const r of node.pendingReads) {
      const op = this.ops.get(r.opId);
      if (!op) continue;
      if (node.applied < r.index) waiting.push(r);
      else if (op.ret === Infinity) {
        op.value = node.kv.get(op.key);
        op.ret = ++this.clock;
      }
    }
    node.pendingReads = waiting;
  }

  private maybeSnapshot(node: SimNode): void {
    const every = this.options.snapshotEveryEntries;
    if (every === undefined) return;
    const st = node.storage;
    if (node.applied - st.snapshot().metadata.index < every) return;
    st.createSnapshot(node.applied, node.confState, encodeKv(node.kv));
    // Keep a few entries so a slightly lagging follower still gets appends, not a snapshot.
    st.compact(Math.max(st.firstIndex() - 1, node.applied - 3));
  }

  /** The node that believes it leads with the highest term, if any is up. */
  leader(): NodeId | undefined {
    let best: { id: NodeId; term: number } | undefined;
    for (const node of this.nodes.values()) {
      const s = node.raw?.status();
      if (s?.softState.role === 'leader' && (!best || s.hardState.term > best.term)) best = { id: node.id, term: s.hardState.term };
    }
    return best?.id;
  }

  /**
   * Invokes a client operation at `at`; returns it, or undefined when the node refused it
   * (not the leader — a definite failure with no effect, so not recorded).
   */
  request(at: NodeId, kind: 'put' | 'get', via: 'log' | 'readIndex', key: string, value?: string): ClientOp | undefined {
    const node = this.node(at);
    const raw = node.raw;
    if (!raw) return undefined;
    const id = this.nextOpId++;
    const op: ClientOp = { id, kind, via, key, value, call: ++this.clock, ret: Infinity, proposer: at, incarnation: node.incarnation };
    try {
      if (via === 'readIndex') raw.readIndex(String(id));
      else raw.propose(encodeOpId(id));
    } catch (e) {
      if (e instanceof TributaryError) return undefined;
      throw e;
    }
    this.ops.set(id, op);
    this.processReady(node);
    return op;
  }

  /** The history for the linearizability checker: reads that never returned tell nothing. */
  history(): RegisterOp[] {
    return [...this.ops.values()].filter((op) => op.kind === 'put' || op.ret !== Infinity);
  }
}
