/**
 * The `range` assignor (Kafka's RangeAssignor): per topic, the subscribers in a fixed order each
 * get one contiguous range of partitions; with n partitions and m subscribers the first n % m
 * get ⌈n/m⌉ partitions and the others ⌊n/m⌋. Topics with the same partition count and the same
 * subscribers are therefore co-partitioned: a member gets the same partition numbers of each,
 * which joins by key rely on.
 *
 * Order: static members (with an instanceId) first by instanceId, then dynamic members by
 * memberId, as Kafka's client-side RangeAssignor does, so a static member that rejoins under a
 * new memberId keeps its ranges. Not sticky otherwise: the layout is a function of the members.
 */
import { Assignment, toAssignment } from './assignment';
import { AssignmentMemberSpec, AssignmentSpec, PartitionAssignor } from './partition-assignor';

function rangeOrder(a: AssignmentMemberSpec, b: AssignmentMemberSpec): number {
  if (a.instanceId !== undefined && b.instanceId !== undefined && a.instanceId !== b.instanceId) return a.instanceId < b.instanceId ? -1 : 1;
  if (a.instanceId !== undefined && b.instanceId === undefined) return -1;
  if (a.instanceId === undefined && b.instanceId !== undefined) return 1;
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

export class RangeAssignor implements PartitionAssignor {
  readonly name = 'range' as const;

  assign(spec: AssignmentSpec): Map<string, Assignment> {
    const ordered = [...spec.members].sort(rangeOrder);
    const byMember = new Map<string, Map<string, number[]>>(spec.members.map((m) => [m.memberId, new Map()]));
    for (const [topic, count] of [...spec.partitionCounts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const subscribers = ordered.filter((m) => m.subscribedTopics.includes(topic));
      if (subscribers.length === 0) continue;
      const base = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      let start = 0;
      subscribers.forEach((m, i) => {
        const length = base + (i < extra ? 1 : 0);
        const partitions = Array.from({ length }, (_, k) => start + k);
        start += length;
        if (partitions.length > 0) byMember.get(m.memberId)?.set(topic, partitions);
      });
    }
    return new Map([...byMember.entries()].map(([id, topics]) => [id, toAssignment(topics)]));
  }
}
