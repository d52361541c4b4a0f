import { checkLinearizable } from './testing/linearizability';
import { DEFAULT_SIMULATION, runSimulation, seedsFromEnv, SimulationFailure, type SimulationOptions } from './testing/simulation';

/**
 * The seeded simulator in CI. SEED=n replays one run; SEEDS=n runs n seeds per cluster size
 * (SEED_BASE=b starts elsewhere). A failure's message starts with SEED=… .
 */
function runSeeds(seeds: number[], options: SimulationOptions): void {
  for (const seed of seeds) runSimulation(seed, options);
}

describe('simulation: safety after every step, liveness after healing, linearizable client history', () => {
  it('3 voters (plus a spare for membership changes) under loss, duplication, delay, partitions, crashes', () => {
    runSeeds(seedsFromEnv(1000), { ...DEFAULT_SIMULATION, voters: 3 });
  });

  it('5 voters under the same faults', () => {
    runSeeds(seedsFromEnv(400, 100_001), { ...DEFAULT_SIMULATION, voters: 5 });
  });
});

describe('simulation: the checkers catch a broken Raft (canaries)', () => {
  it('a node granting every vote in a term breaks election safety and the seed is reported', () => {
    let caught: SimulationFailure | undefined;
    for (let seed = 1; seed <= 200 && !caught; seed++) {
      try {
        runSimulation(seed, { ...DEFAULT_SIMULATION, raft: { unsafe: { grantEveryVote: true } } });
      } catch (e) {
        if (!(e instanceof SimulationFailure)) throw e;
        caught = e;
      }
    }
    expect(caught?.property).toBe('election safety');
    expect(caught?.message).toMatch(/^SEED=\d+ election safety: /);
    // The reported seed replays the same failure.
    expect(() => runSimulation(caught!.seed, { ...DEFAULT_SIMULATION, raft: { unsafe: { grantEveryVote: true } } })).toThrow(caught!.message);
  });

  it('the linearizability checker rejects a read of a value overwritten before the read began', () => {
    const history = [
      { kind: 'put' as const, key: 'k', value: 'v1', call: 1, ret: 2 },
      { kind: 'put' as const, key: 'k', value: 'v2', call: 3, ret: 4 },
      { kind: 'get' as const, key: 'k', value: 'v1', call: 5, ret: 6 },
    ];
    expect(checkLinearizable(history)).toEqual({ ok: false, key: 'k' });
  });

  it('the linearizability checker accepts a read concurrent with a write seeing either value, and an unfinished write taking effect late', () => {
    expect(
      checkLinearizable([
        { kind: 'put', key: 'k', value: 'v1', call: 1, ret: 2 },
        { kind: 'put', key: 'k', value: 'v2', call: 3, ret: 6 },
        { kind: 'get', key: 'k', value: 'v1', call: 4, ret: 5 },
        { kind: 'put', key: 'j', value: 'x', call: 7, ret: Infinity },
        { kind: 'get', key: 'j', value: undefined, call: 8, ret: 9 },
        { kind: 'get', key: 'j', value: 'x', call: 10, ret: 11 },
      ]).ok,
    ).toBe(true);
  });
});
