import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, TopicPartitions } from '@tributary/proto';
import { isTributaryError, type ErrorCodeName } from '@tributary/protocol';
import type { TopicPartition } from './cluster';
import type { DeliveryGate } from './delivery-gate';
import type { GroupCoordinator } from './group-coordinator';
import type { CommittingMember, MemberIdentity } from './group-offsets';

/** The application's rebalance callbacks (Kafka's ConsumerRebalanceListener); each is awaited. */
export interface RebalanceListener {
  /** Partitions this member got, before any of their records is handed out: seek() here to start elsewhere. */
  onPartitionsAssigned?(partitions: TopicPartition[]): Promise<void> | void;
  /** Partitions about to go to another member, still owned: commit by hand here if auto-commit is off. */
  onPartitionsRevoked?(partitions: TopicPartition[]): Promise<void> | void;
  /**
   * Partitions that may already be another member's (this one was fenced or timed out), so
   * committing them fails. Default: onPartitionsRevoked.
   */
  onPartitionsLost?(partitions: TopicPartition[]): Promise<void> | void;
}

/** What the member sends in every heartbeat besides its identity and partitions. */
export interface MemberSubscription {
  topics?: string[];
  /** Whole-name match, RE2 syntax. */
  pattern?: string;
  instanceId?: string;
  rebalanceTimeoutMs: number;
  assignor?: 'uniform' | 'range';
  clientId: string;
}

/** The consumer as the membership drives it. */
export interface MemberPartitions {
  /** Replaces what the consumer fetches. */
  assign(partitions: TopicPartition[]): void;
  readonly gate: DeliveryGate;
  /** Commits what the application consumed of partitions about to go (auto-commit); null without auto-commit. */
  readonly commitBeforeRevocation: ((partitions: TopicPartition[]) => Promise<void>) | null;
  /** Stops the consumer with an error the application sees (records()/run() throw it). */
  fail(error: Error): void;
}

export interface MembershipBackoff {
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
}

/** Answers that mean the coordinator no longer knows this member as it thinks: its partitions are lost and it joins again. */
const REJOIN: readonly ErrorCodeName[] = ['FENCED_MEMBER_EPOCH', 'UNKNOWN_MEMBER_ID', 'GROUP_ID_NOT_FOUND'];
const LEAVE_EPOCH = -1;
/** A static member leaves this way to come back within the session and keep its partitions. */
const LEAVE_STATIC_EPOCH = -2;

type Phase = 'active' | 'rejoining' | 'closing' | 'failed';

/**
 * One member of a consumer group on the client side of KIP-848 (libs/groups/README.md, "What a
 * consumer does"): heartbeats to the coordinator every heartbeatIntervalMs it answers, and
 * reconciles each assignment it receives — revoked partitions first (the application's
 * callback, the auto-commit, then no more fetching), new ones after — reporting what it owns in
 * the next heartbeat, sent as soon as a step is done. Fenced, it loses everything and joins again.
 */
