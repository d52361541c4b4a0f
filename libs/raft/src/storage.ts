import { TributaryError } from '@tributary/protocol';
import {
  EMPTY_HARD_STATE,
  entrySizeBytes,
  type ConfState,
  type Entry,
  type HardState,
  type LogIndex,
  type Snapshot,
  type Term,
} from './types';

/**
 * The durable log as Raft reads it. Raft never writes here: the caller persists what a Ready
 * hands out (hard state, entries, snapshot) and then calls `advance()`. Indexes run from
 * `firstIndex()` to `lastIndex()` inclusive; the entry just before `firstIndex()` is covered by
 * the latest snapshot, whose term `term(firstIndex() - 1)` still answers.
 */
export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at least one when lo < hi, stopping once `maxSizeBytes` is passed. */
  entries(lo: LogIndex, hi: LogIndex, maxSizeBytes: number): Entry[];
  /** The term at `index`, or undefined when compacted (below firstIndex - 1) or past the end. */
  term(index: LogIndex): Term | undefined;
  firstIndex(): LogIndex;
  lastIndex(): LogIndex;
  /** The latest snapshot, sent to followers that need entries compacted away. */
  snapshot(): Snapshot;
}

/** Take entries in order until their size passes `maxSizeBytes`, always keeping the first. */
export function limitSize(entries: Entry[], maxSizeBytes: number): Entry[] {
  let size = 0;
  for (let i = 0; i < entries.length; i++) {
    size += entrySizeBytes(entries[i]);
    if (i > 0 && size > maxSizeBytes) return entries.slice(0, i);
  }
  return entries;
}

/**
 * A Storage held in memory, for tests and the simulator — there it *is* the durable state a
 * crashed node restarts from. `entries[0]` is a placeholder for the snapshot position (its
 * index and term), so `term(firstIndex() - 1)` needs no special case.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot;
  private ents: Entry[];

  /** A fresh log whose initial membership is `confState` (the bootstrap of a new cluster). */
  constructor(confState: ConfState = { voters: [], learners: [] }) {
    this.snap = { metadata: { index: 0, term: 0, confState }, data: new Uint8Array(0) };
    this.ents = [placeholder(0, 0)];
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = hs;
  }

  entries(lo: LogIndex, hi: LogIndex, maxSizeBytes: number): Entry[] {
    const offset = this.ents[0].index;
    if (lo <= offset || hi > this.lastIndex() + 1) {
      throw new RangeError(`entries [${lo}, ${hi}) outside the stored range [${offset + 1}, ${this.lastIndex() + 1})`);
    }
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxSizeBytes);
  }

  term(index: LogIndex): Term | undefined {
    const offset = this.ents[0].index;
    if (index < offset || index > this.lastIndex()) return undefined;
    return this.ents[index - offset].term;
  }

  firstIndex(): LogIndex {
    return this.ents[0].index + 1;
  }

  lastIndex(): LogIndex {
    return this.ents[0].index + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the whole log with a snapshot received from a leader. */
  applySnapshot(snap: Snapshot): void {
    if (snap.metadata.index <= this.snap.metadata.index) return; // older than what we hold
    this.snap = snap;
    this.ents = [placeholder(snap.metadata.index, snap.metadata.term)];
  }

  /**
   * Records a snapshot of the applied state at `index` (≤ last index); the log is not cut —
   * call `compact` for that.
   */
  createSnapshot(index: LogIndex, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.metadata.index) return this.snap;
    const term = this.term(index);
    if (term === undefined) {
      throw new TributaryError('INVALID_REQUEST', `cannot snapshot at index ${index}: beyond the last index ${this.lastIndex()}`);
    }
    this.snap = { metadata: { index, term, confState }, data };
    return this.snap;
  }

  /** Drops entries up to and including `compactIndex` (which must be covered by a snapshot). */
  compact(compactIndex: LogIndex): void {
    const offset = this.ents[0].index;
    if (compactIndex <= offset) return;
    if (compactIndex > this.snap.metadata.index) {
      throw new TributaryError(
        'INVALID_REQUEST',
        `cannot compact to ${compactIndex}: the latest snapshot covers only up to ${this.snap.metadata.index}`,
      );
    }
    const i = compactIndex - offset;
    this.ents = [placeholder(compactIndex, this.ents[i].term), ...this.ents.slice(i + 1)];
  }

  /** Appends entries, replacing any conflicting suffix (a new leader overwrote it). */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const offset = this.ents[0].index;
    const first = entries[0].index;
    if (first > this.lastIndex() + 1) {
      throw new RangeError(`append at ${first} leaves a gap after the last index ${this.lastIndex()}`);
    }
    // Entries already covered by the snapshot are skipped.
    const fresh = first <= offset ? entries.slice(offset + 1 - first) : entries;
    if (fresh.length === 0) return;
    this.ents = this.ents.slice(0, fresh[0].index - offset).concat(fresh);
  }
}

function placeholder(index: LogIndex, term: Term): Entry {
  return { index, term, type: 'normal', data: new Uint8Array(0) };
}
