import fc from 'fast-check';
import { GroupCoordinatorState } from './group-coordinator-state';
import { GroupRecord, decodeGroupRecord, encodeGroupRecord } from './group-record';
import { GroupWorld, NetworkFault, WORLD_CLIENTS } from './testing/group-world';
import { compactLog } from './testing/log-compaction';
import { sequentialMemberIds } from './testing/sequential-member-ids';

type Step =
  | { op: 'tick'; elapsedMs: number; order: number[] }
  | { op: 'start' | 'crash' | 'commit' | 'heartbeat'; client: number }
  | { op: 'leave'; client: number; asStatic: boolean }
  | { op: 'fault'; client: number; fault: NetworkFault }
  | { op: 'topics'; kind: 'grow' | 'create' };

const client = fc.integer({ min: 0, max: WORLD_CLIENTS - 1 });
const order = fc.shuffledSubarray(Array.from({ length: WORLD_CLIENTS }, (_, i) => i), { minLength: WORLD_CLIENTS, maxLength: WORLD_CLIENTS });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('tick' as const), elapsedMs: fc.integer({ min: 1, max: 6000 }), order }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('start' as const), client }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('heartbeat' as const), client }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('commit' as const), client }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('crash' as const), client }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('leave' as const), client, asStatic: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('fault' as const), client, fault: fc.constantFrom<NetworkFault>('none', 'none', 'requests', 'responses') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('topics' as const), kind: fc.constantFrom<'grow' | 'create'>('grow', 'create') }) },
);

function apply(world: GroupWorld, step: Step): void {
  switch (step.op) {
    case 'tick':
      return world.tick(step.elapsedMs, step.order);
    case 'start':
      return world.start(step.client);
    case 'crash':
      return world.crash(step.client);
    case 'commit':
      return world.commit(step.client);
    case 'heartbeat':
      return world.heartbeat(step.client);
    case 'leave':
      return world.leave(step.client, step.asStatic);
    case 'fault':
      return world.setFault(step.client, step.fault);
    case 'topics':
      return world.changeTopics(step.kind);
  }
}

/** Safety phase on arbitrary steps, then the network heals and the group must settle. */
function run(world: GroupWorld, steps: readonly Step[]): void {
  for (const step of steps) {
    apply(world, step);
    world.checkSafety();
  }
  world.clients.forEach((_, i) => world.setFault(i, 'none'));
  const everyone = Array.from({ length: WORLD_CLIENTS }, (_, i) => i);
  for (let t = 0; t < 40; t++) {
    world.tick(2500, everyone);
    world.checkSafety();
  }
  world.checkSettled();
}

function rebuilt(log: readonly GroupRecord[]): GroupCoordinatorState {
  const state = new GroupCoordinatorState({ newMemberId: sequentialMemberIds('replayed') });
  for (const r of log) {
    const { key, value } = encodeGroupRecord(r);
    state.replay(decodeGroupRecord(key, value));
  }
  return state;
}

function view(state: GroupCoordinatorState) {
  const groups = state.listGroups().map((g) => g.groupId);
  return { describe: state.describeGroups(groups), offsets: groups.map((g) => state.fetchOffsets(g)) };
}

const SEED = Number(process.env.SEED ?? 848);

describe(`group coordinator simulation (SEED=${SEED})`, () => {
  it('no partition is ever owned by two members; once healed every partition is owned and the group is stable; the log rebuilds the same state', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 20, maxLength: 120 }), (steps) => {
        const world = new GroupWorld();
        run(world, steps);
        expect(view(rebuilt(world.log))).toEqual(view(world.coordinator));
        expect(view(rebuilt(compactLog(world.log, { dropTombstones: true })))).toEqual(view(world.coordinator));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('canary: a consumer that keeps partitions it was told to give up is caught by the checker', () => {
    let caught: unknown;
    try {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 20, maxLength: 120 }), (steps) => {
          const world = new GroupWorld({ brokenClient: 0 });
          world.start(0);
          world.start(1);
          run(world, steps);
        }),
        { seed: SEED, numRuns: 150, endOnFailure: true },
      );
    } catch (e) {
      caught = e;
    }
    expect(String((caught as Error | undefined)?.cause)).toMatch(/is owned by clients \d and \d/);
  });
});
