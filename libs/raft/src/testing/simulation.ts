import { nodeId, type NodeId } from '../index';
import { checkLinearizable } from './linearizability';
import { Prng } from './prng';
import { InvariantViolation } from './safety-checker';
import { SimCluster, type SimClusterOptions } from './sim-cluster';

export interface SimulationOptions {
  voters: 3 | 5;
  /** Ticks of the fault phase. */
  chaosTicks: number;
  /** Ticks the healed cluster gets to elect a leader and commit (the liveness bound). */
  livenessTicksMax: number;
  membershipChanges: boolean;
  raft?: SimClusterOptions['raft'];
}

export const DEFAULT_SIMULATION: SimulationOptions = { voters: 3, chaosTicks: 300, livenessTicksMax: 300, membershipChanges: true };

export interface SimulationResult {
  readonly seed: number;
  readonly ticks: number;
  readonly committedOps: number;
  readonly messages: number;
}

/** A failed run: the message starts with the seed that replays it. */
export class SimulationFailure extends Error {
  constructor(readonly seed: number, readonly property: string, cause: unknown) {
    super(`SEED=${seed} ${property}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SimulationFailure';
  }
}

const KEYS = ['a', 'b', 'c'];

/**
 * One seeded run (TigerBeetle's VOPR shape): a fault phase — message loss, duplication,
 * reordering and delay, symmetric and asymmetric partitions, crashes (some between persisting
 * and sending), restarts, membership changes, leadership transfers, client puts and gets (via
 * the log and via ReadIndex) — with the safety checker run on every step; then a liveness
 * phase that heals everything and demands a leader and a commit within a bound; then the
 * client history is checked for linearizability.
 */
export function runSimulation(seed: number, options: SimulationOptions = DEFAULT_SIMULATION): SimulationResult {
  const rng = new Prng(seed);
  const cluster = new SimCluster({
    voters: options.voters,
    spares: options.membershipChanges ? 1 : 0,
    rng,
    electionTick: 10,
    heartbeatTick: 2,
    raft: { maxSizePerMsgBytes: rng.pick([64, 256, 4096]), maxInflightMsgs: rng.pick([1, 4, 64]), ...options.raft },
    crashAfterPersistRate: rng.pick([0, 0.001, 0.005]),
    snapshotEveryEntries: rng.pick([undefined, 5, 20]),
  });
  cluster.network.faults = { lossRate: rng.pick([0, 0.05, 0.2]), duplicateRate: rng.pick([0, 0.05]), delayTicksMax: rng.pick([0, 1, 4]) };
  const ids = cluster.ids();
  let phase = 'safety';
  try {
    for (let t = 0; t < options.chaosTicks; t++) {
      injectFaults(cluster, rng, ids);
      if (rng.chance(0.3)) clientRequest(cluster, rng, ids);
      if (options.membershipChanges && rng.chance(0.01)) changeMembership(cluster, rng, ids);
      if (rng.chance(0.004)) transferLeadership(cluster, rng);
      cluster.tick();
    }
    phase = 'liveness';
    heal(cluster, ids);
    demandProgress(cluster, options.livenessTicksMax);
    phase = 'linearizability';
    const lin = checkLinearizable(cluster.history());
    if (!lin.ok) throw new InvariantViolation('linearizability', `no linearization of the history of key "${lin.key}"`);
  } catch (e) {
    throw new SimulationFailure(seed, e instanceof InvariantViolation ? e.property : phase, e);
  }
  return {
    seed,
    ticks: cluster.now,
    committedOps: [...cluster.ops.values()].filter((op) => op.ret !== Infinity).length,
    messages: cluster.network.sent,
  };
}

function injectFaults(cluster: SimCluster, rng: Prng, ids: NodeId[]): void {
  if (rng.chance(0.02)) {
    const shuffled = [...ids].sort(() => rng.next() - 0.5);
    switch (rng.int(0, 4)) {
      case 0: // a symmetric split at a random point
        cluster.network.partition([shuffled.slice(0, rng.int(1, ids.length)), shuffled.slice(0)].map((g, i, all) => (i === 0 ? g : g.filter((id) => !all[0].includes(id)))));
        break;
      case 1: // one-way: the first node can't reach some others, they still reach it
        for (const to of shuffled.slice(1, rng.int(2, ids.length))) cluster.network.cutLink(shuffled[0], to);
        break;
      case 2: // one node isolated
        cluster.network.partition([[shuffled[0]], shuffled.slice(1)]);
        break;
      default:
        cluster.network.heal();
    }
  }
  if (rng.chance(0.01)) {
    const up = ids.filter((id) => cluster.isUp(id));
    if (up.length > 0) cluster.crash(rng.pick(up));
  }
  for (const id of ids) if (!cluster.isUp(id) && rng.chance(0.03)) cluster.restart(id);
}

function clientRequest(cluster: SimCluster, rng: Prng, ids: NodeId[]): void {
  // Mostly ask a node that believes it leads (maybe a stale one behind a partition).
  const leader = cluster.leader();
  const at = leader !== undefined && rng.chance(0.8) ? leader : rng.pick(ids);
  const key = rng.pick(KEYS);
  const r = rng.int(0, 3);
  if (r === 0) cluster.request(at, 'put', 'log', key, `v${cluster.now}.${rng.int(0, 1000)}`);
  else if (r === 1) cluster.request(at, 'get', 'log', key);
  else cluster.request(at, 'get', 'readIndex', key);
}

function changeMembership(cluster: SimCluster, rng: Prng, ids: NodeId[]): void {
  const leader = cluster.leader();
  if (leader === undefined) return;
  const raw = cluster.raw(leader);
  const { voters, learners } = raw.status().confState;
  const outsiders = ids.filter((id) => !voters.includes(id) && !learners.includes(id));
  const choices: (() => void)[] = [];
  if (outsiders.length > 0) choices.push(() => raw.proposeConfChange({ type: 'addLearner', nodeId: rng.pick(outsiders) }));
  if (learners.length > 0) choices.push(() => raw.proposeConfChange({ type: 'addVoter', nodeId: rng.pick(learners) }));
  if (voters.length > 3) choices.push(() => raw.proposeConfChange({ type: 'removeNode', nodeId: rng.pick(voters) }));
  if (choices.length === 0) return;
  try {
    rng.pick(choices)();
  } catch {
    return; // refused (a change is pending, or leadership is moving): a client would retry later
  }
  cluster.processReady(cluster.node(leader));
}

function transferLeadership(cluster: SimCluster, rng: Prng): void {
  const leader = cluster.leader();
  if (leader === undefined) return;
  const raw = cluster.raw(leader);
  const others = raw.status().confState.voters.filter((id) => id !== leader);
  if (others.length === 0) return;
  try {
    raw.transferLeader(rng.pick(others));
  } catch {
    return;
  }
  cluster.processReady(cluster.node(leader));
}

function heal(cluster: SimCluster, ids: NodeId[]): void {
  cluster.network.heal();
  cluster.network.faults = { lossRate: 0, duplicateRate: 0, delayTicksMax: 1 };
  cluster.crashAfterPersistRate = 0;
  for (const id of ids) cluster.restart(id);
}

/** After healing: a leader must emerge and a fresh write must reach a quorum of its voters. */
function demandProgress(cluster: SimCluster, ticksMax: number): void {
  let marker: { leader: NodeId; index: number } | undefined;
  for (let t = 0; t < ticksMax; t++) {
    cluster.tick();
    const leader = cluster.leader();
    if (leader === undefined) continue;
    if (marker?.leader !== leader) {
      const op = cluster.request(leader, 'put', 'log', 'liveness', `t${cluster.now}`);
      marker = op ? { leader, index: cluster.raw(leader).status().lastIndex } : undefined;
      continue;
    }
    const voters = cluster.raw(leader).status().confState.voters;
    const appliedBy = voters.filter((id) => cluster.node(id).applied >= marker!.index).length;
    if (appliedBy > voters.length / 2) return;
  }
  const leader = cluster.leader();
  const nodes = cluster.ids().map((id) => {
    const s = cluster.raw(id).status();
    return `${id}:${s.softState.role} term=${s.hardState.term} vote=${s.hardState.vote} commit=${s.hardState.commit} last=${s.lastIndex} voters=${s.confState.voters} learners=${s.confState.learners}`;
  });
  throw new InvariantViolation(
    'liveness',
    (leader === undefined
      ? `no leader within ${ticksMax} ticks of healing`
      : `node ${leader} leads but a write did not reach a quorum within ${ticksMax} ticks of healing`) + ` [${nodes.join('; ')}]`,
  );
}

/** Seeds for a test run: SEED=n replays one; SEEDS=n runs n (default `count`) from a base. */
export function seedsFromEnv(count: number, base = 1): number[] {
  const one = process.env['SEED'];
  if (one !== undefined) return [Number(one)];
  const n = Number(process.env['SEEDS'] ?? count);
  const start = Number(process.env['SEED_BASE'] ?? base);
  return Array.from({ length: n }, (_, i) => start + i);
}

export { nodeId };