export class GroupMembership implements CommittingMember {
  private memberId = '';
  private memberEpoch = 0;
  private owned: TopicPartition[] = [];
  /** The latest assignment received and not yet reconciled. */
  private target: TopicPartition[] | null = null;
  private phase: Phase = 'active';
  /** Bumped when the owned partitions are lost or given up at close: a step of an older generation stops. */
  private generation = 0;
  /** Reconciliation steps and losses, one at a time, in order. */
  private work: Promise<void> = Promise.resolve();
  private reconcileQueued = false;
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** A heartbeat was asked for while one was in flight: it goes as soon as that one is answered. */
  private heartbeatAgain = false;
  private heartbeatWaiters: (() => void)[] = [];
  private failedAttempts = 0;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly coordinator: GroupCoordinator,
    private readonly subscription: MemberSubscription,
    private readonly listener: RebalanceListener,
    private readonly partitions: MemberPartitions,
    private readonly backoff: MembershipBackoff,
  ) {}

  /** Joins: the first heartbeat goes now. */
  start(): void {
    this.heartbeatNow();
  }

  identity(): MemberIdentity {
    return { memberId: this.memberId, memberEpoch: this.memberEpoch };
  }

  owns(tp: TopicPartition): boolean {
    return this.owned.some((o) => o.topic === tp.topic && o.partition === tp.partition);
  }

  nextHeartbeat(): Promise<void> {
    if (this.phase === 'closing' || this.phase === 'failed') return Promise.resolve();
    const next = new Promise<void>((resolve) => this.heartbeatWaiters.push(resolve));
    if (!this.inFlight) this.heartbeatNow();
    return next;
  }

  /**
   * Leaves the group: the owned partitions are revoked as in a rebalance (callback, auto-commit),
   * then a heartbeat with epoch -1 (-2 for a static member) tells the coordinator.
   */
  close(): Promise<void> {
    this.closing ??= this.leave();
    return this.closing;
  }

  private async leave(): Promise<void> {
    this.phase = 'closing';
    this.target = null;
    this.generation++;
    this.clearTimer();
    // A step in progress stops at its next check; one inside an application callback finishes it first.
    await this.work;
    if (this.owned.length > 0) await this.revoke(this.owned, this.generation);
    await this.inFlight;
    if (this.memberId !== '' && this.memberEpoch > 0) {
      const memberEpoch = this.subscription.instanceId === undefined ? LEAVE_EPOCH : LEAVE_STATIC_EPOCH;
      // A leave that does not arrive costs the group a session timeout, not correctness: close() goes on.
      await this.coordinator.call('consumerGroupHeartbeat', { ...this.request(), memberEpoch }).catch(() => undefined);
    }
    this.coordinator.close();
    this.settleWaiters();
  }

  private heartbeatNow(): void {
    this.clearTimer();
    if (this.inFlight) {
      this.heartbeatAgain = true;
      return;
    }
    if (this.phase !== 'active') return;
    this.inFlight = this.heartbeat().then((delayMs) => {
      this.inFlight = null;
      this.settleWaiters();
      if (this.heartbeatAgain) {
        this.heartbeatAgain = false;
        this.heartbeatNow();
      } else if (this.phase === 'active') {
        this.timer = setTimeout(() => this.heartbeatNow(), delayMs);
      }
    });
  }

  /** One heartbeat and what follows from its answer; resolves to when the next one is due. */
  private async heartbeat(): Promise<number> {
    try {
      const delayMs = this.absorb(await this.coordinator.call('consumerGroupHeartbeat', this.request()));
      this.failedAttempts = 0;
      return delayMs;
    } catch (e) {
      return this.onHeartbeatError(e as Error);
    }
  }

  /** Takes in an answer; returns when to heartbeat next. */
  private absorb(response: ConsumerGroupHeartbeatResponse): number {
    // Kept even while closing: the leave names the member and epoch the coordinator knows.
    this.memberId = response.memberId;
    this.memberEpoch = response.memberEpoch;
    if (response.assignment && this.phase === 'active') {
      this.target = fromTopicPartitions(response.assignment.topicPartitions);
      this.reconcile();
    }
    return response.heartbeatIntervalMs;
  }

  private onHeartbeatError(error: Error): number {
    if (this.phase !== 'active') return 0;
    if (isTributaryError(error) && REJOIN.includes(error.code)) {
      this.rejoin();
      return 0;
    }
    if (isTributaryError(error) && error.retriable) {
      return Math.min(this.backoff.retryBackoffMs * 2 ** this.failedAttempts++, this.backoff.retryBackoffMaxMs);
    }
    // Refusals that no retry changes (an invalid regex, an instance id in use, a full group …).
    this.phase = 'failed';
    this.partitions.fail(error);
    this.settleWaiters();
    return 0;
  }

  /** Fenced or forgotten: the partitions may be another member's already; give them up unreported and join again. */
  private rejoin(): void {
    this.phase = 'rejoining';
    this.target = null;
    this.memberEpoch = 0;
    this.generation++;
    this.enqueue(async () => {
      const lost = this.owned;
      if (lost.length > 0) {
        await this.partitions.gate.exclusive(async () => {
          this.owned = [];
          this.partitions.assign([]);
          await this.callListener(this.listener.onPartitionsLost ?? this.listener.onPartitionsRevoked, lost);
        });
      }
      if (this.phase !== 'rejoining') return;
      this.phase = 'active';
      this.heartbeatNow();
    });
  }

  private reconcile(): void {
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    this.enqueue(async () => {
      this.reconcileQueued = false;
      const target = this.target;
      this.target = null;
      if (target === null || this.phase !== 'active') return;
      const revoked = minus(this.owned, target);
      const added = minus(target, this.owned);
      if (revoked.length === 0 && added.length === 0) return;
      const generation = this.generation;
      await this.partitions.gate.exclusive(async () => {
        if (revoked.length > 0) await this.revoke(revoked, generation);
        if (added.length > 0 && generation === this.generation) await this.add(added);
      });
      if (generation === this.generation) this.heartbeatNow();
    });
  }

  /** The application's callback, the auto-commit, then the partitions are no longer fetched (or owned). */
  private async revoke(revoked: TopicPartition[], generation: number): Promise<void> {
    if (generation !== this.generation) return;
    await this.callListener(this.listener.onPartitionsRevoked, revoked);
    if (generation !== this.generation) return;
    // The partitions go either way; what was not committed, their next owner reads again.
    await this.partitions.commitBeforeRevocation?.(revoked).catch(() => undefined);
    if (generation !== this.generation) return;
    this.owned = minus(this.owned, revoked);
    this.partitions.assign(this.owned);
  }

  /** New partitions start from their committed offsets once the callback (which may seek them) returns. */
  private async add(added: TopicPartition[]): Promise<void> {
    this.owned = [...this.owned, ...added];
    this.partitions.assign(this.owned);
    await this.callListener(this.listener.onPartitionsAssigned, added);
  }

  private async callListener(callback: ((partitions: TopicPartition[]) => Promise<void> | void) | undefined, partitions: TopicPartition[]): Promise<void> {
    try {
      await callback?.call(this.listener, partitions.map((tp) => ({ ...tp })));
    } catch (e) {
      this.partitions.fail(e as Error);
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.work = this.work.then(step).catch((e: Error) => this.partitions.fail(e));
  }

  private request(): ConsumerGroupHeartbeatRequest {
    const s = this.subscription;
    return {
      groupId: this.coordinator.groupId,
      memberId: this.memberId,
      memberEpoch: this.memberEpoch,
      instanceId: s.instanceId,
      rebalanceTimeoutMs: s.rebalanceTimeoutMs,
      subscribedTopicNames: s.topics ? { names: s.topics } : undefined,
      subscribedTopicRegex: s.pattern,
      serverAssignor: s.assignor,
      ownedTopicPartitions: { topicPartitions: toTopicPartitions(this.owned) },
      clientId: s.clientId,
    };
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private settleWaiters(): void {
    for (const resolve of this.heartbeatWaiters.splice(0)) resolve();
  }
}

function fromTopicPartitions(list: TopicPartitions[]): TopicPartition[] {
  return list.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })));
}

function toTopicPartitions(partitions: TopicPartition[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list.sort((a, b) => a - b) }));
}

function minus(a: TopicPartition[], b: TopicPartition[]): TopicPartition[] {
  const inB = new Set(b.map((tp) => `${tp.topic}\u0000${tp.partition}`));
  return a.filter((tp) => !inB.has(`${tp.topic}\u0000${tp.partition}`));
}
