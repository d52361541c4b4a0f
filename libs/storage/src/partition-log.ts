/**
 * The log of one partition: an ordered set of segments in one directory, the last one active.
 *
 * Appends validate the request, check idempotent-producer sequences, assign offsets and stamp
 * the leader epoch in place, and write the bytes as they came (no re-encoding) with one
 * synchronous positional write into the page cache; durability follows the flush policy, with
 * concurrent appends sharing one fdatasync. Reads return stored bytes, whole batches. Mutations
 * (append, roll, truncation, retention, compaction) run one at a time in call order; reads run
 * alongside them, and a segment deleted under a read stays open until the read ends.
 *
 * The log starts no timers: the broker's scheduler calls flushIfDue, enforceRetention and
 * compact. Time comes from the injected clock.
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
import { LogConfig } from './log-config';
import { loadSegment, recoverSegment } from './log-recovery';
import { ProducerEntry, ProducerState } from './producer-state';
import { segmentsToDelete } from './retention';
import { SegmentReader } from './segment-reader';
import { LOG_SUFFIX, Segment, isControlBatch, lastOffsetOf, parseSegmentFileName } from './segment';
import { SegmentSet } from './segment-set';

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
  /** Stamped into every batch's partitionLeaderEpoch; left as sent when absent. */
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
  private readonly groupCommit: GroupCommit;
  private mutations: Promise<unknown> = Promise.resolve();
  private readonly dirtySegments = new Set<Segment>();
  private dirDirty = false;
  private unflushedBatches = 0;
  private lastFlushMs: number;
  private startOffset = 0;
  private closed = false;

  private constructor(options: PartitionLogOptions) {
    this.fs = options.fs;
    this.dir = options.dir;
    this.clock = options.clock;
    this.name = options.name ?? options.dir;
    this.config = options.config;
    this.lastFlushMs = options.clock();
    this.groupCommit = new GroupCommit(() => this.syncDirty());
  }

  /**
   * Opens the partition in `dir` (created when missing), recovering from an unclean stop: the
   * active segment is checked batch by batch and cut before a torn or corrupt tail, missing or
   * inconsistent indexes are rebuilt, producer state is rebuilt from the batch headers.
   */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    const log = new PartitionLog(options);
    await log.load();
    return log;
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
   * durable as the flush policy asks. Rejects with CORRUPT_MESSAGE, OUT_OF_ORDER_SEQUENCE_NUMBER
   * or INVALID_PRODUCER_EPOCH, having appended nothing.
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
    const duplicate = this.checkProducers(headers);
    if (duplicate !== undefined) return { info: duplicate, durable: false };

    const firstOffset = this.logEndOffset;
    let lastOffset = firstOffset - 1;
    for (const header of headers) lastOffset += header.lastOffsetDelta + 1;
    const firstTimestampMs = options.logAppendTimeMs ?? headers[0].maxTimestamp;
    await this.maybeRoll(batches.length, lastOffset, firstTimestampMs);

    let position = 0;
    let nextOffset = firstOffset;
    let maxTimestamp = -1;
    let recordCount = 0;
    for (const header of headers) {
      const size = LOG_OVERHEAD_BYTES + header.batchLength;
      const batch = batches.subarray(position, position + size);
      setBaseOffset(batch, nextOffset);
      header.baseOffset = nextOffset;
      if (options.leaderEpoch !== undefined) setPartitionLeaderEpoch(batch, options.leaderEpoch);
      if (options.logAppendTimeMs !== undefined) {
        stampLogAppendTime(batch, options.logAppendTimeMs);
        header.maxTimestamp = options.logAppendTimeMs;
      }
      maxTimestamp = Math.max(maxTimestamp, header.maxTimestamp);
      recordCount += header.recordCount;
      nextOffset += header.lastOffsetDelta + 1;
      position += size;
    }
    const active = this.segments.active;
    active.append(batches, headers);
    for (const header of headers) if (!isControlBatch(header)) this.producers.update(header);
    this.dirtySegments.add(active);
    this.unflushedBatches += headers.length;
    const info: AppendInfo = {
      firstOffset,
      lastOffset,
      maxTimestamp,
      recordCount,
      logAppendTimeMs: options.logAppendTimeMs ?? -1,
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
    for (const segment of doomed) await segment.delete(this.fs);
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

  /** Makes everything appended so far durable (fdatasync), sharing the sync with concurrent callers. */
  flush(): Promise<void> {
    return this.groupCommit.request();
  }

  /** flush.ms: flushes when unflushed batches have waited that long; the broker's scheduler calls it. */
  async flushIfDue(nowMs: number): Promise<void> {
    if (this.unflushedBatches > 0 && nowMs - this.lastFlushMs >= this.config.flushMs) await this.flush();
  }

  private async syncDirty(): Promise<void> {
    const segments = [...this.dirtySegments];
    const syncDir = this.dirDirty;
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
  }

  /**
   * Removes every batch at or after `offset` (a batch holding it goes entirely), so that
   * logEndOffset becomes `offset` or the base offset of the batch that held it. Below the log
   * start, the log is emptied and restarts at `offset`.
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
      this.dirtySegments.add(last);
      this.dirDirty = true;
      await this.rebuildProducerState();
    });
  }

  private async restartAt(offset: number): Promise<void> {
    const all = this.segments.all();
    for (const segment of all) this.segments.remove(segment);
    for (const segment of all) await segment.delete(this.fs);
    this.dirtySegments.clear();
    this.segments.add(await this.openSegment(offset));
    this.startOffset = offset;
    this.producers.clear();
    this.dirDirty = true;
  }

  /** Flushes and closes the files; the log is unusable afterwards. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      await this.groupCommit.request();
      this.closed = true;
      for (const segment of this.segments.all()) {
        await segment.flushIndexes();
        await segment.close();
      }
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
    const baseOffsets = names
      .map((name) => parseSegmentFileName(name, LOG_SUFFIX))
      .filter((offset): offset is number => offset !== undefined)
      .sort((a, b) => a - b);
    await this.removeLeftovers(names, new Set(baseOffsets));
    for (const [i, baseOffset] of baseOffsets.entries()) {
      const segment = await this.openSegment(baseOffset);
      const isLast = i === baseOffsets.length - 1;
      await (isLast ? recoverSegment(segment, { verifyCrc: true }) : loadSegment(segment));
      this.segments.add(segment);
    }
    if (this.segments.length === 0) this.segments.add(await this.openSegment(0));
    this.startOffset = this.segments.first.baseOffset;
    await this.rebuildProducerState();
  }

  /** Index files without their log (a crash while deleting a segment) and unfinished compaction output. */
  private async removeLeftovers(names: readonly string[], logs: ReadonlySet<number>): Promise<void> {
    for (const name of names) {
      const base = /^(\d{20})\./.exec(name);
      const orphan = base !== null && !logs.has(Number(base[1]));
      if (orphan || name.endsWith('.cleaned')) await this.fs.unlink(joinPath(this.dir, name));
    }
  }

  private async rebuildProducerState(): Promise<void> {
    this.producers.clear();
    for (const segment of this.segments.all()) {
      const reader = new SegmentReader(segment.log, 0, segment.sizeBytes);
      for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
        if (!isControlBatch(batch.header)) this.producers.update(batch.header);
      }
    }
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
