import { Assignment } from './assignment';
import { JOINING_MEMBER, MemberAssignmentState, reconcileMember } from './member-reconciliation';

function member(memberEpoch: number, state: MemberAssignmentState['state'], assignedPartitions: Assignment, partitionsPendingRevocation: Assignment = {}): MemberAssignmentState {
  return { memberEpoch, previousMemberEpoch: memberEpoch - 1, state, assignedPartitions, partitionsPendingRevocation };
}

const nobodyElse = () => false;

describe('reconcileMember', () => {
  it('a stable member at the target epoch stays as it is', () => {
    const m = member(3, 'STABLE', { t: [0] });
    expect(reconcileMember(m, { targetEpoch: 3, target: { t: [0, 1] }, owned: { t: [0] }, ownedByAnother: nobodyElse })).toBe(m);
  });

  it('a joining member gets its free target partitions and the target epoch', () => {
    expect(reconcileMember(JOINING_MEMBER, { targetEpoch: 4, target: { t: [0, 1] }, owned: {}, ownedByAnother: nobodyElse })).toEqual({
      memberEpoch: 4,
      previousMemberEpoch: 0,
      state: 'STABLE',
      assignedPartitions: { t: [0, 1] },
      partitionsPendingRevocation: {},
    });
  });

  it('partitions not in the target are revoked first; the epoch waits', () => {
    const m = member(3, 'STABLE', { t: [0, 1, 2] });
    expect(reconcileMember(m, { targetEpoch: 4, target: { t: [0, 5] }, owned: { t: [0, 1, 2] }, ownedByAnother: nobodyElse })).toEqual({
      memberEpoch: 3,
      previousMemberEpoch: 2,
      state: 'UNREVOKED_PARTITIONS',
      assignedPartitions: { t: [0] },
      partitionsPendingRevocation: { t: [1, 2] },
    });
  });

  it('stays waiting while the member reports, or does not say, that it still owns a revoked partition', () => {
    const m = member(3, 'UNREVOKED_PARTITIONS', { t: [0] }, { t: [1, 2] });
    const input = { targetEpoch: 4, target: { t: [0, 5] }, ownedByAnother: nobodyElse };
    expect(reconcileMember(m, { ...input, owned: { t: [0, 2] } })).toBe(m);
    expect(reconcileMember(m, { ...input, owned: undefined })).toBe(m);
  });

  it('once revoked, moves to the target epoch and takes the new partitions that are free', () => {
    const m = member(3, 'UNREVOKED_PARTITIONS', { t: [0] }, { t: [1, 2] });
    expect(reconcileMember(m, { targetEpoch: 4, target: { t: [0, 5] }, owned: { t: [0] }, ownedByAnother: nobodyElse })).toEqual({
      memberEpoch: 4,
      previousMemberEpoch: 3,
      state: 'STABLE',
      assignedPartitions: { t: [0, 5] },
      partitionsPendingRevocation: {},
    });
  });

  it('holds back partitions another member still owns (UNRELEASED_PARTITIONS), then takes them when released', () => {
    let owner = true;
    const input = { targetEpoch: 2, target: { t: [0, 1] }, owned: {}, ownedByAnother: (_t: string, p: number) => owner && p === 1 };
    const waiting = reconcileMember(JOINING_MEMBER, input);
    expect(waiting).toMatchObject({ memberEpoch: 2, state: 'UNRELEASED_PARTITIONS', assignedPartitions: { t: [0] } });
    expect(reconcileMember(waiting, { ...input, owned: { t: [0] } })).toEqual(waiting);
    owner = false;
    expect(reconcileMember(waiting, { ...input, owned: { t: [0] } })).toMatchObject({ memberEpoch: 2, state: 'STABLE', assignedPartitions: { t: [0, 1] } });
  });

  it('a member that already gave up what it must revoke does not wait for itself', () => {
    const m = member(3, 'STABLE', { t: [0, 1] });
    expect(reconcileMember(m, { targetEpoch: 4, target: { t: [0] }, owned: { t: [0] }, ownedByAnother: nobodyElse })).toMatchObject({ memberEpoch: 4, state: 'STABLE', assignedPartitions: { t: [0] } });
  });
});
