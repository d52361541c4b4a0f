/**
 * JSON Schema (drafts 4 to 2020-12) read into the typed model Confluent's compatibility rules
 * are written against (everit's: string, number, object, array, enum, combined, not, empty,
 * false). `type` arrays become an anyOf of one schema per type; a schema without `type` gets
 * the type its keywords imply; a schema combining several facets (a type, `enum`, `allOf`, …)
 * becomes an allOf of them; `$ref` is followed (its siblings are ignored, as before 2019-09).
 * Models are cached per raw node so that a recursive schema yields the same model objects and
 * the comparison can detect cycles by identity.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type Criterion = 'allOf' | 'anyOf' | 'oneOf';

interface ModelBase {
  readonly raw: Json;
}

export interface EmptyModel extends ModelBase { readonly kind: 'empty' }
export interface FalseModel extends ModelBase { readonly kind: 'false' }
export interface BooleanModel extends ModelBase { readonly kind: 'boolean' }
export interface NullModel extends ModelBase { readonly kind: 'null' }
export interface StringModel extends ModelBase {
  readonly kind: 'string';
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
}
export interface NumberModel extends ModelBase {
  readonly kind: 'number';
  readonly integer: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
}
export interface ObjectModel extends ModelBase {
  readonly kind: 'object';
  readonly properties: ReadonlyMap<string, SchemaModel>;
  readonly required: ReadonlySet<string>;
  /** false: closed; true: open; a schema: partially open. */
  readonly additionalProperties: boolean | SchemaModel;
  readonly patternProperties: ReadonlyArray<readonly [RegExp, SchemaModel]>;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly propertyDependencies: ReadonlyMap<string, readonly string[]>;
  readonly schemaDependencies: ReadonlyMap<string, SchemaModel>;
}
export interface ArrayModel extends ModelBase {
  readonly kind: 'array';
  /** The schema of every item (`items` as a schema). */
  readonly allItems: SchemaModel | undefined;
  /** Tuple validation (`items` as an array, or `prefixItems`). */
  readonly itemList: readonly SchemaModel[];
  readonly additionalItems: boolean | SchemaModel;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems: boolean;
}
export interface EnumModel extends ModelBase {
  readonly kind: 'enum';
  /** The allowed values, each as its canonical JSON text. */
  readonly values: ReadonlySet<string>;
}
export interface CombinedModel extends ModelBase {
  readonly kind: 'combined';
  readonly criterion: Criterion;
  readonly subschemas: readonly SchemaModel[];
}
export interface NotModel extends ModelBase {
  readonly kind: 'not';
  readonly schema: SchemaModel;
}

export type SchemaModel =
  | EmptyModel
  | FalseModel
  | BooleanModel
  | NullModel
  | StringModel
  | NumberModel
  | ObjectModel
  | ArrayModel
  | EnumModel
  | CombinedModel
  | NotModel;

export type RefResolver = (from: JsonObject, ref: string) => Json;

