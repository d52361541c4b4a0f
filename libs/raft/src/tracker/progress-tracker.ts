import { MajorityConfig, type VoteResult } from '../quorum';
import { Progress } from './progress';
import type { ConfState, LogIndex, NodeId } from '../types';

/** The leader's view of every member, the current configuration, and votes of a campaign. */
export class ProgressTracker {
  config: MajorityConfig = new MajorityConfig([]);
  learners: Set<NodeId> = new Set();
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(private readonly maxInflightMsgs: number) {}

  confState(): ConfState {
    return { voters: [...this.config.voters].sort((a, b) => a - b), learners: [...this.learners].sort((a, b) => a - b) };
  }

  /** Replaces the membership; members keep their progress, new ones start probing at `next`. */
  applyConfState(cs: ConfState, next: LogIndex): void {
    this.config = new MajorityConfig(cs.voters);
    this.learners = new Set(cs.learners);
    for (const id of [...this.progress.keys()]) {
      if (!this.isMember(id)) this.progress.delete(id);
    }
    for (const id of [...cs.voters, ...cs.learners]) {
      const pr = this.progress.get(id);
      if (pr) pr.isLearner = this.learners.has(id);
      else this.progress.set(id, new Progress(0, next, this.maxInflightMsgs, this.learners.has(id)));
    }
  }

  isMember(id: NodeId): boolean {
    return this.config.voters.has(id) || this.learners.has(id);
  }

  isVoter(id: NodeId): boolean {
    return this.config.voters.has(id);
  }

  committed(): LogIndex {
    return this.config.committedIndex((id) => this.progress.get(id)?.match ?? 0);
  }

  /** True when a majority of voters was heard from recently (self always counts). */
  quorumActive(self: NodeId): boolean {
    const votes = new Map<NodeId, boolean>();
    for (const [id, pr] of this.progress) {
      if (!pr.isLearner) votes.set(id, id === self || pr.recentActive);
    }
    return this.config.voteResult(votes) === 'won';
  }

  resetVotes(): void {
    this.votes.clear();
  }

  /** Records a vote (the first one from each voter counts) and returns the tally. */
  recordVote(id: NodeId, granted: boolean): VoteResult {
    if (!this.votes.has(id)) this.votes.set(id, granted);
    return this.config.voteResult(this.votes);
  }
}
