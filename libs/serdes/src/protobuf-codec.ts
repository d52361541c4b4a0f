import * as protobuf from 'protobufjs';
import { decodeMessageIndexes, encodeMessageIndexes } from './message-indexes';
import { SerializationError, type CodecSchema, type SchemaCodec } from './schema-codec';

const PARSE_OPTIONS = { keepCase: true };

/**
 * Protobuf payloads: the message indexes of the written message within the schema's file, then
 * its binary encoding (protobufjs). Values are plain objects with the fields' names; decoding
 * gives plain objects again (64-bit integers as strings, enums by name).
 */
export class ProtobufCodec implements SchemaCodec {
  private readonly root = new protobuf.Root();
  /** The file's messages by index path; nested messages below their parent's index. */
  private readonly topLevel: protobuf.Type[];
  private readonly writer: { type: protobuf.Type; indexes: Buffer };

  constructor(schema: CodecSchema) {
    try {
      for (const text of Object.values(schema.references)) this.addFile(text);
      this.addFile(schema.schema);
      // Parsed alone, the main file tells its own messages in declaration order.
      const alone = protobuf.parse(schema.schema, new protobuf.Root(), PARSE_OPTIONS);
      const namespace = alone.package ? alone.root.lookup(alone.package) : alone.root;
      this.topLevel = messagesOf(namespace as protobuf.Namespace).map((t) => this.root.lookupType(t.fullName));
      this.root.resolveAll();
    } catch (error) {
      throw new SerializationError(`invalid Protobuf schema: ${(error as Error).message}`, { cause: error });
    }
    if (this.topLevel.length === 0) throw new SerializationError('the Protobuf schema defines no message');
    const path = schema.messageType ? this.pathOf(schema.messageType) : [0];
    if (!path) throw new SerializationError(`the Protobuf schema has no message ${schema.messageType}`);
    this.writer = { type: this.typeAt(path)!, indexes: encodeMessageIndexes(path) };
  }

  private addFile(text: string): void {
    const parsed = protobuf.parse(text, this.root, PARSE_OPTIONS);
    for (const imported of parsed.imports ?? []) {
      const common = protobuf.common.get(imported);
      if (common) this.root.addJSON((common as { nested: Record<string, protobuf.AnyNestedObject> }).nested);
    }
  }

  encode(value: unknown): Buffer {
    const type = this.writer.type;
    const problem = type.verify(value as Record<string, unknown>) ?? unknownField(type, value, type.name);
    if (problem) throw new SerializationError(`the value does not match the Protobuf message ${type.fullName.slice(1)}: ${problem}`);
    return Buffer.concat([this.writer.indexes, type.encode(type.fromObject(value as Record<string, unknown>)).finish()]);
  }

  decode(payload: Buffer): unknown {
    const { indexes, bytesRead } = decodeMessageIndexes(payload);
    const type = this.typeAt(indexes);
    if (!type) {
      throw new SerializationError(
        `the payload's message indexes [${indexes.join(', ')}] name no message of the schema: was it written without Confluent's message indexes?`,
      );
    }
    try {
      return type.toObject(type.decode(payload.subarray(bytesRead)), { longs: String, enums: String, defaults: true });
    } catch (error) {
      throw new SerializationError(`the payload does not decode as ${type.fullName.slice(1)}: ${(error as Error).message}`, { cause: error });
    }
  }

  private typeAt(path: readonly number[]): protobuf.Type | undefined {
    let type: protobuf.Type | undefined = this.topLevel[path[0]];
    for (const index of path.slice(1)) type = type && messagesOf(type)[index];
    return type;
  }

  private pathOf(fullName: string): number[] | undefined {
    const wanted = `.${fullName.replace(/^\./, '')}`;
    const search = (types: protobuf.Type[], prefix: number[]): number[] | undefined => {
      for (const [i, type] of types.entries()) {
        if (type.fullName === wanted) return [...prefix, i];
        const nested = search(messagesOf(type), [...prefix, i]);
        if (nested) return nested;
      }
      return undefined;
    };
    return search(this.topLevel, []);
  }
}

function messagesOf(namespace: protobuf.Namespace): protobuf.Type[] {
  return (namespace?.nestedArray ?? []).filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

/** protobufjs's verify() ignores fields the message does not have; a value carrying one is refused too. */
function unknownField(type: protobuf.Type, value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, field] of Object.entries(value)) {
    const definition = type.fields[key];
    if (!definition) return `${path}.${key}: no such field`;
    const fieldType = definition.resolvedType;
    if (fieldType instanceof protobuf.Type) {
      const items = definition.repeated ? (Array.isArray(field) ? field : []) : definition.map ? Object.values(field ?? {}) : [field];
      for (const item of items) {
        const problem = unknownField(fieldType, item, `${path}.${key}`);
        if (problem) return problem;
      }
    }
  }
  return null;
}