const TYPE_KEYWORDS: Record<string, readonly string[]> = {
  object: ['properties', 'required', 'additionalProperties', 'patternProperties', 'minProperties', 'maxProperties', 'dependencies', 'dependentRequired', 'dependentSchemas'],
  array: ['items', 'prefixItems', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems'],
  string: ['minLength', 'maxLength', 'pattern'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
};
const CRITERIA: readonly Criterion[] = ['allOf', 'anyOf', 'oneOf'];
const EMPTY: EmptyModel = { kind: 'empty', raw: true };
const FALSE: FalseModel = { kind: 'false', raw: false };

export class SchemaModeler {
  private readonly cache = new WeakMap<object, SchemaModel>();
  /** The `$ref` nodes being followed, to end a chain of references that loops. */
  private readonly following = new Set<object>();

  constructor(private readonly resolve: RefResolver) {}

  model(raw: Json | undefined): SchemaModel {
    if (raw === undefined || raw === true) return EMPTY;
    if (raw === false) return FALSE;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return EMPTY;
    const cached = this.cache.get(raw);
    if (cached) return cached;
    if (typeof raw['$ref'] === 'string') {
      if (this.following.has(raw)) return EMPTY;
      this.following.add(raw);
      const model = this.model(this.resolve(raw, raw['$ref']));
      this.following.delete(raw);
      this.cache.set(raw, model);
      return model;
    }
    const model = this.build(raw);
    this.cache.set(raw, model);
    return model;
  }

  private build(raw: JsonObject): SchemaModel {
    const facets: SchemaModel[] = [];
    const types = declaredTypes(raw);
    const model = (member: Json | undefined) => this.model(member);
    if (types.length === 1) facets.push(typed(raw, types[0], model));
    if (types.length > 1) facets.push({ kind: 'combined', criterion: 'anyOf', raw, subschemas: types.map((type) => typed(raw, type, model)) });
    if (Array.isArray(raw['enum'])) facets.push(enumModel(raw, raw['enum']));
    if ('const' in raw) facets.push(enumModel(raw, [raw['const']]));
    for (const criterion of CRITERIA) {
      const subschemas = raw[criterion];
      if (Array.isArray(subschemas)) facets.push(this.lazyCombined(raw, criterion, subschemas));
    }
    if ('not' in raw) {
      const negated = () => this.model(raw['not']);
      facets.push({
        kind: 'not',
        raw,
        get schema() {
          return negated();
        },
      });
    }
    if (facets.length === 0) return { kind: 'empty', raw };
    if (facets.length === 1) return facets[0];
    return { kind: 'combined', criterion: 'allOf', raw, subschemas: facets };
  }

  /**
   * Sub-schemas are modelled on first use: a schema may reach itself through them
   * (`{"anyOf": [{"$ref": "#"}, …]}`), and eager modelling would never end.
   */
  private lazyCombined(raw: JsonObject, criterion: Criterion, members: Json[]): CombinedModel {
    const model = (member: Json) => this.model(member);
    let subschemas: SchemaModel[] | undefined;
    return {
      kind: 'combined',
      criterion,
      raw,
      get subschemas() {
        return (subschemas ??= members.map(model));
      },
    };
  }
}

function declaredTypes(raw: JsonObject): string[] {
  const type = raw['type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return [...new Set(type.filter((t): t is string => typeof t === 'string'))];
  return Object.keys(TYPE_KEYWORDS).filter((name) => TYPE_KEYWORDS[name].some((keyword) => keyword in raw));
}

type ModelOf = (raw: Json | undefined) => SchemaModel;

function typed(raw: JsonObject, type: string, model: ModelOf): SchemaModel {
  switch (type) {
    case 'string':
      return { kind: 'string', raw, minLength: num(raw['minLength']), maxLength: num(raw['maxLength']), pattern: str(raw['pattern']) };
    case 'integer':
    case 'number':
      return numberModel(raw, type === 'integer');
    case 'boolean':
      return { kind: 'boolean', raw };
    case 'null':
      return { kind: 'null', raw };
    case 'object':
      return objectModel(raw, model);
    case 'array':
      return arrayModel(raw, model);
    default:
      return { kind: 'empty', raw };
  }
}

function numberModel(raw: JsonObject, integer: boolean): NumberModel {
  let minimum = num(raw['minimum']);
  let maximum = num(raw['maximum']);
  let exclusiveMinimum = num(raw['exclusiveMinimum']);
  let exclusiveMaximum = num(raw['exclusiveMaximum']);
  // Draft 4 spells an exclusive bound as a boolean beside minimum/maximum.
  if (raw['exclusiveMinimum'] === true) [exclusiveMinimum, minimum] = [minimum, undefined];
  if (raw['exclusiveMaximum'] === true) [exclusiveMaximum, maximum] = [maximum, undefined];
  return { kind: 'number', raw, integer, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf: num(raw['multipleOf']) };
}

/** Sub-schemas of objects and arrays are modelled on first use, for the same reason as above. */
function objectModel(raw: JsonObject, model: ModelOf): ObjectModel {
  const dependencies = { ...objectOf(raw['dependencies']), ...objectOf(raw['dependentRequired']), ...objectOf(raw['dependentSchemas']) };
  const propertyDependencies = new Map<string, string[]>();
  const schemaDependencies: Array<[string, Json]> = [];
  for (const [name, dependency] of Object.entries(dependencies)) {
    if (Array.isArray(dependency)) propertyDependencies.set(name, dependency.map(String));
    else schemaDependencies.push([name, dependency]);
  }
  const properties = once(() => new Map(Object.entries(objectOf(raw['properties'])).map(([name, schema]) => [name, model(schema)])));
  const patterns = once(() => Object.entries(objectOf(raw['patternProperties'])).map(([pattern, schema]) => [new RegExp(pattern), model(schema)] as const));
  const additional = once(() => openness(raw['additionalProperties'], model));
  const schemas = once(() => new Map(schemaDependencies.map(([name, schema]) => [name, model(schema)])));
  return {
    kind: 'object',
    raw,
    get properties() {
      return properties();
    },
    required: new Set(Array.isArray(raw['required']) ? raw['required'].map(String) : []),
    get additionalProperties() {
      return additional();
    },
    get patternProperties() {
      return patterns();
    },
    minProperties: num(raw['minProperties']),
    maxProperties: num(raw['maxProperties']),
    propertyDependencies,
    get schemaDependencies() {
      return schemas();
    },
  };
}

function arrayModel(raw: JsonObject, model: ModelOf): ArrayModel {
  const items = raw['items'];
  const prefixItems = raw['prefixItems'];
  let allItems: Json | undefined;
  let tuple: Json[] = [];
  let additional: Json | undefined = raw['additionalItems'];
  if (Array.isArray(prefixItems)) {
    // 2020-12: prefixItems is the tuple and items the schema of the rest.
    tuple = prefixItems;
    additional = items;
  } else if (Array.isArray(items)) {
    tuple = items;
  } else {
    allItems = items;
  }
  const all = once(() => (allItems === undefined ? undefined : model(allItems)));
  const list = once(() => tuple.map(model));
  const rest = once(() => openness(additional, model));
  return {
    kind: 'array',
    raw,
    get allItems() {
      return all();
    },
    get itemList() {
      return list();
    },
    get additionalItems() {
      return rest();
    },
    minItems: num(raw['minItems']),
    maxItems: num(raw['maxItems']),
    uniqueItems: raw['uniqueItems'] === true,
  };
}

/** `additionalProperties` / `additionalItems`: absent or an empty schema is open (true). */
function openness(schema: Json | undefined, model: ModelOf): boolean | SchemaModel {
  if (schema === undefined || isEmptySchema(schema)) return true;
  const modelled = model(schema);
  return modelled.kind === 'empty' ? true : modelled.kind === 'false' ? false : modelled;
}

function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) [value, done] = [compute(), true];
    return value;
  };
}

function enumModel(raw: JsonObject, values: Json[]): EnumModel {
  return { kind: 'enum', raw, values: new Set(values.map(canonicalJson)) };
}

function isEmptySchema(schema: Json): boolean {
  return schema === true || (typeof schema === 'object' && schema !== null && !Array.isArray(schema) && Object.keys(schema).length === 0);
}

function objectOf(value: Json | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function num(value: Json | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function str(value: Json | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** JSON with object keys sorted at every level and no whitespace. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
