/**
 * The `leader-epoch-checkpoint` file of a partition directory, Kafka's LeaderEpochCheckpointFile:
 * a text checkpoint (text-checkpoint-file.ts) whose entries are `epoch startOffset`, oldest first:
 *
 *     0
 *     2
 *     1 0
 *     4 120
 *
 * meaning epoch 1 wrote offsets [0, 120) and epoch 4 wrote from 120. Epochs must rise strictly
 * and start offsets must not fall; a file that breaks this is reported damaged like a garbled one.
 */
import { FileSystem } from './file-system';
import { TextCheckpointFile, parseOffsetField } from './text-checkpoint-file';

export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';

export interface EpochEntry {
  epoch: number;
  /** The first offset written in this epoch. */
  startOffset: number;
}

export type LeaderEpochCheckpointRead = { kind: 'missing' } | { kind: 'damaged'; problem: string } | { kind: 'read'; entries: EpochEntry[] };

export class LeaderEpochCheckpoint {
  static async read(fs: FileSystem, dir: string): Promise<LeaderEpochCheckpointRead> {
    const file = await TextCheckpointFile.read(fs, dir, LEADER_EPOCH_CHECKPOINT_FILE, 2);
    if (file.kind !== 'read') return file;
    const entries: EpochEntry[] = [];
    for (const [epochField, offsetField] of file.entries) {
      const epoch = parseOffsetField(epochField);
      const startOffset = parseOffsetField(offsetField);
      const previous = entries[entries.length - 1];
      if (epoch === undefined || startOffset === undefined || epoch > 0x7fffffff) {
        return { kind: 'damaged', problem: `${LEADER_EPOCH_CHECKPOINT_FILE} has entry '${epochField} ${offsetField}', expected two non-negative integers` };
      }
      if (previous !== undefined && (epoch <= previous.epoch || startOffset < previous.startOffset)) {
        return { kind: 'damaged', problem: `${LEADER_EPOCH_CHECKPOINT_FILE} has entry '${epoch} ${startOffset}' after '${previous.epoch} ${previous.startOffset}'; epochs must rise and start offsets must not fall` };
      }
      entries.push({ epoch, startOffset });
    }
    return { kind: 'read', entries };
  }

  static write(fs: FileSystem, dir: string, entries: readonly EpochEntry[]): Promise<void> {
    return TextCheckpointFile.write(fs, dir, LEADER_EPOCH_CHECKPOINT_FILE, entries.map((e) => [e.epoch, e.startOffset]));
  }
}
