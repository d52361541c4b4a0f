import { Inflights } from './inflights';
import type { LogIndex } from '../types';

/**
 * How the leader talks to one follower:
 * - `probe`: the match is unknown; one append per heartbeat until one is accepted.
 * - `replicate`: the follower keeps up; appends stream optimistically (next jumps ahead) up to
 *   the inflight window.
 * - `snapshot`: the entries it needs are compacted away; a snapshot is on its way and appends
 *   pause until it is acknowledged.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** Invariant: match < next. Entries in (match, next) are in flight. */
export class Progress {
  state: ProgressState = 'probe';
  /** In probe state: an append was sent and no answer or heartbeat response has come since. */
  probeSent = false;
  pendingSnapshot: LogIndex = 0;
  /** Heard from during the current election timeout (check-quorum). */
  recentActive = false;
  readonly inflights: Inflights;

  constructor(
    public match: LogIndex,
    public next: LogIndex,
    maxInflightMsgs: number,
    public isLearner: boolean,
  ) {
    this.inflights = new Inflights(maxInflightMsgs);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // After a snapshot, the follower has at least the snapshot: probe right after it.
    const floor = this.state === 'snapshot' ? this.pendingSnapshot : 0;
    this.resetState('probe');
    this.next = Math.max(this.match + 1, floor + 1);
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: LogIndex): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** Records an append carrying entries up to `lastIndex` (or none). */
  sentEntries(count: number, lastIndex: LogIndex): void {
    if (this.state === 'replicate' && count > 0) {
      this.next = lastIndex + 1;
      this.inflights.add(lastIndex);
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /** An acknowledgement of `index`; false when it is stale (already known). */
  maybeUpdate(index: LogIndex): boolean {
    if (index <= this.match) return false;
    this.match = index;
    this.next = Math.max(this.next, index + 1);
    this.probeSent = false;
    return true;
  }

  /**
   * A rejection of the append at `rejected`; `hint` is where the follower's log may match.
   * False when the rejection is stale (reordered or duplicated).
   */
  maybeDecrTo(rejected: LogIndex, hint: LogIndex): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    // In probe state only the latest probe (at next - 1) counts.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}
