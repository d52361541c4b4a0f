import { limitSize, type Storage } from './storage';
import { Unstable } from './unstable';
import type { Entry, LogIndex, Snapshot, Term } from './types';

/**
 * The log as one Raft node sees it: the persisted part in Storage followed by the unstable
 * tail not yet persisted, plus the commit and applied positions.
 * Invariant: firstIndex - 1 ≤ applied ≤ committed ≤ lastIndex.
 */
export class RaftLog {
  readonly unstable: Unstable;
  committed: LogIndex;
  applied: LogIndex;

  constructor(readonly storage: Storage, applied: LogIndex = 0) {
    const first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = first - 1;
    this.applied = Math.max(first - 1, applied);
  }

  firstIndex(): LogIndex {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): LogIndex {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): Term {
    const t = this.term(this.lastIndex());
    if (t === undefined) throw new Error(`raft log: no term for the last index ${this.lastIndex()}`);
    return t;
  }

  /** The term at `index`, or undefined when compacted or past the end. */
  term(index: LogIndex): Term | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    return this.unstable.maybeTerm(index) ?? this.storage.term(index);
  }

  matchTerm(index: LogIndex, term: Term): boolean {
    return this.term(index) === term;
  }

  /** Raft's "at least as up-to-date" rule for granting a vote (§5.4.1). */
  isUpToDate(lastIndex: LogIndex, lastTerm: Term): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /**
   * The index of the first entry of `ents` that is missing here or has another term, or 0 when
   * all are present. Entries at or below it that match are duplicates to skip.
   */
  findConflict(ents: readonly Entry[]): LogIndex {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The last position at or below `index` whose term is ≤ `term`: everything above it can't
   * match a log whose entry at `index` has `term`, so a leader may skip it in one step.
   */
  findConflictByTerm(index: LogIndex, term: Term): { index: LogIndex; term: Term } {
    for (let i = index; i >= this.firstIndex() - 1; i--) {
      const t = this.term(i);
      if (t === undefined) break;
      if (t <= term) return { index: i, term: t };
    }
    return { index: Math.max(0, this.firstIndex() - 1), term: 0 };
  }

  /**
   * Appends a leader's entries that follow (index, logTerm) if this log has that entry; returns
   * the last index now known to match the leader, or undefined when (index, logTerm) is missing.
   */
  maybeAppend(index: LogIndex, logTerm: Term, committed: LogIndex, ents: readonly Entry[]): LogIndex | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + ents.length;
    const conflict = this.findConflict(ents);
    if (conflict !== 0) {
      if (conflict <= this.committed) {
        throw new Error(`raft log: entry ${conflict} conflicts with the committed prefix ending at ${this.committed}`);
      }
      this.append(ents.slice(conflict - index - 1));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(ents: readonly Entry[]): LogIndex {
    if (ents.length === 0) return this.lastIndex();
    if (ents[0].index - 1 < this.committed) {
      throw new Error(`raft log: append at ${ents[0].index} would overwrite committed entries up to ${this.committed}`);
    }
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /** Raises the commit index (never lowers it: a stale leader's commit is ignored). */
  commitTo(index: LogIndex): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) {
      throw new Error(`raft log: commit ${index} is beyond the last index ${this.lastIndex()}`);
    }
    this.committed = index;
  }

  appliedTo(index: LogIndex): void {
    if (index === 0) return;
    if (index > this.committed || index < this.applied) {
      throw new Error(`raft log: applied ${index} outside [${this.applied}, ${this.committed}]`);
    }
    this.applied = index;
  }

  /** Entries in [lo, hi) from storage and the unstable tail, bounded by size (at least one). */
  slice(lo: LogIndex, hi: LogIndex, maxSizeBytes: number): Entry[] | undefined {
    if (lo < this.firstIndex() || hi > this.lastIndex() + 1) return undefined;
    if (lo >= hi) return [];
    const out: Entry[] = [];
    const split = this.unstable.offset;
    if (lo < split) {
      out.push(...this.storage.entries(lo, Math.min(hi, split), maxSizeBytes));
      if (out.length < Math.min(hi, split) - lo) return out; // storage already hit the size limit
    }
    if (hi > split) out.push(...this.unstable.slice(Math.max(lo, split), hi));
    return limitSize(out, maxSizeBytes);
  }

  /** Committed entries not yet applied, for the next Ready. */
  nextCommittedEntries(maxSizeBytes: number): Entry[] {
    const lo = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed + 1 <= lo) return [];
    return this.slice(lo, this.committed + 1, maxSizeBytes) ?? [];
  }

  hasNextCommittedEntries(): boolean {
    return this.committed > Math.max(this.applied, this.firstIndex() - 1);
  }

  /** The snapshot to send a follower: a pending unstable one, else the stored one. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** Replaces the log with a leader's snapshot. */
  restore(snap: Snapshot): void {
    this.committed = snap.metadata.index;
    this.unstable.restore(snap);
  }
}
