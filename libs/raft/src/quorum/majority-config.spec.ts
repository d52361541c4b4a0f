import { nodeId } from '../types';
import { MajorityConfig } from './majority-config';

const ids = (...n: number[]) => n.map(nodeId);

describe('MajorityConfig', () => {
  it('committedIndex is the highest index a majority acknowledged', () => {
    const acked = new Map([[1, 5], [2, 3], [3, 9], [4, 1], [5, 3]]);
    expect(new MajorityConfig(ids(1, 2, 3, 4, 5)).committedIndex((id) => acked.get(id) ?? 0)).toBe(3);
    expect(new MajorityConfig(ids(1, 2, 3)).committedIndex((id) => acked.get(id) ?? 0)).toBe(5);
  });

  it('voteResult: won with a majority granted, lost once a majority is impossible, pending between', () => {
    const c = new MajorityConfig(ids(1, 2, 3, 4, 5));
    const votes = (...v: [number, boolean][]) => new Map(v.map(([id, g]) => [nodeId(id), g]));
    expect(c.voteResult(votes([1, true], [2, true]))).toBe('pending');
    expect(c.voteResult(votes([1, true], [2, true], [3, true]))).toBe('won');
    expect(c.voteResult(votes([1, true], [2, false], [3, false], [4, false]))).toBe('lost');
  });
});
