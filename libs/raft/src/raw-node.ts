import { TributaryError } from '@tributary/protocol';
import { Raft, type RaftConfig } from './raft';
import type { Message } from './message';
import type { Ready } from './ready';
import { sameHardState, type ConfChange, type ConfState, type HardState, type LogIndex, type NodeId, type SoftState } from './types';

/**
 * The caller's handle on one Raft node: feed it ticks, messages and requests; take a Ready;
 * do what it says; `advance()`. Everything is synchronous and deterministic.
 */
export class RawNode {
  private readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private pending: Ready | undefined;
  private readonly maxCommittedSizePerReadyBytes: number;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.maxCommittedSizePerReadyBytes = config.maxCommittedSizePerReadyBytes ?? 16 * 1024 * 1024;
    this.prevSoft = this.raft.softState();
    this.prevHard = this.raft.hardState();
  }

  get id(): NodeId {
    return this.raft.id;
  }

  /** Starts a brand-new cluster on an empty log (see Raft.bootstrap). */
  bootstrap(voters: readonly NodeId[]): void {
    this.raft.bootstrap(voters);
  }

  /** Advances logical time by one tick; call at a fixed interval. */
  tick(): void {
    this.raft.tick();
  }

  /** Campaigns now instead of waiting for the election timeout. */
  campaign(): void {
    this.raft.campaignNow();
  }

  /** A message from a peer. Messages from unknown or old terms are handled by Raft itself. */
  step(m: Message): void {
    if (m.to !== this.raft.id) {
      throw new TributaryError('INVALID_REQUEST', `message ${m.type} for node ${m.to} was delivered to node ${this.raft.id}`);
    }
    this.raft.step(m);
  }

  /** Proposes one entry; NOT_LEADER_OR_FOLLOWER unless leader. Returns its index (not yet committed). */
  propose(data: Uint8Array): LogIndex {
    return this.raft.propose([data]);
  }

  proposeConfChange(cc: ConfChange): LogIndex {
    return this.raft.proposeConfChange(cc);
  }

  /** Call while applying a committed `confChange` entry, with its data. */
  applyConfChange(data: Uint8Array): ConfState {
    return this.raft.applyConfChange(data);
  }

  transferLeader(to: NodeId): void {
    this.raft.transferLeader(to);
  }

  /** Requests a linearizable read point; its ReadState appears in a later Ready. */
  readIndex(context?: string): string {
    return this.raft.readIndex(context);
  }

  status(): { id: NodeId; hardState: HardState; softState: SoftState; applied: LogIndex; lastIndex: LogIndex; confState: ConfState } {
    return {
      id: this.raft.id,
      hardState: this.raft.hardState(),
      softState: this.raft.softState(),
      applied: this.raft.raftLog.applied,
      lastIndex: this.raft.raftLog.lastIndex(),
      confState: this.raft.trk.confState(),
    };
  }

  hasReady(): boolean {
    const r = this.raft;
    const soft = r.softState();
    return (
      soft.leader !== this.prevSoft.leader ||
      soft.role !== this.prevSoft.role ||
      !sameHardState(r.hardState(), this.prevHard) ||
      r.raftLog.unstable.snapshot !== undefined ||
      r.raftLog.unstable.entries.length > 0 ||
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      r.raftLog.hasNextCommittedEntries()
    );
  }

  /** Collects what to persist, send and apply. Take one Ready at a time and `advance()` it. */
  ready(): Ready {
    if (this.pending) throw new TributaryError('INVALID_REQUEST', 'the previous Ready was not advanced; call advance() first');
    const r = this.raft;
    const soft = r.softState();
    const hard = r.hardState();
    const softChanged = soft.leader !== this.prevSoft.leader || soft.role !== this.prevSoft.role;
    const rd: Ready = {
      softState: softChanged ? soft : undefined,
      hardState: sameHardState(hard, this.prevHard) ? undefined : hard,
      entries: r.raftLog.unstable.entries.slice(),
      snapshot: r.raftLog.unstable.snapshot,
      // Nothing after a pending snapshot applies before the snapshot itself.
      committedEntries: r.raftLog.unstable.snapshot ? [] : r.raftLog.nextCommittedEntries(this.maxCommittedSizePerReadyBytes),
      messages: r.msgs,
      readStates: r.readStates,
    };
    r.msgs = [];
    r.readStates = [];
    if (rd.softState) this.prevSoft = soft;
    if (rd.hardState) this.prevHard = hard;
    this.pending = rd;
    return rd;
  }

  /** The last Ready was persisted, sent and applied. */
  advance(): void {
    const rd = this.pending;
    if (!rd) throw new TributaryError('INVALID_REQUEST', 'advance() without a Ready; call ready() first');
    this.pending = undefined;
    const last = rd.entries[rd.entries.length - 1];
    const applied = rd.committedEntries[rd.committedEntries.length - 1];
    this.raft.advance(last?.index ?? 0, last?.term ?? 0, rd.snapshot?.metadata.index ?? 0, applied?.index ?? 0);
  }
}
