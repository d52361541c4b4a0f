import type { LogIndex } from '../types';

/**
 * The append messages in flight to one follower, by the last index each carried. Pipelining
 * sends up to `capacity` of them before an acknowledgement; when full, the leader waits.
 */
export class Inflights {
  private readonly lastIndexes: LogIndex[] = [];

  constructor(readonly capacity: number) {}

  add(lastIndex: LogIndex): void {
    if (this.full()) throw new Error(`inflights: adding ${lastIndex} to a full window of ${this.capacity}`);
    this.lastIndexes.push(lastIndex);
  }

  /** Frees every message acknowledged by an acknowledgement of `index`. */
  freeLE(index: LogIndex): void {
    let n = 0;
    while (n < this.lastIndexes.length && this.lastIndexes[n] <= index) n++;
    if (n > 0) this.lastIndexes.splice(0, n);
  }

  freeFirstOne(): void {
    this.lastIndexes.shift();
  }

  full(): boolean {
    return this.lastIndexes.length >= this.capacity;
  }

  count(): number {
    return this.lastIndexes.length;
  }

  reset(): void {
    this.lastIndexes.length = 0;
  }
}
