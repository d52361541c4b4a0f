/**
 * The log of one partition: an ordered set of segments in one directory, the last one active.
 *
 * Appends validate the request, check idempotent-producer sequences, assign offsets and stamp
 * the leader epoch in place, and write the bytes as they came (no re-encoding) with one
 * synchronous positional write into the page cache; follower appends (appendAsFollower) keep the
 * leader's offsets and epochs. Which epoch wrote which offsets is kept in the leader epoch cache
 * (leader-epoch-cache.ts), in step with appends, truncations and retention, so a follower can
 * find and cut a divergent tail after a leader change. Durability follows the flush policy, with
 * concurrent appends sharing one fdatasync. Reads return stored bytes, whole batches. Mutations
 * (append, roll, truncation, retention, compaction) run one at a time in call order; reads run
 * alongside them, and a segment deleted under a read stays open until the read ends.
 *
 * The log starts no timers: the broker's scheduler calls flushIfDue, enforceRetention and
 * compact. Time comes from the injected clock.
 *
 * Crash safety, as Kafka's log layer: the recovery point (every batch below it fdatasynced) is
 * checkpointed by flush(), flushIfDue(), close() and the background flush after every roll, so an unclean start checks only the
 * segments from the one holding it (log-recovery.ts); close() leaves a clean-shutdown marker
 * that lets the next open check nothing. Producer state is snapshotted at every roll and at
 * close (producer-state-snapshot.ts), so an open replays only the batch headers after the
 * latest snapshot. What an open found and cut is in `recovery`.
 *
 * Invariant: logStartOffset <= logEndOffset, segments sorted by base offset, each segment's
 * offsets below the next one's base offset.
 */
import {
  RecordBatchHeader,
  TributaryError,
  decodeRecordBatch,
  setBaseOffset,
  setPartitionLeaderEpoch,
  stampLogAppendTime,
  BATCH_HEADER_BYTES,
  LOG_OVERHEAD_BYTES,
  readBatchHeader,
} from '@tributary/protocol';
import { compactSegment, CompactionKeys } from './compaction';
import { FileSystem, joinPath, readFully } from './file-system';
import { GroupCommit } from './group-commit';
import { validateIncomingBatches } from './incoming-batches';
import { EpochEndOffset, LeaderEpochCache, ReadonlyLeaderEpochCache } from './leader-epoch-cache';
import { EpochEntry, LEADER_EPOCH_CHECKPOINT_FILE, LeaderEpochCheckpoint } from './leader-epoch-checkpoint';
import { LogConfig } from './log-config';
import { LogTruncation, loadSegments, recoverSegment } from './log-recovery';
import { ProducerEntry, ProducerState } from './producer-state';
import { ProducerStateSnapshot, SNAPSHOT_SUFFIX } from './producer-state-snapshot';
import { RecoveryPointCheckpoint } from './recovery-point-checkpoint';
import { segmentsToDelete } from './retention';
import { SegmentReader } from './segment-reader';
import { LOG_SUFFIX, Segment, isControlBatch, lastOffsetOf, parseSegmentFileName } from './segment';
import { SegmentSet } from './segment-set';
import { TEMP_SUFFIX, writeFileAtomically } from './write-file-atomically';

export interface PartitionLogOptions {
  dir: string;
  fs: FileSystem;
  config: LogConfig;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Names the partition in messages, e.g. 'orders-0'. */
  name?: string;
}

export interface AppendOptions {
  /**
   * Stamped into every batch's partitionLeaderEpoch, and recorded in the leader epoch cache at
   * the first offset of the first batch of a new epoch; below the log's latest epoch the append
   * is refused (FENCED_LEADER_EPOCH). Left as sent, and not recorded, when absent.
   */
  leaderEpoch?: number;
  /** When set, batches get timestamp type LogAppendTime with this time (message.timestamp.type=LogAppendTime). */
  logAppendTimeMs?: number;
}

export interface AppendInfo {
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  recordCount: number;
  /** -1 unless the batches were stamped with LogAppendTime. */
  logAppendTimeMs: number;
  logStartOffset: number;
  /** A retry of an idempotent batch already in the log: offsets are the original's, nothing was written. */
  duplicate: boolean;
}

export interface ReadResult {
  /** Whole stored batches, back to back; empty when there is nothing to return. */
  batches: Buffer;
  /** Offset after the last returned batch; absent when nothing was returned. */
  nextOffset?: number;
}

/** What PartitionLog.open found and did; log the warnings. */
export interface LogRecoveryReport {
  /** The previous close was clean (or the directory was new): no batch was checked. */
  cleanShutdown: boolean;
  /** The checkpointed recovery point an unclean start checked from (every batch below it had been fdatasynced). */
  recoveryPoint: number;
  /** Base offsets of the segments whose every batch was checked (CRC-32C, lengths, offset order). */
  checkedSegments: number[];
  /** What an unclean start cut from the log: the first unsound batch and everything after it. */
  truncation?: LogTruncation;
  /** Offset of the producer state snapshot loaded; absent when producer state came from a scan of the whole log. */
  producerSnapshotOffset?: number;
  /** Batch headers read to bring producer state from the snapshot (or the log start) to the log end. */
  producerBatchesReplayed: number;
  /** What the caller should log: data cut from the log, damaged checkpoint or snapshot files ignored. */
  warnings: string[];
}

