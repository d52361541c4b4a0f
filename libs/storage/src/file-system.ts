/**
 * The file I/O the partition log needs, behind an interface so that the log stays free of
 * Node's fs (it is a type:core library) and tests can swap in a FaultyFileSystem that tears
 * writes and flips bits. libs/node-io implements it with node:fs (NodeFileSystem).
 *
 * Writes are synchronous and positional: on the append path they land in the page cache in
 * call order without a promise per write; durability comes separately from `datasync()`,
 * which many appends share (group commit). Reads are asynchronous.
 */
export interface FileHandle {
  /** Writes all of `data` at byte `position`; the file grows as needed. */
  writeSync(data: Uint8Array, position: number): void;
  /** Reads up to `length` bytes at `position` into `buffer[offset..]`; resolves the count read (0 at end of file). */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** fdatasync: the written bytes (and the size) survive a power loss once this resolves. */
  datasync(): Promise<void>;
  truncate(sizeBytes: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface FileSystem {
  /** Opens a file for reading and writing, creating it when it does not exist. */
  open(path: string): Promise<FileHandle>;
  /** Names (not paths) of the entries of a directory. */
  list(dir: string): Promise<string[]>;
  /** Creates a directory and its missing parents (mkdir -p). */
  mkdirp(dir: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Removes a directory and everything under it (rm -r); no error when it does not exist. */
  removeDir(dir: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** fsyncs a directory so that files created, renamed or removed in it survive a power loss. */
  syncDir(dir: string): Promise<void>;
}

/** Joins a directory and a file name with '/', which every platform Node runs on accepts. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** Reads exactly `length` bytes at `position`, or fewer only at end of file. */
export async function readFully(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const n = await handle.read(buffer, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}
