/** Temporary partition directories on the real file system, for storage tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TempLogDir {
  readonly root = mkdtempSync(join(tmpdir(), 'tributary-storage-'));

  /** A partition directory inside the root (not created: PartitionLog.open creates it). */
  partition(name = 'topic-0'): string {
    return join(this.root, name);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
