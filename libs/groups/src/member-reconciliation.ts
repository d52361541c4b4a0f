/**
 * Moves one member from its current assignment towards its target (Kafka's
 * CurrentAssignmentBuilder). The rules keep every partition owned by at most one member:
 *
 * - A partition leaves a member's assignment only by revocation: the member is told its new,
 *   smaller assignment and keeps its epoch (UNREVOKED_PARTITIONS) until a heartbeat reports
 *   owned partitions without the revoked ones. Until then they count as still owned by it.
 * - A partition is added only once no other member owns it (assigned or pending revocation);
 *   one still owned elsewhere is held back (UNRELEASED_PARTITIONS) and added on a later
 *   heartbeat once released.
 * - The member's epoch moves to the target epoch only when it has nothing left to revoke.
 */
import {
  Assignment,
  assignmentsEqual,
  EMPTY_ASSIGNMENT,
  filterAssignment,
  hasPartition,
  intersectAssignments,
  isEmptyAssignment,
  partitionCountOf,
  subtractAssignment,
  unionAssignments,
} from './assignment';

export type MemberState = 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS';

export const MEMBER_STATES: readonly MemberState[] = ['STABLE', 'UNREVOKED_PARTITIONS', 'UNRELEASED_PARTITIONS'];

export interface MemberAssignmentState {
  /** -2 once a static member left and waits for its instance to come back. */
  readonly memberEpoch: number;
  /** The epoch before the last change, accepted once more in case that response was lost. */
  readonly previousMemberEpoch: number;
  readonly state: MemberState;
  /** What the member was last told it owns. */
  readonly assignedPartitions: Assignment;
  /** Taken from the member but not yet reported as given up: still owned by it. */
  readonly partitionsPendingRevocation: Assignment;
}

export const JOINING_MEMBER: MemberAssignmentState = {
  memberEpoch: 0,
  previousMemberEpoch: 0,
  state: 'STABLE',
  assignedPartitions: EMPTY_ASSIGNMENT,
  partitionsPendingRevocation: EMPTY_ASSIGNMENT,
};

export interface ReconcileInput {
  readonly targetEpoch: number;
  readonly target: Assignment;
  /** What the member's heartbeat says it owns; undefined when it did not say (then it may own anything it was given). */
  readonly owned: Assignment | undefined;
  /** Whether another member owns the partition (assigned or pending revocation). */
  readonly ownedByAnother: (topic: string, partition: number) => boolean;
}

function ownsAny(owned: Assignment | undefined, partitions: Assignment): boolean {
  if (owned === undefined) return true;
  return Object.entries(partitions).some(([topic, ps]) => ps.some((p) => hasPartition(owned, topic, p)));
}

function withEpoch(m: MemberAssignmentState, memberEpoch: number): Pick<MemberAssignmentState, 'memberEpoch' | 'previousMemberEpoch'> {
  return memberEpoch === m.memberEpoch ? { memberEpoch, previousMemberEpoch: m.previousMemberEpoch } : { memberEpoch, previousMemberEpoch: m.memberEpoch };
}

function nextAssignment(m: MemberAssignmentState, input: ReconcileInput): MemberAssignmentState {
  const kept = intersectAssignments(m.assignedPartitions, input.target);
  const toRevoke = subtractAssignment(m.assignedPartitions, kept);
  const wanted = subtractAssignment(input.target, kept);
  const free = filterAssignment(wanted, (t, p) => !input.ownedByAnother(t, p));
  const unreleased = partitionCountOf(free) < partitionCountOf(wanted);

  if (!isEmptyAssignment(toRevoke) && ownsAny(input.owned, toRevoke)) {
    return { ...withEpoch(m, m.memberEpoch), state: 'UNREVOKED_PARTITIONS', assignedPartitions: kept, partitionsPendingRevocation: toRevoke };
  }
  return {
    ...withEpoch(m, input.targetEpoch),
    state: unreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE',
    assignedPartitions: unionAssignments(kept, free),
    partitionsPendingRevocation: EMPTY_ASSIGNMENT,
  };
}

export function memberAssignmentEqual(a: MemberAssignmentState, b: MemberAssignmentState): boolean {
  return (
    a.memberEpoch === b.memberEpoch &&
    a.previousMemberEpoch === b.previousMemberEpoch &&
    a.state === b.state &&
    assignmentsEqual(a.assignedPartitions, b.assignedPartitions) &&
    assignmentsEqual(a.partitionsPendingRevocation, b.partitionsPendingRevocation)
  );
}

/** The member's next state; the same object when nothing can change yet. */
export function reconcileMember(m: MemberAssignmentState, input: ReconcileInput): MemberAssignmentState {
  switch (m.state) {
    case 'STABLE':
      return m.memberEpoch === input.targetEpoch ? m : nextAssignment(m, input);
    case 'UNREVOKED_PARTITIONS':
      return ownsAny(input.owned, m.partitionsPendingRevocation) ? m : nextAssignment(m, input);
    case 'UNRELEASED_PARTITIONS':
      return nextAssignment(m, input);
  }
}
