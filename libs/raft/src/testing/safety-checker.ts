import type { Entry, LogIndex, NodeId, Term } from '../index';

/** A broken Raft invariant, carrying the name of the property. */
export class InvariantViolation extends Error {
  constructor(readonly property: string, detail: string) {
    super(`${property}: ${detail}`);
    this.name = 'InvariantViolation';
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface LogPosition {
  readonly prevTerm: Term | undefined;
  readonly entry: Entry;
}

/**
 * Raft's safety properties, checked from outside the code under test against what nodes
 * persist, report and apply:
 * - election safety: at most one leader per term;
 * - log matching: two logs with an entry of the same index and term hold the same entry and
 *   agree on the term before it (so, inductively, on the whole prefix);
 * - leader completeness: a leader's log holds every entry committed in an earlier term;
 * - state-machine safety: no two nodes apply different entries at one index;
 * - monotonic commit: a node's persisted commit index never decreases.
 */
export class SafetyChecker {
  private readonly leaderOfTerm = new Map<Term, NodeId>();
  private readonly positions = new Map<string, LogPosition>();
  private readonly applied = new Map<LogIndex, Entry>();
  private readonly commitOf = new Map<NodeId, LogIndex>();

  leaderElected(term: Term, id: NodeId, termAt: (index: LogIndex) => Term | undefined): void {
    const other = this.leaderOfTerm.get(term);
    if (other !== undefined && other !== id) {
      throw new InvariantViolation('election safety', `nodes ${other} and ${id} both lead term ${term}`);
    }
    this.leaderOfTerm.set(term, id);
    for (const [index, e] of this.applied) {
      const t = termAt(index);
      if (t !== undefined && t !== e.term) {
        throw new InvariantViolation(
          'leader completeness',
          `node ${id} leads term ${term} with term ${t} at index ${index}, where term ${e.term} was committed`,
        );
      }
    }
  }

  persisted(id: NodeId, entry: Entry, prevTerm: Term | undefined): void {
    const key = `${entry.index}:${entry.term}`;
    const known = this.positions.get(key);
    if (!known) {
      this.positions.set(key, { prevTerm, entry });
      return;
    }
    if (!sameBytes(known.entry.data, entry.data) || known.entry.type !== entry.type) {
      throw new InvariantViolation('log matching', `node ${id} holds another entry at index ${entry.index} term ${entry.term}`);
    }
    if (prevTerm !== undefined && known.prevTerm !== undefined && prevTerm !== known.prevTerm) {
      throw new InvariantViolation(
        'log matching',
        `node ${id} has term ${prevTerm} before index ${entry.index} term ${entry.term}; another log has ${known.prevTerm}`,
      );
    }
  }

  /** Returns true the first time an index is applied anywhere. */
  appliedEntry(id: NodeId, e: Entry): boolean {
    const known = this.applied.get(e.index);
    if (!known) {
      this.applied.set(e.index, e);
      return true;
    }
    if (known.term !== e.term || !sameBytes(known.data, e.data)) {
      throw new InvariantViolation(
        'state-machine safety',
        `node ${id} applied term ${e.term} at index ${e.index}; another node applied term ${known.term} there`,
      );
    }
    return false;
  }

  commitPersisted(id: NodeId, commit: LogIndex): void {
    const before = this.commitOf.get(id) ?? 0;
    if (commit < before) {
      throw new InvariantViolation('monotonic commit', `node ${id} persisted commit ${commit} after ${before}`);
    }
    this.commitOf.set(id, commit);
  }

  leaders(): ReadonlyMap<Term, NodeId> {
    return this.leaderOfTerm;
  }
}
