/**
 * JSON Schema documents (https://json-schema.org, drafts 4 to 2020-12) as Confluent's registry
 * takes them: a JSON object (or boolean) whose `$ref`s point into itself (`#/definitions/a`,
 * `#/$defs/a`, `#anchor`) or into referenced documents by reference name
 * (`other.json`, `other.json#/definitions/a`). Validation checks the structure compatibility
 * depends on: sub-schemas are objects or booleans, `type` names a JSON type, numeric keywords
 * are numbers, `required` and `enum` are arrays, patterns compile, every `$ref` resolves.
 */
import type { ParsedSchema, ResolvedReferences, SchemaSource } from '../parsed-schema';
import { invalidSchema } from '../schema-error';
import { canonicalJson, SchemaModeler, type Json, type JsonObject, type SchemaModel } from './json-schema-model';

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']);
const SCHEMA_KEYWORDS = ['additionalProperties', 'additionalItems', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedItems', 'unevaluatedProperties'];
const SCHEMA_ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'multipleOf'];
const COUNT_KEYWORDS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'];

export class JsonSchema implements ParsedSchema {
  readonly schemaType = 'JSON' as const;
  private readonly modeler: SchemaModeler;

  constructor(
    readonly schema: string,
    readonly references: ResolvedReferences,
    readonly version: number | undefined,
    readonly root: Json,
    private readonly documents: DocumentSet,
  ) {
    this.modeler = new SchemaModeler((from, ref) => documents.resolve(from, ref));
  }

  get canonicalString(): string {
    return JSON.stringify(this.root);
  }

  get normalizedString(): string {
    return canonicalJson(this.root);
  }

  get recordName(): string | undefined {
    const title = isObject(this.root) ? this.root['title'] : undefined;
    return typeof title === 'string' ? title : undefined;
  }

  model(raw: Json | undefined = this.root): SchemaModel {
    return this.modeler.model(raw);
  }
}

export function parseJsonSchema(source: SchemaSource): JsonSchema {
  const references = source.references ?? {};
  const documents = new DocumentSet();
  const referenced = Object.entries(references).map(([name, text]) => {
    const root = parseDocument(text, `reference '${name}'`);
    documents.add(root, name);
    return root;
  });
  const root = parseDocument(source.schema, 'schema');
  documents.add(root, undefined);
  for (const document of [...referenced, root]) {
    try {
      validate(document, '#', documents);
    } catch (error) {
      throw invalidSchema('JSON', (error as Error).message, error);
    }
  }
  return new JsonSchema(source.schema, references, source.version, root, documents);
}

function parseDocument(text: string, what: string): Json {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch (error) {
    throw invalidSchema('JSON', `${what} is not JSON: ${(error as Error).message}`, error);
  }
  if (typeof root !== 'boolean' && !isObject(root)) {
    throw invalidSchema('JSON', `${what} must be a JSON object or a boolean, not ${JSON.stringify(root).slice(0, 40)}`);
  }
  return root;
}

/** Every document of a schema and its references, and which document each node belongs to. */
class DocumentSet {
  private readonly byName = new Map<string, Json>();
  private readonly documentOf = new WeakMap<object, Json>();

  add(root: Json, name: string | undefined): void {
    if (name !== undefined) this.byName.set(name, root);
    const mark = (node: Json): void => {
      if (node === null || typeof node !== 'object') return;
      this.documentOf.set(node, root);
      (Array.isArray(node) ? node : Object.values(node)).forEach(mark);
    };
    mark(root);
  }

  resolve(from: JsonObject, ref: string): Json {
    const hash = ref.indexOf('#');
    const location = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? '' : ref.slice(hash + 1);
    const document = location === '' ? this.documentOf.get(from) : this.byName.get(location);
    if (document === undefined) {
      throw new Error(`$ref '${ref}' names no referenced schema: pass '${location}' as a reference`);
    }
    const target = fragment.startsWith('/') || fragment === '' ? pointer(document, fragment) : anchor(document, fragment);
    if (target === undefined) throw new Error(`$ref '${ref}' points at nothing`);
    return target;
  }
}

function pointer(document: Json, fragment: string): Json | undefined {
  let node: Json | undefined = document;
  for (const token of fragment.split('/').slice(1)) {
    const key = decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    else return undefined;
  }
  return node;
}

