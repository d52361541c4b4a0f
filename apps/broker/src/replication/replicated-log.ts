import type { PartitionLog } from '@tributary/storage';

/**
 * What replication reads from a partition log's leader epoch cache, in one place: the epoch of
 * the log's last batch (-1 for an empty log) and where an epoch ends in this log
 * (OffsetsForLeaderEpoch semantics; -1/-1 when unknown).
 */
export function latestEpoch(log: PartitionLog): number {
  return log.leaderEpochCache.latestEpoch;
}

export function endOffsetForEpoch(log: PartitionLog, epoch: number): { epoch: number; endOffset: number } {
  return log.leaderEpochCache.endOffsetFor(epoch, log.logEndOffset);
}
