/**
 * The records of the compacted `_schemas` topic, in Confluent Schema Registry's JSON layout so
 * the topic reads the same as Confluent's (one partition; key and value are UTF-8 JSON):
 *
 *   SCHEMA          key {"keytype":"SCHEMA","subject":S,"version":V,"magic":1}
 *                   value {"subject":S,"version":V,"id":N,"schemaType":T?,"references":[{name,subject,version}]?,
 *                          "schema":TEXT,"deleted":BOOL}   (schemaType absent means AVRO)
 *                   a null value (tombstone) is a permanent delete of that version
 *   CONFIG          key {"keytype":"CONFIG","subject":S|null,"magic":0}
 *                   value {"compatibilityLevel":LEVEL,"normalize":BOOL?}; null deletes it
 *   MODE            key {"keytype":"MODE","subject":S|null,"magic":0}   value {"mode":MODE}; null deletes it
 *   DELETE_SUBJECT  key {"keytype":"DELETE_SUBJECT","subject":S,"magic":0}
 *                   value {"subject":S,"version":W}: every version up to W is soft-deleted
 *
 * Two key types are Tributary's own (Confluent coordinates through a Kafka group instead):
 *
 *   INSTANCE        key {"keytype":"INSTANCE","url":URL,"magic":0}
 *                   value {"url":URL,"leaderEligibility":BOOL}; null when the instance leaves
 *   ID_FLOOR        key {"keytype":"ID_FLOOR","magic":0}   value {"id":N}: the highest id ever
 *                   assigned, written beside permanent deletes so compaction cannot make an id reusable
 *
 * A subject of null in CONFIG and MODE is the global setting.
 */
import { TributaryError } from '@tributary/protocol';
import type { SchemaType } from '@tributary/schema';

export interface SchemaReference {
  readonly name: string;
  readonly subject: string;
  readonly version: number;
}

export interface SchemaValue {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schemaType: SchemaType;
  readonly references: readonly SchemaReference[];
  readonly schema: string;
  readonly deleted: boolean;
}

export interface ConfigValue {
  readonly compatibilityLevel: string;
  readonly normalize?: boolean;
}

export type RegistryKey =
  | { readonly keytype: 'SCHEMA'; readonly subject: string; readonly version: number }
  | { readonly keytype: 'CONFIG'; readonly subject: string | null }
  | { readonly keytype: 'MODE'; readonly subject: string | null }
  | { readonly keytype: 'DELETE_SUBJECT'; readonly subject: string }
  | { readonly keytype: 'INSTANCE'; readonly url: string }
  | { readonly keytype: 'ID_FLOOR' };

/** One record: a key and its value, or null for a tombstone. */
export type RegistryRecord =
  | { readonly key: Extract<RegistryKey, { keytype: 'SCHEMA' }>; readonly value: SchemaValue | null }
  | { readonly key: Extract<RegistryKey, { keytype: 'CONFIG' }>; readonly value: ConfigValue | null }
  | { readonly key: Extract<RegistryKey, { keytype: 'MODE' }>; readonly value: { readonly mode: string } | null }
  | { readonly key: Extract<RegistryKey, { keytype: 'DELETE_SUBJECT' }>; readonly value: { readonly subject: string; readonly version: number } | null }
  | { readonly key: Extract<RegistryKey, { keytype: 'INSTANCE' }>; readonly value: { readonly url: string; readonly leaderEligibility: boolean } | null }
  | { readonly key: Extract<RegistryKey, { keytype: 'ID_FLOOR' }>; readonly value: { readonly id: number } | null };

/** Key and value bytes as they go into the topic. */
export function encodeRecord(record: RegistryRecord): { key: Buffer; value: Buffer | null } {
  const key = record.key;
  let keyJson: Record<string, unknown>;
  switch (key.keytype) {
    case 'SCHEMA':
      keyJson = { keytype: key.keytype, subject: key.subject, version: key.version, magic: 1 };
      break;
    case 'INSTANCE':
      keyJson = { keytype: key.keytype, url: key.url, magic: 0 };
      break;
    case 'ID_FLOOR':
      keyJson = { keytype: key.keytype, magic: 0 };
      break;
    default:
      keyJson = { keytype: key.keytype, subject: key.subject, magic: 0 };
  }
  return { key: Buffer.from(JSON.stringify(keyJson)), value: record.value === null ? null : Buffer.from(JSON.stringify(valueJson(record))) };
}

function valueJson(record: RegistryRecord): unknown {
  if (record.key.keytype !== 'SCHEMA' || record.value === null) return record.value;
  const value = record.value as SchemaValue;
  return {
    subject: value.subject,
    version: value.version,
    id: value.id,
    ...(value.schemaType === 'AVRO' ? {} : { schemaType: value.schemaType }),
    ...(value.references.length > 0 ? { references: value.references } : {}),
    schema: value.schema,
    deleted: value.deleted,
  };
}

/**
 * Reads a record of the topic. Keys of other types (Confluent's NOOP, CONTEXT …) give null: they
 * carry nothing this registry keeps. A record that is not this layout is CORRUPT_MESSAGE.
 */
export function decodeRecord(key: Buffer | null, value: Buffer | null): RegistryRecord | null {
  if (key === null) return null;
  const k = parseJson(key) as Record<string, unknown>;
  const v = value === null ? null : (parseJson(value) as Record<string, unknown>);
  switch (k.keytype) {
    case 'SCHEMA':
      return {
        key: { keytype: 'SCHEMA', subject: String(k.subject), version: Number(k.version) },
        value: v === null ? null : decodeSchemaValue(v),
      };
    case 'CONFIG':
    case 'MODE':
      return { key: { keytype: k.keytype, subject: k.subject === null || k.subject === undefined ? null : String(k.subject) }, value: v } as RegistryRecord;
    case 'DELETE_SUBJECT':
      return { key: { keytype: 'DELETE_SUBJECT', subject: String(k.subject) }, value: v } as RegistryRecord;
    case 'INSTANCE':
      return { key: { keytype: 'INSTANCE', url: String(k.url) }, value: v } as RegistryRecord;
    case 'ID_FLOOR':
      return { key: { keytype: 'ID_FLOOR' }, value: v } as RegistryRecord;
    default:
      return null;
  }
}

function decodeSchemaValue(v: Record<string, unknown>): SchemaValue {
  return {
    subject: String(v.subject),
    version: Number(v.version),
    id: Number(v.id),
    schemaType: ((v.schemaType as string | undefined) ?? 'AVRO') as SchemaType,
    references: ((v.references as SchemaReference[] | undefined) ?? []).map((r) => ({ name: r.name, subject: r.subject, version: r.version })),
    schema: String(v.schema),
    deleted: v.deleted === true,
  };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new TributaryError('CORRUPT_MESSAGE', `a _schemas record is not JSON: ${(error as Error).message}`);
  }
}
