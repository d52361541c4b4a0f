import fc from 'fast-check';
import { Assignment, partitionCountOf, topicPartitionsOf } from './assignment';
import { AssignmentMemberSpec, AssignmentSpec } from './partition-assignor';
import { UniformAssignor } from './uniform-assignor';

const assignor = new UniformAssignor();

function member(memberId: string, subscribedTopics: string[], currentTarget: Assignment = {}): AssignmentMemberSpec {
  return { memberId, subscribedTopics, currentTarget };
}

function spec(members: AssignmentMemberSpec[], partitionCounts: Record<string, number>): AssignmentSpec {
  return { members, partitionCounts: new Map(Object.entries(partitionCounts)) };
}

/** Every partition of a subscribed topic exactly once, only to a subscriber. */
function expectValid(s: AssignmentSpec, result: Map<string, Assignment>): void {
  expect([...result.keys()].sort()).toEqual(s.members.map((m) => m.memberId).sort());
  const seen = new Map<string, string>();
  for (const [memberId, a] of result) {
    const m = s.members.find((x) => x.memberId === memberId);
    for (const { topic, partition } of topicPartitionsOf(a)) {
      expect(m?.subscribedTopics).toContain(topic);
      expect(seen.has(`${topic}-${partition}`)).toBe(false);
      seen.set(`${topic}-${partition}`, memberId);
    }
  }
  for (const [topic, count] of s.partitionCounts) {
    const subscribed = s.members.some((m) => m.subscribedTopics.includes(topic));
    for (let p = 0; p < count; p++) expect(seen.has(`${topic}-${p}`)).toBe(subscribed);
  }
}

function loads(result: Map<string, Assignment>): number[] {
  return [...result.values()].map(partitionCountOf);
}

function moved(before: Map<string, Assignment>, after: Map<string, Assignment>): number {
  let n = 0;
  for (const [memberId, a] of after) {
    const previous = new Set(topicPartitionsOf(before.get(memberId) ?? {}).map((tp) => `${tp.topic}-${tp.partition}`));
    n += topicPartitionsOf(a).filter((tp) => !previous.has(`${tp.topic}-${tp.partition}`)).length;
  }
  return n;
}

describe('UniformAssignor', () => {
  const balanceCases: [string, number, Record<string, number>][] = [
    ['one member takes everything', 1, { a: 5 }],
    ['even split', 3, { a: 6 }],
    ['uneven split, one extra to the first', 3, { a: 7 }],
    ['more members than partitions', 5, { a: 3 }],
    ['several topics counted together', 4, { a: 3, b: 5, c: 1 }],
    ['no partitions', 2, { a: 0 }],
  ];
  it.each(balanceCases)('homogeneous: %s — every member within one partition of each other', (_name, memberCount, counts) => {
    const s = spec(
      Array.from({ length: memberCount }, (_, i) => member(`m${i}`, Object.keys(counts))),
      counts,
    );
    const result = assignor.assign(s);
    expectValid(s, result);
    expect(Math.max(...loads(result)) - Math.min(...loads(result))).toBeLessThanOrEqual(1);
  });

  it('is deterministic', () => {
    const s = spec([member('x', ['a', 'b']), member('y', ['a']), member('z', ['b'])], { a: 5, b: 4 });
    expect(assignor.assign(s)).toEqual(assignor.assign(s));
  });

  it('sticky: a member joining takes only its share, from the most loaded members', () => {
    const before = assignor.assign(spec([member('m1', ['a']), member('m2', ['a'])], { a: 8 }));
    const after = assignor.assign(spec([member('m1', ['a'], before.get('m1')), member('m2', ['a'], before.get('m2')), member('m3', ['a'])], { a: 8 }));
    expect(loads(after).sort()).toEqual([2, 3, 3]);
    expect(moved(before, after)).toBe(2);
    for (const id of ['m1', 'm2']) expect(topicPartitionsOf(after.get(id) ?? {}).every((tp) => before.get(id)?.[tp.topic]?.includes(tp.partition))).toBe(true);
  });

  it('sticky: a member leaving moves only its partitions', () => {
    const before = assignor.assign(spec([member('m1', ['a']), member('m2', ['a']), member('m3', ['a'])], { a: 9 }));
    const after = assignor.assign(spec([member('m1', ['a'], before.get('m1')), member('m3', ['a'], before.get('m3'))], { a: 9 }));
    expect(moved(before, after)).toBe(3);
    expect(loads(after).sort()).toEqual([4, 5]);
  });

  it('sticky: current partitions of deleted topics, shrunk topics and dropped subscriptions are let go', () => {
    const s = spec([member('m1', ['a'], { a: [0, 5], gone: [0], b: [1] }), member('m2', ['a', 'b'])], { a: 2, b: 2 });
    const result = assignor.assign(s);
    expectValid(s, result);
    expect(Object.fromEntries(result)).toEqual({ m1: { a: [0, 1] }, m2: { b: [0, 1] } });
  });

  it('heterogeneous: each topic goes only to its subscribers, and load evens out where subscriptions allow', () => {
    const s = spec([member('m1', ['a', 'b']), member('m2', ['a']), member('m3', ['b'])], { a: 3, b: 3 });
    const result = assignor.assign(s);
    expectValid(s, result);
    expect(loads(result)).toEqual([2, 2, 2]);
  });

  it('heterogeneous: a member subscribed to nothing gets nothing', () => {
    const s = spec([member('m1', ['a']), member('m2', [])], { a: 3 });
    expect(assignor.assign(s).get('m2')).toEqual({});
  });

  const topicNames = ['a', 'b', 'c', 'd'];
  const specArb = fc
    .record({
      counts: fc.tuple(...topicNames.map(() => fc.integer({ min: 0, max: 12 }))),
      members: fc.array(fc.subarray(topicNames), { minLength: 1, maxLength: 8 }),
      homogeneous: fc.boolean(),
    })
    .map(({ counts, members, homogeneous }) =>
      spec(
        members.map((subs, i) => member(`m${i}`, homogeneous ? topicNames : subs)),
        Object.fromEntries(topicNames.map((t, i) => [t, counts[i]])),
      ),
    );

  it('property: valid for any subscriptions; homogeneous ones balanced within one; no single move could even out heterogeneous ones', () => {
    fc.assert(
      fc.property(specArb, (s) => {
        const result = assignor.assign(s);
        expectValid(s, result);
        const load = new Map([...result].map(([id, a]) => [id, partitionCountOf(a)]));
        for (const [id, a] of result) {
          for (const { topic } of topicPartitionsOf(a)) {
            for (const other of s.members.filter((m) => m.subscribedTopics.includes(topic))) {
              expect(load.get(other.memberId) ?? 0).toBeGreaterThanOrEqual((load.get(id) ?? 0) - 1);
            }
          }
        }
      }),
      { seed: 848, numRuns: 300 },
    );
  });

  it('property: reassigning a balanced homogeneous group to itself moves nothing', () => {
    fc.assert(
      fc.property(specArb, (s) => {
        const first = assignor.assign(s);
        const again = assignor.assign({ ...s, members: s.members.map((m) => ({ ...m, currentTarget: first.get(m.memberId) ?? {} })) });
        expect(again).toEqual(first);
      }),
      { seed: 849, numRuns: 200 },
    );
  });
});
