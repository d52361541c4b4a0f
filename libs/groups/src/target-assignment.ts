/**
 * A new target assignment for a group at its current epoch (Kafka's TargetAssignmentBuilder):
 * the preferred assignor runs over every member's resolved subscription, with the current
 * target as the starting point for stickiness; only members whose target changes (or that have
 * none yet) get a record, then the assignment epoch moves to the group epoch.
 */
import { Assignment, EMPTY_ASSIGNMENT, assignmentsEqual } from './assignment';
import { ASSIGNORS } from './assignors';
import { ConsumerGroup } from './consumer-group';
import { GroupRecord } from './group-record';
import { AssignmentMemberSpec } from './partition-assignor';
import { subscribedTopicsOf } from './subscription-metadata';

export function targetAssignmentRecords(group: ConsumerGroup): GroupRecord[] {
  const members: AssignmentMemberSpec[] = [...group.members.values()]
    .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
    .map((m) => ({
      memberId: m.memberId,
      ...(m.instanceId === undefined ? {} : { instanceId: m.instanceId }),
      ...(m.rackId === undefined ? {} : { rackId: m.rackId }),
      subscribedTopics: subscribedTopicsOf(m, group.subscriptionMetadata),
      currentTarget: group.targetAssignment.get(m.memberId) ?? EMPTY_ASSIGNMENT,
    }));
  const partitionCounts = new Map([...group.subscriptionMetadata.entries()].map(([name, t]) => [name, t.numPartitions]));
  const target = ASSIGNORS[group.preferredAssignor].assign({ members, partitionCounts });
  const records: GroupRecord[] = [];
  for (const m of members) {
    const partitions: Assignment = target.get(m.memberId) ?? EMPTY_ASSIGNMENT;
    if (!assignmentsEqual(partitions, m.currentTarget) || !group.targetAssignment.has(m.memberId)) {
      records.push({ type: 'TargetAssignmentMember', groupId: group.groupId, memberId: m.memberId, value: { partitions } });
    }
  }
  records.push({ type: 'TargetAssignmentMetadata', groupId: group.groupId, value: { assignmentEpoch: group.groupEpoch } });
  return records;
}
