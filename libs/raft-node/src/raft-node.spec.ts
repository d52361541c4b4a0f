import { nodeId, type NodeId } from '@tributary/raft';
import type { RaftNode } from './raft-node';
import { KvStateMachine } from './testing/kv-state-machine';
import { TestCluster } from './testing/test-cluster';
import { waitFor } from './testing/wait-for';

/**
 * Runs `request` on the current leader, again on whichever leads next when leadership moves
 * under it (NOT_LEADER_OR_FOLLOWER); the test's puts are idempotent, so a retry is safe.
 */
async function onLeader<T>(cluster: TestCluster, request: (leader: RaftNode) => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const leader = cluster.leader();
    if (leader) {
      try {
        return await request(leader);
      } catch (e) {
        if ((e as { code?: string }).code !== 'NOT_LEADER_OR_FOLLOWER') throw e;
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no leader completed the request');
}

function put(cluster: TestCluster, key: string, value: string): Promise<number> {
  return onLeader(cluster, (leader) => leader.propose(KvStateMachine.encode(key, value)));
}

async function electedLeader(cluster: TestCluster): Promise<RaftNode> {
  await waitFor(() => cluster.leader() !== undefined, 'a leader');
  return cluster.leader()!;
}

describe('RaftNode (3 nodes over gRPC on loopback)', () => {
  let cluster: TestCluster;
  afterEach(async () => {
    await cluster.close();
  });

  it('elects one leader, commits proposals and every node applies them in the same order', async () => {
    cluster = await TestCluster.start(3);
    await electedLeader(cluster);
    const indexes: number[] = [];
    for (let i = 0; i < 10; i++) indexes.push(await put(cluster, `k${i}`, `v${i}`));
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    const last = indexes[indexes.length - 1];
    await waitFor(() => cluster.running().every((n) => n.status().appliedIndex >= last), 'all nodes to apply');
    for (const s of cluster.slots) {
      expect(cluster.kv(s.id).values.get('k9')).toBe('v9');
      expect(cluster.kv(s.id).appliedIndexes).toEqual(cluster.kv(nodeId(1)).appliedIndexes);
    }
    const leader = await electedLeader(cluster);
    const status = leader.status();
    expect(status).toMatchObject({ role: 'leader', leaderId: status.id, voters: [1, 2, 3] });
    expect(status.commitIndex).toBeGreaterThanOrEqual(last);
  });

  it('a proposal or read on a follower is refused with NOT_LEADER_OR_FOLLOWER naming the leader', async () => {
    cluster = await TestCluster.start(3);
    const leader = await electedLeader(cluster);
    const leaderId = leader.status().id;
    const follower = cluster.running().find((n) => n.status().id !== leaderId)!;
    await waitFor(() => follower.status().leaderId === leaderId, 'the follower to know the leader');
    await expect(follower.propose(KvStateMachine.encode('a', 'b'))).rejects.toMatchObject({
      code: 'NOT_LEADER_OR_FOLLOWER',
      message: expect.stringContaining(String(leaderId)),
    });
    await expect(follower.read()).rejects.toMatchObject({ code: 'NOT_LEADER_OR_FOLLOWER' });
  });

  it('read() on the leader resolves once everything committed before it is applied', async () => {
    cluster = await TestCluster.start(3);
    await electedLeader(cluster);
    const index = await put(cluster, 'x', '1');
    const reader = await onLeader(cluster, async (leader) => {
      await leader.read();
      return leader;
    });
    expect(reader.status().appliedIndex).toBeGreaterThanOrEqual(index);
    expect(cluster.kv(reader.status().id).values.get('x')).toBe('1');
  });

  it('after the leader stops a new one is elected, proposals continue and none acknowledged is lost', async () => {
    cluster = await TestCluster.start(3);
    const first = await electedLeader(cluster);
    const firstId = first.status().id;
    const acknowledged = new Map<string, string>();
    for (let i = 0; i < 5; i++) {
      await put(cluster, `before-${i}`, String(i));
      acknowledged.set(`before-${i}`, String(i));
    }
    await cluster.stopNode(firstId);
    const second = await electedLeader(cluster);
    expect(second.status().id).not.toBe(firstId);
    for (let i = 0; i < 5; i++) {
      await put(cluster, `after-${i}`, String(i));
      acknowledged.set(`after-${i}`, String(i));
    }
    const reader = await onLeader(cluster, async (leader) => {
      await leader.read();
      return leader;
    });
    for (const [key, value] of acknowledged) expect(cluster.kv(reader.status().id).values.get(key)).toBe(value);
  });

  it('a stopped node restarted from its directory catches up from the log', async () => {
    cluster = await TestCluster.start(3);
    await electedLeader(cluster);
    await put(cluster, 'a', '1');
    const follower = cluster.slots.map((s) => s.id).find((id) => id !== cluster.leader()!.status().id)!;
    await cluster.stopNode(follower);
    const last = await put(cluster, 'b', '2');
    const restarted = await cluster.startNode(follower);
    await waitFor(() => restarted.status().appliedIndex >= last, 'the restarted node to catch up');
    expect(cluster.kv(follower).values).toEqual(new Map([['a', '1'], ['b', '2']]));
  });

  it('a node restarted after the others compacted their logs catches up from a snapshot', async () => {
    cluster = await TestCluster.start(3, { snapshotEntries: 5 });
    await electedLeader(cluster);
    await put(cluster, 'first', '0');
    const leaderId = cluster.leader()!.status().id;
    const lagging: NodeId = cluster.slots.map((s) => s.id).find((id) => id !== leaderId)!;
    const stoppedAt = cluster.node(lagging).status().lastIndex;
    await cluster.stopNode(lagging);
    let last = 0;
    for (let i = 0; i < 20; i++) last = await put(cluster, `k${i}`, String(i));
    // The entries after `stoppedAt` are gone from every log: only a snapshot can bring them.
    const compacted = () => cluster.running().every((n) => n.status().snapshotIndex > stoppedAt + 1);
    await waitFor(compacted, 'the running nodes to compact past the stopped one');
    const restarted = await cluster.startNode(lagging);
    await waitFor(() => restarted.status().appliedIndex >= last, 'the restarted node to catch up');
    expect(restarted.status().snapshotIndex).toBeGreaterThan(stoppedAt);
    expect(cluster.kv(lagging).values.get('k19')).toBe('19');
    expect(cluster.kv(lagging).values.get('first')).toBe('0');
  });

  it('a leader cut off from its majority steps down and fails the reads it can no longer confirm', async () => {
    cluster = await TestCluster.start(3);
    const leader = await electedLeader(cluster);
    const leaderId = leader.status().id;
    const term = leader.status().term;
    for (const s of cluster.slots) if (s.id !== leaderId) await cluster.stopNode(s.id);
    // Pre-vote keeps the term: only the step-down itself can end the wait.
    await expect(leader.read()).rejects.toMatchObject({ code: 'NOT_LEADER_OR_FOLLOWER', message: expect.stringMatching(/stepped down/) });
    expect(leader.status().role).not.toBe('leader');
    expect(leader.status().term).toBe(term);
  });

  it('a stopped node refuses proposals and reads at once', async () => {
    cluster = await TestCluster.start(3);
    const leader = await electedLeader(cluster);
    await cluster.stopNode(leader.status().id);
    await expect(leader.propose(KvStateMachine.encode('k', 'v'))).rejects.toMatchObject({ code: 'NOT_LEADER_OR_FOLLOWER', message: expect.stringMatching(/is stopped/) });
    await expect(leader.read()).rejects.toMatchObject({ code: 'NOT_LEADER_OR_FOLLOWER', message: expect.stringMatching(/is stopped/) });
  });

  it('a restarted whole cluster keeps every committed entry', async () => {
    cluster = await TestCluster.start(3, { snapshotEntries: 4 });
    await electedLeader(cluster);
    for (let i = 0; i < 10; i++) await put(cluster, `k${i}`, String(i));
    for (const s of cluster.slots) await cluster.stopNode(s.id);
    for (const s of cluster.slots) await cluster.startNode(s.id);
    await electedLeader(cluster);
    const reader = await onLeader(cluster, async (leader) => {
      await leader.read();
      return leader;
    });
    const kv = cluster.kv(reader.status().id);
    for (let i = 0; i < 10; i++) expect(kv.values.get(`k${i}`)).toBe(String(i));
  });
});

describe('RaftNode as the only voter', () => {
  let cluster: TestCluster;
  afterEach(async () => {
    await cluster.close();
  });

  it('leads at once, without an election timeout, and again after a restart', async () => {
    // An election timeout this long never fires during the test: only the start-up campaign can elect.
    cluster = await TestCluster.start(1, { electionTick: 1_000_000 });
    const leader = await electedLeader(cluster);
    const index = await leader.propose(KvStateMachine.encode('k', 'v'));
    await cluster.stopNode(leader.status().id);
    const restarted = await cluster.startNode(leader.status().id);
    await waitFor(() => restarted.status().role === 'leader', 'the restarted sole voter to lead');
    expect(restarted.status().appliedIndex).toBeGreaterThanOrEqual(index);
    expect(cluster.kv(restarted.status().id).values.get('k')).toBe('v');
  });
});