/** Written by close() after everything else is synced; its presence at open means nothing needs checking. */
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';

const INT32_MAX = 0x7fffffff;
/** Bytes read per chunk while scanning headers for the start of a fetch. */
const LOCATE_CHUNK_BYTES = 64 * 1024;

export class PartitionLog {
  private readonly fs: FileSystem;
  private readonly dir: string;
  private readonly clock: () => number;
  private readonly name: string;
  private config: LogConfig;
  private readonly segments = new SegmentSet();
  private readonly producers = new ProducerState();
  private epochs: LeaderEpochCache;
  private readonly groupCommit: GroupCommit;
  private mutations: Promise<unknown> = Promise.resolve();
  private readonly dirtySegments = new Set<Segment>();
  private dirDirty = false;
  private unflushedBatches = 0;
  private lastFlushMs: number;
  private startOffset = 0;
  private closed = false;
  /** Every batch below this offset has been fdatasynced. */
  private syncedEndOffset = 0;
  /** The offset in the recovery-point checkpoint file; -1 while unknown. */
  private checkpointedOffset = -1;
  /** Bumped by truncations, so that a sync started before one cannot advance the recovery point past it. */
  private truncationCount = 0;
  private checkpointWrites: Promise<void> = Promise.resolve();
  /** Offsets of the producer state snapshot files, ascending. */
  private snapshotOffsets: number[] = [];
  private recoveryReport: LogRecoveryReport = { cleanShutdown: true, recoveryPoint: 0, checkedSegments: [], producerBatchesReplayed: 0, warnings: [] };

  private constructor(options: PartitionLogOptions) {
    this.fs = options.fs;
    this.dir = options.dir;
    this.clock = options.clock;
    this.name = options.name ?? options.dir;
    this.config = options.config;
    this.lastFlushMs = options.clock();
    this.groupCommit = new GroupCommit(() => this.syncDirty());
    this.epochs = new LeaderEpochCache(options.fs, options.dir);
  }

