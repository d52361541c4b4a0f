/**
 * Per-partition log settings. Names are Kafka's topic configs in camelCase with the unit last;
 * defaults are Kafka's.
 */
export interface LogConfig {
  /** segment.bytes: roll the active segment before it would grow past this size. */
  segmentBytes: number;
  /** segment.ms: roll the active segment once its first batch is this old. */
  segmentMs: number;
  /** index.interval.bytes: bytes of batches between two offset index entries. */
  indexIntervalBytes: number;
  /** segment.index.bytes: roll when a segment's offset index would grow past this size. */
  segmentIndexBytes: number;
  /** retention.ms: delete segments whose newest batch is older; -1 keeps them forever. */
  retentionMs: number;
  /** retention.bytes: delete the oldest segments while the log is larger; -1 for no limit. */
  retentionBytes: number;
  /** cleanup.policy: delete, compact, or both. */
  cleanupPolicy: { delete: boolean; compact: boolean };
  /** delete.retention.ms: how long a tombstone outlives compaction, so consumers see it. */
  deleteRetentionMs: number;
  /** min.compaction.lag.ms: records younger than this are not compacted. */
  minCompactionLagMs: number;
  /**
   * flush.messages: fdatasync once this many batches are unflushed. 1 makes every append durable
   * before it resolves (concurrent appends share one fdatasync); Number.MAX_SAFE_INTEGER leaves
   * flushing to flush.ms, the OS, and replication.
   */
  flushMessages: number;
  /** flush.ms: flushIfDue() flushes once the oldest unflushed batch is this old. */
  flushMs: number;
}

export const DEFAULT_LOG_CONFIG: LogConfig = Object.freeze({
  segmentBytes: 1_073_741_824,
  segmentMs: 604_800_000,
  indexIntervalBytes: 4096,
  segmentIndexBytes: 10_485_760,
  retentionMs: 604_800_000,
  retentionBytes: -1,
  cleanupPolicy: Object.freeze({ delete: true, compact: false }),
  deleteRetentionMs: 86_400_000,
  minCompactionLagMs: 0,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
});
