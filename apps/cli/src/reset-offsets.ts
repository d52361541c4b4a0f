import type { Admin, TopicPartition } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';
import type { ResetRow } from './format-groups';

/** Where --reset-offsets moves each partition (exactly one of Kafka's --to-… / --shift-by options). */
export type ResetSpec =
  | { to: 'earliest' | 'latest' | 'current' }
  | { to: 'offset'; offset: number }
  | { to: 'datetime'; timestampMs: number }
  | { shiftBy: number };

export interface ResetPlan {
  rows: ResetRow[];
  /** Kafka's "WARN: New offset (…) is higher than latest offset …" lines, for stderr. */
  warnings: string[];
}

/**
 * The partitions a reset covers: `--topic T` (every partition of T), `--topic T:0,2` (those),
 * or with --all-topics every partition the group has committed, sorted.
 */
export async function resetScope(admin: Admin, groupId: string, topics: string[], allTopics: boolean): Promise<TopicPartition[]> {
  if (allTopics) return sorted((await admin.fetchOffsets(groupId)).map(({ topic, partition }) => ({ topic, partition })));
  const scope: TopicPartition[] = [];
  for (const argument of topics) {
    const colon = argument.lastIndexOf(':');
    const topic = colon < 0 ? argument : argument.slice(0, colon);
    const [description] = await admin.describeTopics([topic]);
    if (!description) throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist`);
    const existing = description.partitions.map((p) => p.partition);
    const wanted = colon < 0 ? existing : argument.slice(colon + 1).split(',').map((p) => partitionNumber(p, argument));
    for (const partition of wanted) {
      if (!existing.includes(partition)) throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} has no partition ${partition} (it has ${existing.length})`);
      scope.push({ topic, partition });
    }
  }
  return sorted(scope);
}

/**
 * The new offset of each partition, as ConsumerGroupCommand computes it; an offset outside the
 * partition's [log start, log end] is moved to the nearer end, with Kafka's warning.
 */
export async function planReset(admin: Admin, groupId: string, scope: TopicPartition[], spec: ResetSpec): Promise<ResetPlan> {
  const [earliest, latest, committed, byTime] = await Promise.all([
    admin.listOffsets(scope.map((tp) => ({ ...tp, spec: 'earliest' as const }))),
    admin.listOffsets(scope.map((tp) => ({ ...tp, spec: 'latest' as const }))),
    'shiftBy' in spec || spec.to === 'current' ? admin.fetchOffsets(groupId, scope) : Promise.resolve([]),
    'to' in spec && spec.to === 'datetime' ? admin.listOffsets(scope.map((tp) => ({ ...tp, spec: spec.timestampMs }))) : Promise.resolve([]),
  ]);
  const warnings: string[] = [];
  const rows = scope.map((tp, i) => {
    const where = `${tp.topic}-${tp.partition}`;
    const current = committed[i]?.offset ?? -1;
    let offset: number;
    if ('shiftBy' in spec) {
      if (current < 0) throw new TributaryError('INVALID_REQUEST', `Cannot shift offset for partition ${where} since there is no current committed offset`);
      offset = current + spec.shiftBy;
    } else if (spec.to === 'earliest') {
      offset = earliest[i].offset;
    } else if (spec.to === 'latest') {
      offset = latest[i].offset;
    } else if (spec.to === 'current') {
      offset = current >= 0 ? current : latest[i].offset;
    } else if (spec.to === 'offset') {
      offset = spec.offset;
    } else {
      // No record at or after the time: the end, as Kafka resets then.
      offset = byTime[i].offset >= 0 ? byTime[i].offset : latest[i].offset;
    }
    if (offset < earliest[i].offset) {
      warnings.push(`WARN: New offset (${offset}) is lower than earliest offset for topic partition ${where}. Value will be set to ${earliest[i].offset}`);
      offset = earliest[i].offset;
    } else if (offset > latest[i].offset) {
      warnings.push(`WARN: New offset (${offset}) is higher than latest offset for topic partition ${where}. Value will be set to ${latest[i].offset}`);
      offset = latest[i].offset;
    }
    return { ...tp, offset };
  });
  return { rows, warnings };
}

/** --to-datetime: YYYY-MM-DDTHH:mm:SS.sss, local time unless a zone (Z, +01:00) follows, as Kafka reads it. */
export function parseDateTime(value: string): number {
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?(Z|[+-]\d\d:\d\d)?$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new TributaryError('INVALID_REQUEST', `Error parsing timestamp "${value}": it does not match YYYY-MM-DDTHH:mm:SS.sss (optionally with a zone such as Z or +01:00)`);
  return ms;
}

function partitionNumber(text: string, argument: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0) throw new TributaryError('INVALID_REQUEST', `--topic ${argument}: partitions must be a comma-separated list of numbers`);
  return n;
}

function sorted(partitions: TopicPartition[]): TopicPartition[] {
  return [...partitions].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
