import { TributaryError } from '@tributary/protocol';
import { RaftEntryType, RaftMessageType, type RaftEntry, type RaftMessage, type SnapshotHeader } from '@tributary/proto';
import type { Entry, Message, NodeId, SnapMessage } from '@tributary/raft';

/**
 * Maps the core's messages to tributary.raft.v1 and back. Decoding checks what the core relies
 * on (known types, positive node ids, contiguous entries) so a malformed message is refused at
 * the transport instead of reaching Raft.
 */
type WireType = Exclude<Message['type'], 'snap'>;

const TO_WIRE: Record<WireType, RaftMessageType> = {
  app: RaftMessageType.RAFT_MESSAGE_TYPE_APP,
  appResp: RaftMessageType.RAFT_MESSAGE_TYPE_APP_RESP,
  vote: RaftMessageType.RAFT_MESSAGE_TYPE_VOTE,
  voteResp: RaftMessageType.RAFT_MESSAGE_TYPE_VOTE_RESP,
  preVote: RaftMessageType.RAFT_MESSAGE_TYPE_PRE_VOTE,
  preVoteResp: RaftMessageType.RAFT_MESSAGE_TYPE_PRE_VOTE_RESP,
  heartbeat: RaftMessageType.RAFT_MESSAGE_TYPE_HEARTBEAT,
  heartbeatResp: RaftMessageType.RAFT_MESSAGE_TYPE_HEARTBEAT_RESP,
  timeoutNow: RaftMessageType.RAFT_MESSAGE_TYPE_TIMEOUT_NOW,
};
const FROM_WIRE = new Map<RaftMessageType, WireType>(Object.entries(TO_WIRE).map(([k, v]) => [v, k as WireType]));

export function encodeRaftMessage(m: Exclude<Message, SnapMessage>): RaftMessage {
  const out: RaftMessage = {
    type: TO_WIRE[m.type],
    from: m.from,
    to: m.to,
    term: m.term,
    index: 0,
    logTerm: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    transfer: false,
    context: '',
  };
  switch (m.type) {
    case 'app':
      return { ...out, index: m.index, logTerm: m.logTerm, commit: m.commit, entries: m.entries.map(encodeEntry) };
    case 'appResp':
      return { ...out, index: m.index, reject: m.reject, rejectHint: m.rejectHint, logTerm: m.logTerm };
    case 'vote':
    case 'preVote':
      return { ...out, index: m.index, logTerm: m.logTerm, transfer: m.transfer };
    case 'voteResp':
    case 'preVoteResp':
      return { ...out, reject: m.reject };
    case 'heartbeat':
      return { ...out, commit: m.commit, context: m.context };
    case 'heartbeatResp':
      return { ...out, context: m.context };
    case 'timeoutNow':
      return out;
  }
}

export function decodeRaftMessage(w: RaftMessage): Message {
  const type = FROM_WIRE.get(w.type);
  if (!type) throw malformed(`unknown message type ${w.type}`);
  const env = { from: nodeIdOf(w.from, 'from'), to: nodeIdOf(w.to, 'to'), term: w.term };
  switch (type) {
    case 'app': {
      const entries = w.entries.map(decodeEntry);
      entries.forEach((e, i) => {
        if (e.index !== w.index + 1 + i) throw malformed(`app entries must follow index ${w.index} without gaps; entry ${i} has index ${e.index}`);
      });
      return { ...env, type, index: w.index, logTerm: w.logTerm, commit: w.commit, entries };
    }
    case 'appResp':
      return { ...env, type, index: w.index, reject: w.reject, rejectHint: w.rejectHint, logTerm: w.logTerm };
    case 'vote':
    case 'preVote':
      return { ...env, type, index: w.index, logTerm: w.logTerm, transfer: w.transfer };
    case 'voteResp':
    case 'preVoteResp':
      return { ...env, type, reject: w.reject };
    case 'heartbeat':
      return { ...env, type, commit: w.commit, context: w.context };
    case 'heartbeatResp':
      return { ...env, type, context: w.context };
    case 'timeoutNow':
      return { ...env, type };
  }
}

export function encodeSnapshotHeader(m: SnapMessage): SnapshotHeader {
  const { index, term, confState } = m.snapshot.metadata;
  return {
    from: m.from,
    to: m.to,
    term: m.term,
    snapshotIndex: index,
    snapshotTerm: term,
    confState: { voters: [...confState.voters], learners: [...confState.learners] },
    dataBytes: m.snapshot.data.length,
  };
}

export function decodeSnapshotMessage(h: SnapshotHeader, data: Uint8Array): SnapMessage {
  const confState = {
    voters: (h.confState?.voters ?? []).map((id) => nodeIdOf(id, 'voter')),
    learners: (h.confState?.learners ?? []).map((id) => nodeIdOf(id, 'learner')),
  };
  if (h.snapshotIndex < 1) throw malformed('a snapshot must cover at least index 1');
  return {
    type: 'snap',
    from: nodeIdOf(h.from, 'from'),
    to: nodeIdOf(h.to, 'to'),
    term: h.term,
    snapshot: { metadata: { index: h.snapshotIndex, term: h.snapshotTerm, confState }, data },
  };
}

function encodeEntry(e: Entry): RaftEntry {
  return {
    term: e.term,
    index: e.index,
    type: e.type === 'confChange' ? RaftEntryType.RAFT_ENTRY_TYPE_CONF_CHANGE : RaftEntryType.RAFT_ENTRY_TYPE_NORMAL,
    data: Buffer.from(e.data.buffer, e.data.byteOffset, e.data.length),
  };
}

function decodeEntry(e: RaftEntry): Entry {
  if (e.type !== RaftEntryType.RAFT_ENTRY_TYPE_NORMAL && e.type !== RaftEntryType.RAFT_ENTRY_TYPE_CONF_CHANGE) {
    throw malformed(`entry ${e.index} has unknown type ${e.type}`);
  }
  return { term: e.term, index: e.index, type: e.type === RaftEntryType.RAFT_ENTRY_TYPE_CONF_CHANGE ? 'confChange' : 'normal', data: e.data };
}

function nodeIdOf(id: number, field: string): NodeId {
  if (!Number.isInteger(id) || id <= 0) throw malformed(`${field} must be a positive node id, got ${id}`);
  return id as NodeId;
}

function malformed(message: string): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', `malformed Raft message: ${message}`);
}
