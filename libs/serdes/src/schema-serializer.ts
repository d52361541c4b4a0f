import { createSchemaCodec, SerializationError, type SchemaCodec } from './schema-codec';
import type { SchemaInput, SchemaRegistryClient } from './schema-registry-client';
import { recordNameOf, topicNameStrategy, type SubjectNameStrategy } from './subject-name-strategy';
import { encodeWireFormat } from './wire-format';

export interface SchemaSerializerOptions {
  client: SchemaRegistryClient;
  /** The schema values are written with. Required unless useLatestVersion with TopicNameStrategy. */
  schema?: SchemaInput;
  /** Protobuf: the message written (full name); default the schema's first message. */
  messageType?: string;
  /** Serialize keys (subject `<topic>-key`) rather than values. Default false. */
  isKey?: boolean;
  /** Default topicNameStrategy. */
  subjectNameStrategy?: SubjectNameStrategy;
  /** Register the schema when the subject does not hold it (Confluent's auto.register.schemas). Default true. */
  autoRegister?: boolean;
  /** Write with the subject's latest version instead of `schema` (use.latest.version); needs autoRegister false. */
  useLatestVersion?: boolean;
  /** Register and look up the normalized form (normalize.schemas). Default false. */
  normalize?: boolean;
}

interface Writer {
  codec: SchemaCodec;
  /** The schema id, asked of the registry on first use. */
  id: () => Promise<number>;
}

/**
 * Confluent's serializer for Avro, JSON Schema and Protobuf: finds the subject (by strategy),
 * gets the schema id (registering it, looking it up, or taking the latest version), checks and
 * encodes the value, and frames it in the wire format. A value that does not match the schema
 * is refused with a SerializationError before anything is sent. Ids and codecs are cached per subject.
 */
export class SchemaSerializer {
  private readonly writers = new Map<string, Promise<Writer>>();
  private readonly strategy: SubjectNameStrategy;
  private readonly recordName: string | undefined;

  constructor(private readonly options: SchemaSerializerOptions) {
    this.strategy = options.subjectNameStrategy ?? topicNameStrategy;
    if (options.useLatestVersion && options.autoRegister === true) throw new SerializationError('useLatestVersion and autoRegister exclude each other');
    if (!options.schema && !options.useLatestVersion) throw new SerializationError('a serializer needs a schema, or useLatestVersion');
    this.recordName = options.messageType ?? (options.schema ? recordNameOf(options.schema) : undefined);
  }

  async serialize(topic: string, value: unknown): Promise<Buffer> {
    const subject = this.strategy(topic, this.options.isKey ?? false, this.recordName);
    let writer = this.writers.get(subject);
    if (!writer) {
      writer = this.writerFor(subject);
      this.writers.set(subject, writer);
      writer.catch(() => this.writers.delete(subject));
    }
    const { codec, id } = await writer;
    // The value is checked before the registry is asked for an id: a bad value registers nothing.
    const payload = codec.encode(value);
    return encodeWireFormat(await id(), payload);
  }

  private async writerFor(subject: string): Promise<Writer> {
    const { client } = this.options;
    if (this.options.useLatestVersion) {
      const latest = await client.getLatest(subject);
      return { codec: await this.codec(latest), id: async () => latest.id };
    }
    const schema = this.options.schema!;
    let id: Promise<number> | undefined;
    const lookUp = () =>
      this.options.autoRegister === false
        ? client.lookup(subject, schema, { normalize: this.options.normalize }).then((found) => found.id)
        : client.register(subject, schema, { normalize: this.options.normalize });
    return {
      codec: await this.codec(schema),
      id: () => {
        id ??= lookUp();
        id.catch(() => (id = undefined));
        return id;
      },
    };
  }

  private async codec(schema: SchemaInput): Promise<SchemaCodec> {
    const references = await this.options.client.resolveReferences(schema.references ?? []);
    return createSchemaCodec({ schemaType: schema.schemaType ?? 'AVRO', schema: schema.schema, references, messageType: this.options.messageType });
  }
}
