import { avroReaderIncompatibilities } from './avro/avro-compatibility';
import { AvroSchema } from './avro/avro-schema';
import { compatibilityRule, type CompatibilityLevel } from './compatibility-level';
import type { Incompatibility } from './incompatibility';
import { jsonReaderIncompatibilities } from './json/json-schema-diff';
import { JsonSchema } from './json/json-schema';
import type { ParsedSchema } from './parsed-schema';
import { protobufReaderIncompatibilities } from './protobuf/protobuf-diff';
import { ProtobufSchema } from './protobuf/protobuf-schema';

export interface CompatibilityCheck {
  readonly newSchema: ParsedSchema;
  /** The subject's versions to check against, oldest first (the latest last). */
  readonly previousSchemas: readonly ParsedSchema[];
  readonly level: CompatibilityLevel;
}

export interface CompatibilityReason {
  readonly errorType: string;
  readonly path: string;
  readonly description: string;
}

export interface CompatibilityResult {
  readonly compatible: boolean;
  /** Confluent's verbose messages: the reasons, then the old schema's version and text, then the level. */
  readonly messages: readonly string[];
  readonly reasons: readonly CompatibilityReason[];
}

const DIFFERENT_TYPE = 'Incompatible because of different schema type';
const SCHEMA_CHARS_MAX = 10 * 1024;

/**
 * Checks a new schema against a subject's previous versions the way Confluent's registry does:
 * non-transitive levels look at the latest version only; transitive ones at every version,
 * latest first, stopping at the first that fails; a change of schema type is incompatible.
 */
export function checkCompatibility(check: CompatibilityCheck): CompatibilityResult {
  if (check.level === 'NONE') return { compatible: true, messages: [], reasons: [] };
  const rule = compatibilityRule(check.level);
  const newestFirst = [...check.previousSchemas].reverse();
  const targets = rule.transitive ? newestFirst : newestFirst.slice(0, 1);
  for (const old of targets) {
    const found: Array<{ incompatibility: Incompatibility; reader: string; writer: string }> = [];
    if (old.schemaType !== check.newSchema.schemaType) {
      return incompatible([DIFFERENT_TYPE, ...describeOld(old), levelMessage(check.level)], []);
    }
    if (rule.oldReadsNew) {
      for (const incompatibility of readerIncompatibilities(old, check.newSchema)) found.push({ incompatibility, reader: 'old', writer: 'new' });
    }
    if (rule.newReadsOld) {
      for (const incompatibility of readerIncompatibilities(check.newSchema, old)) found.push({ incompatibility, reader: 'new', writer: 'old' });
    }
    if (found.length > 0) {
      const messages = found.map(({ incompatibility, reader, writer }) => incompatibility.render(reader, writer));
      const reasons = found.map(({ incompatibility, reader, writer }) => ({
        errorType: incompatibility.errorType,
        path: incompatibility.path,
        description: incompatibility.describe(reader, writer),
      }));
      return incompatible([...messages, ...describeOld(old), levelMessage(check.level)], reasons);
    }
  }
  return { compatible: true, messages: [], reasons: [] };
}

/** What `reader` cannot read of the data `writer` describes; both of one schema type. */
export function readerIncompatibilities(reader: ParsedSchema, writer: ParsedSchema): Incompatibility[] {
  if (reader instanceof AvroSchema && writer instanceof AvroSchema) return avroReaderIncompatibilities(reader.type, writer.type);
  if (reader instanceof JsonSchema && writer instanceof JsonSchema) return jsonReaderIncompatibilities(reader, writer);
  if (reader instanceof ProtobufSchema && writer instanceof ProtobufSchema) return protobufReaderIncompatibilities(reader, writer);
  throw new TypeError(`cannot compare a ${reader.schemaType} schema with a ${writer.schemaType} schema`);
}

function incompatible(messages: string[], reasons: CompatibilityReason[]): CompatibilityResult {
  return { compatible: false, messages, reasons };
}

function describeOld(old: ParsedSchema): string[] {
  const text = old.canonicalString;
  const shown =
    text.length <= SCHEMA_CHARS_MAX ? `'${text}'` : `<truncated to ${SCHEMA_CHARS_MAX} characters> '${text.slice(0, SCHEMA_CHARS_MAX)}'`;
  return [...(old.version !== undefined ? [`{oldSchemaVersion: ${old.version}}`] : []), `{oldSchema: ${shown}}`];
}

function levelMessage(level: CompatibilityLevel): string {
  return `{compatibility: '${level}'}`;
}
