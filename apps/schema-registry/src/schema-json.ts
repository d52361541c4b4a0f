import type { SchemaValue } from './registry-records';

/** Confluent's Schema entity: schemaType only when not AVRO, references only when there are some. */
export function schemaJson(value: SchemaValue): Record<string, unknown> {
  return { subject: value.subject, version: value.version, id: value.id, ...schemaStringJson(value) };
}

/** Confluent's SchemaString entity (GET /schemas/ids/{id}). */
export function schemaStringJson(value: Pick<SchemaValue, 'schemaType' | 'references' | 'schema'>): Record<string, unknown> {
  return {
    ...(value.schemaType === 'AVRO' ? {} : { schemaType: value.schemaType }),
    ...(value.references.length > 0 ? { references: value.references } : {}),
    schema: value.schema,
  };
}