function anchor(node: Json, name: string): Json | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  if (isObject(node) && (node['$anchor'] === name || node['$id'] === `#${name}` || node['id'] === `#${name}`)) return node;
  for (const child of Array.isArray(node) ? node : Object.values(node)) {
    const found = anchor(child, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

function validate(schema: Json, path: string, documents: DocumentSet): void {
  if (typeof schema === 'boolean') return;
  if (!isObject(schema)) throw new Error(`${path}: a schema must be an object or a boolean`);
  if ('$ref' in schema) {
    if (typeof schema['$ref'] !== 'string') throw new Error(`${path}/$ref: must be a string`);
    documents.resolve(schema, schema['$ref']);
  }
  checkType(schema['type'], `${path}/type`);
  for (const keyword of NUMBER_KEYWORDS) {
    if (keyword in schema && typeof schema[keyword] !== 'number') throw new Error(`${path}/${keyword}: must be a number`);
  }
  for (const keyword of ['exclusiveMinimum', 'exclusiveMaximum']) {
    if (keyword in schema && typeof schema[keyword] !== 'number' && typeof schema[keyword] !== 'boolean') {
      throw new Error(`${path}/${keyword}: must be a number (or a boolean in draft 4)`);
    }
  }
  if (typeof schema['multipleOf'] === 'number' && schema['multipleOf'] <= 0) throw new Error(`${path}/multipleOf: must be greater than 0`);
  for (const keyword of COUNT_KEYWORDS) {
    const value = schema[keyword];
    if (keyword in schema && !(typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
      throw new Error(`${path}/${keyword}: must be a non-negative integer`);
    }
  }
  if ('required' in schema && !(Array.isArray(schema['required']) && schema['required'].every((name) => typeof name === 'string'))) {
    throw new Error(`${path}/required: must be an array of property names`);
  }
  if ('enum' in schema && !Array.isArray(schema['enum'])) throw new Error(`${path}/enum: must be an array`);
  if ('pattern' in schema) checkPattern(schema['pattern'], `${path}/pattern`);
  for (const keyword of SCHEMA_KEYWORDS) {
    if (keyword in schema) validate(schema[keyword], `${path}/${keyword}`, documents);
  }
  if ('items' in schema) {
    const items = schema['items'];
    if (Array.isArray(items)) items.forEach((item, index) => validate(item, `${path}/items/${index}`, documents));
    else validate(items, `${path}/items`, documents);
  }
  for (const keyword of SCHEMA_ARRAY_KEYWORDS) {
    if (!(keyword in schema)) continue;
    const members = schema[keyword];
    if (!Array.isArray(members) || members.length === 0) throw new Error(`${path}/${keyword}: must be a non-empty array of schemas`);
    members.forEach((member, index) => validate(member, `${path}/${keyword}/${index}`, documents));
  }
  for (const keyword of SCHEMA_MAP_KEYWORDS) {
    if (!(keyword in schema)) continue;
    const members = schema[keyword];
    if (!isObject(members)) throw new Error(`${path}/${keyword}: must be an object of schemas`);
    for (const [name, member] of Object.entries(members)) {
      if (keyword === 'patternProperties') checkPattern(name, `${path}/patternProperties`);
      validate(member, `${path}/${keyword}/${name}`, documents);
    }
  }
  if (isObject(schema['dependencies'])) {
    for (const [name, dependency] of Object.entries(schema['dependencies'])) {
      if (!Array.isArray(dependency)) validate(dependency, `${path}/dependencies/${name}`, documents);
    }
  }
}

function checkType(type: Json | undefined, path: string): void {
  if (type === undefined) return;
  const names = Array.isArray(type) ? type : [type];
  for (const name of names) {
    if (typeof name !== 'string' || !JSON_TYPES.has(name)) {
      throw new Error(`${path}: unknown type ${JSON.stringify(name)} (use ${[...JSON_TYPES].join(', ')})`);
    }
  }
}

function checkPattern(pattern: Json, path: string): void {
  try {
    if (typeof pattern !== 'string') throw new Error('must be a string');
    new RegExp(pattern);
  } catch (error) {
    throw new Error(`${path}: invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`);
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
