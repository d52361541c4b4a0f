import { TributaryError } from '@tributary/protocol';
import { decodeConfChange, encodeConfChange } from './conf-change';
import { RaftLog } from './raft-log';
import { ReadOnly } from './read-only';
import { ProgressTracker, type Progress } from './tracker';
import {
  NO_NODE,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type LogIndex,
  type NodeId,
  type ReadState,
  type SoftState,
  type StateRole,
  type Term,
} from './types';
import type { Storage } from './storage';
import type {
  AppMessage,
  AppRespMessage,
  HeartbeatMessage,
  HeartbeatRespMessage,
  Message,
  MessageBody,
  SnapMessage,
  VoteMessage,
  VoteRespMessage,
} from './message';

export interface RaftConfig {
  id: NodeId;
  storage: Storage;
  /** A follower that hears nothing for a random [electionTick, 2·electionTick) ticks campaigns. */
  electionTick: number;
  heartbeatTick: number;
  /** Uniform in [0, 1): the only source of randomness (the election timeouts). Inject a seeded one in tests. */
  random: () => number;
  /** The last applied index on restart (entries up to it are not handed out again). */
  applied?: LogIndex;
  /** Bytes of entries per append message (one entry is always allowed). */
  maxSizePerMsgBytes?: number;
  /** Append messages in flight per follower before the leader waits for acknowledgements. */
  maxInflightMsgs?: number;
  /** Bytes of committed entries per Ready. */
  maxCommittedSizePerReadyBytes?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  /**
   * Deliberately broken behaviour, only for proving that the simulator's checkers catch bugs.
   * Never set it outside tests.
   */
  unsafe?: { grantEveryVote?: boolean; commitByCountingOldTerms?: boolean };
}

/**
 * The Raft state machine (etcd-style): it steps messages and ticks and queues messages in
 * `msgs`; it never does I/O. RawNode wraps it and hands out Ready values.
 */
export class Raft {
  readonly id: NodeId;
  term: Term = 0;
  vote: NodeId = NO_NODE;
  lead: NodeId = NO_NODE;
  role: StateRole = 'follower';
  readonly raftLog: RaftLog;
  readonly trk: ProgressTracker;
  msgs: Message[] = [];
  readStates: ReadState[] = [];

  private readonly electionTick: number;
  private readonly heartbeatTick: number;
  private readonly maxSizePerMsgBytes: number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly random: () => number;
  private readonly unsafe: NonNullable<RaftConfig['unsafe']>;

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  /** A conf change at an index above `applied` is in flight: no second one until it applies. */
  private pendingConfIndex: LogIndex = 0;
  leadTransferee: NodeId = NO_NODE;
  private readonly readOnly = new ReadOnly();
  /** ReadIndex requests made before this leader committed an entry of its term. */
  private pendingReads: string[] = [];
  private readSeq = 0;

