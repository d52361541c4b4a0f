/**
 * A seeded world for the coordinator: consumers that heartbeat on schedule, crash, restart,
 * leave, lose requests or responses, commit; topics that grow and appear; and the checker of
 * what must hold after every step. The checker lives here, outside the code under test, and
 * reads the clients' own views: what each consumer believes it owns.
 */
import { EMPTY_ASSIGNMENT, topicPartitionsOf, unionAssignments } from '../assignment';
import { GroupCoordinatorState } from '../group-coordinator-state';
import { GroupRecord } from '../group-record';
import { sequentialMemberIds } from './sequential-member-ids';
import { TestCluster } from './test-cluster';
import { ConsumerSettings, TestConsumer } from './test-consumer';

export const WORLD_GROUP = 'sim';
export const WORLD_REBALANCE_TIMEOUT_MS = 20_000;
export const WORLD_SESSION_TIMEOUT_MS = 45_000;

export type NetworkFault = 'none' | 'requests' | 'responses';

const CLIENT_SETTINGS: readonly Partial<ConsumerSettings>[] = [
  { subscribedTopicNames: ['t0', 't1'] },
  { subscribedTopicNames: ['t0'] },
  { subscribedTopicRegex: 't.*', serverAssignor: 'range' },
  { subscribedTopicNames: ['t0', 't1'], instanceId: 'host-3' },
  { subscribedTopicRegex: 't[0-9]+', instanceId: 'host-4', serverAssignor: 'range' },
  { subscribedTopicNames: ['t1', 't2'] },
];
export const WORLD_CLIENTS = CLIENT_SETTINGS.length;

export interface WorldClient {
  readonly consumer: TestConsumer;
  alive: boolean;
  fault: NetworkFault;
  /** When the client last heard from the coordinator: past the rebalance timeout it gives its partitions up. */
  lastResponseMs: number;
  nextHeartbeatMs: number;
  /** A canary: keeps partitions it is told to give up. */
  readonly ignoresRevocation: boolean;
}

export class GroupWorld {
  nowMs = 0;
  readonly cluster = new TestCluster({ t0: 3, t1: 2 });
  readonly coordinator = new GroupCoordinatorState({ newMemberId: sequentialMemberIds(), sessionTimeoutMs: WORLD_SESSION_TIMEOUT_MS });
  readonly log: GroupRecord[] = [];
  readonly clients: WorldClient[];
  private topicsCreated = 0;

  constructor(options: { brokenClient?: number } = {}) {
    this.clients = CLIENT_SETTINGS.map((settings, i) => ({
      consumer: new TestConsumer(this.coordinator, () => this.cluster.image, this.log, { groupId: WORLD_GROUP, rebalanceTimeoutMs: WORLD_REBALANCE_TIMEOUT_MS, ...settings }),
      alive: false,
      fault: 'none',
      lastResponseMs: 0,
      nextHeartbeatMs: 0,
      ignoresRevocation: options.brokenClient === i,
    }));
  }

  /** One heartbeat (a join when the client is not a member) through the client's network. */
  heartbeat(i: number): void {
    const c = this.clients[i];
    if (!c.alive || c.fault === 'requests') return;
    const lose = c.fault === 'responses';
    const keep = c.consumer.owned;
    const response = c.consumer.memberEpoch === 0 ? (lose ? undefined : c.consumer.join(this.nowMs)) : c.consumer.heartbeat(this.nowMs, { lose });
    if (lose || !response) return;
    c.lastResponseMs = this.nowMs;
    c.nextHeartbeatMs = this.nowMs + (response.heartbeatIntervalMs || 5000);
    if (c.ignoresRevocation && response.errorCode === 'NONE' && c.consumer.memberEpoch > 0) c.consumer.owned = unionAssignments(keep, c.consumer.owned);
  }

  tick(elapsedMs: number, order: readonly number[]): void {
    this.nowMs += elapsedMs;
    for (const i of order) if (this.clients[i].nextHeartbeatMs <= this.nowMs) this.heartbeat(i);
    this.log.push(...this.coordinator.expireMembers(this.nowMs).records);
    this.clientSideTimeouts();
  }

  start(i: number): void {
    const c = this.clients[i];
    if (c.alive) return;
    c.consumer.restart();
    c.alive = true;
    c.lastResponseMs = this.nowMs;
    this.heartbeat(i);
  }

  crash(i: number): void {
    const c = this.clients[i];
    c.alive = false;
    c.consumer.owned = EMPTY_ASSIGNMENT;
  }

  leave(i: number, asStatic: boolean): void {
    const c = this.clients[i];
    if (!c.alive || c.consumer.memberEpoch <= 0) return;
    const epoch = asStatic && c.consumer.settings.instanceId ? -2 : -1;
    c.consumer.leave(this.nowMs, epoch);
    c.alive = false;
  }

