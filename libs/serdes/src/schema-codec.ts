import { TributaryError } from '@tributary/protocol';
import type { SchemaType } from '@tributary/schema';
import { AvroCodec } from './avro-codec';
import { JsonSchemaCodec } from './json-schema-codec';
import { ProtobufCodec } from './protobuf-codec';

/**
 * Turns values into a format's payload and back, for one schema. encode() refuses a value that
 * does not match the schema with a SerializationError saying where and why.
 */
export interface SchemaCodec {
  encode(value: unknown): Buffer;
  decode(payload: Buffer): unknown;
}

export interface CodecSchema {
  schemaType: SchemaType;
  schema: string;
  /** Reference name → schema text, dependencies first (SchemaRegistryClient.resolveReferences). */
  references: Record<string, string>;
  /** Protobuf: the message to write (full name, without the leading dot); default the file's first message. */
  messageType?: string;
}

/** A value that does not match its schema, or bytes that do not decode with theirs. */
export class SerializationError extends TributaryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_REQUEST', message, options);
    this.name = 'SerializationError';
  }
}

export function createSchemaCodec(schema: CodecSchema): SchemaCodec {
  switch (schema.schemaType) {
    case 'AVRO':
      return new AvroCodec(schema);
    case 'JSON':
      return new JsonSchemaCodec(schema);
    case 'PROTOBUF':
      return new ProtobufCodec(schema);
  }
}
