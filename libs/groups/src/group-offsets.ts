/**
 * Committed offsets (Kafka's OffsetMetadataManager): who may commit, what a fetch returns, and
 * which offsets have expired.
 *
 * - A member of a KIP-848 group commits with its memberId and current member epoch (an older
 *   epoch is STALE_MEMBER_EPOCH, as in Kafka), and only for partitions it owns (assigned or
 *   pending revocation; stricter than Kafka, which checks only the epoch): a member never
 *   overwrites the progress of the partition's current owner.
 * - Anyone else (an admin tool, a consumer with manually assigned partitions) commits with
 *   memberId '' and epoch -1, and only while the group has no members, as Kafka allows.
 * - Expiry (offsets.retention.minutes, 7 days by default) touches only empty groups: an offset
 *   expires once the group has been empty, and the offset unchanged, for the retention period.
 */
import { TopicPartition } from './assignment';
import { ConsumerGroup, CommittedOffset, GroupMember } from './consumer-group';
import { GroupError } from './group-error';
import { validateGroupId } from './group-id';
import { GroupRecord } from './group-record';

/** Kafka's offsets.retention.minutes default (7 days). */
export const OFFSETS_RETENTION_MS_DEFAULT = 7 * 24 * 60 * 60 * 1000;
/** Kafka's offset.metadata.max.bytes default. */
export const OFFSET_METADATA_MAX_BYTES_DEFAULT = 4096;
/** What a fetch answers for a partition without a committed offset (Kafka's INVALID_OFFSET). */
export const NO_OFFSET = -1;

export interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly leaderEpoch?: number;
  readonly metadata?: string;
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  /** '' (the default) for commits from outside the group. */
  readonly memberId?: string;
  /** -1 (the default) for commits from outside the group. */
  readonly memberEpoch?: number;
  readonly offsets: readonly OffsetToCommit[];
}

export interface FetchedOffset {
  readonly topic: string;
  readonly partition: number;
  /** NO_OFFSET (-1) when nothing is committed. */
  readonly offset: number;
  readonly leaderEpoch?: number;
  readonly metadata: string;
  readonly commitTimestampMs?: number;
}

function invalid(message: string): GroupError {
  return new GroupError('INVALID_REQUEST', message);
}

function validateOffsets(req: OffsetCommitRequest, metadataMaxBytes: number): void {
  if (!Array.isArray(req.offsets)) throw invalid('offsets must be a list of { topic, partition, offset }');
  for (const o of req.offsets) {
    const where = `${o?.topic}-${o?.partition}`;
    if (typeof o?.topic !== 'string' || o.topic === '') throw invalid('every offset needs a topic name');
    if (!Number.isSafeInteger(o.partition) || o.partition < 0) throw invalid(`${where}: partition must be an integer ≥ 0`);
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) throw invalid(`${where}: offset ${o.offset} must be an integer ≥ 0`);
    if (o.leaderEpoch !== undefined && (!Number.isSafeInteger(o.leaderEpoch) || o.leaderEpoch < -1)) throw invalid(`${where}: leaderEpoch ${o.leaderEpoch} must be an integer ≥ -1`);
    if (o.metadata !== undefined) {
      if (typeof o.metadata !== 'string') throw invalid(`${where}: metadata must be a string`);
      const bytes = Buffer.byteLength(o.metadata, 'utf8');
      if (bytes > metadataMaxBytes) {
        throw new GroupError('OFFSET_METADATA_TOO_LARGE', `${where}: metadata is ${bytes} bytes, more than offset.metadata.max.bytes (${metadataMaxBytes})`);
      }
    }
  }
}

function validateCommitter(group: ConsumerGroup | undefined, req: OffsetCommitRequest): void {
  const memberId = req.memberId ?? '';
  const memberEpoch = req.memberEpoch ?? -1;
  if (!Number.isSafeInteger(memberEpoch)) throw invalid(`memberEpoch ${memberEpoch} must be an integer (-1 from outside the group)`);
  if (memberEpoch < 0 && (group === undefined || group.members.size === 0)) return;
  if (group === undefined) {
    throw new GroupError('GROUP_ID_NOT_FOUND', `group ${req.groupId} does not exist, so member ${memberId} of epoch ${memberEpoch} cannot commit; join the group first (or commit with memberId '' and epoch -1 from outside it)`);
  }
  const member = group.members.get(memberId);
  if (!member) {
    throw new GroupError(
      'UNKNOWN_MEMBER_ID',
      memberId === ''
        ? `group ${req.groupId} has ${group.members.size} active member(s): offsets can be committed from outside the group only while it is empty; stop its consumers first`
        : `member ${memberId} is not in group ${req.groupId}; rejoin the group`,
    );
  }
  if (memberEpoch !== member.memberEpoch) {
    throw new GroupError('STALE_MEMBER_EPOCH', `member ${memberId} committed with epoch ${memberEpoch} but its epoch is ${member.memberEpoch}; commit again after the next heartbeat`);
  }
  for (const o of req.offsets) {
    if (!owns(member, o.topic, o.partition)) {
      throw new GroupError('STALE_MEMBER_EPOCH', `member ${memberId} (epoch ${memberEpoch}) does not own ${o.topic}-${o.partition}; commit only partitions of the current assignment`);
    }
  }
}

function owns(member: GroupMember, topic: string, partition: number): boolean {
  return (member.assignedPartitions[topic]?.includes(partition) ?? false) || (member.partitionsPendingRevocation[topic]?.includes(partition) ?? false);
}

/** The OffsetCommit records of a commit, after every check (all or nothing). */
export function offsetCommitRecords(group: ConsumerGroup | undefined, req: OffsetCommitRequest, nowMs: number, metadataMaxBytes: number): GroupRecord[] {
  validateGroupId(req.groupId);
  validateOffsets(req, metadataMaxBytes);
  validateCommitter(group, req);
  return req.offsets.map((o) => ({
    type: 'OffsetCommit' as const,
    groupId: req.groupId,
    topic: o.topic,
    partition: o.partition,
    value: { offset: o.offset, ...(o.leaderEpoch === undefined ? {} : { leaderEpoch: o.leaderEpoch }), metadata: o.metadata ?? '', commitTimestampMs: nowMs },
  }));
}

function fetched(topic: string, partition: number, c: CommittedOffset | undefined): FetchedOffset {
  if (!c) return { topic, partition, offset: NO_OFFSET, metadata: '' };
  return { topic, partition, ...c };
}

/** Committed offsets of `partitions` (NO_OFFSET where none), or of every committed partition. */
export function fetchCommittedOffsets(group: ConsumerGroup | undefined, partitions?: readonly TopicPartition[]): FetchedOffset[] {
  if (partitions) return partitions.map(({ topic, partition }) => fetched(topic, partition, group?.committedOffset(topic, partition)));
  if (!group) return [];
  return [...group.offsets.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([topic, byPartition]) => [...byPartition.entries()].sort(([a], [b]) => a - b).map(([p, c]) => fetched(topic, p, c)));
}

/** Partitions whose offsets have expired: only in an empty group, counted from max(commit, group became empty). */
export function expiredOffsetPartitions(group: ConsumerGroup, nowMs: number, retentionMs: number): TopicPartition[] {
  if (group.members.size > 0) return [];
  const emptySinceMs = group.emptySinceMs ?? Number.NEGATIVE_INFINITY;
  return fetchCommittedOffsets(group)
    .filter((o) => nowMs - Math.max(o.commitTimestampMs ?? 0, emptySinceMs) >= retentionMs)
    .map(({ topic, partition }) => ({ topic, partition }));
}
