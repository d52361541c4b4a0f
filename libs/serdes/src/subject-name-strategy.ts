import { TributaryError } from '@tributary/protocol';
import { parseSchema, type SchemaType } from '@tributary/schema';
import type { SchemaInput } from './schema-registry-client';

/**
 * Which subject a topic's keys or values are registered under (Confluent's
 * key/value.subject.name.strategy). `recordName` is the schema's record name: Avro's full name,
 * the Protobuf message's full name, a JSON Schema's title.
 */
export type SubjectNameStrategy = (topic: string, isKey: boolean, recordName: string | undefined) => string;

/** `<topic>-key` / `<topic>-value`: one schema (and its evolutions) per topic. The default. */
export const topicNameStrategy: SubjectNameStrategy = (topic, isKey) => `${topic}-${isKey ? 'key' : 'value'}`;

/** The record name: one subject per record type, shared by every topic carrying it. */
export const recordNameStrategy: SubjectNameStrategy = (_topic, _isKey, recordName) => requireName(recordName, 'RecordNameStrategy');

/** `<topic>-<record name>`: several record types per topic, each evolving on its own. */
export const topicRecordNameStrategy: SubjectNameStrategy = (topic, _isKey, recordName) => `${topic}-${requireName(recordName, 'TopicRecordNameStrategy')}`;

function requireName(recordName: string | undefined, strategy: string): string {
  if (!recordName) {
    throw new TributaryError('INVALID_REQUEST', `${strategy} needs a record name, and the schema has none (Avro: a named type; Protobuf: a message; JSON Schema: a "title")`);
  }
  return recordName;
}

/** The strategies by the short names of Confluent's classes (TopicNameStrategy, …). */
export const SUBJECT_NAME_STRATEGIES: Readonly<Record<'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy', SubjectNameStrategy>> = {
  TopicNameStrategy: topicNameStrategy,
  RecordNameStrategy: recordNameStrategy,
  TopicRecordNameStrategy: topicRecordNameStrategy,
};

/** The name RecordNameStrategy uses: Avro's full name, the first Protobuf message, a JSON Schema's title. */
export function recordNameOf(schema: SchemaInput): string | undefined {
  try {
    // References are not resolved here: the record name is the schema's own top-level name.
    return parseSchema({ schemaType: schema.schemaType as SchemaType | undefined, schema: schema.schema, references: {} }).recordName;
  } catch {
    return undefined;
  }
}
