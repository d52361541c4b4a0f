import { credentials } from '@grpc/grpc-js';
import type { BrokerConfig } from '@tributary/metadata';
import { ErrorCode, ReplicationServiceClient, type ReplicaFetchPartitionResult } from '@tributary/proto';
import { callUnary } from '@tributary/service-common';
import type { PartitionLog } from '@tributary/storage';
import type { Logger } from 'pino';
import type { PartitionReplica } from './partition-replica';
import { endOffsetForEpoch, latestEpoch } from './replicated-log';

/** A partition this broker follows, as one fetcher sees it. */
export interface FollowedPartition {
  key: string;
  replica: PartitionReplica;
  log: PartitionLog;
  /** The leader epoch it follows in; a different one on the replica means it was handed elsewhere. */
  leaderEpoch: number;
  /** Before its first fetch from this leader it asks where its last epoch ends there and cuts a divergent tail. */
  needsTruncation: boolean;
}

export interface FetcherContext {
  brokerId: number;
  brokerEpoch: () => number;
  config: BrokerConfig;
  logger: Logger;
  /** A followed partition learned the leader's high watermark (capped at its own log end). */
  onProgress: (key: string, highWatermark: number) => void;
}

const CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': -1,
  'grpc-node.flow_control_window': 64 * 1024 * 1024,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
};
/** Room for the leader's long-poll on top of a round trip. */
const DEADLINE_SLACK_MS = 5_000;
const FETCH_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Follows every partition this broker replicates from one leader (Kafka's ReplicaFetcherThread):
 * one ReplicaFetch in flight at a time for all of them, each asking from its log end offset.
 * A partition new to this leader first truncates the tail that diverges from the leader's log
 * (OffsetForLeaderEpoch), so followers never keep records a new leader does not have.
 */
export class ReplicaFetcher {
  private readonly partitions = new Map<string, FollowedPartition>();
  private readonly client: ReplicationServiceClient;
  private wakeUp: (() => void) | undefined;
  private closed = false;
  private readonly done: Promise<void>;

  constructor(
    readonly leaderId: number,
    readonly address: string,
    private readonly context: FetcherContext,
  ) {
    this.client = new ReplicationServiceClient(address, credentials.createInsecure(), CHANNEL_OPTIONS);
    this.done = this.run();
  }

  get size(): number {
    return this.partitions.size;
  }

  add(partition: FollowedPartition): void {
    this.partitions.set(partition.key, partition);
    this.wakeUp?.();
  }

  remove(key: string): void {
    this.partitions.delete(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp?.();
    this.client.close();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (this.partitions.size === 0) {
        await new Promise<void>((resolve) => (this.wakeUp = resolve));
        this.wakeUp = undefined;
        continue;
      }
      try {
        await this.truncateDivergentTails();
        await this.fetchOnce();
      } catch (error) {
        if (this.closed) return;
        this.context.logger.warn({ leader: this.leaderId, address: this.address, err: error }, 'replica fetch failed; backing off');
        await this.sleep(this.context.config.replicaFetchBackoffMs);
      }
    }
  }

  /** Still followed, from this leader, in the same epoch: results for anything else are dropped. */
  private current(partition: FollowedPartition): boolean {
    return !this.closed && this.partitions.get(partition.key) === partition && !partition.replica.isLeader && partition.replica.leaderEpoch === partition.leaderEpoch;
  }

  private async truncateDivergentTails(): Promise<void> {
    const pending = [...this.partitions.values()].filter((p) => p.needsTruncation);
    if (pending.length === 0) return;
    const asked = pending.map((p) => ({ partition: p, epoch: latestEpoch(p.log) }));
    const empty = asked.filter((a) => a.epoch < 0);
    for (const { partition } of empty) partition.needsTruncation = false;
    const withEpochs = asked.filter((a) => a.epoch >= 0);
    if (withEpochs.length === 0) return;
    const response = await callUnary(
      this.client,
      'offsetForLeaderEpoch',
      {
        replicaId: this.context.brokerId,
        brokerEpoch: this.context.brokerEpoch(),
        partitions: withEpochs.map(({ partition, epoch }) => ({ topic: partition.replica.topic, partition: partition.replica.partition, currentLeaderEpoch: partition.leaderEpoch, leaderEpoch: epoch })),
      },
      { deadline: Date.now() + DEADLINE_SLACK_MS },
    );
    for (const [i, result] of response.partitions.entries()) {
      const { partition, epoch } = withEpochs[i];
      if (!this.current(partition) || result.errorCode !== ErrorCode.NONE) continue;
      const log = partition.log;
      let target = result.endOffset;
      if (target < 0) {
        target = partition.replica.highWatermark; // the leader knows no epoch this old: keep only what was committed
      } else if (result.leaderEpoch < epoch) {
        // The leader's last epoch at or below ours is older: our log may run on past where that epoch ends for us too.
        const local = endOffsetForEpoch(log, result.leaderEpoch);
        if (local.endOffset >= 0) target = Math.min(target, local.endOffset);
      }
      if (target < log.logEndOffset) {
        this.context.logger.info({ partition: partition.key, from: log.logEndOffset, to: target, leader: this.leaderId, epoch }, 'truncating a divergent tail');
        await log.truncateTo(target);
      }
      partition.replica.highWatermark = Math.min(partition.replica.highWatermark, log.logEndOffset);
      partition.needsTruncation = false;
    }
  }

  private async fetchOnce(): Promise<void> {
    const fetching = [...this.partitions.values()].filter((p) => !p.needsTruncation);
    if (fetching.length === 0) return this.sleep(this.context.config.replicaFetchBackoffMs);
    const response = await callUnary(
      this.client,
      'replicaFetch',
      {
        replicaId: this.context.brokerId,
        brokerEpoch: this.context.brokerEpoch(),
        maxWaitMs: this.context.config.replicaFetchWaitMaxMs,
        minBytes: 1,
        maxBytes: FETCH_MAX_BYTES,
        partitions: fetching.map((p) => ({
          topic: p.replica.topic,
          partition: p.replica.partition,
          currentLeaderEpoch: p.leaderEpoch,
          fetchOffset: p.log.logEndOffset,
          logStartOffset: p.log.logStartOffset,
          partitionMaxBytes: this.context.config.replicaFetchMaxBytes,
        })),
      },
      { deadline: Date.now() + this.context.config.replicaFetchWaitMaxMs + DEADLINE_SLACK_MS },
    );
    let backOff = false;
    for (const [i, result] of response.partitions.entries()) {
      const partition = fetching[i];
      if (!this.current(partition)) continue;
      backOff = (await this.applyResult(partition, result)) || backOff;
    }
    if (backOff) await this.sleep(this.context.config.replicaFetchBackoffMs);
  }

  /** Appends what the leader sent, or handles its error; true when the fetcher should pause before the next fetch. */
  private async applyResult(partition: FollowedPartition, result: ReplicaFetchPartitionResult): Promise<boolean> {
    const log = partition.log;
    if (result.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (log.logEndOffset > result.logEndOffset) await log.truncateTo(result.logEndOffset);
      else if (log.logEndOffset < result.logStartOffset) await log.truncateFullyAndStartAt(result.logStartOffset);
      return false;
    }
    if (result.errorCode !== ErrorCode.NONE) {
      // A leader that has not caught up with the metadata, or moved on: wait for the metadata to tell.
      this.context.logger.debug({ partition: partition.key, leader: this.leaderId, error: result.errorMessage }, 'replica fetch refused');
      return true;
    }
    if (result.recordBatches.length > 0) await log.appendAsFollower(Buffer.from(result.recordBatches));
    this.context.onProgress(partition.key, Math.min(Number(result.highWatermark), log.logEndOffset));
    return false;
  }

  /** A pause that close() (and new work, harmlessly) cuts short. */
  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }
}
