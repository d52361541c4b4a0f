/**
 * The normalized Avro form registered with `normalize=true`. It follows Avro's Parsing Canonical
 * Form (https://avro.apache.org/docs/1.11.1/specification/#parsing-canonical-form-for-schemas):
 * full names instead of name + namespace, primitives written as bare strings, a fixed attribute
 * order, no whitespace. Unlike that form it keeps what matters to a registry: defaults,
 * aliases, field order, enum defaults, logical types, docs and custom properties (the latter
 * sorted), so two schemas normalize alike only when they would read data alike.
 */

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);
const KEY_ORDER = ['name', 'type', 'fields', 'symbols', 'items', 'values', 'size', 'default', 'order', 'aliases', 'doc'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * `knownNames` holds the full names defined in references, so that a short name used here
 * resolves to them the way Avro resolves names: first in the enclosing namespace, then bare.
 */
export function normalizeAvro(schema: unknown, knownNames: ReadonlySet<string>): Json {
  return new Normalizer(new Set(knownNames)).type(schema as Json, '');
}

class Normalizer {
  constructor(private readonly names: Set<string>) {}

  type(schema: Json, namespace: string): Json {
    if (typeof schema === 'string') return this.reference(schema, namespace);
    if (Array.isArray(schema)) return schema.map((branch) => this.type(branch, namespace));
    if (schema === null || typeof schema !== 'object') return schema;
    const kind = schema['type'];
    if (typeof kind !== 'string' || !NAMED.has(kind)) {
      return this.anonymous(schema, namespace);
    }
    const fullName = qualify(String(schema['name']), typeof schema['namespace'] === 'string' ? schema['namespace'] : namespace);
    this.names.add(fullName);
    const own = namespaceOf(fullName);
    const out: Record<string, Json> = { ...withoutKeys(schema, ['namespace']), name: fullName };
    if (Array.isArray(schema['aliases'])) out['aliases'] = schema['aliases'].map((alias) => qualify(String(alias), own));
    if (Array.isArray(schema['fields'])) {
      out['fields'] = schema['fields'].map((field) => this.field(field as Record<string, Json>, own));
    }
    return ordered(out);
  }

  private anonymous(schema: Record<string, Json>, namespace: string): Json {
    const kind = schema['type'];
    const others = Object.keys(schema).filter((key) => key !== 'type');
    if (typeof kind === 'string' && PRIMITIVES.has(kind) && others.length === 0) return kind;
    const out: Record<string, Json> = { ...schema };
    if (typeof kind !== 'string' || !PRIMITIVES.has(kind)) out['type'] = this.type(kind, namespace);
    if ('items' in schema) out['items'] = this.type(schema['items'], namespace);
    if ('values' in schema) out['values'] = this.type(schema['values'], namespace);
    return ordered(out);
  }

  private field(field: Record<string, Json>, namespace: string): Json {
    const out: Record<string, Json> = { ...field, type: this.type(field['type'], namespace) };
    // "ascending" is the default order; writing it or not is the same schema.
    if (out['order'] === 'ascending') delete out['order'];
    return ordered(out);
  }

  private reference(name: string, namespace: string): string {
    if (PRIMITIVES.has(name) || name.includes('.')) return name;
    const inNamespace = qualify(name, namespace);
    return this.names.has(inNamespace) ? inNamespace : name;
  }
}

function qualify(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

function namespaceOf(fullName: string): string {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? '' : fullName.slice(0, dot);
}

function withoutKeys(object: Record<string, Json>, keys: string[]): Record<string, Json> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

function ordered(object: Record<string, Json>): Record<string, Json> {
  const known = KEY_ORDER.filter((key) => key in object);
  const rest = Object.keys(object)
    .filter((key) => !KEY_ORDER.includes(key))
    .sort();
  return Object.fromEntries([...known, ...rest].map((key) => [key, object[key]]));
}
