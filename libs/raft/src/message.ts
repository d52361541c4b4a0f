import type { Entry, LogIndex, NodeId, Snapshot, Term } from './types';

/**
 * Messages between Raft peers. Every message carries the sender's term; the receiver steps
 * down on a higher term and ignores (or answers with its own term) a lower one.
 *
 * - `app`: entries after (`index`, `logTerm`) plus the leader's commit index.
 * - `appResp`: `index` is the last index now matching, or on `reject` the rejected `index`
 *   with a hint (`rejectHint`, `logTerm`) — the follower's last entry at or below the probe
 *   whose term is ≤ the probe's term — so the leader skips a whole term per round trip.
 * - `vote` / `preVote`: a candidacy with the candidate's last log position; `transfer` marks a
 *   leadership transfer, which may break a follower's leader lease.
 * - `heartbeat`: the commit index the follower may use (never above its match); `context`
 *   ties a heartbeat round to a ReadIndex request.
 * - `snap`: a snapshot for a follower whose next entries were compacted away.
 * - `timeoutNow`: the leader asks a caught-up transferee to campaign at once.
 */
interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: Term;
}

export type AppMessage = Envelope & {
  readonly type: 'app';
  readonly index: LogIndex;
  readonly logTerm: Term;
  readonly entries: readonly Entry[];
  readonly commit: LogIndex;
};
export type AppRespMessage = Envelope & {
  readonly type: 'appResp';
  readonly index: LogIndex;
  readonly reject: boolean;
  readonly rejectHint: LogIndex;
  readonly logTerm: Term;
};
export type VoteMessage = Envelope & {
  readonly type: 'vote' | 'preVote';
  readonly index: LogIndex;
  readonly logTerm: Term;
  readonly transfer: boolean;
};
export type VoteRespMessage = Envelope & { readonly type: 'voteResp' | 'preVoteResp'; readonly reject: boolean };
export type HeartbeatMessage = Envelope & { readonly type: 'heartbeat'; readonly commit: LogIndex; readonly context: string };
export type HeartbeatRespMessage = Envelope & { readonly type: 'heartbeatResp'; readonly context: string };
export type SnapMessage = Envelope & { readonly type: 'snap'; readonly snapshot: Snapshot };
export type TimeoutNowMessage = Envelope & { readonly type: 'timeoutNow' };

export type Message =
  | AppMessage
  | AppRespMessage
  | VoteMessage
  | VoteRespMessage
  | HeartbeatMessage
  | HeartbeatRespMessage
  | SnapMessage
  | TimeoutNowMessage;

export type MessageType = Message['type'];

/** Distributes Omit over the union so each variant keeps its own fields. */
export type MessageBody = Message extends infer M ? (M extends Message ? Omit<M, 'from' | 'term'> : never) : never;
