/**
 * The `uniform` assignor (Kafka's UniformAssignor): balanced and sticky.
 *
 * 1. Sticky: each member keeps the partitions of its current target that still exist and that
 *    it still subscribes to (the first claimant wins a partition claimed twice).
 * 2. Fill: every partition left over goes to the subscriber holding the fewest partitions
 *    (ties: lowest memberId); topics with fewer subscribers first, partitions ascending.
 * 3. Balance: while some partition's owner holds at least two more partitions than one of the
 *    topic's subscribers, one partition moves, out of the most loaded member such a partition
 *    has, to the least loaded subscriber; partitions gained in step 2 move before kept ones.
 *    Every move lowers the sum of squared loads, so this ends, and then no single move can even
 *    out the load any further. With identical subscriptions that means every member is within
 *    one partition of every other, and a member joining or leaving moves only the partitions
 *    the new balance needs. With different subscriptions a better balance may need a chain of
 *    moves (a→b so that b→c); like Kafka's, this assignor does not search for those.
 *
 * Racks are not taken into account.
 */
import { Assignment, toAssignment, topicPartitionsOf, TopicPartition } from './assignment';
import { AssignmentSpec, PartitionAssignor } from './partition-assignor';

function key(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

class Loads {
  readonly held = new Map<string, TopicPartition[]>();

  constructor(memberIds: readonly string[]) {
    for (const id of memberIds) this.held.set(id, []);
  }

  count(memberId: string): number {
    return this.partitionsOf(memberId).length;
  }

  partitionsOf(memberId: string): TopicPartition[] {
    const list = this.held.get(memberId);
    if (!list) throw new Error(`unknown member ${memberId}`);
    return list;
  }

  /** The least loaded of `candidates` (ascending memberIds), the first of them on a tie. */
  leastLoaded(candidates: readonly string[]): string {
    let best = candidates[0];
    for (const c of candidates) if (this.count(c) < this.count(best)) best = c;
    return best;
  }
}

export class UniformAssignor implements PartitionAssignor {
  readonly name = 'uniform' as const;

  assign(spec: AssignmentSpec): Map<string, Assignment> {
    const memberIds = spec.members.map((m) => m.memberId);
    const loads = new Loads(memberIds);
    const subscribers = new Map<string, string[]>();
    for (const m of spec.members) {
      for (const topic of m.subscribedTopics) subscribers.set(topic, [...(subscribers.get(topic) ?? []), m.memberId]);
    }

    const taken = new Set<string>();
    for (const m of spec.members) {
      const subscribed = new Set(m.subscribedTopics);
      for (const tp of topicPartitionsOf(m.currentTarget)) {
        const count = spec.partitionCounts.get(tp.topic);
        if (!subscribed.has(tp.topic) || count === undefined || tp.partition >= count || taken.has(key(tp.topic, tp.partition))) continue;
        taken.add(key(tp.topic, tp.partition));
        loads.partitionsOf(m.memberId).push(tp);
      }
    }

    // Topics with the fewest subscribers first: their partitions have the fewest places to go.
    const fillOrder = [...subscribers.keys()].sort((a, b) => (subscribers.get(a)?.length ?? 0) - (subscribers.get(b)?.length ?? 0) || (a < b ? -1 : 1));
    for (const topic of fillOrder) {
      const candidates = subscribers.get(topic) ?? [];
      const count = spec.partitionCounts.get(topic) ?? 0;
      for (let partition = 0; partition < count; partition++) {
        if (taken.has(key(topic, partition))) continue;
        loads.partitionsOf(loads.leastLoaded(candidates)).push({ topic, partition });
      }
    }

    this.balance(loads, memberIds, subscribers);

    const out = new Map<string, Assignment>();
    for (const id of memberIds) out.set(id, toAssignmentFrom(loads.partitionsOf(id)));
    return out;
  }

  /** One move at a time, always out of the most loaded member that has a partition worth moving. */
  private balance(loads: Loads, memberIds: readonly string[], subscribers: ReadonlyMap<string, string[]>): void {
    for (;;) {
      const heaviestFirst = [...memberIds].sort((a, b) => loads.count(b) - loads.count(a) || (a < b ? -1 : 1));
      const move = this.firstUsefulMove(loads, heaviestFirst, subscribers);
      if (!move) return;
      const [tp] = loads.partitionsOf(move.from).splice(move.index, 1);
      loads.partitionsOf(move.to).push(tp);
    }
  }

  private firstUsefulMove(loads: Loads, heaviestFirst: readonly string[], subscribers: ReadonlyMap<string, string[]>): { from: string; index: number; to: string } | undefined {
    for (const from of heaviestFirst) {
      const held = loads.partitionsOf(from);
      for (let index = held.length - 1; index >= 0; index--) {
        const to = loads.leastLoaded(subscribers.get(held[index].topic) ?? []);
        if (loads.count(to) < held.length - 1) return { from, index, to };
      }
    }
    return undefined;
  }
}

function toAssignmentFrom(list: readonly TopicPartition[]): Assignment {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of list) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  return toAssignment(byTopic);
}
