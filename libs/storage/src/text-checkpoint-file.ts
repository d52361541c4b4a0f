/**
 * Kafka's text checkpoint files (`leader-epoch-checkpoint`, `replication-offset-checkpoint`),
 * as its CheckpointFile: ASCII lines, each ending with '\n':
 *
 *     <version>            0
 *     <entry count>        N
 *     <entry> × N          fields separated by one space, e.g. `epoch startOffset`
 *
 * The format has no checksum. A file is written whole through writeFileAtomically with fsync, so a
 * crash leaves the old file or the new one; reading checks the version, that the count matches
 * the entries, that every entry has the expected number of fields and that the file ends with a
 * complete line — so a cut or garbled file is reported as a problem rather than half-read.
 */
import { FileSystem, joinPath, readFully } from './file-system';
import { writeFileAtomically } from './write-file-atomically';

export const CHECKPOINT_VERSION = 0;
/** Far above any real checkpoint; a larger file is damaged, and is not read into memory. */
const CHECKPOINT_BYTES_MAX = 64 * 1024 * 1024;

export type TextCheckpointRead =
  | { kind: 'missing' }
  | { kind: 'damaged'; problem: string }
  | { kind: 'read'; entries: string[][] };

export class TextCheckpointFile {
  /** The entries of `dir/name`, each split into `fieldCount` fields. */
  static async read(fs: FileSystem, dir: string, name: string, fieldCount: number): Promise<TextCheckpointRead> {
    const path = joinPath(dir, name);
    if (!(await fs.exists(path))) return { kind: 'missing' };
    const handle = await fs.open(path);
    let bytes: Buffer;
    try {
      const sizeBytes = await handle.size();
      if (sizeBytes > CHECKPOINT_BYTES_MAX) return { kind: 'damaged', problem: `${name} has ${sizeBytes} bytes, more than a checkpoint can hold` };
      bytes = await readFully(handle, 0, sizeBytes);
    } finally {
      await handle.close();
    }
    const problem = (what: string): TextCheckpointRead => ({ kind: 'damaged', problem: `${name} ${what}` });
    const text = bytes.toString('latin1');
    if (!text.endsWith('\n')) return problem(text.length === 0 ? 'is empty' : 'does not end with a complete line');
    const lines = text.slice(0, -1).split('\n');
    if (lines[0] !== String(CHECKPOINT_VERSION)) return problem(`has version line '${lines[0]}', expected '${CHECKPOINT_VERSION}'`);
    if (lines.length < 2 || !/^\d+$/.test(lines[1])) return problem(`has count line '${lines[1] ?? ''}', expected a number`);
    const count = Number(lines[1]);
    if (lines.length - 2 !== count) return problem(`announces ${count} entries but holds ${lines.length - 2}`);
    const entries: string[][] = [];
    for (const [i, line] of lines.slice(2).entries()) {
      const fields = line.split(' ');
      if (fields.length !== fieldCount || fields.some((f) => f.length === 0)) return problem(`entry ${i} '${line}' does not have ${fieldCount} fields`);
      entries.push(fields);
    }
    return { kind: 'read', entries };
  }

  /** Replaces `dir/name` with `entries` (fields joined by one space), durably. */
  static write(fs: FileSystem, dir: string, name: string, entries: readonly (readonly (string | number)[])[]): Promise<void> {
    const lines = [String(CHECKPOINT_VERSION), String(entries.length), ...entries.map((fields) => fields.join(' '))];
    return writeFileAtomically(fs, dir, name, Buffer.from(lines.map((line) => `${line}\n`).join(''), 'latin1'), { durable: true });
  }
}

/** A non-negative safe integer written in decimal, or undefined. */
export function parseOffsetField(field: string): number | undefined {
  if (!/^\d{1,16}$/.test(field)) return undefined;
  const value = Number(field);
  return Number.isSafeInteger(value) ? value : undefined;
}
