/**
 * Kafka's topic name rules (org.apache.kafka.common.internals.Topic): ASCII letters, digits,
 * '.', '_' and '-', 1 to 249 characters, not "." or "..". Because metric names replace '.' with
 * '_', two names that differ only there would collide, so such a name is refused when the other
 * exists.
 */
import { TributaryError } from '@tributary/protocol';

export const TOPIC_NAME_LENGTH_MAX = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Internal topics of the platform; clients cannot delete them. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state', '__cluster_metadata']);

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

function invalid(name: string, reason: string): TributaryError {
  return new TributaryError('INVALID_TOPIC_EXCEPTION', `Invalid topic name ${JSON.stringify(name)}: ${reason}`);
}

/** Throws INVALID_TOPIC_EXCEPTION with the reason when `name` breaks Kafka's rules. */
export function validateTopicName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw invalid(String(name ?? ''), 'the name is empty');
  if (name === '.' || name === '..') throw invalid(name, 'the name cannot be "." or ".."');
  if (name.length > TOPIC_NAME_LENGTH_MAX) {
    throw invalid(name, `the name is ${name.length} characters long; the maximum is ${TOPIC_NAME_LENGTH_MAX}`);
  }
  if (!LEGAL.test(name)) {
    const bad = [...name].find((c) => !LEGAL.test(c)) ?? '';
    throw invalid(name, `the character ${JSON.stringify(bad)} is not allowed; use only ASCII letters, digits, '.', '_' and '-'`);
  }
}

/** The name metrics would use: '.' and '_' are the same there. */
export function unifyCollisionChars(name: string): string {
  return name.replace(/\./g, '_');
}

/** Whether '.' or '_' appears (only such names can collide). */
export function hasCollisionChars(name: string): boolean {
  return name.includes('.') || name.includes('_');
}

/**
 * Throws INVALID_TOPIC_EXCEPTION when `name` collides with one of `existing` (a different name that
 * is equal once '.' is replaced by '_').
 */
export function checkTopicNameCollision(name: string, existing: Iterable<string>): void {
  if (!hasCollisionChars(name)) return;
  const unified = unifyCollisionChars(name);
  for (const other of existing) {
    if (other !== name && unifyCollisionChars(other) === unified) {
      throw invalid(name, `it collides with existing topic ${JSON.stringify(other)} because '.' and '_' are the same in metric names`);
    }
  }
}
