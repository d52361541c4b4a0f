import { TributaryError } from '@tributary/protocol';
import type { Cluster, TopicPartition } from './cluster';
import type { DeliveryGate } from './delivery-gate';
import { GroupCoordinator } from './group-coordinator';
import { GroupMembership, type RebalanceListener } from './group-membership';
import { GroupOffsets, type TopicPartitionOffset } from './group-offsets';

/** Consumer-group settings, as options of the consumer or of subscribe() (Kafka's names in brackets). */
export interface GroupOptions {
  /** The group to join [group.id]. */
  groupId?: string;
  /** Static membership [group.instance.id]: back within the session, the member keeps its partitions. */
  groupInstanceId?: string;
  /** How long the member may take to give up revoked partitions [max.poll.interval.ms]. Default 300000. */
  rebalanceTimeoutMs?: number;
  /** The coordinator's assignor to ask for [group.remote.assignor]. Default: the coordinator's (uniform). */
  groupRemoteAssignor?: 'uniform' | 'range';
  /** Commit consumed positions every autoCommitIntervalMs, before partitions go and on close [enable.auto.commit]. Default true. */
  autoCommit?: boolean;
  /** [auto.commit.interval.ms] Default 5000. */
  autoCommitIntervalMs?: number;
  /** Sent to the coordinator, shown by `tributary groups --describe` [client.id]. Default consumer-<groupId>-<n>. */
  clientId?: string;
}

/** subscribe(): topic names or a pattern (whole-name match, RE2 syntax), group settings, callbacks. */
export interface SubscribeOptions extends GroupOptions, RebalanceListener {
  topics?: string[];
  pattern?: RegExp | string;
}

/** The consumer, as its group drives it. */
export interface GroupConsumerHost {
  assign(partitions: TopicPartition[]): void;
  /** The next offset to read of each owned partition the application has a position in. */
  consumedOffsets(partitions?: TopicPartition[]): TopicPartitionOffset[];
  readonly gate: DeliveryGate;
  fail(error: Error): void;
}

export interface GroupMetadata {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  groupInstanceId?: string;
}

let clientSequence = 0;

/**
 * A subscribed consumer's group side: its membership (heartbeats, reconciliation, leave), its
 * committed offsets (where new partitions start), auto-commit, and the commit calls.
 */
export class GroupSubscription {
  readonly offsets: GroupOffsets;
  private readonly groupId: string;
  private readonly membership: GroupMembership;
  private readonly autoCommit: boolean;
  private readonly autoCommitIntervalMs: number;
  private autoCommitTimer: NodeJS.Timeout | null = null;
  private autoCommitting = false;

  constructor(
    cluster: Cluster,
    private readonly options: SubscribeOptions,
    private readonly host: GroupConsumerHost,
    retry: { timeoutMs: number; retryBackoffMs: number; retryBackoffMaxMs: number },
  ) {
    const groupId = checkGroupId(options.groupId);
    this.groupId = groupId;
    this.autoCommit = options.autoCommit ?? true;
    this.autoCommitIntervalMs = positive(options.autoCommitIntervalMs ?? 5000, 'autoCommitIntervalMs');
    const coordinator = new GroupCoordinator(cluster, groupId, retry);
    this.membership = new GroupMembership(
      coordinator,
      {
        ...subscriptionOf(options),
        instanceId: options.groupInstanceId,
        rebalanceTimeoutMs: positive(options.rebalanceTimeoutMs ?? 300_000, 'rebalanceTimeoutMs'),
        assignor: options.groupRemoteAssignor,
        clientId: options.clientId ?? `consumer-${groupId}-${++clientSequence}`,
      },
      options,
      {
        assign: (partitions) => host.assign(partitions),
        gate: host.gate,
        commitBeforeRevocation: this.autoCommit ? (partitions) => this.offsets.commit(host.consumedOffsets(partitions)) : null,
        fail: (error) => host.fail(error),
      },
      retry,
    );
    this.offsets = new GroupOffsets(coordinator, this.membership);
  }

  start(): void {
    this.membership.start();
    if (this.autoCommit) this.autoCommitTimer = setInterval(() => this.commitConsumed(), this.autoCommitIntervalMs);
  }

  metadata(): GroupMetadata {
    const { memberId, memberEpoch } = this.membership.identity();
    return { groupId: this.groupId, memberId, memberEpoch, ...(this.options.groupInstanceId === undefined ? {} : { groupInstanceId: this.options.groupInstanceId }) };
  }

  /** Commits `offsets`, or the consumed position of every owned partition; retries a stale epoch after the next heartbeat. */
  commitSync(offsets?: TopicPartitionOffset[]): Promise<void> {
    return this.offsets.commit(offsets ?? this.host.consumedOffsets());
  }

  /** Stops auto-commit and leaves the group (revoking, and auto-committing, what it owns). */
  async close(): Promise<void> {
    if (this.autoCommitTimer) clearInterval(this.autoCommitTimer);
    await this.membership.close();
  }

  /**
   * The auto-commit: positions read between deliveries, so a record the application holds is
   * not counted; a failed one is simply done again at the next interval.
   */
  private commitConsumed(): void {
    if (this.autoCommitting) return;
    this.autoCommitting = true;
    this.host.gate.whenIdle(() => {
      this.offsets
        .commit(this.host.consumedOffsets())
        .catch(() => undefined)
        .finally(() => (this.autoCommitting = false));
    });
  }
}

function checkGroupId(groupId: string | undefined): string {
  if (groupId === undefined || groupId.trim() === '') {
    throw new TributaryError('INVALID_GROUP_ID', 'subscribe() needs a groupId (group.id): the consumer group to join');
  }
  return groupId;
}

function subscriptionOf(options: SubscribeOptions): { topics?: string[]; pattern?: string } {
  const { topics, pattern } = options;
  if ((topics === undefined) === (pattern === undefined)) {
    throw new TributaryError('INVALID_REQUEST', 'subscribe() needs exactly one of topics (a list of names) and pattern (a regular expression)');
  }
  if (topics !== undefined) {
    if (topics.length === 0 || topics.some((t) => typeof t !== 'string' || t === '')) {
      throw new TributaryError('INVALID_REQUEST', 'subscribe({ topics }) needs at least one topic name, and no empty ones');
    }
    return { topics: [...new Set(topics)].sort() };
  }
  if (pattern instanceof RegExp) {
    // The coordinator matches whole names in RE2 syntax; JavaScript flags have no meaning there.
    if (pattern.flags !== '') throw new TributaryError('INVALID_REGULAR_EXPRESSION', `subscribe({ pattern }) takes no regex flags (got /${pattern.source}/${pattern.flags})`);
    return { pattern: pattern.source };
  }
  if (pattern === '') throw new TributaryError('INVALID_REGULAR_EXPRESSION', 'subscribe({ pattern }) needs a non-empty regular expression');
  return { pattern };
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new TributaryError('INVALID_CONFIG', `${name} must be a positive integer, not ${value}`);
  return value;
}
