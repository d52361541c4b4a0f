/**
 * The group coordinator of one `__consumer_offsets` partition (Kafka's GroupMetadataManager and
 * OffsetMetadataManager over all groups that partition owns): a deterministic state machine.
 *
 * Every operation takes the request and the current time, checks it against the state and
 * either throws a GroupError (heartbeat answers it in the response instead) with nothing
 * changed, or returns its response together with the records to persist. The records are
 * already applied, through the same `replay` that rebuilds the state from the log, so what a
 * coordinator holds is always exactly what replaying its records gives. No I/O, no clock, no
 * randomness: time comes in as `nowMs`, member ids from the injected `newMemberId`.
 */
import { EMPTY_ASSIGNMENT, TopicPartition, assignmentsEqual, isSubAssignment } from './assignment';
import {
  ConsumerGroup,
  GroupMember,
  GroupState,
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  assignmentStateOf,
  partitionKey,
} from './consumer-group';
import { GroupDescription, GroupListing, deadGroupDescription, describeGroup } from './group-description';
import { GroupError } from './group-error';
import { validateGroupId } from './group-id';
import {
  FetchedOffset,
  OFFSET_METADATA_MAX_BYTES_DEFAULT,
  OFFSETS_RETENTION_MS_DEFAULT,
  OffsetCommitRequest,
  expiredOffsetPartitions,
  fetchCommittedOffsets,
  offsetCommitRecords,
} from './group-offsets';
import { GroupRecord } from './group-record';
import { HeartbeatRequest, HeartbeatResponse, ownedPartitionsOf, validateHeartbeatRequest } from './heartbeat-request';
import { JOINING_MEMBER, MemberAssignmentState, memberAssignmentEqual, reconcileMember } from './member-reconciliation';
import { NEW_MEMBER_METADATA, memberMetadataEqual, subscriptionChanged, updatedMemberMetadata } from './member-metadata';
import {
  SubscriptionMetadata,
  TopicsView,
  computeSubscriptionMetadata,
  subscriptionMetadataEqual,
  subscriptionMetadataTopics,
} from './subscription-metadata';
import { targetAssignmentRecords } from './target-assignment';

