import type { Entry } from '@tributary/raft';
import type { StateMachine } from '../raft-node';

/** A replicated key-value map for tests: each entry is UTF-8 JSON `{"key": ..., "value": ...}`. */
export class KvStateMachine implements StateMachine {
  values = new Map<string, string>();
  /** Indexes of applied entries, in order, to check that none is applied twice. */
  appliedIndexes: number[] = [];

  static encode(key: string, value: string): Uint8Array {
    return Buffer.from(JSON.stringify({ key, value }));
  }

  apply(entry: Entry): void {
    const { key, value } = JSON.parse(Buffer.from(entry.data).toString()) as { key: string; value: string };
    this.values.set(key, value);
    this.appliedIndexes.push(entry.index);
  }

  snapshot(): Uint8Array {
    return Buffer.from(JSON.stringify([...this.values]));
  }

  restore(data: Uint8Array): void {
    this.values = new Map(JSON.parse(Buffer.from(data).toString()) as [string, string][]);
  }
}
