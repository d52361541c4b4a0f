import { createSchemaCodec, type SchemaCodec } from './schema-codec';
import type { SchemaRegistryClient } from './schema-registry-client';
import { decodeWireFormat } from './wire-format';

/**
 * Confluent's deserializer for all three formats: reads the schema id from the wire format,
 * fetches that schema (cached: ids never change) and decodes the payload with it.
 */
export class SchemaDeserializer {
  private readonly codecs = new Map<number, Promise<SchemaCodec>>();

  constructor(private readonly client: SchemaRegistryClient) {}

  async deserialize(bytes: Buffer): Promise<unknown> {
    const { schemaId, payload } = decodeWireFormat(bytes);
    let codec = this.codecs.get(schemaId);
    if (!codec) {
      codec = this.codecFor(schemaId);
      this.codecs.set(schemaId, codec);
      codec.catch(() => this.codecs.delete(schemaId));
    }
    return (await codec).decode(payload);
  }

  /** The schema id a serialized value was written with. */
  static schemaIdOf(bytes: Buffer): number {
    return decodeWireFormat(bytes).schemaId;
  }

  private async codecFor(id: number): Promise<SchemaCodec> {
    const schema = await this.client.getSchemaById(id);
    return createSchemaCodec({ schemaType: schema.schemaType, schema: schema.schema, references: await this.client.resolveReferences(schema.references) });
  }
}
