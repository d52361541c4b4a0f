/**
 * The vocabulary of the consensus core. Node ids are branded so a term or an index can't be
 * passed where a node is expected; terms and log indexes stay plain numbers under their own
 * names because the algorithm does arithmetic on them everywhere.
 */
export type NodeId = number & { readonly __brand: 'NodeId' };
export type Term = number;
export type LogIndex = number;

/** "No node": no leader known, no vote cast. Real node ids are positive integers. */
export const NO_NODE = 0 as NodeId;

export function nodeId(id: number): NodeId {
  if (!Number.isInteger(id) || id <= 0) throw new RangeError(`node id must be a positive integer, got ${id}`);
  return id as NodeId;
}

export type EntryType = 'normal' | 'confChange';

/** One log entry. `data` is opaque to Raft; an empty normal entry is a leader's no-op. */
export interface Entry {
  readonly term: Term;
  readonly index: LogIndex;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** A single-step membership change, carried in a `confChange` entry (see conf-change.ts). */
export type ConfChange =
  | { readonly type: 'addVoter'; readonly nodeId: NodeId }
  | { readonly type: 'addLearner'; readonly nodeId: NodeId }
  | { readonly type: 'removeNode'; readonly nodeId: NodeId };

/** The membership of the cluster: voters decide, learners only receive the log. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface SnapshotMetadata {
  readonly index: LogIndex;
  readonly term: Term;
  readonly confState: ConfState;
}

/** A state-machine image covering the log up to and including `metadata.index`. */
export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: Uint8Array;
}

/** What must be durable before any message of the same Ready is sent. */
export interface HardState {
  readonly term: Term;
  readonly vote: NodeId;
  readonly commit: LogIndex;
}

export type StateRole = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** Volatile state, reported for information only (never persisted). */
export interface SoftState {
  readonly leader: NodeId;
  readonly role: StateRole;
}

/** A linearizable read point: serve request `context` once applied ≥ `index`. */
export interface ReadState {
  readonly index: LogIndex;
  readonly context: string;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: NO_NODE, commit: 0 };

export function isEmptyHardState(hs: HardState): boolean {
  return hs.term === 0 && hs.vote === NO_NODE && hs.commit === 0;
}

export function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** Bytes an entry counts for against `maxSizePerMsgBytes`. */
export function entrySizeBytes(e: Entry): number {
  return e.data.length + 16;
}
