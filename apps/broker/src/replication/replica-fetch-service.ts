import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
  type ReplicaFetchPartition,
  type ReplicaFetchPartitionResult,
  type ReplicaFetchRequest,
  type ReplicaFetchResponse,
} from '@tributary/proto';
import { TributaryError } from '@tributary/protocol';
import { asTributaryError } from '@tributary/service-common';
import type { PartitionLog } from '@tributary/storage';
import { AppendNotifier } from '../append-notifier';
import { PartitionLogs, partitionDirName } from '../partition-logs';
import type { PartitionReplica } from './partition-replica';
import { ReplicaManager } from './replica-manager';
import { endOffsetForEpoch } from './replicated-log';

const EMPTY = Buffer.alloc(0);

/**
 * The leader's side of replication: ReplicaFetch reads whole batches from each follower's log
 * end offset (up to the leader's log end, not the high watermark) and records that offset as
 * the follower's position; OffsetForLeaderEpoch tells a follower where an epoch ends here. A
 * request in another leader epoch is refused per partition (FENCED_LEADER_EPOCH when older,
 * UNKNOWN_LEADER_EPOCH when newer), and so is one for a partition this broker does not lead.
 */
@Injectable()
export class ReplicaFetchService {
  constructor(
    @Inject(ReplicaManager) private readonly replicas: ReplicaManager,
    @Inject(PartitionLogs) private readonly logs: PartitionLogs,
    @Inject(AppendNotifier) private readonly appendNotifier: AppendNotifier,
  ) {}

  async replicaFetch(request: ReplicaFetchRequest, cancelled: AbortSignal): Promise<ReplicaFetchResponse> {
    const keys = request.partitions.map((p) => partitionDirName(p.topic, p.partition));
    const partitions = await this.appendNotifier.longPoll(keys, request.maxWaitMs, cancelled, {
      read: () => this.readAll(request),
      satisfied: (results) => results.reduce((sum, r) => sum + r.recordBatches.length, 0) >= Math.max(1, request.minBytes) || results.some((r) => r.errorCode !== ErrorCode.NONE),
      movedSince: (results) => results.some((r, i) => (this.logs.find(request.partitions[i].topic, request.partitions[i].partition)?.logEndOffset ?? -1) !== r.logEndOffset),
    });
    return { partitions };
  }

  offsetForLeaderEpoch(request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
    return {
      partitions: request.partitions.map((wanted) => {
        const result = { topic: wanted.topic, partition: wanted.partition, errorCode: ErrorCode.NONE, errorMessage: '', leaderEpoch: -1, endOffset: -1 };
        try {
          const { log } = this.leaderFor(wanted.topic, wanted.partition, wanted.currentLeaderEpoch);
          const { epoch, endOffset } = endOffsetForEpoch(log, wanted.leaderEpoch);
          return { ...result, leaderEpoch: epoch, endOffset };
        } catch (error) {
          return { ...result, ...errorFields(error) };
        }
      }),
    };
  }

  private async readAll(request: ReplicaFetchRequest): Promise<ReplicaFetchPartitionResult[]> {
    let budgetBytes = request.maxBytes > 0 ? request.maxBytes : Number.MAX_SAFE_INTEGER;
    const results: ReplicaFetchPartitionResult[] = [];
    for (const wanted of request.partitions) {
      const result = await this.read(request.replicaId, wanted, budgetBytes, results.every((r) => r.recordBatches.length === 0));
      budgetBytes -= result.recordBatches.length;
      results.push(result);
    }
    return results;
  }

  private async read(replicaId: number, wanted: ReplicaFetchPartition, budgetBytes: number, firstWithData: boolean): Promise<ReplicaFetchPartitionResult> {
    const result: ReplicaFetchPartitionResult = {
      topic: wanted.topic,
      partition: wanted.partition,
      errorCode: ErrorCode.NONE,
      errorMessage: '',
      highWatermark: -1,
      logStartOffset: -1,
      logEndOffset: -1,
      recordBatches: EMPTY,
    };
    try {
      const { replica, log } = this.leaderFor(wanted.topic, wanted.partition, wanted.currentLeaderEpoch);
      const key = partitionDirName(wanted.topic, wanted.partition);
      result.logStartOffset = log.logStartOffset;
      result.logEndOffset = log.logEndOffset;
      if (!replica.replicas.includes(replicaId)) {
        throw new TributaryError('NOT_LEADER_OR_FOLLOWER', `broker ${replicaId} is not a replica of ${key} (replicas ${replica.replicas.join(',')})`);
      }
      const fetchOffset = Number(wanted.fetchOffset);
      if (fetchOffset < log.logStartOffset || fetchOffset > log.logEndOffset) {
        throw new TributaryError('OFFSET_OUT_OF_RANGE', `replica fetch offset ${fetchOffset} of ${key} is outside the leader's log [${log.logStartOffset}, ${log.logEndOffset})`);
      }
      this.replicas.recordFollowerFetch(key, replica, log, replicaId, fetchOffset);
      result.highWatermark = replica.highWatermark;
      const maxBytes = Math.min(wanted.partitionMaxBytes > 0 ? wanted.partitionMaxBytes : Number.MAX_SAFE_INTEGER, budgetBytes);
      if (maxBytes > 0 || firstWithData) result.recordBatches = (await log.read(fetchOffset, Math.max(maxBytes, firstWithData ? 1 : 0))).batches;
    } catch (error) {
      Object.assign(result, errorFields(error));
    }
    return result;
  }

  private leaderFor(topic: string, partition: number, currentLeaderEpoch: number): { replica: PartitionReplica; log: PartitionLog } {
    const replica = this.replicas.leader(topic, partition);
    if (currentLeaderEpoch < replica.leaderEpoch) {
      throw new TributaryError('FENCED_LEADER_EPOCH', `${topic}-${partition} is in leader epoch ${replica.leaderEpoch}; the request's ${currentLeaderEpoch} is stale: refresh metadata`);
    }
    if (currentLeaderEpoch > replica.leaderEpoch) {
      throw new TributaryError('UNKNOWN_LEADER_EPOCH', `${topic}-${partition} is in leader epoch ${replica.leaderEpoch} here; the request's ${currentLeaderEpoch} is not known yet`);
    }
    return { replica, log: this.logs.get(topic, partition) };
  }
}

function errorFields(error: unknown): { errorCode: ErrorCode; errorMessage: string } {
  const domain = asTributaryError(error);
  return { errorCode: ErrorCode[domain.code], errorMessage: `${domain.code}: ${domain.message}` };
}
