import { parseAvroSchema } from './avro/avro-schema';
import { parseJsonSchema } from './json/json-schema';
import type { ParsedSchema, SchemaSource } from './parsed-schema';
import { parseProtobufSchema } from './protobuf/protobuf-schema';

/**
 * Parses and validates a schema with its resolved references. Throws a SchemaError of kind
 * INVALID_SCHEMA whose message gives the parser's reason (Confluent's 42201).
 */
export function parseSchema(source: SchemaSource): ParsedSchema {
  switch (source.schemaType ?? 'AVRO') {
    case 'AVRO':
      return parseAvroSchema(source);
    case 'JSON':
      return parseJsonSchema(source);
    case 'PROTOBUF':
      return parseProtobufSchema(source);
  }
}
