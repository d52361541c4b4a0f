import { SchemaError } from './schema-error';

/** The schema formats Confluent Schema Registry knows, spelled as its REST API spells them. */
export const SCHEMA_TYPES = ['AVRO', 'JSON', 'PROTOBUF'] as const;

export type SchemaType = (typeof SCHEMA_TYPES)[number];

/**
 * Reads the `schemaType` of a request. Absent means AVRO, as in Confluent's API, where Avro
 * predates the other formats and requests without the field are Avro.
 */
export function parseSchemaType(name: string | undefined | null): SchemaType {
  if (name === undefined || name === null || name === '') return 'AVRO';
  const upper = name.toUpperCase();
  if ((SCHEMA_TYPES as readonly string[]).includes(upper)) return upper as SchemaType;
  throw new SchemaError(
    'UNKNOWN_SCHEMA_TYPE',
    `Unknown schema type '${name}': use one of ${SCHEMA_TYPES.join(', ')} (AVRO when omitted)`,
  );
}
