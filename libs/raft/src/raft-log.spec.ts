import { MemoryStorage } from './storage';
import { RaftLog } from './raft-log';
import type { Entry } from './types';

const ent = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array([index]) });

function logWith(terms: number[]): RaftLog {
  const st = new MemoryStorage();
  st.append(terms.map((t, i) => ent(i + 1, t)));
  return new RaftLog(st);
}

describe('RaftLog', () => {
  it('findConflict: the first entry missing or of another term; 0 when all match', () => {
    const log = logWith([1, 1, 2]);
    expect(log.findConflict([ent(2, 1), ent(3, 2)])).toBe(0);
    expect(log.findConflict([ent(2, 1), ent(3, 3)])).toBe(3);
    expect(log.findConflict([ent(3, 2), ent(4, 2)])).toBe(4);
  });

  it('maybeAppend: refuses without a matching previous entry; truncates a conflicting unstable suffix; commits up to the last new entry', () => {
    const log = logWith([1, 1, 2]);
    expect(log.maybeAppend(3, 1, 3, [ent(4, 3)])).toBeUndefined();
    expect(log.maybeAppend(2, 1, 10, [ent(3, 3)])).toBe(3);
    expect(log.term(3)).toBe(3);
    expect(log.committed).toBe(3);
  });

  it('maybeAppend: a conflict inside the committed prefix is a bug and throws', () => {
    const log = logWith([1, 1, 2]);
    log.commitTo(3);
    expect(() => log.maybeAppend(2, 1, 3, [ent(3, 4)])).toThrow(/committed prefix/);
  });

  it('findConflictByTerm: the last index at or below the probe with a term ≤ the probe term', () => {
    const log = logWith([1, 1, 2, 2, 4, 4]);
    expect(log.findConflictByTerm(6, 3)).toEqual({ index: 4, term: 2 });
    expect(log.findConflictByTerm(6, 4)).toEqual({ index: 6, term: 4 });
    expect(log.findConflictByTerm(3, 1)).toEqual({ index: 2, term: 1 });
  });

  it('isUpToDate: a higher last term wins, then a longer log', () => {
    const log = logWith([1, 2]);
    expect(log.isUpToDate(1, 3)).toBe(true);
    expect(log.isUpToDate(2, 2)).toBe(true);
    expect(log.isUpToDate(1, 2)).toBe(false);
    expect(log.isUpToDate(9, 1)).toBe(false);
  });

  it('commitTo never lowers the commit index and never passes the last index', () => {
    const log = logWith([1, 1]);
    log.commitTo(2);
    log.commitTo(1);
    expect(log.committed).toBe(2);
    expect(() => log.commitTo(3)).toThrow(/beyond the last index/);
  });

  it('slice spans storage and the unstable tail and stops at the size limit (always one entry)', () => {
    const log = logWith([1, 1]);
    log.append([ent(3, 2), ent(4, 2)]);
    expect(log.slice(2, 5, Infinity)?.map((e) => e.index)).toEqual([2, 3, 4]);
    expect(log.slice(2, 5, 1)?.map((e) => e.index)).toEqual([2]);
    expect(log.slice(0, 2, Infinity)).toBeUndefined();
  });

  it('after compaction: terms below the snapshot are unknown, the snapshot position still answers', () => {
    const st = new MemoryStorage();
    st.append([ent(1, 1), ent(2, 1), ent(3, 2)]);
    st.createSnapshot(2, { voters: [], learners: [] }, new Uint8Array());
    st.compact(2);
    const log = new RaftLog(st, 2);
    expect(log.term(1)).toBeUndefined();
    expect(log.term(2)).toBe(1);
    expect(log.firstIndex()).toBe(3);
    expect(log.applied).toBe(2);
  });
});
