/**
 * The FileSystem of @tributary/storage on node:fs. It matches that interface structurally
 * rather than importing it, so node-io (runtime) and storage (core) stay independent and the
 * storage tests can use this class without a dependency cycle.
 *
 * Appends use synchronous positional writes (fs.writeSync): they copy into the page cache in
 * microseconds, keep call order without a promise per write, and leave the slow part,
 * fdatasync, to an asynchronous call that many writes share.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';

export class NodeFileHandle {
  constructor(
    private readonly fd: number,
    readonly path: string,
  ) {}

  writeSync(data: Uint8Array, position: number): void {
    let written = 0;
    while (written < data.length) {
      written += fs.writeSync(this.fd, data, written, data.length - written, position + written);
    }
  }

  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return new Promise((resolve, reject) =>
      fs.read(this.fd, buffer, offset, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))),
    );
  }

  datasync(): Promise<void> {
    return new Promise((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
  }

  truncate(sizeBytes: number): Promise<void> {
    return new Promise((resolve, reject) => fs.ftruncate(this.fd, sizeBytes, (err) => (err ? reject(err) : resolve())));
  }

  size(): Promise<number> {
    return new Promise((resolve, reject) => fs.fstat(this.fd, (err, stats) => (err ? reject(err) : resolve(stats.size))));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => fs.close(this.fd, (err) => (err ? reject(err) : resolve())));
  }
}

export class NodeFileSystem {
  async open(path: string): Promise<NodeFileHandle> {
    // 'a+' would force every write to the end; O_RDWR|O_CREAT keeps positional writes positional.
    const fd = await new Promise<number>((resolve, reject) =>
      fs.open(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644, (err, opened) => (err ? reject(err) : resolve(opened))),
    );
    return new NodeFileHandle(fd, path);
  }

  list(dir: string): Promise<string[]> {
    return fsp.readdir(dir);
  }

  async mkdirp(dir: string): Promise<void> {
    await fsp.mkdir(dir, { recursive: true });
  }

  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return fsp.unlink(path);
  }

  removeDir(dir: string): Promise<void> {
    return fsp.rm(dir, { recursive: true, force: true });
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fsp.access(path);
      return true;
    } catch {
      return false;
    }
  }

  async syncDir(dir: string): Promise<void> {
    const handle = await fsp.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
