import type { LogIndex, NodeId } from './types';

interface PendingRead {
  readonly index: LogIndex;
  readonly acks: Set<NodeId>;
}

/**
 * ReadIndex requests waiting for a heartbeat round to confirm the leader still leads (§6.4):
 * each records the commit index at request time; once a majority acknowledges a heartbeat
 * carrying its context, it and every earlier request are safe to serve at their index.
 */
export class ReadOnly {
  private readonly pending = new Map<string, PendingRead>();
  private queue: string[] = [];

  add(index: LogIndex, context: string, self: NodeId): void {
    if (this.pending.has(context)) return;
    this.pending.set(context, { index, acks: new Set([self]) });
    this.queue.push(context);
  }

  /** Records an acknowledgement; returns the acks so far, or undefined for an unknown context. */
  recvAck(from: NodeId, context: string): ReadonlySet<NodeId> | undefined {
    const read = this.pending.get(context);
    if (!read) return undefined;
    read.acks.add(from);
    return read.acks;
  }

  /** Removes and returns the requests up to and including `context`, in request order. */
  advance(context: string): { index: LogIndex; context: string }[] {
    const at = this.queue.indexOf(context);
    if (at < 0) return [];
    const released: { index: LogIndex; context: string }[] = [];
    for (const c of this.queue.slice(0, at + 1)) {
      const read = this.pending.get(c);
      if (read) released.push({ index: read.index, context: c });
      this.pending.delete(c);
    }
    this.queue = this.queue.slice(at + 1);
    return released;
  }

  lastPendingContext(): string | undefined {
    return this.queue[this.queue.length - 1];
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}
