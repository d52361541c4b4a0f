import { nodeId, type Message, type NodeId } from './index';
import { Prng } from './testing/prng';
import { SimCluster, type SimClusterOptions } from './testing/sim-cluster';

const [n1, n2, n3] = [nodeId(1), nodeId(2), nodeId(3)];

function cluster(voters: number, options: Partial<SimClusterOptions> = {}): SimCluster {
  return new SimCluster({ voters, spares: 0, rng: new Prng(7), ...options });
}

function elect(c: SimCluster, id: NodeId): void {
  campaign(c, id);
  expect(c.leader()).toBe(id);
}

function campaign(c: SimCluster, id: NodeId): void {
  c.raw(id).campaign();
  c.processReady(c.node(id));
  c.deliverDue();
}

function role(c: SimCluster, id: NodeId): string {
  return c.raw(id).status().softState.role;
}

function term(c: SimCluster, id: NodeId): number {
  return c.raw(id).status().hardState.term;
}

function commit(c: SimCluster, id: NodeId): number {
  return c.raw(id).status().hardState.commit;
}

/** Delivers the messages due now one by one, dropping those `keep` rejects. */
function deliverOnly(c: SimCluster, keep: (m: Message) => boolean): void {
  while (c.network.hasDue(c.now)) {
    for (const m of c.network.takeDue(c.now)) {
      if (!keep(m) || !c.isUp(m.to)) continue;
      c.raw(m.to).step(m);
      c.processReady(c.node(m.to));
    }
  }
}