  constructor(c: RaftConfig) {
    if (c.heartbeatTick <= 0 || c.electionTick <= c.heartbeatTick) {
      throw new TributaryError('INVALID_CONFIG', `electionTick (${c.electionTick}) must exceed heartbeatTick (${c.heartbeatTick}) > 0`);
    }
    this.id = c.id;
    this.electionTick = c.electionTick;
    this.heartbeatTick = c.heartbeatTick;
    this.maxSizePerMsgBytes = c.maxSizePerMsgBytes ?? 1024 * 1024;
    this.preVote = c.preVote ?? true;
    this.checkQuorum = c.checkQuorum ?? true;
    this.random = c.random;
    this.unsafe = c.unsafe ?? {};
    this.raftLog = new RaftLog(c.storage, c.applied);
    this.trk = new ProgressTracker(c.maxInflightMsgs ?? 256);
    const { hardState, confState } = c.storage.initialState();
    this.trk.applyConfState(confState, this.raftLog.lastIndex() + 1);
    if (hardState.term !== 0 || hardState.commit !== 0) {
      if (hardState.commit > this.raftLog.lastIndex()) {
        throw new TributaryError(
          'KAFKA_STORAGE_ERROR',
          `hard state commit ${hardState.commit} is beyond the stored last index ${this.raftLog.lastIndex()}: the log lost entries`,
        );
      }
      this.term = hardState.term;
      this.vote = hardState.vote;
      this.raftLog.commitTo(hardState.commit);
    }
    this.becomeFollower(this.term, NO_NODE);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  softState(): SoftState {
    return { leader: this.lead, role: this.role };
  }

  /** A voter of the current configuration may campaign; learners and removed nodes may not. */
  promotable(): boolean {
    return this.trk.isVoter(this.id);
  }

  // ---- time ----

  tick(): void {
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.campaign('preElection');
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTick) {
      this.electionElapsed = 0;
      if (this.checkQuorum) {
        if (!this.trk.quorumActive(this.id)) {
          // Without recent word from a majority this leader may be partitioned away; stepping
          // down lets followers on the majority side (who respect its lease) elect another.
          this.becomeFollower(this.term, NO_NODE);
          return;
        }
        for (const [id, pr] of this.trk.progress) if (id !== this.id) pr.recentActive = false;
      }
      this.leadTransferee = NO_NODE; // a transfer not done within an election timeout is abandoned
    }
    if (this.heartbeatElapsed >= this.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.readOnly.lastPendingContext() ?? '');
    }
  }

  // ---- role changes ----

  private reset(term: Term): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NO_NODE;
    }
    this.lead = NO_NODE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTick + Math.floor(this.random() * this.electionTick);
    this.leadTransferee = NO_NODE;
    this.trk.resetVotes();
    const last = this.raftLog.lastIndex();
    for (const [id, pr] of this.trk.progress) {
      pr.match = id === this.id ? last : 0;
      pr.next = last + 1;
      pr.becomeProbe();
      pr.next = last + 1;
      pr.recentActive = id === this.id;
    }
    this.pendingConfIndex = 0;
    this.readOnly.reset();
    this.pendingReads = [];
  }

  becomeFollower(term: Term, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  private becomePreCandidate(): void {
    // Term and vote stay: a pre-vote changes nothing durable, so a node that can't win
    // (partitioned, stale log) never inflates the term and disrupts the cluster on rejoin.
    this.trk.resetVotes();
    this.lead = NO_NODE;
    this.role = 'preCandidate';
  }

  private becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    this.trk.progress.get(this.id)?.becomeReplicate();
    // Conf changes already in the log must apply before a new one (one change at a time).
    this.pendingConfIndex = this.raftLog.lastIndex();
    // The no-op entry of the new term: committing it commits everything before it (§5.4.2)
    // and lets ReadIndex serve reads.
    this.appendEntries([{ type: 'normal', data: new Uint8Array(0) }]);
  }

  /**
   * 'preElection' asks for pre-votes first (when pre-vote is on); 'election' asks for votes;
   * 'transfer' asks for votes that may break a follower's leader lease.
   */
  private campaign(kind: 'preElection' | 'election' | 'transfer'): void {
    if (!this.promotable()) return;
    // A committed membership change not applied yet may remove us or change the quorum:
    // campaigning under the old configuration could elect a leader the new one does not allow.
    if (this.hasUnappliedConfChange()) return;
    const pre = kind === 'preElection' && this.preVote;
    const transfer = kind === 'transfer';
    let voteTerm: Term;
    if (pre) {
      this.becomePreCandidate();
      voteTerm = this.term + 1;
    } else {
      this.becomeCandidate();
      voteTerm = this.term;
    }
    if (this.trk.recordVote(this.id, true) === 'won') {
      // A single voter wins at once.
      if (pre) this.campaign('election');
      else this.becomeLeader();
      return;
    }
    const index = this.raftLog.lastIndex();
    const logTerm = this.raftLog.lastTerm();
    for (const id of this.trk.config.voters) {
      if (id === this.id) continue;
      this.msgs.push({ type: pre ? 'preVote' : 'vote', from: this.id, to: id, term: voteTerm, index, logTerm, transfer });
    }
  }

  private hasUnappliedConfChange(): boolean {
    if (this.raftLog.committed <= this.raftLog.applied) return false;
    const ents = this.raftLog.slice(Math.max(this.raftLog.applied + 1, this.raftLog.firstIndex()), this.raftLog.committed + 1, Number.MAX_SAFE_INTEGER);
    return ents?.some((e) => e.type === 'confChange') ?? false;
  }

  /**
   * Starts a new cluster's log: one addVoter entry per voter at term 1, committed, with the
   * configuration in force at once. Members added later replay these entries (or receive a
   * snapshot) and so learn the full membership. Only on an empty log.
   */
  bootstrap(voters: readonly NodeId[]): void {
    if (this.raftLog.lastIndex() !== 0 || this.term !== 0) {
      throw new TributaryError('INVALID_REQUEST', `node ${this.id} already has a log (last index ${this.raftLog.lastIndex()}, term ${this.term}); bootstrap only a fresh node`);
    }
    if (voters.length === 0) throw new TributaryError('INVALID_REQUEST', 'bootstrap needs at least one voter');
    this.becomeFollower(1, NO_NODE);
    const ents = voters.map((id, i) => ({ term: 1, index: i + 1, type: 'confChange' as const, data: encodeConfChange({ type: 'addVoter', nodeId: id }) }));
    this.raftLog.append(ents);
    this.raftLog.commitTo(ents.length);
    this.trk.applyConfState({ voters, learners: [] }, this.raftLog.lastIndex() + 1);
  }

  // ---- stepping messages ----

  step(m: Message): void {
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        const inLease = this.checkQuorum && this.lead !== NO_NODE && this.electionElapsed < this.electionTick;
        // Leader lease: while we hear from a live leader, a (pre-)candidate is ignored — it
        // is partitioned or removed and would only disrupt. A transfer is the exception.
        if (inLease && !m.transfer) return;
      }
      if (m.type === 'preVote' || (m.type === 'preVoteResp' && !m.reject)) {
        // Pre-votes carry the future term without changing ours; a granted pre-vote response
        // carries the term we will campaign at.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NO_NODE);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'app' || m.type === 'heartbeat')) {
        // A stale leader that can't hear the new one learns our term and steps down; without
        // this, pre-vote or lease could keep it from ever seeing a higher term.
        this.send({ type: 'appResp', to: m.from, index: 0, reject: false, rejectHint: 0, logTerm: 0 });
      } else if (m.type === 'preVote') {
        this.sendAt(this.term, { type: 'preVoteResp', to: m.from, reject: true });
      }
      return;
    }

    if (m.type === 'vote' || m.type === 'preVote') {
      this.handleVote(m);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'candidate':
      case 'preCandidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  private handleVote(m: VoteMessage): void {
    const canVote =
      this.unsafe.grantEveryVote === true ||
      this.vote === m.from ||
      (this.vote === NO_NODE && this.lead === NO_NODE) ||
      (m.type === 'preVote' && m.term > this.term);
    const respType = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
    if (canVote && this.raftLog.isUpToDate(m.index, m.logTerm)) {
      // The response carries the candidate's term so a pre-candidate counts it.
      this.sendAt(m.term, { type: respType, to: m.from, reject: false });
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.sendAt(this.term, { type: respType, to: m.from, reject: true });
    }
  }

  private stepLeader(m: Message): void {
    const pr = this.trk.progress.get(m.from);
    if (!pr) return; // not a member (removed, or not yet added)
    pr.recentActive = true;
    switch (m.type) {
      case 'appResp':
        this.handleAppResp(m, pr);
        break;
      case 'heartbeatResp':
        this.handleHeartbeatResp(m, pr);
        break;
      default:
        break; // other messages at our term are stale or duplicated
    }
  }

  private handleAppResp(m: AppRespMessage, pr: Progress): void {
    if (m.reject) {
      let hint = m.rejectHint;
      // The follower's log has `m.logTerm` at `hint`; skip our entries above the last one with
      // a term ≤ that: they can't match either.
      if (m.logTerm > 0) hint = this.raftLog.findConflictByTerm(hint, m.logTerm).index;
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from, true);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);

    if (this.maybeCommit()) this.bcastAppend();
    else if (wasPaused) this.sendAppend(m.from, true);
    // Pipelining: keep the window full while there are entries to send.
    while (this.sendAppend(m.from, false)) {
      /* each call sends one more batch */
    }
    if (m.from === this.leadTransferee && pr.match === this.raftLog.lastIndex()) {
      this.send({ type: 'timeoutNow', to: m.from });
    }
  }

  private handleHeartbeatResp(m: HeartbeatRespMessage, pr: Progress): void {
    pr.probeSent = false;
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
    // The snapshot or its acknowledgement may have been lost: the follower is reachable, so
    // probe again (which resends the snapshot if it is still needed).
    if (pr.state === 'snapshot') pr.becomeProbe();
    if (pr.match < this.raftLog.lastIndex()) this.sendAppend(m.from, true);

    if (m.context === '' || !this.trk.isVoter(m.from)) return;
    const acks = this.readOnly.recvAck(m.from, m.context);
    if (!acks) return;
    const votes = new Map<NodeId, boolean>([...acks].map((id) => [id, true]));
    if (this.trk.config.voteResult(votes) !== 'won') return;
    for (const r of this.readOnly.advance(m.context)) this.readStates.push(r);
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'app':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        break;
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        break;
      case 'voteResp':
      case 'preVoteResp':
        this.handleVoteResp(m);
        break;
      default:
        break;
    }
  }

  private handleVoteResp(m: VoteRespMessage): void {
    // A candidate counts only votes, a pre-candidate only pre-votes.
    if ((m.type === 'preVoteResp') !== (this.role === 'preCandidate')) return;
    const result = this.trk.recordVote(m.from, !m.reject);
    if (result === 'won') {
      if (this.role === 'preCandidate') this.campaign('election');
      else {
        this.becomeLeader();
        this.bcastAppend();
      }
    } else if (result === 'lost') {
      this.becomeFollower(this.term, NO_NODE);
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        break;
      case 'snap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        break;
      case 'timeoutNow':
        this.campaign('transfer');
        break;
      default:
        break;
    }
  }

  private handleAppend(m: AppMessage): void {
    if (m.index < this.raftLog.committed) {
      this.send({ type: 'appResp', to: m.from, index: this.raftLog.committed, reject: false, rejectHint: 0, logTerm: 0 });
      return;
    }
    const lastNew = this.raftLog.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.send({ type: 'appResp', to: m.from, index: lastNew, reject: false, rejectHint: 0, logTerm: 0 });
      return;
    }
    const hint = this.raftLog.findConflictByTerm(Math.min(m.index, this.raftLog.lastIndex()), m.logTerm);
    this.send({ type: 'appResp', to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term });
  }

  private handleHeartbeat(m: HeartbeatMessage): void {
    this.raftLog.commitTo(m.commit);
    this.send({ type: 'heartbeatResp', to: m.from, context: m.context });
  }

  private handleSnapshot(m: SnapMessage): void {
    const { index, term } = m.snapshot.metadata;
    if (this.restore(m)) {
      this.send({ type: 'appResp', to: m.from, index: this.raftLog.lastIndex(), reject: false, rejectHint: 0, logTerm: 0 });
    } else {
      const ack = this.raftLog.matchTerm(index, term) ? Math.max(index, this.raftLog.committed) : this.raftLog.committed;
      this.send({ type: 'appResp', to: m.from, index: ack, reject: false, rejectHint: 0, logTerm: 0 });
    }
  }

  /** Installs a leader's snapshot unless the log already covers it. */
  private restore(m: SnapMessage): boolean {
    const { index, term, confState } = m.snapshot.metadata;
    if (index <= this.raftLog.committed) return false;
    if (this.raftLog.matchTerm(index, term)) {
      // The log already has the snapshot's last entry: just commit up to it.
      this.raftLog.commitTo(index);
      return false;
    }
    this.raftLog.restore(m.snapshot);
    this.trk.applyConfState(confState, this.raftLog.lastIndex() + 1);
    return true;
  }

  // ---- leader: replication ----

  private send(body: MessageBody): void {
    this.sendAt(this.term, body);
  }

  private sendAt(term: Term, body: MessageBody): void {
    this.msgs.push({ ...body, from: this.id, term } as Message);
  }

  /**
   * Sends the follower the entries it lacks (a snapshot if they were compacted). With
   * `sendIfEmpty` false it sends only when there are entries; returns whether it sent.
   */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.trk.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.raftLog.term(prevIndex);
    const entries = this.raftLog.slice(pr.next, this.raftLog.lastIndex() + 1, this.maxSizePerMsgBytes);
    if (prevTerm === undefined || entries === undefined) {
      const snapshot = this.raftLog.snapshot();
      this.send({ type: 'snap', to, snapshot });
      pr.becomeSnapshot(snapshot.metadata.index);
      return true;
    }
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries, commit: this.raftLog.committed });
    pr.sentEntries(entries.length, prevIndex + entries.length);
    return true;
  }

  private bcastAppend(): void {
    for (const id of this.trk.progress.keys()) if (id !== this.id) this.sendAppend(id, true);
  }

  private bcastHeartbeat(context: string): void {
    for (const [id, pr] of this.trk.progress) {
      if (id === this.id) continue;
      // Never a commit beyond what the follower is known to hold: it may lack those entries.
      this.send({ type: 'heartbeat', to: id, commit: Math.min(pr.match, this.raftLog.committed), context });
    }
  }

  /**
   * Advances the commit index to what a majority holds — but only to an entry of the current
   * term: an older-term entry on a majority can still be overwritten (figure 8 of the paper).
   */
  private maybeCommit(): boolean {
    const index = this.trk.committed();
    if (index <= this.raftLog.committed) return false;
    if (this.raftLog.term(index) !== this.term && !this.unsafe.commitByCountingOldTerms) return false;
    this.raftLog.commitTo(Math.min(index, this.raftLog.lastIndex()));
    if (this.raftLog.term(this.raftLog.committed) === this.term) this.releasePendingReads();
    return true;
  }

  private appendEntries(ents: { type: Entry['type']; data: Uint8Array }[]): void {
    let index = this.raftLog.lastIndex();
    const stamped = ents.map((e) => ({ term: this.term, index: ++index, type: e.type, data: e.data }));
    const last = this.raftLog.append(stamped);
    this.trk.progress.get(this.id)?.maybeUpdate(last);
    this.maybeCommit();
  }

  // ---- requests from the local caller ----

  private requireLeader(what: string): void {
    if (this.role !== 'leader') {
      const hint = this.lead !== NO_NODE ? `node ${this.lead} leads term ${this.term}` : `no leader is known in term ${this.term}`;
      throw new TributaryError('NOT_LEADER_OR_FOLLOWER', `${what} needs the leader; node ${this.id} is a ${this.role} (${hint}); retry there`);
    }
    if (this.leadTransferee !== NO_NODE) {
      throw new TributaryError('NOT_LEADER_OR_FOLLOWER', `${what}: leadership is moving to node ${this.leadTransferee}; retry there shortly`);
    }
  }

  /** Appends entries to the leader's log and replicates them. Returns the last index used. */
  propose(datas: Uint8Array[]): LogIndex {
    this.requireLeader('a proposal');
    this.appendEntries(datas.map((data) => ({ type: 'normal' as const, data })));
    this.bcastAppend();
    return this.raftLog.lastIndex();
  }

  proposeConfChange(cc: ConfChange): LogIndex {
    this.requireLeader('a membership change');
    if (this.pendingConfIndex > this.raftLog.applied) {
      throw new TributaryError(
        'INVALID_REQUEST',
        `a membership change at index ${this.pendingConfIndex} is not applied yet (applied ${this.raftLog.applied}); one change at a time — retry after it applies`,
      );
    }
    const isVoter = this.trk.isVoter(cc.nodeId);
    const isLearner = this.trk.learners.has(cc.nodeId);
    if ((cc.type === 'addVoter' && isVoter) || (cc.type === 'addLearner' && (isLearner || isVoter)) || (cc.type === 'removeNode' && !isVoter && !isLearner)) {
      throw new TributaryError('INVALID_REQUEST', `membership change ${cc.type} of node ${cc.nodeId} changes nothing in ${JSON.stringify(this.trk.confState())}`);
    }
    if (cc.type === 'removeNode' && isVoter && this.trk.config.voters.size === 1) {
      throw new TributaryError('INVALID_REQUEST', `node ${cc.nodeId} is the last voter; add another before removing it`);
    }
    this.appendEntries([{ type: 'confChange', data: encodeConfChange(cc) }]);
    this.pendingConfIndex = this.raftLog.lastIndex();
    this.bcastAppend();
    return this.pendingConfIndex;
  }

  /** Applies a committed conf change entry (the caller calls this while applying it). */
  applyConfChange(data: Uint8Array): ConfState {
    const cc = decodeConfChange(data);
    const cs = this.trk.confState();
    let voters = cs.voters.filter((id) => id !== cc.nodeId);
    let learners = cs.learners.filter((id) => id !== cc.nodeId);
    if (cc.type === 'addVoter') voters = [...voters, cc.nodeId];
    if (cc.type === 'addLearner') learners = [...learners, cc.nodeId];
    this.trk.applyConfState({ voters, learners }, this.raftLog.lastIndex() + 1);
    if (this.role === 'leader') {
      if (!this.trk.isVoter(this.id)) {
        // Removed (or demoted) leaders step down; the rest elect a leader among themselves.
        this.becomeFollower(this.term, NO_NODE);
      } else {
        const fresh = this.trk.progress.get(cc.nodeId);
        if (fresh && cc.type !== 'removeNode') fresh.recentActive = true;
        if (this.leadTransferee !== NO_NODE && !this.trk.isVoter(this.leadTransferee)) this.leadTransferee = NO_NODE;
        // A smaller quorum may commit more at once.
        if (this.maybeCommit()) this.bcastAppend();
        else this.bcastAppend();
      }
    }
    return this.trk.confState();
  }

  /** Hands leadership to a caught-up voter: it is told to campaign at once (TimeoutNow). */
  transferLeader(to: NodeId): void {
    if (this.role !== 'leader') this.requireLeader('a leadership transfer');
    if (to === this.id || to === this.leadTransferee) return;
    if (!this.trk.isVoter(to)) {
      throw new TributaryError('INVALID_REQUEST', `node ${to} is not a voter of ${JSON.stringify(this.trk.confState())}; only a voter can lead`);
    }
    this.leadTransferee = to;
    this.electionElapsed = 0; // the transfer must finish within one election timeout
    if (this.trk.progress.get(to)?.match === this.raftLog.lastIndex()) this.send({ type: 'timeoutNow', to });
    else this.sendAppend(to, true);
  }

  /**
   * Requests a linearizable read point. Once a majority confirms this node still leads, a
   * ReadState {index, context} appears in a Ready; serve the read when applied ≥ index.
   * Returns the context, generated when not given.
   */
  readIndex(context?: string): string {
    this.requireLeader('a read index');
    const ctx = context ?? `${this.id}:${this.term}:${++this.readSeq}`;
    if (this.raftLog.term(this.raftLog.committed) !== this.term) {
      // Until an entry of this term commits, the commit index may lag what earlier leaders
      // committed; the read waits for the no-op.
      this.pendingReads.push(ctx);
      return ctx;
    }
    this.startRead(ctx);
    return ctx;
  }

  private releasePendingReads(): void {
    const pending = this.pendingReads;
    this.pendingReads = [];
    for (const ctx of pending) this.startRead(ctx);
  }

  private startRead(ctx: string): void {
    if (this.trk.config.voters.size === 1 && this.trk.isVoter(this.id)) {
      this.readStates.push({ index: this.raftLog.committed, context: ctx });
      return;
    }
    this.readOnly.add(this.raftLog.committed, ctx, this.id);
    this.bcastHeartbeat(ctx);
  }

  /** Forces an election now (the caller's "campaign"); ignored by leaders and non-voters. */
  campaignNow(): void {
    if (this.role !== 'leader') this.campaign('preElection');
  }

  /** The caller persisted entries/snapshot and applied entries up to these positions. */
  advance(stableIndex: LogIndex, stableTerm: Term, snapshotIndex: LogIndex, appliedIndex: LogIndex): void {
    if (snapshotIndex > 0) {
      this.raftLog.unstable.stableSnapTo(snapshotIndex);
      if (snapshotIndex > this.raftLog.applied) this.raftLog.applied = snapshotIndex;
    }
    if (stableIndex > 0) this.raftLog.unstable.stableTo(stableIndex, stableTerm);
    if (appliedIndex > 0) this.raftLog.appliedTo(appliedIndex);
  }
}
