import { Inject, Injectable } from '@nestjs/common';
import type { BrokerConfig, MetadataImage } from '@tributary/metadata';
import { TributaryError } from '@tributary/protocol';
import type { PartitionLog } from '@tributary/storage';
import type { Logger } from 'pino';
import { AppendNotifier } from '../append-notifier';
import { BROKER_CONFIG } from '../broker-config-provider';
import { BROKER_LOGGER } from '../broker-logger';
import { ClusterMetadata } from '../cluster-metadata';
import { PartitionLogs, partitionDirName } from '../partition-logs';
import { HighWatermarkCheckpoints } from './high-watermark-checkpoints';
import { PartitionReplica } from './partition-replica';
import { ReplicaFetchers } from './replica-fetchers';

interface HighWatermarkWaiter {
  offset: number;
  resolve: () => void;
  reject: (error: TributaryError) => void;
}

/**
 * The replication role of every partition this broker holds (Kafka's ReplicaManager): follows
 * the metadata to make each one leader or follower, keeps the leader-side follower positions
 * and high watermarks, answers acks=all produces once the ISR has their batches, asks the
 * controller to shrink and expand ISRs, and hands followed partitions to the fetchers.
 */
@Injectable()
export class ReplicaManager {
  private readonly replicas = new Map<string, PartitionReplica>();
  private readonly waiters = new Map<string, HighWatermarkWaiter[]>();
  /** Partitions with an AlterPartition in flight: one at a time each. */
  private readonly isrChangesInFlight = new Set<string>();
  private readonly isrTimer: NodeJS.Timeout;
  private readonly checkpointTimer: NodeJS.Timeout;
  private closed = false;

