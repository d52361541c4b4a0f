import type { Message, NodeId } from '../index';
import type { Prng } from './prng';

/** Fault injection of the simulated network, as a plain options object. */
export interface NetworkFaults {
  lossRate: number;
  duplicateRate: number;
  /** Each copy is delivered after a uniform delay in [0, delayTicksMax] ticks (so reordered). */
  delayTicksMax: number;
}

export const RELIABLE: NetworkFaults = { lossRate: 0, duplicateRate: 0, delayTicksMax: 0 };

/**
 * Messages in flight between simulated nodes. Links can be cut one way (asymmetric) or both;
 * a cut link drops messages at send and at delivery time.
 */
export class SimNetwork {
  faults: NetworkFaults = RELIABLE;
  private readonly cut = new Set<string>();
  private readonly inFlight = new Map<number, Message[]>();
  sent = 0;

  constructor(private readonly rng: Prng) {}

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cut.has(`${from}>${to}`);
  }

  cutLink(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}>${to}`);
  }

  /** Splits the nodes into groups that hear only each other. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.cut.clear();
    for (const g of groups) for (const h of groups) {
      if (g === h) continue;
      for (const a of g) for (const b of h) this.cutLink(a, b);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  send(now: number, m: Message): void {
    this.sent++;
    if (this.isCut(m.from, m.to) || this.rng.chance(this.faults.lossRate)) return;
    const copies = this.rng.chance(this.faults.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const at = now + this.rng.int(0, this.faults.delayTicksMax + 1);
      let bucket = this.inFlight.get(at);
      if (!bucket) this.inFlight.set(at, (bucket = []));
      bucket.push(m);
    }
  }

  /** Takes the messages due at `now` in a random order. */
  takeDue(now: number): Message[] {
    const due = this.inFlight.get(now);
    if (!due) return [];
    this.inFlight.delete(now);
    for (let i = due.length - 1; i > 0; i--) {
      const j = this.rng.int(0, i + 1);
      [due[i], due[j]] = [due[j], due[i]];
    }
    return due.filter((m) => !this.isCut(m.from, m.to));
  }

  /** Messages due at `now` remain (including ones sent during this tick's deliveries). */
  hasDue(now: number): boolean {
    return this.inFlight.has(now);
  }

  clear(): void {
    this.inFlight.clear();
  }
}
