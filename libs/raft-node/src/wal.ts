/**
 * The write-ahead log of one Raft node: entries, hard-state changes and snapshot positions, in
 * segment files under one directory.
 *
 * Segment files are named `<sequence, 20 digits>.wal`; records are appended to the newest one
 * only, and a new one is started once it passes `segmentBytes`. A new segment opens with the
 * current hard state and snapshot position, so older segments hold nothing that a newer one
 * does not supersede except entries. Every record is framed as
 *
 *   length  u32 BE   bytes of type + payload
 *   crc     u32 BE   CRC-32C of type + payload
 *   type    u8       1 entry, 2 hard state, 3 snapshot position
 *   payload
 *     entry:        term u64 | index u64 | entry type u8 (0 normal, 1 confChange) | data
 *     hard state:   term u64 | vote u32 | commit u64
 *     snapshot:     index u64 | term u64
 *
 * Replay applies records in order: an entry at index i drops every entry ≥ i first (a new
 * leader overwrote a conflicting suffix); a snapshot position (i, t) drops entries ≤ i when the
 * entry at i has term t (a local snapshot: the suffix stays) and every entry otherwise (a
 * snapshot installed from the leader replaces the log). A record that is short or fails its CRC
 * in the last segment is a torn write: the segment is cut there. The same in an older segment
 * is damage that no crash explains, and opening fails.
 *
 * All entries after the snapshot are held in memory too, which suits the controller's metadata
 * log whose length the snapshots bound.
 */