  commit(i: number): void {
    const c = this.clients[i];
    if (!c.alive || c.consumer.memberEpoch <= 0) return;
    const offsets = topicPartitionsOf(c.consumer.owned).map(({ topic, partition }) => ({ topic, partition, offset: this.nowMs }));
    const known = this.coordinator.describeGroups([WORLD_GROUP])[0].members.find((m) => m.memberId === c.consumer.memberId);
    try {
      this.log.push(...this.coordinator.commitOffsets({ groupId: WORLD_GROUP, memberId: c.consumer.memberId, memberEpoch: c.consumer.memberEpoch, offsets }, this.nowMs).records);
    } catch (e) {
      // A member at its current epoch must be able to commit everything it owns.
      if (known && known.memberEpoch === c.consumer.memberEpoch && !c.ignoresRevocation) throw e;
    }
  }

  changeTopics(kind: 'grow' | 'create'): void {
    if (kind === 'grow') {
      const name = this.cluster.image.topicNames()[this.topicsCreated % this.cluster.image.topicNames().length];
      this.cluster.addPartitions(name, (this.cluster.image.partitionCount(name) ?? 0) + 1);
    } else if (this.topicsCreated < 3) {
      this.cluster.createTopic(`t${2 + this.topicsCreated}`, 2);
    }
    this.topicsCreated++;
  }

  setFault(i: number, fault: NetworkFault): void {
    this.clients[i].fault = fault;
  }

  /** A client that has not heard from the coordinator for its rebalance timeout gives its partitions up and will rejoin. */
  private clientSideTimeouts(): void {
    for (const c of this.clients) {
      if (c.alive && c.consumer.memberEpoch !== 0 && this.nowMs - c.lastResponseMs >= WORLD_REBALANCE_TIMEOUT_MS) {
        c.consumer.owned = EMPTY_ASSIGNMENT;
        c.consumer.memberEpoch = 0;
      }
    }
  }

  /** Safety, after every step: no partition owned by two clients, nor by two members as the coordinator sees it. */
  checkSafety(): void {
    const group = this.coordinator.describeGroups([WORLD_GROUP])[0];
    const coordinatorOwner = new Map<string, string>();
    for (const m of group.members) {
      for (const { topic, partition } of [...topicPartitionsOf(m.assignment), ...topicPartitionsOf(m.partitionsPendingRevocation)]) {
        const key = `${topic}-${partition}`;
        if (coordinatorOwner.has(key)) throw new Error(`t=${this.nowMs}: coordinator has ${key} owned by ${coordinatorOwner.get(key)} and ${m.memberId}`);
        coordinatorOwner.set(key, m.memberId);
      }
    }
    const clientOwner = new Map<string, number>();
    this.clients.forEach((c, i) => {
      for (const { topic, partition } of topicPartitionsOf(c.consumer.owned)) {
        const key = `${topic}-${partition}`;
        if (clientOwner.has(key)) throw new Error(`t=${this.nowMs}: ${key} is owned by clients ${clientOwner.get(key)} and ${i}`);
        clientOwner.set(key, i);
      }
    });
  }

  /** Liveness, after healing: every partition some live member subscribes to is owned by exactly that member, all reconciled. */
  checkSettled(): void {
    const group = this.coordinator.describeGroups([WORLD_GROUP])[0];
    const live = this.clients.filter((c) => c.alive);
    if (live.length === 0) return;
    if (group.state !== 'STABLE') throw new Error(`t=${this.nowMs}: group is ${group.state} after healing: ${JSON.stringify(group.members)}`);
    for (const c of live) {
      const member = group.members.find((m) => m.memberId === c.consumer.memberId);
      if (!member) throw new Error(`t=${this.nowMs}: live client ${c.consumer.memberId} is not a member`);
      if (JSON.stringify(member.assignment) !== JSON.stringify(c.consumer.owned) || JSON.stringify(member.assignment) !== JSON.stringify(member.targetAssignment)) {
        throw new Error(`t=${this.nowMs}: ${member.memberId} owns ${JSON.stringify(c.consumer.owned)}, coordinator says ${JSON.stringify(member.assignment)}, target ${JSON.stringify(member.targetAssignment)}`);
      }
    }
    const owned = new Set(live.flatMap((c) => topicPartitionsOf(c.consumer.owned).map((tp) => `${tp.topic}-${tp.partition}`)));
    for (const t of group.subscribedTopics) {
      for (let p = 0; p < t.numPartitions; p++) if (!owned.has(`${t.name}-${p}`)) throw new Error(`t=${this.nowMs}: ${t.name}-${p} is owned by nobody`);
    }
  }
}
