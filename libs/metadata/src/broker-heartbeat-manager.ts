/**
 * BrokerHeartbeatManager: the active controller's view of broker leases, as Kafka's
 * BrokerHeartbeatManager keeps it. It is in-memory and not replicated: a controller that becomes
 * active starts it afresh (`reset`), giving every registered broker a full session, because the
 * previous controller's clock readings mean nothing here. Time is passed in as numbers
 * (milliseconds of any monotonic clock); the tracker never reads a clock.
 */
export interface BrokerLease {
  readonly brokerId: number;
  /** The registration epoch the last contact was made with. */
  readonly brokerEpoch: number;
  readonly lastContactMs: number;
  /** Set by a heartbeat with wantShutdown from an unfenced broker; cleared by a new epoch. */
  readonly inControlledShutdown: boolean;
}

export class BrokerHeartbeatManager {
  private readonly leases = new Map<number, BrokerLease>();

  /** Records contact from `brokerId` at `nowMs`; a new epoch starts a new lease. */
  touch(brokerId: number, brokerEpoch: number, nowMs: number): void {
    const previous = this.leases.get(brokerId);
    const inControlledShutdown = previous !== undefined && previous.brokerEpoch === brokerEpoch && previous.inControlledShutdown;
    // A reading older than the last one (a late, reordered heartbeat) does not shorten the lease.
    const lastContactMs = previous !== undefined && previous.brokerEpoch === brokerEpoch ? Math.max(previous.lastContactMs, nowMs) : nowMs;
    this.leases.set(brokerId, { brokerId, brokerEpoch, lastContactMs, inControlledShutdown });
  }

  /** Marks the broker's current lease as shutting down (its leaderships are moved away). */
  beginControlledShutdown(brokerId: number): void {
    const lease = this.leases.get(brokerId);
    if (lease !== undefined) this.leases.set(brokerId, { ...lease, inControlledShutdown: true });
  }

  inControlledShutdown(brokerId: number): boolean {
    return this.leases.get(brokerId)?.inControlledShutdown ?? false;
  }

  lease(brokerId: number): BrokerLease | undefined {
    return this.leases.get(brokerId);
  }

  /** True when `brokerId` made contact with `brokerEpoch` less than `sessionTimeoutMs` ago. */
  hasValidSession(brokerId: number, brokerEpoch: number, nowMs: number, sessionTimeoutMs: number): boolean {
    const lease = this.leases.get(brokerId);
    return lease !== undefined && lease.brokerEpoch === brokerEpoch && nowMs < lease.lastContactMs + sessionTimeoutMs;
  }

  /** Leases whose last contact is `sessionTimeoutMs` or more before `nowMs`, by broker id. */
  expired(nowMs: number, sessionTimeoutMs: number): BrokerLease[] {
    return [...this.leases.values()].filter((l) => nowMs >= l.lastContactMs + sessionTimeoutMs).sort((a, b) => a.brokerId - b.brokerId);
  }

  remove(brokerId: number): void {
    this.leases.delete(brokerId);
  }

  /** Forgets every lease and starts one at `nowMs` for each broker given (on becoming active). */
  reset(brokers: readonly { readonly brokerId: number; readonly brokerEpoch: number }[], nowMs: number): void {
    this.leases.clear();
    for (const b of brokers) this.touch(b.brokerId, b.brokerEpoch, nowMs);
  }
}
