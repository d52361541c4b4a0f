import type { LogIndex, NodeId } from '../types';

export type VoteResult = 'pending' | 'lost' | 'won';

/**
 * A set of voters deciding by simple majority. Single-step membership changes keep every
 * two consecutive configurations' majorities overlapping, so one MajorityConfig suffices.
 */
export class MajorityConfig {
  readonly voters: ReadonlySet<NodeId>;

  constructor(voters: Iterable<NodeId>) {
    this.voters = new Set(voters);
  }

  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  /**
   * The highest index that a majority has acknowledged: sort the voters' acknowledged indexes
   * descending and take the quorum-th. An empty config commits everything (it has no say).
   */
  committedIndex(acked: (id: NodeId) => LogIndex): LogIndex {
    if (this.voters.size === 0) return Number.MAX_SAFE_INTEGER;
    const indexes = [...this.voters].map(acked).sort((a, b) => b - a);
    return indexes[this.quorum() - 1];
  }

  /** Won once a majority granted; lost once a majority can no longer grant. */
  voteResult(votes: ReadonlyMap<NodeId, boolean>): VoteResult {
    if (this.voters.size === 0) return 'won';
    let granted = 0;
    let missing = 0;
    for (const id of this.voters) {
      const v = votes.get(id);
      if (v === undefined) missing++;
      else if (v) granted++;
    }
    const q = this.quorum();
    if (granted >= q) return 'won';
    if (granted + missing >= q) return 'pending';
    return 'lost';
  }
}
