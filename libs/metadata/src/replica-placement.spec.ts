import fc from 'fast-check';
import { PlacementBroker, placeReplicas } from './replica-placement';
import { expectTributaryError } from './testing/expect-tributary-error';

const brokers = (n: number, rack?: (id: number) => string): PlacementBroker[] =>
  Array.from({ length: n }, (_, i) => ({ id: i + 1, rack: rack ? rack(i + 1) : null }));

function countBy(values: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

describe('placeReplicas', () => {
  it('spreads leaders round-robin: with P = k * N partitions every broker leads k', () => {
    const assignment = placeReplicas({ brokers: brokers(3), numPartitions: 9, replicationFactor: 2 });
    expect([...countBy(assignment.map((r) => r[0])).values()]).toEqual([3, 3, 3]);
  });

  it('spreads all replicas evenly, and each broker’s followers over the other brokers', () => {
    const assignment = placeReplicas({ brokers: brokers(4), numPartitions: 12, replicationFactor: 3 });
    expect([...countBy(assignment.flat()).values()]).toEqual([9, 9, 9, 9]);
    const followersOfLeader1 = new Set(assignment.filter((r) => r[0] === 1).flatMap((r) => r.slice(1)));
    expect([...followersOfLeader1].sort()).toEqual([2, 3, 4]);
  });

  it('continues the layout from firstPartition and startIndex', () => {
    const whole = placeReplicas({ brokers: brokers(3), numPartitions: 6, replicationFactor: 2, startIndex: 1 });
    const tail = placeReplicas({ brokers: brokers(3), numPartitions: 3, replicationFactor: 2, startIndex: 1, firstPartition: 3, nextReplicaShift: 1 });
    expect(tail).toEqual(whole.slice(3));
  });

  it('puts the replicas of a partition on distinct brokers, for any brokers and replication factor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 40 }), fc.nat(), fc.boolean(), (n, partitions, start, racks) => {
        const rf = 1 + (start % n);
        const assignment = placeReplicas({
          brokers: brokers(n, racks ? (id) => `r${id % 3}` : undefined),
          numPartitions: partitions,
          replicationFactor: rf,
          startIndex: start,
        });
        expect(assignment).toHaveLength(partitions);
        for (const replicas of assignment) {
          expect(replicas).toHaveLength(rf);
          expect(new Set(replicas).size).toBe(rf);
        }
      }),
    );
  });

  it('with racks, puts the replicas of a partition in different racks while there are racks left', () => {
    const rackOf = (id: number) => (id <= 2 ? 'a' : id <= 4 ? 'b' : 'c');
    const assignment = placeReplicas({ brokers: brokers(6, rackOf), numPartitions: 12, replicationFactor: 3 });
    for (const replicas of assignment) expect(new Set(replicas.map(rackOf)).size).toBe(3);
    expect([...countBy(assignment.map((r) => r[0])).values()]).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('refuses a replication factor above the broker count or below 1 with INVALID_REPLICATION_FACTOR', () => {
    expectTributaryError(() => placeReplicas({ brokers: brokers(2), numPartitions: 1, replicationFactor: 3 }), 'INVALID_REPLICATION_FACTOR', 'larger than the 2 available');
    expectTributaryError(() => placeReplicas({ brokers: brokers(2), numPartitions: 1, replicationFactor: 0 }), 'INVALID_REPLICATION_FACTOR', 'at least 1');
  });
});
