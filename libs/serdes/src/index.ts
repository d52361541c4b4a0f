export { encodeWireFormat, decodeWireFormat, MAGIC_BYTE, WIRE_HEADER_BYTES } from './wire-format';
export { encodeMessageIndexes, decodeMessageIndexes } from './message-indexes';
export { topicNameStrategy, recordNameStrategy, topicRecordNameStrategy, recordNameOf, SUBJECT_NAME_STRATEGIES, type SubjectNameStrategy } from './subject-name-strategy';
export {
  SchemaRegistryClient,
  SchemaRegistryError,
  type RegisteredSchema,
  type SchemaInput,
  type SchemaReference,
  type SchemaRegistryClientOptions,
  type SubjectVersion,
} from './schema-registry-client';
export { createSchemaCodec, SerializationError, type CodecSchema, type SchemaCodec } from './schema-codec';
export { SchemaSerializer, type SchemaSerializerOptions } from './schema-serializer';
export { SchemaDeserializer } from './schema-deserializer';
export { SerializingProducer, type SerializingMessage } from './serializing-producer';
