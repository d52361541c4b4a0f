/**
 * Replaces a small file of the partition directory (recovery-point checkpoint, producer state
 * snapshot, clean-shutdown marker) so that a crash leaves the old file or the new one, never a
 * mix: the bytes go to `<name>.tmp`, which is renamed over `<name>`. Leftover `.tmp` files are
 * removed when the log opens.
 *
 * `durable` adds fdatasync of the temp file before the rename and fsync of the directory after
 * it, so the new file survives a power loss once this resolves. Files whose loss or tearing is
 * harmless (they carry a CRC and have a fallback) skip both syncs.
 */
import { FileSystem, joinPath } from './file-system';

export const TEMP_SUFFIX = '.tmp';

export async function writeFileAtomically(fs: FileSystem, dir: string, name: string, bytes: Buffer, options: { durable: boolean }): Promise<void> {
  const tempPath = joinPath(dir, name + TEMP_SUFFIX);
  const handle = await fs.open(tempPath);
  try {
    await handle.truncate(0);
    handle.writeSync(bytes, 0);
    if (options.durable) await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(tempPath, joinPath(dir, name));
  if (options.durable) await fs.syncDir(dir);
}