  constructor(
    @Inject(ClusterMetadata) private readonly metadata: ClusterMetadata,
    @Inject(PartitionLogs) private readonly logs: PartitionLogs,
    @Inject(AppendNotifier) private readonly appendNotifier: AppendNotifier,
    @Inject(ReplicaFetchers) private readonly fetchers: ReplicaFetchers,
    @Inject(HighWatermarkCheckpoints) private readonly checkpoints: HighWatermarkCheckpoints,
    @Inject(BROKER_CONFIG) private readonly brokerConfig: BrokerConfig,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {
    this.isrTimer = setInterval(() => this.shrinkLaggingIsrs(), Math.max(1, Math.floor(brokerConfig.replicaLagTimeMaxMs / 2)));
    this.checkpointTimer = setInterval(() => void this.saveHighWatermarks(), brokerConfig.replicaHighWatermarkCheckpointIntervalMs);
    fetchers.onFollowerProgress((key, highWatermark) => this.followerHighWatermark(key, highWatermark));
  }

  /** Brings every hosted partition's role in line with `image` (called once the logs follow it). */
  async sync(image: MetadataImage): Promise<void> {
    const nowMs = Date.now();
    const hosted = new Set<string>();
    for (const open of this.logs.all()) {
      const current = image.topic(open.topic)?.partitions[open.partition];
      if (current === undefined) continue;
      const key = partitionDirName(open.topic, open.partition);
      hosted.add(key);
      let replica = this.replicas.get(key);
      if (!replica) {
        replica = new PartitionReplica(open.topic, open.partition, this.metadata.nodeId, Math.min(await this.checkpoints.highWatermark(key), open.log.logEndOffset));
        this.replicas.set(key, replica);
      }
      const transition = replica.applyMetadata(current, open.log.logEndOffset, nowMs);
      if (transition === 'became-follower') {
        this.failWaiters(key, replica);
        this.fetchers.follow(key, replica, open.log, image);
      } else if (transition === 'became-leader') {
        this.fetchers.unfollow(key);
        this.logger.info({ partition: key, leaderEpoch: replica.leaderEpoch, isr: replica.isr }, 'became leader');
      }
      if (replica.isLeader) this.advance(key, replica, open.log);
    }
    for (const [key, replica] of [...this.replicas]) {
      if (hosted.has(key)) continue;
      this.replicas.delete(key);
      this.fetchers.unfollow(key);
      replica.role = 'follower';
      this.failWaiters(key, replica);
    }
  }

  /**
   * The partition as its leader, or NOT_LEADER_OR_FOLLOWER naming the leader — also when the
   * metadata names this broker but it holds no lease (see requireLease).
   */
  leader(topic: string, partition: number): PartitionReplica {
    const replica = this.replicas.get(partitionDirName(topic, partition));
    if (replica?.isLeader) {
      this.requireLease(replica);
      return replica;
    }
    const leader = replica?.leaderId ?? this.metadata.image.topic(topic)?.partitions[partition]?.leader ?? -1;
    throw new TributaryError('NOT_LEADER_OR_FOLLOWER', `broker ${this.metadata.nodeId} does not lead ${topic}-${partition}; its leader is broker ${leader}: send it there`);
  }

  find(key: string): PartitionReplica | undefined {
    return this.replicas.get(key);
  }

  /**
   * Appends as leader, stamping the leader epoch. Refused up front, nothing appended: by a broker
   * without its lease (NOT_LEADER_OR_FOLLOWER, see requireLease), and for acks=all when the ISR is
   * smaller than min.insync.replicas (NOT_ENOUGH_REPLICAS).
   */
  async appendAsLeader(replica: PartitionReplica, log: PartitionLog, batches: Buffer, options: { acks: number; minInsyncReplicas: number; logAppendTimeMs?: number }) {
    this.requireLease(replica);
    if (options.acks === -1 && replica.isr.length < options.minInsyncReplicas) {
      throw new TributaryError(
        'NOT_ENOUGH_REPLICAS',
        `${replica.topic}-${replica.partition} has ${replica.isr.length} in-sync replicas [${replica.isr.join(',')}], fewer than min.insync.replicas=${options.minInsyncReplicas}; nothing was appended`,
      );
    }
    const info = await log.append(batches, { leaderEpoch: replica.leaderEpoch, logAppendTimeMs: options.logAppendTimeMs });
    const key = partitionDirName(replica.topic, replica.partition);
    // Followers long-polling for this partition fetch it now; consumers wake when the high watermark moves.
    if (!info.duplicate) this.appendNotifier.notify(key);
    this.advance(key, replica, log);
    return info;
  }

  /**
   * Resolves once the high watermark reaches `offset` (every in-sync replica has what is below
   * it); NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR got smaller than `minInsyncReplicas`
   * meanwhile, NOT_LEADER_OR_FOLLOWER when leadership moves first, REQUEST_TIMED_OUT after
   * `timeoutMs` (the produce request's; request.timeout.ms when 0) — in those cases the records
   * may or may not survive.
   */
  async awaitReplication(replica: PartitionReplica, offset: number, minInsyncReplicas: number, timeoutMs: number): Promise<void> {
    const key = partitionDirName(replica.topic, replica.partition);
    const waitMs = timeoutMs > 0 ? timeoutMs : this.brokerConfig.requestTimeoutMs;
    if (replica.highWatermark < offset) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.removeWaiter(key, waiter);
          reject(new TributaryError('REQUEST_TIMED_OUT', `the in-sync replicas [${replica.isr.join(',')}] of ${key} did not all get offset ${offset - 1} within ${waitMs} ms; it may or may not be kept`));
        }, waitMs);
        const waiter: HighWatermarkWaiter = {
          offset,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        this.waiters.set(key, [...(this.waiters.get(key) ?? []), waiter]);
      });
    }
    if (replica.isr.length < minInsyncReplicas) {
      throw new TributaryError('NOT_ENOUGH_REPLICAS_AFTER_APPEND', `${key} was appended, but its ISR [${replica.isr.join(',')}] fell below min.insync.replicas=${minInsyncReplicas}`);
    }
  }

  /** A follower fetched `key` from `fetchOffset`: its position moves, and with it maybe the high watermark and the ISR. */
  recordFollowerFetch(key: string, replica: PartitionReplica, log: PartitionLog, replicaId: number, fetchOffset: number): void {
    replica.recordFollowerFetch(replicaId, fetchOffset, log.logEndOffset, Date.now());
    this.advance(key, replica, log);
    const joining = replica.caughtUpFollowers();
    if (joining.length > 0) this.changeIsr(key, replica, [...replica.isr, ...joining], 'caught up');
  }

  /** Stops the fetchers and ISR checks, fails waiting produces and saves the high watermarks (before the logs close). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.isrTimer);
    clearInterval(this.checkpointTimer);
    await this.fetchers.close();
    for (const [key, replica] of this.replicas) this.failWaiters(key, replica);
    await this.saveHighWatermarks();
  }

  /** Moves the high watermark as far as the ISR allows; wakes acks=all produces and consumer fetches. */
  private advance(key: string, replica: PartitionReplica, log: PartitionLog): void {
    if (!replica.advanceHighWatermark(log.logEndOffset)) return;
    const waiting = this.waiters.get(key);
    if (waiting) {
      const ready = waiting.filter((w) => w.offset <= replica.highWatermark);
      const rest = waiting.filter((w) => w.offset > replica.highWatermark);
      if (rest.length > 0) this.waiters.set(key, rest);
      else this.waiters.delete(key);
      for (const waiter of ready) waiter.resolve();
    }
    this.appendNotifier.notify(key);
  }

  /** A follower learned the leader's high watermark. */
  private followerHighWatermark(key: string, highWatermark: number): void {
    const replica = this.replicas.get(key);
    if (replica && !replica.isLeader) replica.highWatermark = highWatermark;
  }

  /**
   * A broker acts as a leader only while it holds its lease (registered and unfenced, a heartbeat
   * answered within broker.session.timeout.ms). Without it the leadership in its metadata may be
   * a previous incarnation's — one that crashed, maybe losing its data dir, whose followers would
   * truncate their logs to its empty one — or moved to another broker while this one could not
   * hear (a pause, a partition).
   */
  private requireLease(replica: PartitionReplica): void {
    if (this.metadata.holdsLease) return;
    throw new TributaryError(
      'NOT_LEADER_OR_FOLLOWER',
      `broker ${this.metadata.nodeId} holds no lease from the controller quorum (not registered and unfenced yet, or no heartbeat answered for broker.session.timeout.ms=${this.brokerConfig.brokerSessionTimeoutMs}), ` +
        `so its metadata naming it leader of ${replica.topic}-${replica.partition} may be stale; it does not act as leader, nothing was appended or read — refresh metadata`,
    );
  }

  private failWaiters(key: string, replica: PartitionReplica): void {
    const waiting = this.waiters.get(key);
    if (!waiting) return;
    this.waiters.delete(key);
    const error = new TributaryError('NOT_LEADER_OR_FOLLOWER', `broker ${this.metadata.nodeId} stopped leading ${key} (leader now ${replica.leaderId}) before the in-sync replicas had the records; they may or may not be kept`);
    for (const waiter of waiting) waiter.reject(error);
  }

  private removeWaiter(key: string, waiter: HighWatermarkWaiter): void {
    const rest = (this.waiters.get(key) ?? []).filter((w) => w !== waiter);
    if (rest.length > 0) this.waiters.set(key, rest);
    else this.waiters.delete(key);
  }

  private shrinkLaggingIsrs(): void {
    const nowMs = Date.now();
    for (const [key, replica] of this.replicas) {
      if (!replica.isLeader) continue;
      const lagging = replica.laggingFollowers(nowMs, this.brokerConfig.replicaLagTimeMaxMs);
      if (lagging.length > 0) this.changeIsr(key, replica, replica.isr.filter((id) => !lagging.includes(id)), `replicas ${lagging.join(',')} lag more than replica.lag.time.max.ms`);
    }
  }

  /** One AlterPartition at a time per partition; the new ISR arrives with the metadata. */
  private changeIsr(key: string, replica: PartitionReplica, newIsr: number[], why: string): void {
    if (this.closed || this.isrChangesInFlight.has(key)) return;
    this.isrChangesInFlight.add(key);
    const change = { topic: replica.topic, partition: replica.partition, leaderEpoch: replica.leaderEpoch, partitionEpoch: replica.partitionEpoch, newIsr };
    this.metadata
      .alterPartition(change)
      .then(
        (result) => this.logger.info({ partition: key, from: replica.isr, isr: result.isr, why }, 'ISR changed'),
        (error: unknown) => this.logger.warn({ partition: key, newIsr, err: error }, 'ISR change refused; retrying with the next metadata'),
      )
      .finally(() => this.isrChangesInFlight.delete(key));
  }

  private async saveHighWatermarks(): Promise<void> {
    const marks = new Map([...this.replicas].map(([key, replica]) => [key, replica.highWatermark]));
    await this.checkpoints.save(marks).catch((error: unknown) => this.logger.error({ err: error }, 'saving high watermarks failed'));
  }
}
