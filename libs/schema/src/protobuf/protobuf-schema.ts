/**
 * Protobuf schemas (.proto text, proto2 or proto3) as Confluent's registry takes them: one file
 * whose imports are either well-known types (google/protobuf/*.proto, known without references)
 * or references named by their import path. protobufjs parses; on top of it this module checks
 * what protoc would reject and protobufjs lets through (fields using reserved numbers or names,
 * proto3 enums not starting at zero, `required` in proto3, unresolved types and imports).
 * The first message of the file is the record type serializers use.
 */
import { common, Enum, Field, parse, Root, Type, type IParserResult, type NamespaceBase, type ReflectionObject } from 'protobufjs';
import type { ParsedSchema, ResolvedReferences, SchemaSource } from '../parsed-schema';
import { invalidSchema } from '../schema-error';
import { printProto } from './protobuf-printer';

const PARSE_OPTIONS = { keepCase: true, alternateCommentMode: true };

export class ProtobufSchema implements ParsedSchema {
  readonly schemaType = 'PROTOBUF' as const;
  readonly canonicalString: string;
  readonly normalizedString: string;

  constructor(
    readonly schema: string,
    readonly references: ResolvedReferences,
    readonly version: number | undefined,
    /** Every type of the file and its imports, resolved. */
    readonly root: Root,
    readonly file: ProtoFile,
  ) {
    this.canonicalString = printProto(file, { normalize: false });
    this.normalizedString = printProto(file, { normalize: true });
  }

  get recordName(): string | undefined {
    const first = this.file.types.find((type) => type instanceof Type);
    return first ? fullName(first) : undefined;
  }
}

/** What the schema's own file declares, as objects of the resolved root, in declaration order. */
export interface ProtoFile {
  readonly syntax: string;
  readonly edition: boolean;
  readonly packageName: string;
  readonly imports: readonly ProtoImport[];
  readonly options: Readonly<Record<string, unknown>>;
  /** Top-level messages, enums, services and extension fields. */
  readonly types: readonly ReflectionObject[];
  /** The text without comments, to tell enum identifiers from strings in option values. */
  readonly bareText: string;
  /** Which reference each type outside this file came from, by full name. */
  readonly originOf: (type: ReflectionObject) => string | undefined;
}

export interface ProtoImport {
  readonly path: string;
  readonly modifier: '' | 'public' | 'weak';
}

export function parseProtobufSchema(source: SchemaSource): ProtobufSchema {
  const references = source.references ?? {};
  const root = new Root();
  const origins = new Map<string, string>();
  const loaded = new Set<string>();
  const load = (path: string, text: string | undefined, importer: string): void => {
    if (loaded.has(path)) return;
    loaded.add(path);
    if (text === undefined) {
      const wellKnown = common.get(path);
      if (!wellKnown) throw invalidSchema('Protobuf', `${importer} imports '${path}', which is neither a well-known type nor a reference: pass it as a reference named '${path}'`);
      root.addJSON((wellKnown as { nested: never }).nested);
      return;
    }
    const before = new Set(allTypeNames(root));
    const parsed = parseText(text, `reference '${path}'`, root);
    for (const name of allTypeNames(root)) if (!before.has(name)) origins.set(name, path);
    for (const dependency of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) load(dependency, references[dependency], `reference '${path}'`);
  };
  const own = parseText(source.schema, 'schema', new Root());
  for (const dependency of [...(own.imports ?? []), ...(own.weakImports ?? [])]) load(dependency, references[dependency], 'the schema');
  parseText(source.schema, 'schema', root);
  try {
    root.resolveAll();
  } catch (error) {
    throw invalidSchema('Protobuf', (error as Error).message, error);
  }
  const bareText = stripComments(source.schema);
  const packageName = own.package ?? '';
  const scope = packageName === '' ? root : (root.lookup(packageName) as NamespaceBase);
  const ownScope = packageName === '' ? own.root : (own.root.lookup(packageName) as NamespaceBase);
  const types = ownScope.nestedArray
    .filter((object) => !(object instanceof Field) || (object as Field).extend !== undefined)
    .filter((object) => !isNamespaceOnly(object))
    .map((object) => scope.get(object.name) as ReflectionObject);
  const statement = /\b(syntax|edition)\s*=\s*["']([^"']+)["']/.exec(bareText);
  const file: ProtoFile = {
    syntax: statement?.[2] ?? 'proto2',
    edition: statement?.[1] === 'edition',
    packageName,
    imports: importsOf(bareText, own),
    options: { ...(ownScope.options ?? {}) },
    types,
    bareText,
    originOf: (type) => origins.get(fullName(type)),
  };
  validateFile(file);
  return new ProtobufSchema(source.schema, references, source.version, root, file);
}