describe('raft scenarios', () => {
  it('election: a campaigning node of a 3-node cluster becomes leader of term 2 and the others follow it', () => {
    const c = cluster(3);
    elect(c, n1);
    expect(term(c, n1)).toBe(2);
    for (const id of [n2, n3]) {
      expect(c.raw(id).status().softState).toEqual({ leader: n1, role: 'follower' });
    }
  });

  it('election: a randomized timeout elects exactly one leader without help', () => {
    const c = cluster(5);
    for (let t = 0; t < 40; t++) c.tick();
    const leader = c.leader();
    expect(leader).toBeDefined();
    expect(c.ids().filter((id) => role(c, id) === 'leader')).toEqual([leader]);
  });

  it('replication: a proposal commits on every node and applies in the same order', () => {
    const c = cluster(3);
    elect(c, n1);
    const op = c.request(n1, 'put', 'log', 'k', 'v');
    c.deliverDue();
    c.tick();
    c.deliverDue();
    expect(op?.ret).not.toBe(Infinity);
    for (const id of c.ids()) expect(c.node(id).kv.get('k')).toBe('v');
  });

  it('partition: an old leader cut off from the majority cannot commit, and its entry is replaced after healing', () => {
    const c = cluster(3);
    elect(c, n1);
    c.network.partition([[n1], [n2, n3]]);
    const stale = c.request(n1, 'put', 'log', 'k', 'lost');
    const before = commit(c, n1);
    for (let t = 0; t < 60; t++) c.tick();
    expect(commit(c, n1)).toBe(before);
    const newLeader = c.leader();
    expect([n2, n3]).toContain(newLeader);
    // Check-quorum: the isolated leader stepped down on its own.
    expect(role(c, n1)).not.toBe('leader');
    c.network.heal();
    c.request(newLeader!, 'put', 'log', 'k', 'kept');
    for (let t = 0; t < 20; t++) c.tick();
    expect(stale?.ret).toBe(Infinity);
    for (const id of c.ids()) expect(c.node(id).kv.get('k')).toBe('kept');
  });

  it('election: a node whose log lacks committed entries cannot win', () => {
    const c = cluster(3);
    elect(c, n1);
    c.network.partition([[n1, n2], [n3]]);
    c.request(n1, 'put', 'log', 'k', 'v');
    c.deliverDue();
    c.crash(n1);
    c.network.heal();
    // n3 campaigns once n2's lease on n1 lapsed; n2 refuses: n3's log is behind.
    for (let t = 0; t < 25; t++) c.tick();
    campaign(c, n3);
    expect(role(c, n3)).not.toBe('leader');
    for (let t = 0; t < 60 && c.leader() === undefined; t++) c.tick();
    expect(c.leader()).toBe(n2);
  });

  it('commit rule: a new leader does not commit an earlier-term entry by counting replicas, only with an entry of its own term (figure 8 precondition)', () => {
    for (const unsafe of [false, true]) {
      const c = cluster(3, { raft: { maxSizePerMsgBytes: 1, unsafe: { commitByCountingOldTerms: unsafe } } });
      elect(c, n1);
      c.tick();
      const committedBefore = commit(c, n1);
      // A term-2 entry that only n1 holds; nobody can elect anyone meanwhile.
      c.network.partition([[n1], [n2], [n3]]);
      c.request(n1, 'put', 'log', 'k', 'old-term');
      const oldIndex = c.raw(n1).status().lastIndex;
      c.crash(n1);
      c.restart(n1);
      for (let t = 0; t < 30; t++) c.tick(); // every lease lapses; pre-votes fail across the cut
      c.network.partition([[n1, n2], [n3]]);
      c.raw(n1).campaign();
      c.processReady(c.node(n1));
      // n1 wins term 3 and brings n2 up to the old entry; n2's acknowledgement of n1's own
      // no-op never arrives, so a majority holds the old entry but no entry of term 3.
      deliverOnly(c, (m) => m.type !== 'appResp' || m.reject || m.index <= oldIndex);
      expect(role(c, n1)).toBe('leader');
      expect(c.node(n2).storage.term(oldIndex)).toBe(2);
      expect(commit(c, n1)).toBe(unsafe ? oldIndex : committedBefore);
    }
  });

  it('pre-vote: a partitioned node does not raise its term, and on rejoining does not disturb the leader', () => {
    const c = cluster(3);
    elect(c, n1);
    const leaderTerm = term(c, n1);
    c.network.partition([[n1, n2], [n3]]);
    for (let t = 0; t < 100; t++) c.tick();
    expect(term(c, n3)).toBe(leaderTerm);
    c.network.heal();
    for (let t = 0; t < 30; t++) c.tick();
    expect(c.leader()).toBe(n1);
    expect(term(c, n1)).toBe(leaderTerm);
  });

  it('without pre-vote a partitioned node inflates its term and forces a new election on rejoin', () => {
    const c = cluster(3, { raft: { preVote: false, checkQuorum: false } });
    elect(c, n1);
    const leaderTerm = term(c, n1);
    c.network.partition([[n1, n2], [n3]]);
    for (let t = 0; t < 100; t++) c.tick();
    expect(term(c, n3)).toBeGreaterThan(leaderTerm);
    c.network.heal();
    for (let t = 0; t < 30; t++) c.tick();
    expect(term(c, n1)).toBeGreaterThan(leaderTerm);
  });

  it('leadership transfer: the leader sends TimeoutNow to a caught-up voter, which wins the next term', () => {
    const c = cluster(3);
    elect(c, n1);
    c.raw(n1).transferLeader(n2);
    c.processReady(c.node(n1));
    c.deliverDue();
    expect(c.leader()).toBe(n2);
    expect(term(c, n2)).toBe(3);
    expect(() => c.request(n1, 'put', 'log', 'k', 'v')).not.toThrow();
  });

  it('snapshot: a follower whose next entries were compacted away receives the snapshot and catches up', () => {
    const c = cluster(3, { snapshotEveryEntries: 5 });
    elect(c, n1);
    c.crash(n3);
    for (let i = 0; i < 30; i++) {
      c.request(n1, 'put', 'log', `k${i % 4}`, `v${i}`);
      c.tick();
    }
    expect(c.node(n1).storage.firstIndex()).toBeGreaterThan(c.node(n3).storage.lastIndex() + 1);
    c.restart(n3);
    for (let t = 0; t < 20; t++) c.tick();
    expect(c.node(n3).storage.snapshot().metadata.index).toBeGreaterThan(0);
    expect(c.node(n3).kv).toEqual(c.node(n1).kv);
  });

  it('membership: a learner added, promoted to voter, and a voter removed; quorum follows the configuration', () => {
    const c = new SimCluster({ voters: 3, spares: 1, rng: new Prng(3) });
    const n4 = nodeId(4);
    elect(c, n1);
    const settle = () => {
      for (let t = 0; t < 5; t++) c.tick();
    };
    c.raw(n1).proposeConfChange({ type: 'addLearner', nodeId: n4 });
    settle();
    expect(c.raw(n4).status().confState).toEqual({ voters: [n1, n2, n3], learners: [n4] });
    expect(role(c, n4)).toBe('follower');
    c.raw(n1).proposeConfChange({ type: 'addVoter', nodeId: n4 });
    settle();
    c.raw(n1).proposeConfChange({ type: 'removeNode', nodeId: n2 });
    settle();
    expect(c.raw(n1).status().confState).toEqual({ voters: [n1, n3, n4], learners: [] });
    // n2 is gone: n1, n3, n4 alone commit.
    c.crash(n2);
    const op = c.request(n1, 'put', 'log', 'k', 'v');
    settle();
    expect(op?.ret).not.toBe(Infinity);
    expect(c.node(n4).kv.get('k')).toBe('v');
  });

  it('membership: a second change is refused while one is unapplied', () => {
    const c = new SimCluster({ voters: 3, spares: 2, rng: new Prng(3) });
    elect(c, n1);
    c.tick();
    c.raw(n1).proposeConfChange({ type: 'addLearner', nodeId: nodeId(4) });
    expect(() => c.raw(n1).proposeConfChange({ type: 'addLearner', nodeId: nodeId(5) })).toThrow(/one change at a time/);
  });

  it('read index: a leader serves a read after a heartbeat round confirms it still leads', () => {
    const c = cluster(3);
    elect(c, n1);
    c.request(n1, 'put', 'log', 'k', 'v');
    c.deliverDue();
    const read = c.request(n1, 'get', 'readIndex', 'k');
    c.deliverDue();
    expect(read?.value).toBe('v');
  });

  it('read index: a leader cut off from the majority never answers a read', () => {
    const c = cluster(3);
    elect(c, n1);
    c.tick();
    c.network.partition([[n1], [n2, n3]]);
    const read = c.request(n1, 'get', 'readIndex', 'k');
    for (let t = 0; t < 30; t++) c.tick();
    expect(read?.ret).toBe(Infinity);
  });

  it('proposals to a follower are refused with the leader named', () => {
    const c = cluster(3);
    elect(c, n1);
    expect(() => c.raw(n2).propose(new Uint8Array([1]))).toThrow(/node 1 leads term 2/);
  });
});