  /**
   * Opens the partition in `dir` (created when missing). After an unclean stop, every segment
   * from the one holding the recovery point is checked batch by batch and cut before a torn or
   * corrupt batch (later segments are deleted); missing or inconsistent indexes are rebuilt;
   * producer state comes from the latest snapshot plus the batch headers after it. See `recovery`.
   */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    const log = new PartitionLog(options);
    await log.load();
    return log;
  }

  /** What the open found and did (checked segments, truncation, producer snapshot used, warnings). */
  get recovery(): LogRecoveryReport {
    return this.recoveryReport;
  }

  /** Every batch below this offset has been fdatasynced (Kafka's recovery point). */
  get recoveryPointOffset(): number {
    return this.syncedEndOffset;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  /** The next offset to assign. */
  get logEndOffset(): number {
    return this.segments.active.nextOffset;
  }

  /** Total bytes of the segment files. */
  get sizeBytes(): number {
    return this.segments.totalBytes();
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Syncs started by the flush policy so far (for observing group commit). */
  get syncCount(): number {
    return this.groupCommit.syncCount;
  }

  /** Which leader epoch wrote which offsets (read-only: the log keeps it in step with appends and truncations). */
  get leaderEpochCache(): ReadonlyLeaderEpochCache {
    return this.epochs;
  }

  /** The latest leader epoch that wrote to this log; -1 when none did. */
  get latestEpoch(): number {
    return this.epochs.latestEpoch;
  }

  /**
   * Kafka's OffsetsForLeaderEpoch answered from this log (see LeaderEpochCache.endOffsetFor):
   * the largest epoch at or below `requestedEpoch` and the offset where it ended; the log end
   * offset for the latest epoch; {-1, -1} when unknown.
   */
  endOffsetForEpoch(requestedEpoch: number): EpochEndOffset {
    return this.epochs.endOffsetFor(requestedEpoch, this.logEndOffset);
  }

  /** An idempotent producer's epoch and last sequence in this partition, if it has one. */
  producerState(producerId: number): { epoch: number; lastSequence: number; lastOffset: number } | undefined {
    const entry = this.producers.get(producerId);
    const last = entry?.batches[entry.batches.length - 1];
    if (entry === undefined || last === undefined) return undefined;
    return { epoch: entry.epoch, lastSequence: last.lastSequence, lastOffset: last.lastOffset };
  }

  updateConfig(config: LogConfig): void {
    this.config = config;
    for (const segment of this.segments.all()) segment.indexIntervalBytes = config.indexIntervalBytes;
  }

  /**
   * Appends the batches of one produce request (see the class comment); resolves once they are
   * durable as the flush policy asks. Rejects with CORRUPT_MESSAGE, OUT_OF_ORDER_SEQUENCE_NUMBER,
   * INVALID_PRODUCER_EPOCH or FENCED_LEADER_EPOCH, having appended nothing.
   */
  async append(batches: Buffer, options: AppendOptions = {}): Promise<AppendInfo> {
    // Validation reads only the request, so it runs before queueing behind other mutations.
    const headers = validateIncomingBatches(batches);
    const { info, durable } = await this.exclusive(() => this.appendLocked(batches, headers, options));
    if (durable) await this.groupCommit.request();
    return info;
  }

  private async appendLocked(
    batches: Buffer,
    headers: RecordBatchHeader[],
    options: AppendOptions,
  ): Promise<{ info: AppendInfo; durable: boolean }> {
    this.ensureOpen();
    const { leaderEpoch } = options;
    if (leaderEpoch !== undefined && leaderEpoch < this.epochs.latestEpoch) {
      throw new TributaryError(
        'FENCED_LEADER_EPOCH',
        `${this.name} already holds batches of leader epoch ${this.epochs.latestEpoch}; a leader of epoch ${leaderEpoch} is stale and must not append — refresh the partition's leadership`,
      );
    }
    const duplicate = this.checkProducers(headers);
    if (duplicate !== undefined) return { info: duplicate, durable: false };

    const firstOffset = this.logEndOffset;
    let lastOffset = firstOffset - 1;
    for (const header of headers) lastOffset += header.lastOffsetDelta + 1;
    const firstTimestampMs = options.logAppendTimeMs ?? headers[0].maxTimestamp;
    await this.maybeRoll(batches.length, lastOffset, firstTimestampMs);

    let position = 0;
    let nextOffset = firstOffset;
    for (const header of headers) {
      const size = LOG_OVERHEAD_BYTES + header.batchLength;
      const batch = batches.subarray(position, position + size);
      setBaseOffset(batch, nextOffset);
      header.baseOffset = nextOffset;
      if (leaderEpoch !== undefined) {
        setPartitionLeaderEpoch(batch, leaderEpoch);
        header.partitionLeaderEpoch = leaderEpoch;
      }
      if (options.logAppendTimeMs !== undefined) {
        stampLogAppendTime(batch, options.logAppendTimeMs);
        header.maxTimestamp = options.logAppendTimeMs;
      }
      nextOffset += header.lastOffsetDelta + 1;
      position += size;
    }
    // Before the bytes, so the checkpoint never misses an epoch the log holds.
    if (leaderEpoch !== undefined && leaderEpoch >= 0) await this.epochs.assign(leaderEpoch, firstOffset);
    return this.writeBatches(batches, headers, options.logAppendTimeMs ?? -1);
  }

  /**
   * Appends batches a leader sent this follower, as Kafka's appendAsFollower: offsets, leader
   * epochs and timestamps stay as sent (the leader assigned them), so the replicas' logs hold the
   * same bytes. The batches must start at logEndOffset and follow each other without a gap — with
   * cleanup.policy=compact gaps are allowed (compaction drops whole batches) but no overlap — and
   * carry no leader epoch below the log's latest; else OFFSET_OUT_OF_RANGE or FENCED_LEADER_EPOCH,
   * and CORRUPT_MESSAGE as append, with nothing appended. Sequences are not checked (the leader
   * did) but producer state is updated, so that this replica recognises retries once it leads;
   * each new epoch is recorded in the leader epoch cache. Durability follows the flush policy as
   * for append.
   */
  async appendAsFollower(batches: Buffer): Promise<AppendInfo> {
    const headers = validateIncomingBatches(batches);
    const { info, durable } = await this.exclusive(() => this.appendAsFollowerLocked(batches, headers));
    if (durable) await this.groupCommit.request();
    return info;
  }

  private async appendAsFollowerLocked(batches: Buffer, headers: RecordBatchHeader[]): Promise<{ info: AppendInfo; durable: boolean }> {
    this.ensureOpen();
    this.checkFollowerOffsets(headers);
    const epochStarts: EpochEntry[] = [];
    let latestEpoch = this.epochs.latestEpoch;
    for (const header of headers) {
      const epoch = header.partitionLeaderEpoch;
      if (epoch < 0 || epoch === latestEpoch) continue;
      if (epoch < latestEpoch) {
        throw new TributaryError(
          'FENCED_LEADER_EPOCH',
          `the batch at offset ${header.baseOffset} has leader epoch ${epoch} but ${this.name} already holds epoch ${latestEpoch}; ` +
            `its log has diverged from the leader's — truncate to the leader's endOffsetForEpoch before fetching`,
        );
      }
      epochStarts.push({ epoch, startOffset: header.baseOffset });
      latestEpoch = epoch;
    }
    const last = headers[headers.length - 1];
    await this.maybeRoll(batches.length, lastOffsetOf(last), headers[0].maxTimestamp);
    // Before the bytes, so the checkpoint never misses an epoch the log holds.
    await this.epochs.assignAll(epochStarts);
    return this.writeBatches(batches, headers, -1);
  }

  /** A follower's batches start at the log end and are contiguous (with compaction: increasing, gaps allowed). */
  private checkFollowerOffsets(headers: readonly RecordBatchHeader[]): void {
    const gapsAllowed = this.config.cleanupPolicy.compact;
    let expected = this.logEndOffset;
    for (const [i, header] of headers.entries()) {
      const { baseOffset } = header;
      if (baseOffset === expected || (gapsAllowed && baseOffset > expected)) {
        expected = lastOffsetOf(header) + 1;
        continue;
      }
      const rule = gapsAllowed ? 'at or after' : 'exactly at';
      throw new TributaryError(
        'OFFSET_OUT_OF_RANGE',
        i === 0
          ? `the leader's batches start at offset ${baseOffset} but ${this.name}'s log ends at ${expected}; a follower appends ${rule} its log end offset — fetch from ${expected}`
          : `batch ${i} starts at offset ${baseOffset} but the batch before it ends at ${expected - 1}; a follower's batches must follow each other ${gapsAllowed ? 'without overlapping' : 'without a gap'}`,
      );
    }
  }

  /** Writes validated, stamped batches at the log end and records them; says whether the flush policy wants a sync now. */
  private writeBatches(batches: Buffer, headers: readonly RecordBatchHeader[], logAppendTimeMs: number): { info: AppendInfo; durable: boolean } {
    let maxTimestamp = -1;
    let recordCount = 0;
    for (const header of headers) {
      maxTimestamp = Math.max(maxTimestamp, header.maxTimestamp);
      recordCount += header.recordCount;
    }
    const active = this.segments.active;
    active.append(batches, headers);
    for (const header of headers) if (!isControlBatch(header)) this.producers.update(header);
    this.dirtySegments.add(active);
    this.unflushedBatches += headers.length;
    const info: AppendInfo = {
      firstOffset: headers[0].baseOffset,
      lastOffset: lastOffsetOf(headers[headers.length - 1]),
      maxTimestamp,
      recordCount,
      logAppendTimeMs,
      logStartOffset: this.startOffset,
      duplicate: false,
    };
    return { info, durable: this.unflushedBatches >= this.config.flushMessages };
  }

  /** Checks every idempotent batch; returns the original append when the request is a retry. */
  private checkProducers(headers: readonly RecordBatchHeader[]): AppendInfo | undefined {
    const pending = new Map<number, ProducerEntry>();
    for (const header of headers) {
      if (header.producerId < 0 || isControlBatch(header)) continue;
      const check = this.producers.check(header, pending.get(header.producerId));
      if (check.kind === 'duplicate') {
        const { original } = check;
        return {
          firstOffset: original.firstOffset,
          lastOffset: original.lastOffset,
          maxTimestamp: original.maxTimestamp,
          recordCount: original.lastOffset - original.firstOffset + 1,
          logAppendTimeMs: -1,
          logStartOffset: this.startOffset,
          duplicate: true,
        };
      }
      pending.set(header.producerId, ProducerState.next(pending.get(header.producerId) ?? this.producers.get(header.producerId), header));
    }
    return undefined;
  }

  /** Rolls before an append of `bytes` ending at `lastOffset` when segment.bytes, segment.ms or an index limit says so. */
  private async maybeRoll(bytes: number, lastOffset: number, timestampMs: number): Promise<void> {
    const active = this.segments.active;
    if (active.isEmpty) return;
    const config = this.config;
    const full = active.sizeBytes > config.segmentBytes - bytes;
    const old = this.clock() - active.rollingBaseMs > config.segmentMs || timestampMs - active.rollingBaseMs > config.segmentMs;
    const indexFull = active.offsetIndex.sizeBytes >= config.segmentIndexBytes || active.timeIndex.sizeBytes >= config.segmentIndexBytes;
    const offsetsOverflow = lastOffset - active.baseOffset > INT32_MAX;
    if (full || old || indexFull || offsetsOverflow) await this.rollLocked();
  }

  /** Starts a new active segment at logEndOffset (nothing happens while the active one is empty). */
  roll(): Promise<void> {
    return this.exclusive(() => this.rollLocked());
  }

  private async rollLocked(): Promise<void> {
    this.ensureOpen();
    const previous = this.segments.active;
    if (previous.isEmpty) return;
    previous.onBecomeInactive();
    const segment = await this.openSegment(previous.nextOffset);
    this.segments.add(segment);
    this.dirDirty = true;
    await this.writeProducerSnapshot(segment.baseOffset);
    // As Kafka: the rolled segment is synced in the background, so the recovery point follows
    // the rolls and an unclean start checks little more than the active segment. A failure
    // leaves the segments dirty for the next sync, whose caller sees it.
    this.flush().catch(() => undefined);
  }

  async read(fetchOffset: number, maxBytes: number, options: { maxOffset?: number } = {}): Promise<ReadResult> {
    this.ensureOpen();
    const logEndOffset = this.logEndOffset;
    if (fetchOffset < this.startOffset || fetchOffset > logEndOffset) {
      throw new TributaryError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${fetchOffset} is outside ${this.name}'s log [${this.startOffset}, ${logEndOffset}); fetch from within it or reset the position`,
      );
    }
    const maxOffset = Math.min(options.maxOffset ?? logEndOffset, logEndOffset);
    for (const segment of this.segments.from(fetchOffset)) {
      if (segment.baseOffset >= maxOffset) break;
      const result = await segment.withFiles(() => this.readSegment(segment, fetchOffset, maxBytes, maxOffset));
      if (result !== undefined) return result;
    }
    return { batches: Buffer.alloc(0) };
  }

  /** Whole batches of one segment from the one holding `fetchOffset`; undefined when the segment has none at or after it. */
  private async readSegment(segment: Segment, fetchOffset: number, maxBytes: number, maxOffset: number): Promise<ReadResult | undefined> {
    const endPosition = segment.sizeBytes;
    const reader = new SegmentReader(segment.log, segment.offsetIndex.lookup(fetchOffset), endPosition, { chunkBytes: LOCATE_CHUNK_BYTES });
    let first = await reader.next();
    while (first !== null && lastOffsetOf(first.header) < fetchOffset) first = await reader.next();
    if (first === null) return undefined;
    if (lastOffsetOf(first.header) >= maxOffset) return { batches: Buffer.alloc(0) };
    const wantedBytes = Math.min(Math.max(maxBytes, first.sizeBytes), endPosition - first.position);
    const bytes = await readFully(segment.log, first.position, wantedBytes);
    let taken = 0;
    let nextOffset = fetchOffset;
    while (taken + BATCH_HEADER_BYTES <= bytes.length) {
      const header = readBatchHeader(bytes, taken);
      const size = LOG_OVERHEAD_BYTES + header.batchLength;
      if (taken + size > bytes.length || lastOffsetOf(header) >= maxOffset) break;
      taken += size;
      nextOffset = lastOffsetOf(header) + 1;
    }
    return taken === 0 ? { batches: Buffer.alloc(0) } : { batches: bytes.subarray(0, taken), nextOffset };
  }

  /** The first offset whose record timestamp is >= `timestampMs`, with that timestamp; null when none is. */
  async offsetForTimestamp(timestampMs: number): Promise<{ offset: number; timestamp: number } | null> {
    this.ensureOpen();
    for (const segment of this.segments.all()) {
      if (segment.largestTimestampMs < timestampMs) continue;
      const found = await segment.withFiles(() => this.offsetForTimestampIn(segment, timestampMs));
      if (found !== null) return found;
    }
    return null;
  }

  private async offsetForTimestampIn(segment: Segment, timestampMs: number): Promise<{ offset: number; timestamp: number } | null> {
    const startOffset = segment.timeIndex.lookup(timestampMs);
    const reader = new SegmentReader(segment.log, segment.offsetIndex.lookup(startOffset), segment.sizeBytes, { chunkBytes: LOCATE_CHUNK_BYTES });
    for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
      if (batch.header.maxTimestamp < timestampMs || isControlBatch(batch.header)) continue;
      const bytes = await readFully(segment.log, batch.position, batch.sizeBytes);
      const record = decodeRecordBatch(bytes).records.find((r) => r.timestamp >= timestampMs && r.offset >= this.startOffset);
      if (record !== undefined) return { offset: record.offset, timestamp: record.timestamp };
    }
    return null;
  }

  /** The offset and timestamp of the record with the largest timestamp (ListOffsets MAX_TIMESTAMP). */
  async maxTimestampOffset(): Promise<{ offset: number; timestamp: number } | null> {
    let best: Segment | undefined;
    for (const segment of this.segments.all()) {
      if (segment.largestTimestampMs >= 0 && (best === undefined || segment.largestTimestampMs > best.largestTimestampMs)) best = segment;
    }
    if (best === undefined) return null;
    return this.offsetForTimestamp(best.largestTimestampMs);
  }

  /** Deletes whole segments past retention.ms / retention.bytes (never the active one); returns how many. */
  enforceRetention(nowMs: number): Promise<number> {
    return this.exclusive(async () => {
      this.ensureOpen();
      const rolled = this.segments.all().slice(0, -1);
      const count = segmentsToDelete(rolled, this.segments.totalBytes(), this.config, nowMs);
      if (count > 0) await this.deleteSegments(rolled.slice(0, count));
      return count;
    });
  }

  private async deleteSegments(doomed: readonly Segment[]): Promise<void> {
    for (const segment of doomed) {
      this.segments.remove(segment);
      this.dirtySegments.delete(segment);
    }
    this.startOffset = Math.max(this.startOffset, this.segments.first.baseOffset);
    this.dropProducersBelow(this.startOffset);
    await this.epochs.truncateFromStart(this.startOffset);
    for (const segment of doomed) await segment.delete(this.fs);
    await this.deleteSnapshotsWhere((offset) => offset < this.startOffset);
    this.dirDirty = true;
  }

  /** Producers whose last batch was deleted are forgotten, as Kafka expires them with the log. */
  private dropProducersBelow(offset: number): void {
    this.producers.retainWhere((entry) => entry.batches[entry.batches.length - 1].lastOffset >= offset);
  }

  /**
   * cleanup.policy=compact: rewrites the rolled segments whose records are all older than
   * min.compaction.lag.ms, keeping the latest record of each key (over those segments) at its
   * offset and dropping tombstones older than delete.retention.ms.
   */
  compact(nowMs: number): Promise<void> {
    return this.exclusive(async () => {
      this.ensureOpen();
      if (!this.config.cleanupPolicy.compact) return;
      const eligible: Segment[] = [];
      for (const segment of this.segments.all().slice(0, -1)) {
        if (nowMs - segment.largestTimestampMs < this.config.minCompactionLagMs) break;
        eligible.push(segment);
      }
      if (eligible.length === 0) return;
      const keys = await CompactionKeys.collect(eligible);
      for (const segment of eligible) {
        const cleaned = await compactSegment({
          fs: this.fs,
          segment,
          keys,
          nowMs,
          deleteRetentionMs: this.config.deleteRetentionMs,
          isLastBatchOfProducer: (header) => this.producers.get(header.producerId)?.batches.at(-1)?.lastOffset === lastOffsetOf(header),
          reopen: (baseOffset) => this.openSegment(baseOffset),
        });
        if (cleaned !== undefined) {
          this.segments.replace(segment, cleaned);
          this.dirtySegments.delete(segment);
          await segment.close();
        }
      }
      this.dirDirty = true;
    });
  }

  /**
   * Makes everything appended so far durable (fdatasync), sharing the sync with concurrent
   * callers, and checkpoints the recovery point.
   */
  async flush(): Promise<void> {
    await this.groupCommit.request();
    await this.writeRecoveryPoint();
  }

  /** flush.ms: flushes when unflushed batches have waited that long; the broker's scheduler calls it. */
  async flushIfDue(nowMs: number): Promise<void> {
    if (this.unflushedBatches > 0 && nowMs - this.lastFlushMs >= this.config.flushMs) await this.flush();
  }

  private async syncDirty(): Promise<void> {
    const segments = [...this.dirtySegments];
    const syncDir = this.dirDirty;
    const endOffset = this.logEndOffset;
    const truncationCount = this.truncationCount;
    this.dirtySegments.clear();
    this.dirDirty = false;
    this.unflushedBatches = 0;
    this.lastFlushMs = this.clock();
    try {
      await Promise.all(segments.map((s) => s.log.datasync()));
      if (syncDir) await this.fs.syncDir(this.dir);
    } catch (e) {
      for (const s of segments) this.dirtySegments.add(s);
      this.dirDirty ||= syncDir;
      throw new TributaryError('KAFKA_STORAGE_ERROR', `fdatasync of ${this.name} failed: ${(e as Error).message}`, { cause: e });
    }
    if (truncationCount === this.truncationCount) this.syncedEndOffset = Math.max(this.syncedEndOffset, endOffset);
  }

  /** Persists the recovery point when it moved; checkpoint writes run one at a time, each writing the latest value. */
  private writeRecoveryPoint(): Promise<void> {
    const write = this.checkpointWrites
      .catch(() => undefined)
      .then(async () => {
        const offset = this.syncedEndOffset;
        if (offset === this.checkpointedOffset || this.closed) return;
        try {
          await RecoveryPointCheckpoint.write(this.fs, this.dir, offset);
        } catch (e) {
          throw new TributaryError('KAFKA_STORAGE_ERROR', `writing the recovery point of ${this.name} failed: ${(e as Error).message}`, { cause: e });
        }
        this.checkpointedOffset = offset;
      });
    this.checkpointWrites = write;
    return write;
  }

  /**
   * Removes every batch at or after `offset` (a batch holding it goes entirely), so that
   * logEndOffset becomes `offset` or the base offset of the batch that held it; leader epochs
   * starting at or after the new end are forgotten, and producer state is rebuilt. At or below the
   * log start, the log is emptied and restarts at `offset` (truncateFullyAndStartAt).
   */
  truncateTo(offset: number): Promise<void> {
    return this.exclusive(async () => {
      this.ensureOpen();
      if (offset >= this.logEndOffset) return;
      if (offset <= this.startOffset) {
        await this.restartAt(offset);
        return;
      }
      const later = this.segments.all().filter((s) => s.baseOffset >= offset);
      for (const segment of later) this.segments.remove(segment);
      for (const segment of later) await segment.delete(this.fs);
      for (const s of later) this.dirtySegments.delete(s);
      const last = this.segments.active;
      const reader = new SegmentReader(last.log, last.offsetIndex.lookup(offset), last.sizeBytes);
      let cut = reader.position;
      for (let batch = await reader.next(); batch !== null && lastOffsetOf(batch.header) < offset; batch = await reader.next()) {
        cut = batch.position + batch.sizeBytes;
      }
      await last.log.truncate(cut);
      await recoverSegment(last, { verifyCrc: false });
      // Made durable at once, with a lowered recovery point: otherwise a power loss could bring
      // back the cut batches, or an old recovery point above new, unsynced batches.
      await last.log.datasync();
      this.truncationCount++;
      this.syncedEndOffset = Math.min(this.syncedEndOffset, this.logEndOffset);
      this.checkpointedOffset = -1;
      await this.writeRecoveryPoint();
      await this.epochs.truncateFromEnd(this.logEndOffset);
      await this.deleteSnapshotsWhere((snapshotOffset) => snapshotOffset > this.logEndOffset);
      await this.loadProducerState(this.recoveryReport.warnings);
    });
  }

  /**
   * Empties the log and restarts it at `offset` (above or below its end), as Kafka's
   * truncateFullyAndStartAt: for a follower whose fetch offset fell below the leader's log start.
   * Producer state and leader epochs are forgotten with the batches.
   */
  truncateFullyAndStartAt(offset: number): Promise<void> {
    return this.exclusive(async () => {
      this.ensureOpen();
      await this.restartAt(offset);
    });
  }

  private async restartAt(offset: number): Promise<void> {
    // First: a crash after it leaves epochs missing for a log about to be emptied again, whereas
    // one before it would leave an epoch claiming the new start that no batch there carries.
    await this.epochs.clear();
    const all = this.segments.all();
    for (const segment of all) this.segments.remove(segment);
    for (const segment of all) await segment.delete(this.fs);
    this.dirtySegments.clear();
    this.segments.add(await this.openSegment(offset));
    this.startOffset = offset;
    this.producers.clear();
    await this.deleteSnapshotsWhere(() => true);
    this.truncationCount++;
    this.syncedEndOffset = offset;
    this.checkpointedOffset = -1;
    await this.writeRecoveryPoint(); // its directory sync also makes the deletions durable
  }

  /**
   * Flushes, checkpoints the recovery point, snapshots producer state, closes the files and
   * leaves the clean-shutdown marker; the log is unusable afterwards.
   */
  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      await this.groupCommit.request();
      for (const segment of this.segments.all()) await segment.flushIndexes();
      await this.writeProducerSnapshot(this.logEndOffset);
      await this.writeRecoveryPoint();
      this.closed = true;
      for (const segment of this.segments.all()) await segment.close();
      // Last, once everything it vouches for is durable; losing it only costs a recovery.
      await writeFileAtomically(this.fs, this.dir, CLEAN_SHUTDOWN_FILE, Buffer.alloc(0), { durable: false });
    });
  }

  /** Closes the log and removes its directory. */
  deleteAll(): Promise<void> {
    return this.exclusive(async () => {
      if (!this.closed) {
        this.closed = true;
        for (const segment of this.segments.all()) await segment.close();
      }
      await this.fs.removeDir(this.dir);
    });
  }

  private async load(): Promise<void> {
    await this.fs.mkdirp(this.dir);
    const names = await this.fs.list(this.dir);
    const cleanShutdown = names.includes(CLEAN_SHUTDOWN_FILE);
    const baseOffsets = names
      .map((name) => parseSegmentFileName(name, LOG_SUFFIX))
      .filter((offset): offset is number => offset !== undefined)
      .sort((a, b) => a - b);
    await this.removeLeftovers(names, new Set(baseOffsets));
    this.snapshotOffsets = names
      .map((name) => ProducerStateSnapshot.parseFileName(name))
      .filter((offset): offset is number => offset !== undefined)
      .sort((a, b) => a - b);
    const warnings: string[] = [];
    const unclean = !cleanShutdown && baseOffsets.length > 0;
    const checkpoint = unclean ? await RecoveryPointCheckpoint.read(this.fs, this.dir) : { offset: 0 };
    if (checkpoint.problem !== undefined) warnings.push(`${this.name}: ${checkpoint.problem}; every segment was checked`);

    const loaded = await loadSegments({
      baseOffsets,
      open: (baseOffset) => this.openSegment(baseOffset),
      deleteSegment: (segment) => segment.delete(this.fs),
      cleanShutdown: !unclean,
      recoveryPoint: checkpoint.offset,
    });
    for (const segment of loaded.segments) this.segments.add(segment);
    if (this.segments.length === 0) this.segments.add(await this.openSegment(0));
    this.startOffset = this.segments.first.baseOffset;
    const { truncation } = loaded;
    if (truncation !== undefined) {
      const deleted = truncation.deletedSegments.length === 0 ? '' : ` and deleted the ${truncation.deletedSegments.length} later segments (base offsets ${truncation.deletedSegments.join(', ')})`;
      warnings.push(
        `${this.name}: unclean shutdown; cut ${truncation.truncatedBytes} bytes from segment ${truncation.segmentBaseOffset} at position ${truncation.position} (${truncation.problem})${deleted}; the log now ends at offset ${this.logEndOffset}`,
      );
    }

    if (unclean) {
      // The checked segments are now what was read back: once synced, they are the new recovery point.
      for (const segment of loaded.segments) if (loaded.checkedSegments.includes(segment.baseOffset)) await segment.log.datasync();
      this.syncedEndOffset = this.logEndOffset;
      await this.writeRecoveryPoint(); // its directory sync makes the deletions durable too
    } else {
      this.syncedEndOffset = this.logEndOffset;
    }
    const producers = await this.loadProducerState(warnings);
    await this.loadLeaderEpochs(warnings);
    if (cleanShutdown) {
      // Gone for good before anything is appended, or a crash would pass for a clean stop.
      await this.fs.unlink(joinPath(this.dir, CLEAN_SHUTDOWN_FILE));
      await this.fs.syncDir(this.dir);
    }
    this.recoveryReport = {
      cleanShutdown: !unclean,
      recoveryPoint: unclean ? checkpoint.offset : this.syncedEndOffset,
      checkedSegments: loaded.checkedSegments,
      truncation,
      ...producers,
      warnings,
    };
  }

  /** Index files without their log (a crash while deleting a segment), unfinished compaction output and temp files. */
  private async removeLeftovers(names: readonly string[], logs: ReadonlySet<number>): Promise<void> {
    for (const name of names) {
      const base = /^(\d{20})\./.exec(name);
      const orphan = base !== null && !logs.has(Number(base[1])) && !name.endsWith(SNAPSHOT_SUFFIX);
      if (orphan || name.endsWith('.cleaned') || name.endsWith(TEMP_SUFFIX)) await this.fs.unlink(joinPath(this.dir, name));
    }
  }

  /**
   * Producer state from the latest usable snapshot at or below the log end plus the batches
   * after it; from every batch when no snapshot is usable. Stale snapshots (above the log end,
   * or below its start) and damaged ones are deleted.
   */
  private async loadProducerState(warnings: string[]): Promise<{ producerSnapshotOffset?: number; producerBatchesReplayed: number }> {
    this.producers.clear();
    await this.deleteSnapshotsWhere((offset) => offset > this.logEndOffset || offset < this.startOffset);
    let replayFrom = this.startOffset;
    let producerSnapshotOffset: number | undefined;
    for (let i = this.snapshotOffsets.length - 1; i >= 0 && producerSnapshotOffset === undefined; i--) {
      const offset = this.snapshotOffsets[i];
      try {
        for (const entry of await ProducerStateSnapshot.read(this.fs, this.dir, offset)) this.producers.set(entry);
        producerSnapshotOffset = replayFrom = offset;
      } catch (e) {
        warnings.push(`${this.name}: producer state snapshot ${ProducerStateSnapshot.fileName(offset)} is unusable (${(e as Error).message}); deleted it`);
        this.producers.clear();
        await this.deleteSnapshotsWhere((o) => o === offset);
      }
    }
    const producerBatchesReplayed = await this.replayProducerBatches(replayFrom);
    this.dropProducersBelow(this.startOffset);
    return { producerSnapshotOffset, producerBatchesReplayed };
  }

  /** Applies the headers of the batches from `offset` on to producer state; returns how many it read. */
  private replayProducerBatches(offset: number): Promise<number> {
    return this.scanHeaders(offset, (header) => {
      if (!isControlBatch(header)) this.producers.update(header);
    });
  }

  /**
   * The leader epoch cache from its checkpoint, without entries past the log end (a crash cut
   * their batches) or before the log start (retention or truncation ran before the checkpoint
   * was rewritten); rebuilt from every batch's partitionLeaderEpoch when the file is damaged, or
   * missing beside a non-empty log.
   */
  private async loadLeaderEpochs(warnings: string[]): Promise<void> {
    const file = await LeaderEpochCheckpoint.read(this.fs, this.dir);
    if (file.kind === 'read') {
      this.epochs = new LeaderEpochCache(this.fs, this.dir, file.entries);
      await this.epochs.truncateFromEnd(this.logEndOffset);
      await this.epochs.truncateFromStart(this.startOffset);
      return;
    }
    const found: EpochEntry[] = [];
    const batchCount = await this.scanHeaders(this.startOffset, (header) => {
      const epoch = header.partitionLeaderEpoch;
      if (epoch >= 0 && epoch > (found[found.length - 1]?.epoch ?? -1)) found.push({ epoch, startOffset: header.baseOffset });
    });
    this.epochs = await LeaderEpochCache.rebuild(this.fs, this.dir, found);
    if (file.kind === 'missing' && batchCount === 0) return; // a new log: nothing was lost
    const why = file.kind === 'missing' ? `${LEADER_EPOCH_CHECKPOINT_FILE} is missing` : file.problem;
    warnings.push(`${this.name}: ${why}; rebuilt ${found.length} leader epoch entries from the headers of ${batchCount} batches`);
  }

  /** Calls `visit` with the header of every batch holding an offset at or after `offset`; returns how many. */
  private async scanHeaders(offset: number, visit: (header: RecordBatchHeader) => void): Promise<number> {
    if (offset >= this.logEndOffset) return 0;
    let count = 0;
    for (const segment of this.segments.from(offset)) {
      const reader = new SegmentReader(segment.log, segment.offsetIndex.lookup(offset), segment.sizeBytes);
      for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
        if (lastOffsetOf(batch.header) < offset) continue;
        count++;
        visit(batch.header);
      }
    }
    return count;
  }

  private async writeProducerSnapshot(offset: number): Promise<void> {
    await ProducerStateSnapshot.write(this.fs, this.dir, offset, this.producers.entries());
    if (!this.snapshotOffsets.includes(offset)) this.snapshotOffsets = [...this.snapshotOffsets, offset].sort((a, b) => a - b);
  }

  private async deleteSnapshotsWhere(doomed: (offset: number) => boolean): Promise<void> {
    for (const offset of this.snapshotOffsets.filter(doomed)) await this.fs.unlink(joinPath(this.dir, ProducerStateSnapshot.fileName(offset)));
    this.snapshotOffsets = this.snapshotOffsets.filter((offset) => !doomed(offset));
  }

  private async openSegment(baseOffset: number): Promise<Segment> {
    const segment = await Segment.open(this.fs, this.dir, baseOffset, this.clock());
    segment.indexIntervalBytes = this.config.indexIntervalBytes;
    return segment;
  }

  /** Runs `mutation` after every mutation called before it (appends keep call order). */
  private exclusive<T>(mutation: () => Promise<T>): Promise<T> {
    const result = this.mutations.then(mutation);
    this.mutations = result.catch(() => undefined);
    return result;
  }

  private ensureOpen(): void {
    if (this.closed) throw new TributaryError('KAFKA_STORAGE_ERROR', `the log of ${this.name} is closed; reopen it with PartitionLog.open`);
  }
}