export interface GroupCoordinatorConfig {
  /** group.consumer.session.timeout.ms: a member that does not heartbeat for this long is removed. */
  readonly sessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms: how often members are told to heartbeat. */
  readonly heartbeatIntervalMs: number;
  /** group.consumer.max.size */
  readonly maxGroupSize: number;
  /** offset.metadata.max.bytes */
  readonly offsetMetadataMaxBytes: number;
  /** offsets.retention.minutes, in ms: expireOffsets's default. */
  readonly offsetsRetentionMs: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = {
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 5_000,
  maxGroupSize: Number.MAX_SAFE_INTEGER,
  offsetMetadataMaxBytes: OFFSET_METADATA_MAX_BYTES_DEFAULT,
  offsetsRetentionMs: OFFSETS_RETENTION_MS_DEFAULT,
};

export interface GroupCoordinatorOptions extends Partial<GroupCoordinatorConfig> {
  /** Ids for members that join without one; must not repeat (Kafka uses random UUIDs). */
  readonly newMemberId: () => string;
}

export interface GroupResult<T = undefined> {
  /** Append these, in order, before answering. */
  readonly records: GroupRecord[];
  readonly response: T;
}

export interface HeartbeatResult {
  readonly records: GroupRecord[];
  readonly response: HeartbeatResponse;
}

export type ExpiryReason = 'session-timeout' | 'rebalance-timeout';

export interface ExpiredMember {
  readonly groupId: string;
  readonly memberId: string;
  readonly reason: ExpiryReason;
}

export interface ExpiredOffsets {
  readonly expiredOffsets: readonly (TopicPartition & { readonly groupId: string })[];
  /** Empty groups left without offsets, deleted as Kafka's offset cleanup does. */
  readonly deletedGroups: readonly string[];
}

type Emit = (r: GroupRecord) => void;

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class GroupCoordinatorState {
  readonly config: GroupCoordinatorConfig;
  private readonly newMemberId: () => string;
  private readonly groups = new Map<string, ConsumerGroup>();

  constructor(options: GroupCoordinatorOptions) {
    const { newMemberId, ...config } = options;
    this.config = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) };
    this.newMemberId = newMemberId;
  }

  // ---- the log ----

  /** Applies one record: how records returned by operations take effect, and how the log is replayed. */
  replay(record: GroupRecord): void {
    let group = this.groups.get(record.groupId);
    if (!group) {
      // A tombstone of something already gone (compaction keeps tombstones a while) changes nothing.
      if (record.value === null) return;
      group = new ConsumerGroup(record.groupId);
      this.groups.set(record.groupId, group);
    }
    group.replay(record);
    if (record.value === null && group.isBlank) this.groups.delete(record.groupId);
  }

  /**
   * Starts the in-memory timers after a replay (becoming coordinator of the partition): every
   * member gets a full session from `nowMs`, and one asked to revoke partitions a full
   * rebalance timeout (a static member that left has only its session), as Kafka's coordinator
   * does when it loads a partition.
   */
  activate(nowMs: number): void {
    for (const group of this.groups.values()) {
      for (const m of group.members.values()) {
        if (!group.sessionDeadlineMs.has(m.memberId)) group.sessionDeadlineMs.set(m.memberId, nowMs + this.config.sessionTimeoutMs);
        const waitsForRevocation = m.state === 'UNREVOKED_PARTITIONS' && m.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH;
        if (waitsForRevocation && !group.revocationDeadlineMs.has(m.memberId)) {
          group.revocationDeadlineMs.set(m.memberId, nowMs + m.rebalanceTimeoutMs);
        }
      }
    }
  }

  // ---- membership ----

  heartbeat(req: HeartbeatRequest, nowMs: number, topics: TopicsView): HeartbeatResult {
    try {
      validateHeartbeatRequest(req);
      if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) return this.leave(req, nowMs);
      return this.joinOrHeartbeat(req, nowMs, topics);
    } catch (e) {
      if (!(e instanceof GroupError)) throw e;
      return {
        records: [],
        response: { errorCode: e.groupCode, errorMessage: e.message, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: this.config.heartbeatIntervalMs },
      };
    }
  }

  /** Removes members whose session or revocation deadline has passed. Call it about every second. */
  expireMembers(nowMs: number): GroupResult<ExpiredMember[]> {
    const { records, emit } = this.recorder();
    const expired: ExpiredMember[] = [];
    for (const groupId of [...this.groups.keys()].sort(byString)) {
      const group = this.requireGroup(groupId);
      for (const memberId of [...group.members.keys()].sort(byString)) {
        const session = group.sessionDeadlineMs.get(memberId);
        const revocation = group.revocationDeadlineMs.get(memberId);
        const reason: ExpiryReason | undefined =
          session !== undefined && session <= nowMs ? 'session-timeout' : revocation !== undefined && revocation <= nowMs ? 'rebalance-timeout' : undefined;
        if (!reason) continue;
        this.removeMember(group, memberId, nowMs, emit);
        expired.push({ groupId, memberId, reason });
      }
    }
    return { records, response: expired };
  }

  // ---- offsets ----

  commitOffsets(req: OffsetCommitRequest, nowMs: number): GroupResult {
    const records = offsetCommitRecords(this.groups.get(req.groupId), req, nowMs, this.config.offsetMetadataMaxBytes);
    for (const r of records) this.replay(r);
    return { records, response: undefined };
  }

  /** Committed offsets of the group: of `partitions` (NO_OFFSET where none), else all of them. */
  fetchOffsets(groupId: string, partitions?: readonly TopicPartition[]): FetchedOffset[] {
    validateGroupId(groupId);
    return fetchCommittedOffsets(this.groups.get(groupId), partitions);
  }

  /** Deletes an empty group and its offsets (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP otherwise). */
  deleteGroup(groupId: string): GroupResult {
    validateGroupId(groupId);
    const group = this.groups.get(groupId);
    if (!group) throw new GroupError('GROUP_ID_NOT_FOUND', `group ${groupId} does not exist`);
    if (group.members.size > 0) {
      throw new GroupError('NON_EMPTY_GROUP', `group ${groupId} has ${group.members.size} member(s) (state ${group.state}); stop its consumers and wait for them to leave before deleting it`);
    }
    const { records, emit } = this.recorder();
    this.deleteEmptyGroup(group, emit);
    return { records, response: undefined };
  }

  /** Expires offsets of empty groups older than `retentionMs`, and deletes empty groups left without any. Call it every few minutes. */
  expireOffsets(nowMs: number, retentionMs = this.config.offsetsRetentionMs): GroupResult<ExpiredOffsets> {
    const { records, emit } = this.recorder();
    const expiredOffsets: (TopicPartition & { groupId: string })[] = [];
    const deletedGroups: string[] = [];
    for (const groupId of [...this.groups.keys()].sort(byString)) {
      const group = this.requireGroup(groupId);
      if (group.members.size > 0) continue;
      for (const { topic, partition } of expiredOffsetPartitions(group, nowMs, retentionMs)) {
        emit({ type: 'OffsetCommit', groupId, topic, partition, value: null });
        expiredOffsets.push({ groupId, topic, partition });
      }
      if (group.offsets.size === 0 && this.groups.has(groupId)) {
        this.deleteEmptyGroup(group, emit);
        deletedGroups.push(groupId);
      } else if (!this.groups.has(groupId)) {
        deletedGroups.push(groupId);
      }
    }
    return { records, response: { expiredOffsets, deletedGroups } };
  }

  // ---- queries ----

  describeGroups(groupIds: readonly string[]): GroupDescription[] {
    return groupIds.map((id) => {
      const group = this.groups.get(id);
      return group ? describeGroup(group) : deadGroupDescription(id);
    });
  }

  /** Every group, by id; only those in `states` when given. */
  listGroups(states?: readonly GroupState[]): GroupListing[] {
    return [...this.groups.values()]
      .map((g) => ({ groupId: g.groupId, state: g.state }))
      .filter((g) => !states || states.includes(g.state))
      .sort((a, b) => byString(a.groupId, b.groupId));
  }

  // ---- internals ----

  private recorder(): { records: GroupRecord[]; emit: Emit } {
    const records: GroupRecord[] = [];
    return {
      records,
      emit: (r) => {
        records.push(r);
        this.replay(r);
      },
    };
  }

  private requireGroup(groupId: string): ConsumerGroup {
    const group = this.groups.get(groupId);
    if (!group) throw new Error(`group ${groupId} vanished while being changed`);
    return group;
  }

  private leave(req: HeartbeatRequest, nowMs: number): HeartbeatResult {
    const group = this.groups.get(req.groupId);
    if (!group) throw new GroupError('GROUP_ID_NOT_FOUND', `group ${req.groupId} does not exist`);
    const member = req.instanceId !== undefined ? this.staticMemberFor(group, req.instanceId, req.memberId) : this.memberFor(group, req.memberId);
    const { records, emit } = this.recorder();
    if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      // The place is kept for one session: the instance may come back and take it as it was.
      emit({
        type: 'CurrentMemberAssignment',
        groupId: group.groupId,
        memberId: member.memberId,
        value: { ...assignmentStateOf(member), memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, previousMemberEpoch: member.memberEpoch },
      });
      group.sessionDeadlineMs.set(member.memberId, nowMs + this.config.sessionTimeoutMs);
      group.revocationDeadlineMs.delete(member.memberId);
    } else {
      this.removeMember(group, member.memberId, nowMs, emit);
    }
    return { records, response: { errorCode: 'NONE', memberId: member.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: this.config.heartbeatIntervalMs } };
  }

  private memberFor(group: ConsumerGroup, memberId: string): GroupMember {
    const member = group.members.get(memberId);
    if (!member) throw new GroupError('UNKNOWN_MEMBER_ID', `member ${memberId} is not in group ${group.groupId} (removed after its session timed out, or never joined); rejoin with epoch 0`);
    return member;
  }

  private staticMemberFor(group: ConsumerGroup, instanceId: string, memberId: string): GroupMember {
    const member = group.staticMember(instanceId);
    if (!member) throw new GroupError('UNKNOWN_MEMBER_ID', `Instance id ${instanceId} is unknown in group ${group.groupId}; rejoin with epoch 0`);
    if (member.memberId !== memberId) {
      throw new GroupError('FENCED_INSTANCE_ID', `Static member ${memberId} with instance id ${instanceId} was fenced by member ${member.memberId}; another process uses this instance id`);
    }
    return member;
  }

  private checkEpoch(member: GroupMember, req: HeartbeatRequest): void {
    const owned = ownedPartitionsOf(req);
    const tooNew = req.memberEpoch > member.memberEpoch;
    // The previous epoch is accepted with owned partitions the member still has: the response that bumped it may have been lost.
    const lostResponse = req.memberEpoch === member.previousMemberEpoch && owned !== undefined && isSubAssignment(owned, member.assignedPartitions);
    if (tooNew || (req.memberEpoch < member.memberEpoch && !lostResponse)) {
      throw new GroupError(
        'FENCED_MEMBER_EPOCH',
        `member ${member.memberId} sent epoch ${req.memberEpoch} but the coordinator knows epoch ${member.memberEpoch}; the member must abandon all its partitions and rejoin with epoch 0`,
      );
    }
  }

  /**
   * Finds the member a non-leave heartbeat is about, checking epochs and instance ids. A join may
   * instead take over the place of a static member that left with epoch -2 (same instance id):
   * it then continues with that member's assignment, without a rebalance.
   */
  private resolveMember(group: ConsumerGroup | undefined, req: HeartbeatRequest, memberId: string): { member?: GroupMember; takesOver?: GroupMember } {
    if (req.memberEpoch !== 0) {
      if (!group) throw new GroupError('GROUP_ID_NOT_FOUND', `group ${req.groupId} does not exist; join it with epoch 0`);
      const member = req.instanceId !== undefined ? this.staticMemberFor(group, req.instanceId, memberId) : this.memberFor(group, memberId);
      this.checkEpoch(member, req);
      return { member };
    }
    const holder = req.instanceId !== undefined ? group?.staticMember(req.instanceId) : undefined;
    if (holder && holder.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) return { takesOver: holder };
    if (holder && holder.memberId !== memberId) {
      throw new GroupError(
        'UNRELEASED_INSTANCE_ID',
        `Static member ${memberId} with instance id ${req.instanceId} cannot join group ${req.groupId} because the instance id is owned by member ${holder.memberId}; it must leave first (or its session time out)`,
      );
    }
    const existing = group?.members.get(memberId);
    if (!existing && group && group.members.size >= this.config.maxGroupSize) {
      throw new GroupError('GROUP_MAX_SIZE_REACHED', `The consumer group has reached its maximum capacity of ${this.config.maxGroupSize} members.`);
    }
    return { member: existing };
  }

  private joinOrHeartbeat(req: HeartbeatRequest, nowMs: number, topics: TopicsView): HeartbeatResult {
    const memberId = req.memberEpoch === 0 && req.memberId === '' ? this.newMemberId() : req.memberId;
    const { member, takesOver } = this.resolveMember(this.groups.get(req.groupId), req, memberId);
    const { records, emit } = this.recorder();
    const groupId = req.groupId;

    // 1. The member's metadata; a new member, or a changed subscription, bumps the group epoch.
    let before: GroupMember;
    if (takesOver) {
      before = { ...takesOver, memberId, memberEpoch: 0, previousMemberEpoch: 0 };
      const target = this.requireGroup(groupId).targetAssignment.get(takesOver.memberId) ?? EMPTY_ASSIGNMENT;
      if (takesOver.memberId !== memberId) {
        emit({ type: 'CurrentMemberAssignment', groupId, memberId: takesOver.memberId, value: null });
        emit({ type: 'TargetAssignmentMember', groupId, memberId: takesOver.memberId, value: null });
        emit({ type: 'MemberMetadata', groupId, memberId: takesOver.memberId, value: null });
        emit({ type: 'TargetAssignmentMember', groupId, memberId, value: { partitions: target } });
      }
    } else if (member) {
      // A join with a known id is a rejoin: the member gave up everything (a join owns nothing).
      before = req.memberEpoch === 0 ? { ...member, ...JOINING_MEMBER } : member;
    } else {
      before = { memberId, ...NEW_MEMBER_METADATA, ...JOINING_MEMBER };
    }
    const metadata = updatedMemberMetadata(before, req);
    const isNew = !member && !takesOver;
    const renamed = takesOver !== undefined && takesOver.memberId !== memberId;
    if (isNew || renamed || !memberMetadataEqual(before, metadata)) emit({ type: 'MemberMetadata', groupId, memberId, value: metadata });
    const previous = takesOver ?? member;
    if (previous && (renamed || !memberAssignmentEqual(previous, before))) {
      emit({ type: 'CurrentMemberAssignment', groupId, memberId, value: assignmentStateOf(before) });
    }
    const group = this.requireGroup(groupId);
    let bump = isNew || group.groupEpoch === 0 || subscriptionChanged(before, metadata);

    // 2. What the subscriptions cover now: topics created, deleted or grown bump the epoch too.
    const subscriptionMetadata = computeSubscriptionMetadata(group.members.values(), topics);
    if (!subscriptionMetadataEqual(subscriptionMetadata, group.subscriptionMetadata)) {
      emit(this.partitionMetadataRecord(groupId, subscriptionMetadata));
      bump = true;
    }
    if (bump) emit({ type: 'GroupMetadata', groupId, value: { groupEpoch: group.groupEpoch + 1 } });

    // 3. A new group epoch gets a new target assignment.
    if (group.groupEpoch > group.targetAssignmentEpoch) targetAssignmentRecords(group).forEach(emit);

    // 4. The member moves towards its target as far as revocations and other owners allow.
    const current = group.members.get(memberId);
    if (!current) throw new Error(`member ${memberId} vanished while joining`);
    const owners = group.owners();
    const next = reconcileMember(current, {
      targetEpoch: group.targetAssignmentEpoch,
      target: group.targetAssignment.get(memberId) ?? EMPTY_ASSIGNMENT,
      owned: ownedPartitionsOf(req),
      ownedByAnother: (topic, partition) => {
        const owner = owners.get(partitionKey(topic, partition));
        return owner !== undefined && owner !== memberId;
      },
    });
    if (!memberAssignmentEqual(next, current)) {
      emit({ type: 'CurrentMemberAssignment', groupId, memberId, value: assignmentStateOf(next) });
      if (next.state === 'UNREVOKED_PARTITIONS') group.revocationDeadlineMs.set(memberId, nowMs + metadata.rebalanceTimeoutMs);
      else group.revocationDeadlineMs.delete(memberId);
    }
    group.sessionDeadlineMs.set(memberId, nowMs + this.config.sessionTimeoutMs);

    return { records, response: this.heartbeatResponse(req, memberId, previous, next) };
  }

  private heartbeatResponse(req: HeartbeatRequest, memberId: string, member: MemberAssignmentState | undefined, next: MemberAssignmentState): HeartbeatResponse {
    const owned = ownedPartitionsOf(req);
    // Sent on a join, when it changed, and whenever the member reports owning something else.
    const send =
      req.memberEpoch === 0 ||
      !member ||
      !assignmentsEqual(member.assignedPartitions, next.assignedPartitions) ||
      (owned !== undefined && !assignmentsEqual(owned, next.assignedPartitions));
    return {
      errorCode: 'NONE',
      memberId,
      memberEpoch: next.memberEpoch,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      ...(send ? { assignment: next.assignedPartitions } : {}),
    };
  }

  private partitionMetadataRecord(groupId: string, metadata: SubscriptionMetadata): GroupRecord {
    return {
      type: 'PartitionMetadata',
      groupId,
      value: { topics: [...metadata.entries()].map(([topicName, t]) => ({ topicName, topicId: t.topicId, numPartitions: t.numPartitions })) },
    };
  }

  /** Removes a member (left, expired or fenced): its partitions are free at once; the group epoch is bumped. */
  private removeMember(group: ConsumerGroup, memberId: string, nowMs: number, emit: Emit): void {
    const groupId = group.groupId;
    emit({ type: 'CurrentMemberAssignment', groupId, memberId, value: null });
    emit({ type: 'TargetAssignmentMember', groupId, memberId, value: null });
    emit({ type: 'MemberMetadata', groupId, memberId, value: null });
    const subscriptionMetadata = computeSubscriptionMetadata(group.members.values(), subscriptionMetadataTopics(group.subscriptionMetadata));
    if (!subscriptionMetadataEqual(subscriptionMetadata, group.subscriptionMetadata)) emit(this.partitionMetadataRecord(groupId, subscriptionMetadata));
    emit({ type: 'GroupMetadata', groupId, value: { groupEpoch: group.groupEpoch + 1, ...(group.members.size === 0 ? { emptySinceMs: nowMs } : {}) } });
  }

  /** Tombstones for everything of an empty group: offsets first, the group metadata last. */
  private deleteEmptyGroup(group: ConsumerGroup, emit: Emit): void {
    const groupId = group.groupId;
    for (const { topic, partition } of fetchCommittedOffsets(group)) emit({ type: 'OffsetCommit', groupId, topic, partition, value: null });
    if (!this.groups.has(groupId)) return;
    for (const memberId of [...group.targetAssignment.keys()]) emit({ type: 'TargetAssignmentMember', groupId, memberId, value: null });
    emit({ type: 'TargetAssignmentMetadata', groupId, value: null });
    emit({ type: 'PartitionMetadata', groupId, value: null });
    emit({ type: 'GroupMetadata', groupId, value: null });
  }
}
