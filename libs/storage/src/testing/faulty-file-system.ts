/**
 * A FileSystem wrapper for tests that injects the faults storage must survive, in the spirit of
 * Redpanda's mvlog file tests and TigerBeetle's testing/storage: torn writes (only a prefix of a
 * write reaches the file, as when the machine dies mid-write), bit flips and cut files at rest,
 * a count of fdatasync calls to observe group commit, and a count of bytes read per file to
 * observe what an open scans.
 */
import { FileHandle, FileSystem, readFully } from '../file-system';

export interface TornWrite {
  /** Applies to the next write to a file whose path ends with this. */
  pathSuffix: string;
  /** Bytes of that write that reach the file; the rest, and every later write to any file, are lost. */
  keepBytes: number;
}

export class FaultyFileSystem implements FileSystem {
  /** fdatasync calls made through this file system. */
  datasyncCount = 0;
  /** Set once a torn write happened: the "machine" is down and writes, truncations, renames and unlinks go nowhere. */
  crashed = false;
  /** While set, fdatasync never completes: a flush in flight when the machine dies. */
  stallSyncs = false;
  /** Bytes read through this file system, by path. */
  readonly bytesReadByPath = new Map<string, number>();
  private tornWrite: TornWrite | undefined;

  constructor(private readonly inner: FileSystem) {}

  /**
   * An unclean stop: whatever still runs through this file system (a log abandoned without
   * close, as a killed process leaves it) no longer reaches the files. Returns a fresh file
   * system over the same files for the restarted log.
   */
  crash(): FaultyFileSystem {
    this.crashed = true;
    return new FaultyFileSystem(this.inner);
  }

  /** Tears the next matching write and drops all writes after it. */
  tearNextWrite(tear: TornWrite): void {
    this.tornWrite = tear;
  }

  /** Flips bit `bitIndex` (0 = most significant bit of byte 0) of a file at rest. */
  async flipBit(path: string, bitIndex: number): Promise<void> {
    const handle = await this.inner.open(path);
    try {
      const position = Math.floor(bitIndex / 8);
      const byte = await readFully(handle, position, 1);
      byte[0] ^= 0x80 >> bitIndex % 8;
      handle.writeSync(byte, position);
    } finally {
      await handle.close();
    }
  }

  /** Cuts a file at rest to `sizeBytes`. */
  async cutFile(path: string, sizeBytes: number): Promise<void> {
    const handle = await this.inner.open(path);
    try {
      await handle.truncate(sizeBytes);
    } finally {
      await handle.close();
    }
  }

  /** Bytes read so far from files whose path ends with `suffix`. */
  bytesRead(suffix: string): number {
    let total = 0;
    for (const [path, bytes] of this.bytesReadByPath) if (path.endsWith(suffix)) total += bytes;
    return total;
  }

  async fileSize(path: string): Promise<number> {
    const handle = await this.inner.open(path);
    try {
      return await handle.size();
    } finally {
      await handle.close();
    }
  }

  async open(path: string): Promise<FileHandle> {
    return new FaultyFileHandle(await this.inner.open(path), path, this);
  }

  list(dir: string): Promise<string[]> {
    return this.inner.list(dir);
  }

  mkdirp(dir: string): Promise<void> {
    return this.inner.mkdirp(dir);
  }

  rename(from: string, to: string): Promise<void> {
    return this.crashed ? Promise.resolve() : this.inner.rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return this.crashed ? Promise.resolve() : this.inner.unlink(path);
  }

  removeDir(dir: string): Promise<void> {
    return this.inner.removeDir(dir);
  }

  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }

  syncDir(dir: string): Promise<void> {
    return this.inner.syncDir(dir);
  }

  /** What of a write of `length` bytes to `path` reaches the file. */
  bytesThatLand(path: string, length: number): number {
    if (this.crashed) return 0;
    const tear = this.tornWrite;
    if (tear === undefined || !path.endsWith(tear.pathSuffix)) return length;
    this.tornWrite = undefined;
    this.crashed = true;
    return Math.min(tear.keepBytes, length);
  }
}

class FaultyFileHandle implements FileHandle {
  constructor(
    private readonly inner: FileHandle,
    private readonly path: string,
    private readonly fs: FaultyFileSystem,
  ) {}

  writeSync(data: Uint8Array, position: number): void {
    const landing = this.fs.bytesThatLand(this.path, data.length);
    if (landing > 0) this.inner.writeSync(data.subarray(0, landing), position);
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const count = await this.inner.read(buffer, offset, length, position);
    this.fs.bytesReadByPath.set(this.path, (this.fs.bytesReadByPath.get(this.path) ?? 0) + count);
    return count;
  }

  datasync(): Promise<void> {
    this.fs.datasyncCount++;
    if (this.fs.stallSyncs) return new Promise(() => undefined);
    return this.inner.datasync();
  }

  truncate(sizeBytes: number): Promise<void> {
    return this.fs.crashed ? Promise.resolve() : this.inner.truncate(sizeBytes);
  }

  size(): Promise<number> {
    return this.inner.size();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
