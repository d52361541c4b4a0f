/**
 * A set of topic partitions, written as `{ topic: [partition, …] }` with topics and partitions
 * in ascending order and no empty topics. Every function here returns that canonical form, so
 * two equal sets are deep-equal values and serialize to the same JSON (records, describe
 * outputs and tests compare them directly).
 */
export type Assignment = Readonly<Record<string, readonly number[]>>;

export const EMPTY_ASSIGNMENT: Assignment = Object.freeze({});

/** One partition of one topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

function byNumber(a: number, b: number): number {
  return a - b;
}

/** The canonical form of any `{ topic: partitions }` (duplicates dropped, empty topics left out). */
export function toAssignment(partitions: Readonly<Record<string, Iterable<number>>> | ReadonlyMap<string, Iterable<number>>): Assignment {
  const entries: [string, Iterable<number>][] = partitions instanceof Map ? [...partitions.entries()] : Object.entries(partitions);
  const out: Record<string, number[]> = {};
  for (const [topic, list] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const sorted = [...new Set(list)].sort(byNumber);
    if (sorted.length > 0) out[topic] = sorted;
  }
  return out;
}

export function fromTopicPartitions(list: Iterable<TopicPartition>): Assignment {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of list) {
    const partitions = byTopic.get(topic);
    if (partitions) partitions.push(partition);
    else byTopic.set(topic, [partition]);
  }
  return toAssignment(byTopic);
}

export function topicPartitionsOf(a: Assignment): TopicPartition[] {
  return Object.entries(a).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
}

export function partitionCountOf(a: Assignment): number {
  let n = 0;
  for (const partitions of Object.values(a)) n += partitions.length;
  return n;
}

export function isEmptyAssignment(a: Assignment): boolean {
  return Object.keys(a).length === 0;
}

export function hasPartition(a: Assignment, topic: string, partition: number): boolean {
  return a[topic]?.includes(partition) ?? false;
}

export function assignmentsEqual(a: Assignment, b: Assignment): boolean {
  const topics = Object.keys(a);
  if (topics.length !== Object.keys(b).length) return false;
  return topics.every((t) => {
    const pa = a[t];
    const pb = b[t];
    return pb !== undefined && pa.length === pb.length && pa.every((p, i) => p === pb[i]);
  });
}

/** The partitions of `a` for which `keep(topic, partition)` holds. */
export function filterAssignment(a: Assignment, keep: (topic: string, partition: number) => boolean): Assignment {
  const out: Record<string, number[]> = {};
  for (const [topic, partitions] of Object.entries(a)) {
    const kept = partitions.filter((p) => keep(topic, p));
    if (kept.length > 0) out[topic] = kept;
  }
  return out;
}

export function intersectAssignments(a: Assignment, b: Assignment): Assignment {
  return filterAssignment(a, (t, p) => hasPartition(b, t, p));
}

/** a − b */
export function subtractAssignment(a: Assignment, b: Assignment): Assignment {
  return filterAssignment(a, (t, p) => !hasPartition(b, t, p));
}

export function unionAssignments(a: Assignment, b: Assignment): Assignment {
  const merged = new Map<string, number[]>();
  for (const x of [a, b]) for (const [t, ps] of Object.entries(x)) merged.set(t, [...(merged.get(t) ?? []), ...ps]);
  return toAssignment(merged);
}

/** Whether every partition of `a` is in `b`. */
export function isSubAssignment(a: Assignment, b: Assignment): boolean {
  return Object.entries(a).every(([t, ps]) => ps.every((p) => hasPartition(b, t, p)));
}
