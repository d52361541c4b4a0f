/**
 * Which leader epoch wrote which offsets of a partition, as Kafka's LeaderEpochFileCache: one
 * entry (epoch, startOffset) per epoch that wrote to the log, in rising order of both. Epoch e
 * wrote [e.startOffset, next entry's startOffset), the latest epoch up to the log end.
 *
 * Replication uses it after a leader change: a follower asks the leader where an epoch ended
 * (endOffsetFor, Kafka's OffsetsForLeaderEpoch) and truncates whatever it holds past that point,
 * which is the part of its log the new leader never had.
 *
 * Every change is written to the `leader-epoch-checkpoint` file (leader-epoch-checkpoint.ts)
 * durably before it takes effect in memory, so a failed write changes nothing and the file never
 * misses an epoch the log holds. The file can hold entries the log lost in a crash; the log
 * removes them with truncateFromEnd when it opens. The cache is driven by PartitionLog, whose
 * mutations run one at a time; callers outside the log only read it (ReadonlyLeaderEpochCache).
 */
import { TributaryError } from '@tributary/protocol';
import { FileSystem } from './file-system';
import { EpochEntry, LeaderEpochCheckpoint } from './leader-epoch-checkpoint';

/** Kafka's UNDEFINED_EPOCH: no epoch is known. */
export const UNDEFINED_EPOCH = -1;
/** Kafka's UNDEFINED_EPOCH_OFFSET: no end offset is known. */
export const UNDEFINED_EPOCH_OFFSET = -1;

/** The answer to OffsetsForLeaderEpoch: an epoch and the offset where it ended. */
export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

const UNDEFINED: EpochEndOffset = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };

/** What callers outside the log may ask of its cache. */
export interface ReadonlyLeaderEpochCache {
  /** The epoch of the last entry; UNDEFINED_EPOCH (-1) when there is none. */
  readonly latestEpoch: number;
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset;
  epochForOffset(offset: number): number;
  entries(): EpochEntry[];
}

export class LeaderEpochCache implements ReadonlyLeaderEpochCache {
  private epochs: readonly EpochEntry[];

  /** A cache holding `entries` (as read from the checkpoint, which is not rewritten). */
  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    entries: readonly EpochEntry[] = [],
  ) {
    this.epochs = entries.map((e) => ({ ...e }));
  }

  /**
   * A cache built by assigning `found` in order (the batches' epochs read back from the log),
   * with its checkpoint written even when it is empty, so the next open need not scan again.
   */
  static async rebuild(fs: FileSystem, dir: string, found: readonly EpochEntry[]): Promise<LeaderEpochCache> {
    let entries: readonly EpochEntry[] = [];
    for (const entry of found) entries = assigned(entries, entry);
    await LeaderEpochCheckpoint.write(fs, dir, entries);
    return new LeaderEpochCache(fs, dir, entries);
  }

  get latestEpoch(): number {
    return this.epochs[this.epochs.length - 1]?.epoch ?? UNDEFINED_EPOCH;
  }

  /** A copy of the entries, oldest first. */
  entries(): EpochEntry[] {
    return this.epochs.map((e) => ({ ...e }));
  }

  /**
   * Records that `epoch` starts writing at `startOffset`. Ignored (resolves false) when `epoch`
   * is not above the latest epoch or `startOffset` is below the latest entry's start, as Kafka
   * never reassigns an epoch; a newer epoch at the same start offset as the latest entry
   * replaces that entry (the older epoch wrote nothing).
   */
  assign(epoch: number, startOffset: number): Promise<boolean> {
    return this.assignAll([{ epoch, startOffset }]);
  }

  /** assign() of each entry in order, with one checkpoint write; resolves whether anything changed. */
  async assignAll(entries: readonly EpochEntry[]): Promise<boolean> {
    let next = this.epochs;
    for (const entry of entries) next = assigned(next, entry);
    if (next === this.epochs) return false;
    await this.replace(next);
    return true;
  }

  /**
   * Kafka's OffsetsForLeaderEpoch: the largest epoch at or below `requestedEpoch` and the offset
   * where it ended — the start offset of the first later epoch, or `logEndOffset` when
   * `requestedEpoch` is the latest epoch. UNDEFINED ({-1, -1}) when the cache is empty, or
   * `requestedEpoch` is below the earliest epoch or above the latest.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const epochs = this.epochs;
    if (requestedEpoch < 0 || epochs.length === 0) return UNDEFINED;
    if (requestedEpoch === this.latestEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = epochs.findIndex((e) => e.epoch > requestedEpoch);
    if (higher <= 0) return UNDEFINED; // below the earliest (0) or above the latest (-1)
    return { epoch: epochs[higher - 1].epoch, endOffset: epochs[higher].startOffset };
  }

  /** The epoch that wrote `offset` (the last entry starting at or below it); UNDEFINED_EPOCH below the earliest entry. */
  epochForOffset(offset: number): number {
    let epoch = UNDEFINED_EPOCH;
    for (const entry of this.epochs) {
      if (entry.startOffset > offset) break;
      epoch = entry.epoch;
    }
    return epoch;
  }

  /** Drops the entries starting at or after `endOffset` (the log was cut there). */
  async truncateFromEnd(endOffset: number): Promise<void> {
    const kept = this.epochs.filter((e) => e.startOffset < endOffset);
    if (kept.length !== this.epochs.length) await this.replace(kept);
  }

  /**
   * The log now starts at `startOffset`: the last entry starting at or below it moves up to it
   * and the entries before that one go (truncateFromStart(6) keeps an entry starting at 6).
   */
  async truncateFromStart(startOffset: number): Promise<void> {
    const covering = this.epochs.filter((e) => e.startOffset <= startOffset).length;
    if (covering === 0 || (covering === 1 && this.epochs[0].startOffset === startOffset)) return;
    const moved = { epoch: this.epochs[covering - 1].epoch, startOffset };
    await this.replace([moved, ...this.epochs.slice(covering)]);
  }

  /** Forgets every entry (the log was emptied). */
  async clear(): Promise<void> {
    if (this.epochs.length > 0) await this.replace([]);
  }

  private async replace(next: readonly EpochEntry[]): Promise<void> {
    try {
      await LeaderEpochCheckpoint.write(this.fs, this.dir, next);
    } catch (e) {
      throw new TributaryError('KAFKA_STORAGE_ERROR', `writing the leader epoch checkpoint in ${this.dir} failed: ${(e as Error).message}`, { cause: e });
    }
    this.epochs = next;
  }
}

/** `entries` after assigning `entry` (the same array when the assignment is ignored). */
function assigned(entries: readonly EpochEntry[], entry: EpochEntry): readonly EpochEntry[] {
  const { epoch, startOffset } = entry;
  if (!Number.isSafeInteger(epoch) || !Number.isSafeInteger(startOffset) || epoch < 0 || startOffset < 0) {
    throw new TributaryError('INVALID_REQUEST', `leader epoch ${epoch} at offset ${startOffset} is invalid; both must be non-negative integers`);
  }
  const latest = entries[entries.length - 1];
  if (latest === undefined) return [{ epoch, startOffset }];
  if (epoch <= latest.epoch || startOffset < latest.startOffset) return entries;
  const kept = startOffset === latest.startOffset ? entries.slice(0, -1) : entries;
  return [...kept, { epoch, startOffset }];
}
