import { AssignmentMemberSpec } from './partition-assignor';
import { RangeAssignor } from './range-assignor';

const assignor = new RangeAssignor();

function assign(members: AssignmentMemberSpec[], counts: Record<string, number>) {
  return Object.fromEntries(assignor.assign({ members, partitionCounts: new Map(Object.entries(counts)) }));
}

function m(memberId: string, subscribedTopics: string[], instanceId?: string): AssignmentMemberSpec {
  return { memberId, subscribedTopics, currentTarget: {}, ...(instanceId ? { instanceId } : {}) };
}

describe('RangeAssignor', () => {
  const layouts: [string, number, number, number[][]][] = [
    ['7 partitions over 3 members: the first gets the extra one', 7, 3, [[0, 1, 2], [3, 4], [5, 6]]],
    ['6 over 3', 6, 3, [[0, 1], [2, 3], [4, 5]]],
    ['2 over 3: the last gets nothing', 2, 3, [[0], [1], []]],
    ['1 over 1', 1, 1, [[0]]],
  ];
  it.each(layouts)('%s', (_name, partitions, memberCount, expected) => {
    const members = Array.from({ length: memberCount }, (_, i) => m(`m${i}`, ['t']));
    const result = assign(members, { t: partitions });
    expect(members.map((x) => result[x.memberId].t ?? [])).toEqual(expected);
  });

  it('co-partitions topics with the same partition count and subscribers', () => {
    const result = assign([m('b', ['orders', 'payments']), m('a', ['orders', 'payments'])], { orders: 5, payments: 5 });
    expect(result).toEqual({ a: { orders: [0, 1, 2], payments: [0, 1, 2] }, b: { orders: [3, 4], payments: [3, 4] } });
  });

  it('ranges are per topic among that topic’s subscribers', () => {
    const result = assign([m('a', ['x']), m('b', ['x', 'y']), m('c', ['y'])], { x: 4, y: 2 });
    expect(result).toEqual({ a: { x: [0, 1] }, b: { x: [2, 3], y: [0] }, c: { y: [1] } });
  });

  it('static members come first, by instance id, so a restarted instance keeps its range under a new member id', () => {
    const before = assign([m('zz', ['t'], 'host-1'), m('aa', ['t'], 'host-2'), m('dyn', ['t'])], { t: 3 });
    expect(before).toEqual({ zz: { t: [0] }, aa: { t: [1] }, dyn: { t: [2] } });
    const after = assign([m('new-id', ['t'], 'host-1'), m('aa', ['t'], 'host-2'), m('dyn', ['t'])], { t: 3 });
    expect(after['new-id']).toEqual({ t: [0] });
  });
});