import { open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { crc32c, TributaryError } from '@tributary/protocol';
import {
  EMPTY_HARD_STATE,
  limitSize,
  type ConfState,
  type Entry,
  type HardState,
  type LogIndex,
  type NodeId,
  type Snapshot,
  type Storage,
  type Term,
} from '@tributary/raft';
import { fsyncDirectory } from './fsync-directory';

const HEADER_BYTES = 8;
const RECORD_ENTRY = 1;
const RECORD_HARD_STATE = 2;
const RECORD_SNAPSHOT = 3;
/** A record longer than this is taken for garbage rather than allocated. */
const RECORD_BYTES_MAX = 256 * 1024 * 1024;

export interface WalOptions {
  dir: string;
  /** The newest snapshot the snapshot store holds (its data is served to lagging followers). */
  snapshot?: Snapshot;
  /** A new segment starts once the current one passes this size. */
  segmentBytes?: number;
}

/** What opening found and repaired. */
export interface WalRecovery {
  /** Bytes cut from the end of the last segment (a torn or damaged tail). */
  truncatedBytes: number;
  segmentCount: number;
}

interface SegmentInfo {
  readonly sequence: number;
  readonly path: string;
  /** The highest entry index written into the segment (0 for none). */
  lastEntryIndex: LogIndex;
}

interface PendingWrite {
  readonly bytes: Buffer;
  readonly lastEntryIndex: LogIndex;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class Wal implements Storage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot = emptySnapshot();
  private ents: Entry[] = [];
  private readonly segments: SegmentInfo[] = [];
  private active!: FileHandle;
  private activeBytes = 0;
  private pending: PendingWrite[] = [];
  private flushing = false;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
  ) {}

  /** Opens (creating when empty) the log in `dir`, cutting a torn tail of the last segment. */
  static async open(options: WalOptions): Promise<{ wal: Wal; recovery: WalRecovery }> {
    const wal = new Wal(options.dir, options.segmentBytes ?? 8 * 1024 * 1024);
    const recovery = await wal.replay();
    if (options.snapshot && options.snapshot.metadata.index > 0) {
      const { index } = options.snapshot.metadata;
      if (index < wal.snap.metadata.index) {
        await wal.close();
        throw new TributaryError(
          'KAFKA_STORAGE_ERROR',
          `the log in ${options.dir} starts after index ${wal.snap.metadata.index} but the newest readable snapshot is at ${index}; ` +
            'the snapshot that covered the compacted entries is missing or damaged — restore it or rebuild this node from its peers',
        );
      }
      if (index === wal.snap.metadata.index) wal.snap = options.snapshot;
      // A crash between writing the snapshot file and recording its position leaves the
      // position behind; the snapshot file is the newer truth.
      else await wal.applySnapshot(options.snapshot);
    }
    return { wal, recovery };
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  entries(lo: LogIndex, hi: LogIndex, maxSizeBytes: number): Entry[] {
    const first = this.firstIndex();
    if (lo < first || hi > this.lastIndex() + 1) {
      throw new RangeError(`entries [${lo}, ${hi}) outside the stored range [${first}, ${this.lastIndex() + 1})`);
    }
    return limitSize(this.ents.slice(lo - first, hi - first), maxSizeBytes);
  }

  term(index: LogIndex): Term | undefined {
    if (index === this.snap.metadata.index) return this.snap.metadata.term;
    if (index < this.firstIndex() || index > this.lastIndex()) return undefined;
    return this.ents[index - this.firstIndex()].term;
  }

  firstIndex(): LogIndex {
    return this.snap.metadata.index + 1;
  }

  lastIndex(): LogIndex {
    return this.snap.metadata.index + this.ents.length;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /**
   * Appends `entries` (dropping any suffix they conflict with) and records `hardState`; resolves
   * once both are on disk (fdatasync). Reads see the change at once. Concurrent saves share one
   * write and one sync (group commit).
   */
  save(entries: readonly Entry[], hardState?: HardState): Promise<void> {
    const records: Buffer[] = [];
    for (const e of entries) {
      this.appendInMemory(e);
      records.push(encodeEntry(e));
    }
    if (hardState) {
      this.hardState = hardState;
      records.push(encodeHardState(hardState));
    }
    return this.write(records, entries.length > 0 ? entries[entries.length - 1].index : 0);
  }

  /**
   * Records that `snapshot` (already durable in the snapshot store) covers the log up to its
   * index: a matching log keeps its suffix, a conflicting one is replaced.
   */
  applySnapshot(snapshot: Snapshot): Promise<void> {
    const { index, term } = snapshot.metadata;
    if (index <= this.snap.metadata.index) return Promise.resolve();
    this.applyPositionInMemory(index, term);
    this.snap = snapshot;
    return this.write([encodeSnapshotPosition(index, term)], 0);
  }

  /** Deletes whole segments that hold only entries at or below `index` (covered by a snapshot). */
  async compact(index: LogIndex): Promise<void> {
    if (index > this.snap.metadata.index) {
      throw new TributaryError('INVALID_REQUEST', `cannot compact the log to ${index}: the snapshot covers only up to ${this.snap.metadata.index}`);
    }
    // Only a prefix goes, so replay never sees a hole between surviving segments.
    while (this.segments.length > 1 && this.segments[0].lastEntryIndex <= index) {
      const [seg] = this.segments.splice(0, 1);
      await unlink(seg.path);
    }
  }

  /** The number of segment files, for tests and metrics. */
  segmentCount(): number {
    return this.segments.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await new Promise((r) => setImmediate(r));
    await this.active?.close();
  }

  private write(records: Buffer[], lastEntryIndex: LogIndex): Promise<void> {
    if (this.closed) return Promise.reject(new TributaryError('KAFKA_STORAGE_ERROR', `the log in ${this.dir} is closed`));
    return new Promise((resolve, reject) => {
      this.pending.push({ bytes: Buffer.concat(records), lastEntryIndex, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Writes everything queued with one sync, as long as writes keep arriving. */
  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        if (this.activeBytes >= this.segmentBytes) await this.roll();
        const bytes = Buffer.concat(batch.map((p) => p.bytes));
        await this.active.write(bytes, 0, bytes.length, this.activeBytes);
        this.activeBytes += bytes.length;
        await this.active.datasync();
        const seg = this.segments[this.segments.length - 1];
        for (const p of batch) seg.lastEntryIndex = Math.max(seg.lastEntryIndex, p.lastEntryIndex);
        for (const p of batch) p.resolve();
      } catch (e) {
        const error = new TributaryError('KAFKA_STORAGE_ERROR', `writing the log in ${this.dir} failed: ${(e as Error).message}`, { cause: e });
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = false;
  }

  /** Starts a new segment that opens with the current hard state and snapshot position. */
  private async roll(): Promise<void> {
    const sequence = (this.segments[this.segments.length - 1]?.sequence ?? 0) + 1;
    const file = path.join(this.dir, `${String(sequence).padStart(20, '0')}.wal`);
    const handle = await open(file, 'w');
    const header = Buffer.concat([
      encodeHardState(this.hardState),
      encodeSnapshotPosition(this.snap.metadata.index, this.snap.metadata.term),
    ]);
    await handle.write(header, 0, header.length, 0);
    await handle.datasync();
    await fsyncDirectory(this.dir);
    await this.active?.close();
    this.active = handle;
    this.activeBytes = header.length;
    this.segments.push({ sequence, path: file, lastEntryIndex: 0 });
  }

  private async replay(): Promise<WalRecovery> {
    const names = (await readdir(this.dir)).filter((n) => /^\d{20}\.wal$/.test(n)).sort();
    let truncatedBytes = 0;
    for (let i = 0; i < names.length; i++) {
      const file = path.join(this.dir, names[i]);
      const bytes = await readFile(file);
      const seg: SegmentInfo = { sequence: Number(names[i].slice(0, 20)), path: file, lastEntryIndex: 0 };
      const validBytes = this.replaySegment(bytes, seg);
      const last = i === names.length - 1;
      if (validBytes < bytes.length && !last) {
        throw new TributaryError(
          'KAFKA_STORAGE_ERROR',
          `log segment ${file} is damaged at byte ${validBytes} of ${bytes.length} and is not the last segment; ` +
            'this is not a torn write — restore the directory or rebuild this node from its peers',
        );
      }
      this.segments.push(seg);
      if (last) {
        this.active = await open(file, 'r+');
        if (validBytes < bytes.length) {
          truncatedBytes = bytes.length - validBytes;
          await this.active.truncate(validBytes);
          await this.active.datasync();
        }
        this.activeBytes = validBytes;
      }
    }
    if (this.ents.length > 0 && this.ents[0].index !== this.snap.metadata.index + 1) {
      throw new TributaryError(
        'KAFKA_STORAGE_ERROR',
        `the log in ${this.dir} has a hole: the snapshot position is ${this.snap.metadata.index} but entries start at ${this.ents[0].index}`,
      );
    }
    if (this.segments.length === 0) await this.roll();
    return { truncatedBytes, segmentCount: this.segments.length };
  }

  /** Applies the segment's valid records; returns the byte length of its valid prefix. */
  private replaySegment(bytes: Buffer, seg: SegmentInfo): number {
    let pos = 0;
    while (pos + HEADER_BYTES <= bytes.length) {
      const length = bytes.readUInt32BE(pos);
      if (length < 1 || length > RECORD_BYTES_MAX || pos + HEADER_BYTES + length > bytes.length) break;
      const body = bytes.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + length);
      if (crc32c(body) !== bytes.readUInt32BE(pos + 4)) break;
      const payload = body.subarray(1);
      switch (body[0]) {
        case RECORD_ENTRY: {
          const e = decodeEntry(payload);
          this.replayEntry(e);
          seg.lastEntryIndex = Math.max(seg.lastEntryIndex, e.index);
          break;
        }
        case RECORD_HARD_STATE:
          this.hardState = {
            term: readU64(payload, 0),
            vote: payload.readUInt32BE(8) as NodeId,
            commit: readU64(payload, 12),
          };
          break;
        case RECORD_SNAPSHOT: {
          const index = readU64(payload, 0);
          const term = readU64(payload, 8);
          if (index > this.snap.metadata.index) {
            this.applyPositionInMemory(index, term);
            // The snapshot store supplies the data and membership when the node opens.
            this.snap = { metadata: { index, term, confState: this.snap.metadata.confState }, data: new Uint8Array(0) };
          }
          break;
        }
        default:
          return pos;
      }
      pos += HEADER_BYTES + length;
    }
    return pos;
  }

  /**
   * During replay the first surviving segment may start after compacted entries, so an entry
   * past the end of an empty log starts it; the hole check at the end of replay catches a real gap.
   */
  private replayEntry(e: Entry): void {
    if (this.ents.length === 0 && e.index > this.snap.metadata.index) {
      this.ents = [e];
      return;
    }
    this.appendInMemory(e);
  }

  private appendInMemory(e: Entry): void {
    const first = this.ents.length > 0 ? this.ents[0].index : this.firstIndex();
    if (e.index < first) {
      if (e.index <= this.snap.metadata.index) return; // covered by the snapshot
      this.ents = [];
    } else if (e.index > first + this.ents.length) {
      throw new RangeError(`append at ${e.index} leaves a gap after the last index ${first + this.ents.length - 1}`);
    } else {
      this.ents.length = e.index - first;
    }
    this.ents.push(e);
  }

  private applyPositionInMemory(index: LogIndex, term: Term): void {
    const first = this.ents.length > 0 ? this.ents[0].index : this.firstIndex();
    const at = this.ents[index - first];
    if (at && at.term === term) this.ents = this.ents.slice(index - first + 1);
    // Entries that all lie after the position stay: during replay, the first surviving
    // segment's entries can precede the record of the snapshot that compacted the ones before.
    else if (!(this.ents.length > 0 && first > index)) this.ents = [];
  }
}

function emptySnapshot(): Snapshot {
  return { metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } }, data: new Uint8Array(0) };
}

function frame(type: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + 1 + payload.length);
  out.writeUInt32BE(1 + payload.length, 0);
  out[HEADER_BYTES] = type;
  payload.copy(out, HEADER_BYTES + 1);
  out.writeUInt32BE(crc32c(out.subarray(HEADER_BYTES)), 4);
  return out;
}

function encodeEntry(e: Entry): Buffer {
  const payload = Buffer.allocUnsafe(17 + e.data.length);
  writeU64(payload, e.term, 0);
  writeU64(payload, e.index, 8);
  payload[16] = e.type === 'confChange' ? 1 : 0;
  payload.set(e.data, 17);
  return frame(RECORD_ENTRY, payload);
}

function decodeEntry(payload: Buffer): Entry {
  return {
    term: readU64(payload, 0),
    index: readU64(payload, 8),
    type: payload[16] === 1 ? 'confChange' : 'normal',
    data: new Uint8Array(payload.subarray(17)),
  };
}

function encodeHardState(hs: HardState): Buffer {
  const payload = Buffer.allocUnsafe(20);
  writeU64(payload, hs.term, 0);
  payload.writeUInt32BE(hs.vote, 8);
  writeU64(payload, hs.commit, 12);
  return frame(RECORD_HARD_STATE, payload);
}

function encodeSnapshotPosition(index: LogIndex, term: Term): Buffer {
  const payload = Buffer.allocUnsafe(16);
  writeU64(payload, index, 0);
  writeU64(payload, term, 8);
  return frame(RECORD_SNAPSHOT, payload);
}

function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeBigUInt64BE(BigInt(value), offset);
}

function readU64(buf: Buffer, offset: number): number {
  return Number(buf.readBigUInt64BE(offset));
}