function parseText(text: string, what: string, root: Root): IParserResult {
  try {
    return parse(text, root, PARSE_OPTIONS);
  } catch (error) {
    throw invalidSchema('Protobuf', `${what}: ${(error as Error).message}`, error);
  }
}

function importsOf(bareText: string, parsed: IParserResult): ProtoImport[] {
  const modifierOf = (path: string): ProtoImport['modifier'] => {
    const match = new RegExp(`\\bimport\\s+(public|weak)\\s+["']${escapeRegExp(path)}["']`).exec(bareText);
    return (match?.[1] as ProtoImport['modifier']) ?? '';
  };
  return [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])].map((path) => ({ path, modifier: modifierOf(path) }));
}

/** Checks protoc makes and protobufjs does not. */
function validateFile(file: ProtoFile): void {
  const proto3 = file.syntax === 'proto3';
  const visit = (object: ReflectionObject): void => {
    if (object instanceof Type) {
      for (const field of ownFields(object)) {
        if (isReserved(object.reserved, field.id)) fail(`field '${field.name}' of message ${fullName(object)} uses reserved number ${field.id}`);
        if (isReserved(object.reserved, field.name)) fail(`field '${field.name}' of message ${fullName(object)} uses a reserved name`);
        if (field.id < 1 || field.id > 536870911 || (field.id >= 19000 && field.id <= 19999)) {
          fail(`field '${field.name}' of message ${fullName(object)} has number ${field.id}, outside 1..536870911 or in the reserved 19000..19999`);
        }
        if (proto3 && ruleOf(field) === 'required') fail(`field '${field.name}' of message ${fullName(object)} is required, which proto3 does not allow`);
      }
      object.nestedArray.forEach(visit);
    } else if (object instanceof Enum) {
      const entries = Object.entries(object.values);
      if (proto3 && entries.length > 0 && entries[0][1] !== 0) fail(`the first value of enum ${fullName(object)} must be zero in proto3`);
      for (const [name, number] of entries) {
        if (isReserved(object.reserved, number)) fail(`value ${name} of enum ${fullName(object)} uses reserved number ${number}`);
        if (isReserved(object.reserved, name)) fail(`value ${name} of enum ${fullName(object)} uses a reserved name`);
      }
    }
  };
  file.types.forEach(visit);
}

/** protobufjs's own check treats the end of a range as exclusive; `reserved 8 to 10` includes 10. */
function isReserved(reserved: Array<number[] | string> | undefined, idOrName: number | string): boolean {
  return (reserved ?? []).some((entry) => (Array.isArray(entry) ? typeof idOrName === 'number' && idOrName >= entry[0] && idOrName <= entry[1] : entry === idOrName));
}

/**
 * A message's own fields: protobufjs also lists there the extensions declared for it elsewhere
 * (named '.pkg.name'), which belong to their `extend` block.
 */
export function ownFields(type: Type): Field[] {
  return type.fieldsArray.filter((field) => field.extend === undefined && !field.name.startsWith('.'));
}

function fail(reason: string): never {
  throw invalidSchema('Protobuf', reason);
}

/** A namespace that only exists because a nested package path passes through it. */
function isNamespaceOnly(object: ReflectionObject): boolean {
  return !(object instanceof Type) && !(object instanceof Enum) && !(object instanceof Field) && object.constructor.name === 'Namespace';
}

function allTypeNames(root: Root): string[] {
  const names: string[] = [];
  const walk = (namespace: NamespaceBase): void => {
    for (const object of namespace.nestedArray) {
      if (object instanceof Type || object instanceof Enum) names.push(fullName(object));
      if ('nestedArray' in object) walk(object as unknown as NamespaceBase);
    }
  };
  walk(root);
  return names;
}

/** Full name without protobufjs's leading dot: 'pkg.Outer.Inner'. */
export function fullName(object: ReflectionObject): string {
  return object.fullName.replace(/^\./, '');
}

export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/g, (match, literal: string | undefined) => literal ?? ' ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** protobufjs's typings omit these two properties its reflection objects have. */
export function ruleOf(field: Field): 'repeated' | 'required' | 'optional' | undefined {
  return (field as unknown as { rule?: 'repeated' | 'required' | 'optional' }).rule;
}

export function isGroup(type: Type): boolean {
  return (type as unknown as { group?: boolean }).group === true;
}
