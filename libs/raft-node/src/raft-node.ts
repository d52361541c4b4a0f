import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { TributaryError } from '@tributary/protocol';
import {
  RawNode,
  type ConfState,
  type Entry,
  type LogIndex,
  type Message,
  type NodeId,
  type Ready,
  type Snapshot,
  type StateRole,
  type Term,
} from '@tributary/raft';
import { GrpcTransport } from './grpc-transport';
import { SnapshotStore } from './snapshot-store';
import { Wal, type WalRecovery } from './wal';

/** What the node replicates. Called only from the node's own loop, one call at a time. */
export interface StateMachine {
  /** A committed normal entry with data (leaders' empty no-op entries are not passed). */
  apply(entry: Entry): void;
  /** An image of everything applied so far. */
  snapshot(): Uint8Array;
  /** Replaces the state with an image made by `snapshot()`. */
  restore(data: Uint8Array): void;
}

export interface RaftNodeOptions {
  id: NodeId;
  clusterId: string;
  /** Holds `wal/` and `snap/`; created when missing. */
  dir: string;
  stateMachine: StateMachine;
  /** Addresses of the other nodes' RaftTransportService. */
  peers: ReadonlyMap<NodeId, string>;
  /** The voters of a brand-new cluster; used only when the directory holds no state yet. */
  initialVoters?: readonly NodeId[];
  tickIntervalMs?: number;
  electionTick?: number;
  heartbeatTick?: number;
  /** A snapshot is taken once this many entries were applied since the last one. */
  snapshotEntries?: number;
  segmentBytes?: number;
  onTransportError?: (peer: NodeId, error: ServiceError) => void;
  /** Told about a received message the core refused (it is dropped). */
  onMessageRejected?: (message: Message, error: unknown) => void;
}

export interface RaftNodeStatus {
  id: NodeId;
  /** 0 when no leader is known. */
  leaderId: NodeId;
  role: StateRole;
  term: Term;
  commitIndex: LogIndex;
  appliedIndex: LogIndex;
  lastIndex: LogIndex;
  snapshotIndex: LogIndex;
  voters: NodeId[];
  learners: NodeId[];
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * One Raft node on real I/O: it ticks the core on a timer, runs the Ready loop (persist to the
 * WAL and snapshot store, send, apply, advance), takes snapshots and serves proposals and
 * linearizable reads. Every call on the core happens inside the loop, one after another.
 */
export class RaftNode {
  private readonly inbox: (() => void)[] = [];
  /** Rejecters of requests queued in the inbox and not yet run. */
  private readonly unstarted = new Set<(error: unknown) => void>();
  private readonly proposals = new Map<LogIndex, Waiter<LogIndex> & { term: Term }>();
  private readonly reads = new Map<string, Waiter<void> & { index?: LogIndex }>();
  private running = false;
  private stopped = false;
  private loopDone: Promise<void> = Promise.resolve();
  private ticker: NodeJS.Timeout | undefined;
  private applied: LogIndex;
  private confState: ConfState;
  private term: Term;
  private leaderId: NodeId;
  private role: StateRole = 'follower';
  private snapshotting = false;

  private constructor(
    private readonly options: RaftNodeOptions,
    private readonly raw: RawNode,
    private readonly wal: Wal,
    private readonly snapshots: SnapshotStore,
    private readonly transport: GrpcTransport,
    /** What opening the WAL cut from a torn tail. */
    readonly recovery: WalRecovery,
  ) {
    const status = raw.status();
    this.applied = wal.snapshot().metadata.index;
    this.confState = wal.snapshot().metadata.confState;
    this.term = status.hardState.term;
    this.leaderId = status.softState.leader;
  }

  /** Opens the node's directory (restoring the latest snapshot) and starts ticking. */
  static async start(options: RaftNodeOptions): Promise<RaftNode> {
    const snapDir = path.join(options.dir, 'snap');
    const walDir = path.join(options.dir, 'wal');
    await mkdir(snapDir, { recursive: true });
    await mkdir(walDir, { recursive: true });
    const snapshots = new SnapshotStore({ dir: snapDir });
    const snapshot = await snapshots.loadLatest();
    const { wal, recovery } = await Wal.open({ dir: walDir, snapshot, segmentBytes: options.segmentBytes });
    if (snapshot) options.stateMachine.restore(snapshot.data);
    const raw = new RawNode({
      id: options.id,
      storage: wal,
      electionTick: options.electionTick ?? 10,
      heartbeatTick: options.heartbeatTick ?? 1,
      random: Math.random,
      applied: wal.snapshot().metadata.index,
    });
    const fresh = wal.lastIndex() === 0 && wal.initialState().hardState.term === 0;
    if (fresh && options.initialVoters) raw.bootstrap(options.initialVoters);
    const transport = new GrpcTransport({ clusterId: options.clusterId, peers: options.peers, onError: options.onTransportError });
    const node = new RaftNode(options, raw, wal, snapshots, transport, recovery);
    node.ticker = setInterval(() => node.enqueue(() => raw.tick()), options.tickIntervalMs ?? 100);
    node.enqueue(() => node.campaignIfSoleVoter());
    return node;
  }

