/**
 * One consumer group's state as its records leave it (Kafka's ConsumerGroup), plus the timers a
 * coordinator keeps in memory only (session and revocation deadlines, like Kafka's timers, are
 * not persisted: a coordinator that takes over restarts them). `replay` is the only way the
 * persisted part changes, for records written live and records read back from the log alike.
 */
import { TributaryError } from '@tributary/protocol';
import { Assignment, topicPartitionsOf } from './assignment';
import { DEFAULT_ASSIGNOR } from './assignors';
import { GroupRecord, MemberMetadataValue, OffsetCommitValue } from './group-record';
import { NEW_MEMBER_METADATA } from './member-metadata';
import { JOINING_MEMBER, MemberAssignmentState } from './member-reconciliation';
import { AssignorName } from './partition-assignor';
import { SubscriptionMetadata } from './subscription-metadata';

/** KIP-848's consumer group states; DEAD is a group that does not exist (or no longer). */
export type GroupState = 'EMPTY' | 'ASSIGNING' | 'RECONCILING' | 'STABLE' | 'DEAD';

export const GROUP_STATES: readonly GroupState[] = ['EMPTY', 'ASSIGNING', 'RECONCILING', 'STABLE', 'DEAD'];

/** The member epoch of a static member that left and whose place is kept for its session. */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;
export const LEAVE_GROUP_MEMBER_EPOCH = -1;

export interface GroupMember extends MemberMetadataValue, MemberAssignmentState {
  readonly memberId: string;
}


export type CommittedOffset = OffsetCommitValue;

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function corrupt(groupId: string, what: string): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', `group ${JSON.stringify(groupId)}: ${what}; the log was written by a bug or is damaged`);
}

export class ConsumerGroup {
  groupEpoch = 0;
  emptySinceMs: number | undefined;
  subscriptionMetadata: SubscriptionMetadata = new Map();
  targetAssignmentEpoch = 0;
  readonly members = new Map<string, GroupMember>();
  readonly targetAssignment = new Map<string, Assignment>();
  /** topic → partition → committed offset */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();

  /** In memory only: when each member's session ends unless it heartbeats. */
  readonly sessionDeadlineMs = new Map<string, number>();
  /** In memory only: when a member that was asked to revoke partitions is fenced if it has not. */
  readonly revocationDeadlineMs = new Map<string, number>();

  constructor(readonly groupId: string) {}

  get state(): GroupState {
    if (this.members.size === 0) return 'EMPTY';
    if (this.groupEpoch > this.targetAssignmentEpoch) return 'ASSIGNING';
    for (const m of this.members.values()) {
      if (m.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) continue;
      if (m.state !== 'STABLE' || m.memberEpoch !== this.targetAssignmentEpoch) return 'RECONCILING';
    }
    return 'STABLE';
  }

  /** Whether nothing is left of the group: no record of it would survive compaction. */
  get isBlank(): boolean {
    return (
      this.groupEpoch === 0 &&
      this.targetAssignmentEpoch === 0 &&
      this.subscriptionMetadata.size === 0 &&
      this.members.size === 0 &&
      this.targetAssignment.size === 0 &&
      this.offsets.size === 0
    );
  }

  staticMember(instanceId: string): GroupMember | undefined {
    for (const m of this.members.values()) if (m.instanceId === instanceId) return m;
    return undefined;
  }

