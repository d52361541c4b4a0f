/**
 * The high watermarks of every partition in a data directory, Kafka's
 * `replication-offset-checkpoint` at the top of a log directory: a text checkpoint
 * (text-checkpoint-file.ts) whose entries are `topic partition offset`, e.g.
 *
 *     0
 *     2
 *     orders 0 1200
 *     orders 1 877
 *
 * The broker writes it periodically and reads it at start, so a restarted leader or follower
 * does not serve or wait from high watermark 0. Partitions are named by the key
 * `<topic>-<partition>` in memory (topic names hold no whitespace). A damaged file reads as no
 * high watermarks plus a problem to log: a high watermark read too low only delays what
 * consumers see until replication advances it, one read too high would show records that may
 * still be lost. The broker must still cap each value at its log end offset, as Kafka does.
 */
import { TributaryError } from '@tributary/protocol';
import { FileSystem } from './file-system';
import { TextCheckpointFile, parseOffsetField } from './text-checkpoint-file';

export const REPLICATION_OFFSET_CHECKPOINT_FILE = 'replication-offset-checkpoint';

export interface ReplicationOffsetsRead {
  /** High watermark by `<topic>-<partition>`; empty when the file is missing or damaged. */
  offsets: Map<string, number>;
  /** Why the file was not used, when it exists but is damaged. */
  problem?: string;
}

const PARTITION_KEY = /^(\S+)-(\d+)$/;

/** One per data directory: writes through one instance run one at a time, each replacing the file whole. */
export class ReplicationOffsetCheckpoint {
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly fs: FileSystem,
    /** The data directory (it must exist); the file sits at its top, beside the partition directories. */
    private readonly dataDir: string,
  ) {}

  async read(): Promise<ReplicationOffsetsRead> {
    const file = await TextCheckpointFile.read(this.fs, this.dataDir, REPLICATION_OFFSET_CHECKPOINT_FILE, 3);
    if (file.kind === 'missing') return { offsets: new Map() };
    if (file.kind === 'damaged') return { offsets: new Map(), problem: file.problem };
    const offsets = new Map<string, number>();
    for (const [topic, partitionField, offsetField] of file.entries) {
      const partition = parseOffsetField(partitionField);
      const offset = parseOffsetField(offsetField);
      const key = `${topic}-${partition}`;
      const problem =
        partition === undefined || offset === undefined
          ? `has entry '${topic} ${partitionField} ${offsetField}', expected a topic and two non-negative integers`
          : offsets.has(key)
            ? `names partition ${key} twice`
            : undefined;
      if (problem !== undefined) return { offsets: new Map(), problem: `${REPLICATION_OFFSET_CHECKPOINT_FILE} ${problem}` };
      offsets.set(key, offset as number);
    }
    return { offsets };
  }

  /** Replaces the file with `offsets` (high watermark by `<topic>-<partition>`), durably. */
  write(offsets: ReadonlyMap<string, number>): Promise<void> {
    const entries: [string, number, number][] = [];
    for (const [key, offset] of offsets) {
      const match = PARTITION_KEY.exec(key);
      if (match === null || !Number.isSafeInteger(offset) || offset < 0) {
        return Promise.reject(
          new TributaryError('INVALID_REQUEST', `cannot checkpoint high watermark ${offset} of '${key}'; keys are '<topic>-<partition>' and offsets non-negative integers`),
        );
      }
      entries.push([match[1], Number(match[2]), offset]);
    }
    const write = this.writes.catch(() => undefined).then(() => TextCheckpointFile.write(this.fs, this.dataDir, REPLICATION_OFFSET_CHECKPOINT_FILE, entries));
    this.writes = write;
    return write;
  }
}
