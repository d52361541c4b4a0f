import * as avro from 'avsc';
import { SerializationError, type CodecSchema, type SchemaCodec } from './schema-codec';

/** Avro binary encoding (the payload of Confluent's Avro serializer), with avsc. */
export class AvroCodec implements SchemaCodec {
  private readonly type: avro.Type;

  constructor(schema: CodecSchema) {
    // Referenced schemas define named types the main schema uses: parse them first into one registry.
    const registry = {};
    try {
      for (const text of Object.values(schema.references)) avro.Type.forSchema(JSON.parse(text) as avro.Schema, { registry });
      this.type = avro.Type.forSchema(JSON.parse(schema.schema) as avro.Schema, { registry });
    } catch (error) {
      throw new SerializationError(`invalid Avro schema: ${(error as Error).message}`, { cause: error });
    }
  }

  encode(value: unknown): Buffer {
    const problems: string[] = [];
    const valid = this.type.isValid(value, {
      errorHook: (path: string[], found: unknown, type: avro.Type) => problems.push(`${path.length > 0 ? path.join('.') : '(the value)'} must be ${describe(type)}, not ${JSON.stringify(found)}`),
    });
    if (!valid) throw new SerializationError(`the value does not match the Avro schema ${this.type.name ?? this.type.typeName}: ${problems.join('; ')}`);
    return this.type.toBuffer(value);
  }

  decode(payload: Buffer): unknown {
    try {
      return this.type.fromBuffer(payload);
    } catch (error) {
      throw new SerializationError(`the payload does not decode with the Avro schema ${this.type.name ?? this.type.typeName}: ${(error as Error).message}`, { cause: error });
    }
  }
}

function describe(type: avro.Type): string {
  return type.name ?? type.typeName;
}