  /** The assignor most members ask for (ties: the name first in alphabetical order); uniform when none asks. */
  get preferredAssignor(): AssignorName {
    const votes = new Map<AssignorName, number>();
    for (const m of this.members.values()) if (m.serverAssignor) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    const ranked = [...votes.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
    return ranked[0]?.[0] ?? DEFAULT_ASSIGNOR;
  }

  /**
   * Who owns each partition: the member it is assigned to or pending revocation from. Throws if
   * two members own one partition, the invariant everything else protects.
   */
  owners(): Map<string, string> {
    const owners = new Map<string, string>();
    for (const m of this.members.values()) {
      for (const tp of [...topicPartitionsOf(m.assignedPartitions), ...topicPartitionsOf(m.partitionsPendingRevocation)]) {
        const key = partitionKey(tp.topic, tp.partition);
        const other = owners.get(key);
        if (other !== undefined && other !== m.memberId) {
          throw new Error(`group ${this.groupId}: ${tp.topic}-${tp.partition} is owned by both ${other} and ${m.memberId}`);
        }
        owners.set(key, m.memberId);
      }
    }
    return owners;
  }

  committedOffset(topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(topic)?.get(partition);
  }

  /** Applies one record of this group. */
  replay(r: GroupRecord): void {
    switch (r.type) {
      case 'OffsetCommit':
        return this.replayOffsetCommit(r.topic, r.partition, r.value);
      case 'GroupMetadata':
        if (r.value === null) return this.clearGroupMetadata();
        this.groupEpoch = r.value.groupEpoch;
        this.emptySinceMs = r.value.emptySinceMs;
        return;
      case 'PartitionMetadata':
        this.subscriptionMetadata = new Map((r.value?.topics ?? []).map((t) => [t.topicName, { topicId: t.topicId, numPartitions: t.numPartitions }]));
        return;
      case 'MemberMetadata':
        if (r.value === null) return this.removeMember(r.memberId);
        this.members.set(r.memberId, { memberId: r.memberId, ...r.value, ...assignmentStateOf(this.memberOrBlank(r.memberId)) });
        return;
      case 'TargetAssignmentMetadata':
        this.targetAssignmentEpoch = r.value?.assignmentEpoch ?? 0;
        return;
      case 'TargetAssignmentMember':
        if (r.value === null) this.targetAssignment.delete(r.memberId);
        else this.targetAssignment.set(r.memberId, r.value.partitions);
        return;
      case 'CurrentMemberAssignment': {
        if (r.value === null && !this.members.has(r.memberId)) return;
        const assignment = r.value ?? { ...JOINING_MEMBER, memberEpoch: LEAVE_GROUP_MEMBER_EPOCH };
        this.members.set(r.memberId, { ...this.memberOrBlank(r.memberId), ...assignmentStateOf(assignment) });
        return;
      }
    }
  }

  private memberOrBlank(memberId: string): GroupMember {
    return this.members.get(memberId) ?? { memberId, ...NEW_MEMBER_METADATA, ...JOINING_MEMBER };
  }

  private removeMember(memberId: string): void {
    this.members.delete(memberId);
    this.targetAssignment.delete(memberId);
    this.sessionDeadlineMs.delete(memberId);
    this.revocationDeadlineMs.delete(memberId);
  }

  private clearGroupMetadata(): void {
    if (this.members.size > 0) throw corrupt(this.groupId, `the group was deleted while ${this.members.size} member(s) remain`);
    this.groupEpoch = 0;
    this.emptySinceMs = undefined;
    this.targetAssignmentEpoch = 0;
    this.subscriptionMetadata = new Map();
    this.targetAssignment.clear();
  }

  private replayOffsetCommit(topic: string, partition: number, value: OffsetCommitValue | null): void {
    if (value !== null) {
      const partitions = this.offsets.get(topic) ?? new Map<number, CommittedOffset>();
      partitions.set(partition, value);
      this.offsets.set(topic, partitions);
      return;
    }
    const partitions = this.offsets.get(topic);
    partitions?.delete(partition);
    if (partitions?.size === 0) this.offsets.delete(topic);
  }
}

/** Exactly the assignment fields of a member or record value (a record must not carry anything else). */
export function assignmentStateOf(m: MemberAssignmentState): MemberAssignmentState {
  return {
    memberEpoch: m.memberEpoch,
    previousMemberEpoch: m.previousMemberEpoch,
    state: m.state,
    assignedPartitions: m.assignedPartitions,
    partitionsPendingRevocation: m.partitionsPendingRevocation,
  };
}