  /** Feeds messages from peers; wire it to createRaftTransportHandlers' `receive`. */
  receive(messages: readonly Message[]): void {
    this.enqueue(() => {
      for (const m of messages) {
        try {
          this.raw.step(m);
        } catch (e) {
          // A message Raft refuses is dropped, as a lost one would be; the node carries on.
          this.options.onMessageRejected?.(m, e);
        }
      }
    });
  }

  /**
   * Replicates `data`; resolves with its log index once committed and applied here. Rejects
   * with NOT_LEADER_OR_FOLLOWER (naming the leader when known) on a follower, and when the
   * term changes before the entry commits — it may or may not commit then, so retry only
   * what is idempotent or checked.
   */
  propose(data: Uint8Array): Promise<LogIndex> {
    return new Promise((resolve, reject) => {
      this.enqueueRequest(reject, () => {
        try {
          const index = this.raw.propose(data);
          this.proposals.set(index, { resolve, reject, term: this.raw.status().hardState.term });
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  /**
   * Resolves once this node has applied everything committed before the call (ReadIndex), so a
   * read of the state machine after it is linearizable. Leader only.
   */
  read(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.enqueueRequest(reject, () => {
        try {
          this.reads.set(this.raw.readIndex(), { resolve, reject });
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  /** Asks the leader to hand leadership to `to` (a caught-up voter). */
  transferLeader(to: NodeId): void {
    this.enqueue(() => this.raw.transferLeader(to));
  }

  status(): RaftNodeStatus {
    const s = this.raw.status();
    return {
      id: s.id,
      leaderId: this.leaderId,
      role: this.role,
      term: s.hardState.term,
      commitIndex: s.hardState.commit,
      appliedIndex: this.applied,
      lastIndex: s.lastIndex,
      snapshotIndex: this.wal.snapshot().metadata.index,
      voters: [...s.confState.voters],
      learners: [...s.confState.learners],
    };
  }

  /** Stops ticking and sending, finishes the Ready in progress and closes the files. Pending requests reject. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.ticker);
    this.inbox.length = 0;
    await this.loopDone;
    this.transport.close();
    const stopped = new TributaryError('NOT_LEADER_OR_FOLLOWER', `raft node ${this.options.id} stopped`);
    this.failAll(stopped);
    this.failUnstarted(stopped);
    await this.wal.close();
  }

  /**
   * A caller's request: on a stopped node it fails at once, and one still queued when the node
   * stops fails then, instead of waiting for a loop that will not run it.
   */
  private enqueueRequest(reject: (error: unknown) => void, action: () => void): void {
    if (this.stopped) {
      reject(new TributaryError('NOT_LEADER_OR_FOLLOWER', `raft node ${this.options.id} is stopped`));
      return;
    }
    this.unstarted.add(reject);
    this.enqueue(() => {
      this.unstarted.delete(reject);
      action();
    });
  }

  private failUnstarted(error: TributaryError): void {
    for (const reject of this.unstarted) reject(error);
    this.unstarted.clear();
  }

  private enqueue(action: () => void): void {
    if (this.stopped) return;
    this.inbox.push(action);
    if (!this.running) {
      this.running = true;
      this.loopDone = this.loop();
    }
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped && (this.inbox.length > 0 || this.raw.hasReady())) {
        for (const action of this.inbox.splice(0)) action();
        if (this.raw.hasReady()) await this.handleReady(this.raw.ready());
      }
    } catch (e) {
      // A failed write or apply leaves the node unable to promise anything: it stops rather than lie.
      this.stopped = true;
      clearInterval(this.ticker);
      this.transport.close();
      const code = e instanceof TributaryError ? e.code : 'UNKNOWN_SERVER_ERROR';
      const failed = new TributaryError(code, `raft node ${this.options.id} stopped after a failure: ${(e as Error).message}; restart it from its directory`);
      this.failAll(failed);
      this.failUnstarted(failed);
    } finally {
      this.running = false;
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    if (rd.snapshot) {
      await this.snapshots.save(rd.snapshot);
      await this.wal.applySnapshot(rd.snapshot);
    }
    await this.wal.save(rd.entries, rd.hardState);
    this.transport.send(rd.messages);
    if (rd.softState) {
      const wasLeader = this.role === 'leader';
      this.role = rd.softState.role;
      this.leaderId = rd.softState.leader;
      // A leader that steps down in its term (check-quorum lost its majority) can no longer confirm reads
      // or commit; waiting for the next term would hang callers as long as it stays cut off.
      if (wasLeader && this.role !== 'leader') {
        this.failAll(
          new TributaryError('NOT_LEADER_OR_FOLLOWER', `node ${this.options.id} stepped down as leader in term ${this.term} before the request completed; it may or may not have been applied${this.leaderHint()}`),
        );
      }
    }
    if (rd.hardState && rd.hardState.term !== this.term) {
      const previous = this.term;
      this.term = rd.hardState.term;
      this.failAll(
        new TributaryError('NOT_LEADER_OR_FOLLOWER', `the term changed from ${previous} to ${this.term} before the request completed; it may or may not have been applied${this.leaderHint()}`),
      );
    }
    if (rd.snapshot) this.restoreSnapshot(rd.snapshot);
    for (const e of rd.committedEntries) this.applyEntry(e);
    for (const rs of rd.readStates) {
      const read = this.reads.get(rs.context);
      if (read) read.index = rs.index;
    }
    this.serveReads();
    this.raw.advance();
    this.campaignIfSoleVoter();
    await this.maybeSnapshot();
  }

  /**
   * The sole voter of its configuration wins its own election: no reason to wait an election
   * timeout. Raft ignores the campaign while configuration entries are committed but not yet
   * applied, so this runs again after every Ready until it leads.
   */
  private campaignIfSoleVoter(): void {
    if (this.role === 'leader') return;
    const { voters } = this.raw.status().confState;
    if (voters.length === 1 && voters[0] === this.options.id) this.raw.campaign();
  }

  private restoreSnapshot(snapshot: Snapshot): void {
    this.options.stateMachine.restore(snapshot.data);
    this.applied = snapshot.metadata.index;
    this.confState = snapshot.metadata.confState;
    for (const [index, p] of this.proposals) {
      if (index > this.applied) continue;
      // Whether our entry made it into the snapshot is unknown.
      p.reject(new TributaryError('NOT_LEADER_OR_FOLLOWER', `a snapshot from the leader replaced the log past index ${index}; the proposal may or may not have been applied`));
      this.proposals.delete(index);
    }
  }

  private applyEntry(e: Entry): void {
    if (e.type === 'confChange') this.confState = this.raw.applyConfChange(e.data);
    else if (e.data.length > 0) this.options.stateMachine.apply(e);
    this.applied = e.index;
    const p = this.proposals.get(e.index);
    if (!p) return;
    this.proposals.delete(e.index);
    if (p.term === e.term) p.resolve(e.index);
    else p.reject(new TributaryError('NOT_LEADER_OR_FOLLOWER', `the proposal at index ${e.index} was overwritten by a leader of term ${e.term}; retry${this.leaderHint()}`));
  }

  private serveReads(): void {
    for (const [context, read] of this.reads) {
      if (read.index !== undefined && read.index <= this.applied) {
        this.reads.delete(context);
        read.resolve();
      }
    }
  }

  /** Every `snapshotEntries` applied entries: snapshot file first, then the WAL forgets what it covers. */
  private async maybeSnapshot(): Promise<void> {
    const snapshotIndex = this.wal.snapshot().metadata.index;
    if (this.snapshotting || this.applied - snapshotIndex < (this.options.snapshotEntries ?? 10_000)) return;
    const term = this.wal.term(this.applied);
    if (term === undefined) return;
    this.snapshotting = true;
    try {
      const snapshot: Snapshot = {
        metadata: { index: this.applied, term, confState: this.confState },
        data: this.options.stateMachine.snapshot(),
      };
      await this.snapshots.save(snapshot);
      await this.wal.applySnapshot(snapshot);
      await this.wal.compact(snapshot.metadata.index);
    } finally {
      this.snapshotting = false;
    }
  }

  private failAll(error: TributaryError): void {
    for (const p of this.proposals.values()) p.reject(error);
    this.proposals.clear();
    for (const r of this.reads.values()) r.reject(error);
    this.reads.clear();
  }

  private leaderHint(): string {
    return this.leaderId ? ` (leader hint: node ${this.leaderId} of cluster ${this.options.clusterId})` : '';
  }
}
