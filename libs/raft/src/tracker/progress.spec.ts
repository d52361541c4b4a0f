import { Progress } from './progress';

describe('Progress', () => {
  it('replicate: sending advances next optimistically and fills the inflight window until acknowledged', () => {
    const pr = new Progress(5, 6, 2, false);
    pr.becomeReplicate();
    pr.sentEntries(3, 8);
    pr.sentEntries(2, 10);
    expect(pr.next).toBe(11);
    expect(pr.isPaused()).toBe(true);
    expect(pr.maybeUpdate(8)).toBe(true);
    pr.inflights.freeLE(8);
    expect(pr.isPaused()).toBe(false);
  });

  it('a rejection in replicate state falls back to match + 1; a stale one is ignored', () => {
    const pr = new Progress(5, 6, 8, false);
    pr.becomeReplicate();
    pr.sentEntries(4, 9);
    expect(pr.maybeDecrTo(4, 4)).toBe(false);
    expect(pr.maybeDecrTo(7, 6)).toBe(true);
    expect(pr.next).toBe(6);
  });

  it('probe: only a rejection of the latest probe counts, and the hint moves next back in one step', () => {
    const pr = new Progress(0, 20, 8, false);
    pr.sentEntries(0, 19);
    expect(pr.isPaused()).toBe(true);
    expect(pr.maybeDecrTo(15, 3)).toBe(false);
    expect(pr.maybeDecrTo(19, 7)).toBe(true);
    expect(pr.next).toBe(8);
    expect(pr.isPaused()).toBe(false);
  });

  it('snapshot: appends pause until the snapshot is acknowledged; probing resumes after it', () => {
    const pr = new Progress(0, 3, 8, false);
    pr.becomeSnapshot(40);
    expect(pr.isPaused()).toBe(true);
    pr.becomeProbe();
    expect(pr.next).toBe(41);
  });
});
