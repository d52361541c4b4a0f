import type { BrokerNode } from '@tributary/proto';
import { TributaryError, type ErrorCodeName } from '@tributary/protocol';
import type { BrokerConnection, GroupMethod, GroupRequest, GroupResponse } from './broker-connection';
import type { Cluster } from './cluster';

/**
 * Answers after which the call goes to the coordinator found anew: it moved (NOT_COORDINATOR),
 * is still loading the group's partition of __consumer_offsets, has none yet, or could not be
 * reached at all.
 */
const FIND_AGAIN: ReadonlySet<ErrorCodeName> = new Set<ErrorCodeName>([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NETWORK_EXCEPTION',
  'REQUEST_TIMED_OUT',
]);

export interface GroupCoordinatorOptions {
  /** How long one call keeps looking for the coordinator before failing with the last answer. */
  timeoutMs: number;
  /** First pause between attempts; it doubles up to retryBackoffMaxMs. */
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
}

/**
 * The broker coordinating one group, as Kafka's clients track it: found with FindCoordinator
 * (any broker answers), remembered, and found again whenever an answer says it moved.
 */
export class GroupCoordinator {
  private coordinator: Promise<BrokerConnection> | null = null;
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    readonly groupId: string,
    private readonly options: GroupCoordinatorOptions,
  ) {}

  /** The coordinator as FindCoordinator names it now. */
  async find(): Promise<BrokerNode> {
    const { coordinator } = await this.cluster.withAnyBroker((connection) => connection.callGroup('findCoordinator', { groupId: this.groupId }));
    if (!coordinator) throw new TributaryError('COORDINATOR_NOT_AVAILABLE', `no broker named a coordinator for group ${this.groupId}; retry shortly`);
    return coordinator;
  }

  /**
   * Runs a GroupService call on the coordinator, finding it again (with backoff) while answers say
   * it moved. `answerError` reads an error a response carries in its body (DescribeGroups and
   * DeleteGroups answer per group), so those move the call along too.
   */
  async call<K extends GroupMethod>(
    method: K,
    request: GroupRequest<K>,
    answerError: (response: GroupResponse<K>) => TributaryError | null = () => null,
  ): Promise<GroupResponse<K>> {
    const deadline = Date.now() + this.options.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await (await this.connection()).callGroup(method, request);
        const error = answerError(response);
        if (error) throw error;
        return response;
      } catch (e) {
        if (!(e instanceof TributaryError) || !FIND_AGAIN.has(e.code) || this.closed) throw e;
        this.coordinator = null;
        const backoffMs = Math.min(this.options.retryBackoffMs * 2 ** attempt, this.options.retryBackoffMaxMs);
        if (Date.now() + backoffMs > deadline) throw e;
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        if (this.closed) throw e;
      }
    }
  }

  /** Stops retrying: the owner is closing its connections. */
  close(): void {
    this.closed = true;
  }

  private connection(): Promise<BrokerConnection> {
    if (!this.coordinator) {
      const found = this.find().then((node) => this.cluster.connectionToBroker(node));
      found.catch(() => {
        if (this.coordinator === found) this.coordinator = null;
      });
      this.coordinator = found;
    }
    return this.coordinator;
  }
}
