import type { PartitionImage } from '@tributary/metadata';

/** What a leader knows of one follower, from its fetches (Kafka's Replica state). */
export interface FollowerState {
  /** The follower's log end offset: the offset of its last fetch. -1 until it fetched in this leadership. */
  logEndOffset: number;
  /** The last time the follower had everything the leader had (Kafka's lastCaughtUpTimeMs). */
  lastCaughtUpTimeMs: number;
  /** The leader's log end offset when the follower last fetched, and when that was. */
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
}

export type ReplicaTransition = 'became-leader' | 'became-follower' | 'unchanged';

/**
 * The replication state of one partition on this broker, without I/O: its role from the
 * metadata (leader or follower, leader epoch, ISR, partition epoch), and as leader the followers'
 * positions, from which the high watermark and the ISR changes to ask for follow (Kafka's
 * Partition). The caller feeds it metadata, follower fetches and the local log end offset.
 */
export class PartitionReplica {
  role: 'leader' | 'follower' = 'follower';
  leaderId = -1;
  leaderEpoch = -1;
  partitionEpoch = -1;
  replicas: readonly number[] = [];
  isr: readonly number[] = [];
  /** Offsets below it are on every in-sync replica: consumers read up to it, acks=all waits for it. */
  highWatermark: number;
  /** The log end offset when this broker became leader: a follower must reach it to rejoin the ISR. */
  leaderEpochStartOffset = 0;
  readonly followers = new Map<number, FollowerState>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly brokerId: number,
    highWatermark: number,
  ) {
    this.highWatermark = highWatermark;
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  /** Takes the partition's state from a new metadata image. */
  applyMetadata(image: PartitionImage, logEndOffset: number, nowMs: number): ReplicaTransition {
    const epochChanged = image.leaderEpoch !== this.leaderEpoch || image.leader !== this.leaderId;
    const leftIsr = this.isr.filter((id) => !image.isr.includes(id));
    this.replicas = image.replicas;
    this.isr = image.isr;
    this.partitionEpoch = image.partitionEpoch;
    if (!epochChanged) {
      this.dropFollowersNotIn(image.replicas);
      // What it fetched before may be a previous incarnation's: one that crashed (the controller
      // takes a broker out of every ISR when it fences or re-registers it), maybe losing its data
      // dir. It rejoins on what it shows from now on, or an empty replica could be let back in.
      for (const id of leftIsr) if (this.followers.has(id)) this.followers.set(id, unfetched());
      return 'unchanged';
    }
    this.leaderId = image.leader;
    this.leaderEpoch = image.leaderEpoch;
    if (image.leader !== this.brokerId) {
      this.role = 'follower';
      this.followers.clear();
      return 'became-follower';
    }
    this.role = 'leader';
    this.leaderEpochStartOffset = logEndOffset;
    this.followers.clear();
    // In-sync followers count as caught up now: each gets replica.lag.time.max.ms to show it (Kafka does the same).
    for (const id of image.replicas) {
      if (id !== this.brokerId) this.followers.set(id, { logEndOffset: -1, lastCaughtUpTimeMs: image.isr.includes(id) ? nowMs : 0, lastFetchLeaderLogEndOffset: -1, lastFetchTimeMs: 0 });
    }
    this.highWatermark = Math.min(this.highWatermark, logEndOffset);
    return 'became-leader';
  }

  /**
   * A follower fetched from `fetchOffset` (its log end offset) while the leader's log ended at
   * `leaderLogEndOffset`. It is caught up if it has everything now, or everything the leader had
   * at its previous fetch (it cannot have what arrived since).
   */
  recordFollowerFetch(replicaId: number, fetchOffset: number, leaderLogEndOffset: number, nowMs: number): void {
    const follower = this.followers.get(replicaId);
    if (!follower) return;
    if (fetchOffset >= leaderLogEndOffset) follower.lastCaughtUpTimeMs = nowMs;
    else if (fetchOffset >= follower.lastFetchLeaderLogEndOffset && follower.lastFetchLeaderLogEndOffset >= 0) {
      follower.lastCaughtUpTimeMs = Math.max(follower.lastCaughtUpTimeMs, follower.lastFetchTimeMs);
    }
    follower.logEndOffset = fetchOffset;
    follower.lastFetchLeaderLogEndOffset = leaderLogEndOffset;
    follower.lastFetchTimeMs = nowMs;
  }

  /**
   * The high watermark the ISR allows: the smallest log end offset among its members (the
   * leader's own included); it never moves back. Returns true when it advanced.
   */
  advanceHighWatermark(leaderLogEndOffset: number): boolean {
    let candidate = leaderLogEndOffset;
    for (const id of this.isr) {
      if (id === this.brokerId) continue;
      const follower = this.followers.get(id);
      candidate = Math.min(candidate, follower ? follower.logEndOffset : -1);
    }
    if (candidate <= this.highWatermark) return false;
    this.highWatermark = candidate;
    return true;
  }

  /** ISR members (the leader aside) that have not been caught up for longer than `maxLagMs`. */
  laggingFollowers(nowMs: number, maxLagMs: number): number[] {
    return this.isr.filter((id) => {
      if (id === this.brokerId) return false;
      const follower = this.followers.get(id);
      return follower === undefined || nowMs - follower.lastCaughtUpTimeMs > maxLagMs;
    });
  }

  /** Replicas outside the ISR that hold everything up to the high watermark and this leadership's start: they may rejoin. */
  caughtUpFollowers(): number[] {
    return this.replicas.filter((id) => {
      if (id === this.brokerId || this.isr.includes(id)) return false;
      const follower = this.followers.get(id);
      return follower !== undefined && follower.logEndOffset >= this.highWatermark && follower.logEndOffset >= this.leaderEpochStartOffset;
    });
  }

  private dropFollowersNotIn(replicas: readonly number[]): void {
    for (const id of [...this.followers.keys()]) if (!replicas.includes(id)) this.followers.delete(id);
    if (this.role !== 'leader') return;
    for (const id of replicas) {
      if (id !== this.brokerId && !this.followers.has(id)) this.followers.set(id, unfetched());
    }
  }
}

/** A follower that has not fetched in this leadership (or since it left the ISR). */
function unfetched(): FollowerState {
  return { logEndOffset: -1, lastCaughtUpTimeMs: 0, lastFetchLeaderLogEndOffset: -1, lastFetchTimeMs: 0 };
}
