/**
 * Avro schemas (https://avro.apache.org/docs/1.11.1/specification/): JSON text whose named
 * types (record, enum, fixed) may be defined in referenced schemas. Parsing and validation
 * (names, defaults against their types, union rules, enum defaults, fixed sizes) is avsc's; a
 * referenced schema's named types become usable by full name in the schemas after it.
 */
import { Type } from 'avsc';
import type { ParsedSchema, ResolvedReferences, SchemaSource } from '../parsed-schema';
import { invalidSchema } from '../schema-error';
import { normalizeAvro } from './avro-normalizer';

export class AvroSchema implements ParsedSchema {
  readonly schemaType = 'AVRO' as const;

  constructor(
    readonly schema: string,
    readonly references: ResolvedReferences,
    readonly version: number | undefined,
    /** avsc's validated form, with named types resolved; what compatibility walks. */
    readonly type: Type,
    readonly canonicalString: string,
    readonly normalizedString: string,
  ) {}

  get recordName(): string | undefined {
    return this.type.name;
  }
}

export function parseAvroSchema(source: SchemaSource): AvroSchema {
  const references = source.references ?? {};
  const registry: Record<string, Type> = {};
  for (const [name, text] of Object.entries(references)) {
    forSchema(parseJson(text, `reference '${name}'`), registry, `reference '${name}'`);
  }
  const referencedNames = new Set(Object.keys(registry));
  const json = parseJson(source.schema, 'schema');
  const type = forSchema(json, registry, 'schema');
  return new AvroSchema(
    source.schema,
    references,
    source.version,
    type,
    JSON.stringify(json),
    JSON.stringify(normalizeAvro(json, referencedNames)),
  );
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidSchema('Avro', `${what} is not JSON: ${(error as Error).message}`, error);
  }
}

function forSchema(json: unknown, registry: Record<string, Type>, what: string): Type {
  try {
    requireFieldTypes(json);
    return Type.forSchema(json as never, { registry });
  } catch (error) {
    throw invalidSchema('Avro', `${what}: ${(error as Error).message}`, error);
  }
}

/** avsc fails with a TypeError on a field without a type; say what is missing instead. */
function requireFieldTypes(json: unknown): void {
  if (Array.isArray(json)) return json.forEach(requireFieldTypes);
  if (json === null || typeof json !== 'object') return;
  const node = json as Record<string, unknown>;
  if (Array.isArray(node['fields'])) {
    for (const field of node['fields'] as unknown[]) {
      const entry = (field ?? {}) as Record<string, unknown>;
      if (typeof field !== 'object' || !('type' in entry)) {
        throw new Error(`field ${JSON.stringify(entry['name'])} of ${String(node['name'])} has no "type"`);
      }
      requireFieldTypes(entry['type']);
    }
  }
  for (const key of ['type', 'items', 'values']) requireFieldTypes(node[key]);
}
