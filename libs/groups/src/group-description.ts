/**
 * What describe and list show of a group (Kafka's ConsumerGroupDescribe): the persisted state
 * only, so a coordinator rebuilt from the log describes a group exactly as the one that wrote it.
 */
import { Assignment, EMPTY_ASSIGNMENT } from './assignment';
import { DEFAULT_ASSIGNOR } from './assignors';
import { ConsumerGroup, GroupState } from './consumer-group';
import { MemberState } from './member-reconciliation';
import { AssignorName } from './partition-assignor';

export interface MemberDescription {
  readonly memberId: string;
  readonly instanceId?: string;
  readonly rackId?: string;
  readonly clientId: string;
  readonly clientHost: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex?: string;
  readonly serverAssignor?: AssignorName;
  readonly rebalanceTimeoutMs: number;
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly memberState: MemberState;
  /** What the member owns (was told, and has not been asked to give back). */
  readonly assignment: Assignment;
  /** What it was asked to give back and has not yet reported as given up. */
  readonly partitionsPendingRevocation: Assignment;
  /** What the assignor wants it to own at the target epoch. */
  readonly targetAssignment: Assignment;
}

export interface GroupDescription {
  readonly groupId: string;
  readonly state: GroupState;
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly assignor: AssignorName;
  readonly subscribedTopics: readonly { readonly name: string; readonly topicId: string; readonly numPartitions: number }[];
  /** When the group last became empty (offset expiry counts from here). */
  readonly emptySinceMs?: number;
  readonly members: readonly MemberDescription[];
}

export interface GroupListing {
  readonly groupId: string;
  readonly state: GroupState;
}

function omitUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function describeGroup(group: ConsumerGroup): GroupDescription {
  const members = [...group.members.values()]
    .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
    .map((m) =>
      omitUndefined<MemberDescription>({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: m.subscribedTopicNames,
        subscribedTopicRegex: m.subscribedTopicRegex,
        serverAssignor: m.serverAssignor,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        memberEpoch: m.memberEpoch,
        previousMemberEpoch: m.previousMemberEpoch,
        memberState: m.state,
        assignment: m.assignedPartitions,
        partitionsPendingRevocation: m.partitionsPendingRevocation,
        targetAssignment: group.targetAssignment.get(m.memberId) ?? EMPTY_ASSIGNMENT,
      }),
    );
  return omitUndefined<GroupDescription>({
    groupId: group.groupId,
    state: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.targetAssignmentEpoch,
    assignor: group.preferredAssignor,
    subscribedTopics: [...group.subscriptionMetadata.entries()].map(([name, t]) => ({ name, topicId: t.topicId, numPartitions: t.numPartitions })),
    emptySinceMs: group.emptySinceMs,
    members,
  });
}

/** How describe answers for a group that does not exist, as Kafka's DescribeGroups does. */
export function deadGroupDescription(groupId: string): GroupDescription {
  return { groupId, state: 'DEAD', groupEpoch: 0, assignmentEpoch: 0, assignor: DEFAULT_ASSIGNOR, subscribedTopics: [], members: [] };
}
