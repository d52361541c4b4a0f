/**
 * The recovery point of a partition log, as Kafka's `recovery-point-offset-checkpoint` (kept
 * per partition here rather than per log directory): every batch below this offset was
 * fdatasynced, so an unclean start checks batches only from the segment holding it onward.
 *
 *   `recovery-point-offset-checkpoint` (14 bytes, big-endian):
 *     0  int16   version (0)
 *     2  int64   recoveryPoint
 *    10  uint32  CRC-32C of bytes 0..9
 *
 * Written with writeFileAtomically({ durable: true }): a checkpoint that came back lower than
 * written would only cost a longer recovery, but one that came back higher after the log was
 * truncated would skip checking data that was never synced.
 */
import { crc32c } from '@tributary/protocol';
import { FileSystem, joinPath, readFully } from './file-system';
import { writeFileAtomically } from './write-file-atomically';

export const RECOVERY_POINT_FILE = 'recovery-point-offset-checkpoint';
const VERSION = 0;
const FILE_BYTES = 14;

export interface RecoveryPointRead {
  /** The checkpointed offset; 0 when the file is missing or unreadable (recover everything). */
  offset: number;
  /** Why the file was not usable, when it exists but is damaged. */
  problem?: string;
}

export class RecoveryPointCheckpoint {
  static async read(fs: FileSystem, dir: string): Promise<RecoveryPointRead> {
    const path = joinPath(dir, RECOVERY_POINT_FILE);
    if (!(await fs.exists(path))) return { offset: 0 };
    const handle = await fs.open(path);
    let bytes: Buffer;
    try {
      bytes = await readFully(handle, 0, FILE_BYTES + 1);
    } finally {
      await handle.close();
    }
    if (bytes.length !== FILE_BYTES) return { offset: 0, problem: `${RECOVERY_POINT_FILE} has ${bytes.length} bytes, expected ${FILE_BYTES}` };
    if (crc32c(bytes.subarray(0, 10)) !== bytes.readUInt32BE(10)) return { offset: 0, problem: `${RECOVERY_POINT_FILE} fails its CRC check` };
    const version = bytes.readInt16BE(0);
    if (version !== VERSION) return { offset: 0, problem: `${RECOVERY_POINT_FILE} has version ${version}, expected ${VERSION}` };
    return { offset: Number(bytes.readBigInt64BE(2)) };
  }

  static write(fs: FileSystem, dir: string, offset: number): Promise<void> {
    const bytes = Buffer.alloc(FILE_BYTES);
    bytes.writeInt16BE(VERSION, 0);
    bytes.writeBigInt64BE(BigInt(offset), 2);
    bytes.writeUInt32BE(crc32c(bytes.subarray(0, 10)), 10);
    return writeFileAtomically(fs, dir, RECOVERY_POINT_FILE, bytes, { durable: true });
  }
}
