/**
 * Snapshot files of one Raft node, one file per snapshot, named `<term>-<index>.snap` (both
 * 20 digits, so names sort by term then index). A file is
 *
 *   magic        4 bytes  "TRSN"
 *   crc          u32 BE   CRC-32C of everything after this field
 *   index        u64 BE
 *   term         u64 BE
 *   voterCount   u32 BE, then that many u32 BE node ids
 *   learnerCount u32 BE, then that many u32 BE node ids
 *   dataBytes    u64 BE, then the state machine's image
 *
 * A snapshot is written to `<name>.tmp`, synced, renamed into place and the directory synced,
 * so a crash leaves either the whole file or none. At open the newest file that checks out is
 * used; damaged ones are skipped, so an older valid snapshot takes over. Only the newest
 * `retainCount` are kept.
 */
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { crc32c, TributaryError } from '@tributary/protocol';
import type { NodeId, Snapshot } from '@tributary/raft';
import { fsyncDirectory } from './fsync-directory';

const MAGIC = Buffer.from('TRSN');
const NAME = /^(\d{20})-(\d{20})\.snap$/;

export interface SnapshotStoreOptions {
  dir: string;
  /** Snapshots kept after a save, newest first (at least 1). */
  retainCount?: number;
}

export class SnapshotStore {
  private readonly retainCount: number;

  constructor(private readonly options: SnapshotStoreOptions) {
    this.retainCount = Math.max(1, options.retainCount ?? 2);
  }

  /** The newest snapshot that reads back intact, or undefined when there is none. Removes leftover temp files. */
  async loadLatest(): Promise<Snapshot | undefined> {
    const names = await readdir(this.options.dir);
    for (const n of names.filter((n) => n.endsWith('.snap.tmp'))) await unlink(path.join(this.options.dir, n));
    for (const name of this.snapshotNames(names).reverse()) {
      const snapshot = decodeSnapshot(await readFile(path.join(this.options.dir, name)));
      if (snapshot) return snapshot;
    }
    return undefined;
  }

  /** Writes `snapshot` durably and atomically, then prunes all but the newest `retainCount`. */
  async save(snapshot: Snapshot): Promise<void> {
    const { index, term } = snapshot.metadata;
    const name = `${String(term).padStart(20, '0')}-${String(index).padStart(20, '0')}.snap`;
    const file = path.join(this.options.dir, name);
    const tmp = `${file}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      const bytes = encodeSnapshot(snapshot);
      await handle.write(bytes, 0, bytes.length, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
    await fsyncDirectory(this.options.dir);
    const names = this.snapshotNames(await readdir(this.options.dir));
    for (const old of names.slice(0, Math.max(0, names.length - this.retainCount))) await unlink(path.join(this.options.dir, old));
  }

  /** Snapshot file names, oldest first. */
  private snapshotNames(names: string[]): string[] {
    return names.filter((n) => NAME.test(n)).sort();
  }
}

export function encodeSnapshot(snapshot: Snapshot): Buffer {
  const { index, term, confState } = snapshot.metadata;
  const body = Buffer.allocUnsafe(16 + 4 + 4 * confState.voters.length + 4 + 4 * confState.learners.length + 8 + snapshot.data.length);
  let pos = 0;
  body.writeBigUInt64BE(BigInt(index), pos);
  body.writeBigUInt64BE(BigInt(term), (pos += 8));
  pos += 8;
  for (const ids of [confState.voters, confState.learners]) {
    body.writeUInt32BE(ids.length, pos);
    pos += 4;
    for (const id of ids) {
      body.writeUInt32BE(id, pos);
      pos += 4;
    }
  }
  body.writeBigUInt64BE(BigInt(snapshot.data.length), pos);
  body.set(snapshot.data, pos + 8);
  const head = Buffer.allocUnsafe(8);
  MAGIC.copy(head, 0);
  head.writeUInt32BE(crc32c(body), 4);
  return Buffer.concat([head, body]);
}

/** The snapshot in `bytes`, or undefined when the file is damaged or not a snapshot. */
export function decodeSnapshot(bytes: Buffer): Snapshot | undefined {
  if (bytes.length < 8 + 28 || !bytes.subarray(0, 4).equals(MAGIC)) return undefined;
  const body = bytes.subarray(8);
  if (crc32c(body) !== bytes.readUInt32BE(4)) return undefined;
  try {
    const index = Number(body.readBigUInt64BE(0));
    const term = Number(body.readBigUInt64BE(8));
    let pos = 16;
    const lists: NodeId[][] = [];
    for (let l = 0; l < 2; l++) {
      const count = body.readUInt32BE(pos);
      pos += 4;
      const ids: NodeId[] = [];
      for (let i = 0; i < count; i++, pos += 4) ids.push(body.readUInt32BE(pos) as NodeId);
      lists.push(ids);
    }
    const dataBytes = Number(body.readBigUInt64BE(pos));
    if (pos + 8 + dataBytes !== body.length) return undefined;
    return { metadata: { index, term, confState: { voters: lists[0], learners: lists[1] } }, data: new Uint8Array(body.subarray(pos + 8)) };
  } catch (e) {
    if (e instanceof RangeError) return undefined; // counts that run past the end
    throw new TributaryError('UNKNOWN_SERVER_ERROR', `reading a snapshot failed: ${(e as Error).message}`, { cause: e });
  }
}
