/**
 * JSON Schema compatibility as Confluent classifies it: compare the schema that wrote the data
 * (original) with the one that reads it (update), record every difference, and call the
 * update incompatible when any difference is outside COMPATIBLE_JSON_CHANGES. Objects, arrays
 * and combined schemas have modules of their own; scalars are here.
 */
import type { Incompatibility } from '../incompatibility';
import { DiffContext, compareBound } from './json-diff-context';
import { compareArrays } from './json-array-diff';
import { compareCombined } from './json-combined-diff';
import { jsonIncompatibility, isCompatibleJsonChange, type JsonDifference } from './json-difference';
import { compareObjects } from './json-object-diff';
import type { JsonSchema } from './json-schema';
import type { ArrayModel, CombinedModel, EnumModel, NotModel, NumberModel, ObjectModel, SchemaModel, StringModel } from './json-schema-model';

export function jsonReaderIncompatibilities(reader: JsonSchema, writer: JsonSchema): Incompatibility[] {
  return jsonDifferences(writer, reader)
    .filter((difference) => !isCompatibleJsonChange(difference))
    .map(jsonIncompatibility);
}

/** Every difference from `original` to `update`, compatible or not. */
export function jsonDifferences(original: JsonSchema, update: JsonSchema): JsonDifference[] {
  const ctx = new DiffContext(compareSchemas);
  compareSchemas(ctx, original.model(), update.model());
  return ctx.differences;
}

function compareSchemas(ctx: DiffContext, original: SchemaModel | undefined, update: SchemaModel | undefined): void {
  if (original === undefined && update === undefined) return;
  if (original === undefined) return ctx.add('SCHEMA_ADDED');
  if (update === undefined) return ctx.add('SCHEMA_REMOVED');
  if (comparedAsCombined(ctx, original, update)) return;
  if (original.kind !== update.kind) {
    // Nothing was valid before, or everything is valid now: whatever was written is readable.
    if (original.kind === 'false' || update.kind === 'empty') return;
    return ctx.add('TYPE_CHANGED');
  }
  ctx.once(original, update, () => {
    compareMetadata(ctx, original, update);
    switch (original.kind) {
      case 'string':
        return compareStrings(ctx, original, update as StringModel);
      case 'number':
        return compareNumbers(ctx, original, update as NumberModel);
      case 'enum':
        return compareEnums(ctx, original, update as EnumModel);
      case 'not':
        return compareNots(ctx, original, update as NotModel);
      case 'object':
        return compareObjects(ctx, original, update as ObjectModel);
      case 'array':
        return compareArrays(ctx, original, update as ArrayModel);
      case 'combined':
        return compareCombined(ctx, original, update as CombinedModel);
    }
  });
}

/**
 * A plain schema against a combined one. A schema that becomes a union (anyOf/oneOf) still
 * reads what it read when one branch reads it; a single-member combination is its member; and
 * a plain schema meets an allOf as a one-member allOf (so dropping `enum` beside `type`, an
 * allOf of both, narrows a product: compatible).
 */
function comparedAsCombined(ctx: DiffContext, original: SchemaModel, update: SchemaModel): boolean {
  const attempt = (from: SchemaModel, to: SchemaModel, extra?: string): boolean => {
    const sub = ctx.sub();
    compareSchemas(sub, from, to);
    if (!sub.isCompatible()) return false;
    ctx.addAll(sub.differences);
    if (extra) ctx.add(extra);
    return true;
  };
  const asAllOf = (model: SchemaModel): CombinedModel => ({ kind: 'combined', criterion: 'allOf', raw: model.raw, subschemas: [model] });
  if (original.kind !== 'combined' && update.kind === 'combined') {
    const members = update.subschemas;
    if (members.length === 1 && attempt(original, members[0])) return true;
    if (update.criterion !== 'allOf') return members.some((member) => attempt(original, member, 'SUM_TYPE_EXTENDED'));
    ctx.once(original, update, () => compareCombined(ctx, asAllOf(original), update));
    return true;
  }
  if (original.kind === 'combined' && update.kind !== 'combined') {
    if (original.subschemas.length === 1 && attempt(original.subschemas[0], update)) return true;
    if (original.criterion !== 'allOf') return false;
    ctx.once(original, update, () => compareCombined(ctx, original, asAllOf(update)));
    return true;
  }
  return false;
}

function compareMetadata(ctx: DiffContext, original: SchemaModel, update: SchemaModel): void {
  const field = (model: SchemaModel, key: string): string | undefined => {
    const raw = model.raw;
    return raw !== null && typeof raw === 'object' && !Array.isArray(raw) && key in raw ? JSON.stringify(raw[key]) : undefined;
  };
  const id = (model: SchemaModel) => field(model, '$id') ?? field(model, 'id');
  if (id(original) !== id(update)) ctx.add('ID_CHANGED');
  const changes: Array<[string, string]> = [['title', 'TITLE_CHANGED'], ['description', 'DESCRIPTION_CHANGED'], ['default', 'DEFAULT_CHANGED']];
  for (const [key, type] of changes) {
    if (field(original, key) !== field(update, key)) ctx.add(type);
  }
}

function compareStrings(ctx: DiffContext, original: StringModel, update: StringModel): void {
  compareBound(ctx, 'maxLength', 'MAX_LENGTH', original.maxLength, update.maxLength);
  compareBound(ctx, 'minLength', 'MIN_LENGTH', original.minLength, update.minLength);
  if (original.pattern === update.pattern) return;
  if (original.pattern === undefined) ctx.add('PATTERN_ADDED', 'pattern');
  else if (update.pattern === undefined) ctx.add('PATTERN_REMOVED', 'pattern');
  else ctx.add('PATTERN_CHANGED', 'pattern');
}

function compareNumbers(ctx: DiffContext, original: NumberModel, update: NumberModel): void {
  compareBound(ctx, 'maximum', 'MAXIMUM', original.maximum, update.maximum);
  compareBound(ctx, 'minimum', 'MINIMUM', original.minimum, update.minimum);
  compareBound(ctx, 'exclusiveMaximum', 'EXCLUSIVE_MAXIMUM', original.exclusiveMaximum, update.exclusiveMaximum);
  compareBound(ctx, 'exclusiveMinimum', 'EXCLUSIVE_MINIMUM', original.exclusiveMinimum, update.exclusiveMinimum);
  const [from, to] = [original.multipleOf, update.multipleOf];
  if (from !== to) {
    if (from === undefined) ctx.add('MULTIPLE_OF_ADDED', 'multipleOf');
    else if (to === undefined) ctx.add('MULTIPLE_OF_REMOVED', 'multipleOf');
    // A multiple of 4 is a multiple of 2: 2 → 4 accepts less (expanded), 4 → 2 accepts more.
    else if (isMultiple(to, from)) ctx.add('MULTIPLE_OF_EXPANDED', 'multipleOf');
    else if (isMultiple(from, to)) ctx.add('MULTIPLE_OF_REDUCED', 'multipleOf');
    else ctx.add('MULTIPLE_OF_CHANGED', 'multipleOf');
  }
  // integer ⊂ number: an integer schema turned number reads more (extended), the reverse less.
  if (original.integer !== update.integer) ctx.add(original.integer ? 'TYPE_EXTENDED' : 'TYPE_NARROWED');
}

function compareEnums(ctx: DiffContext, original: EnumModel, update: EnumModel): void {
  const covers = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...b].every((value) => a.has(value));
  if (covers(original.values, update.values) && covers(update.values, original.values)) return;
  if (covers(update.values, original.values)) ctx.add('ENUM_ARRAY_EXTENDED', 'enum');
  else if (covers(original.values, update.values)) ctx.add('ENUM_ARRAY_NARROWED', 'enum');
  else ctx.add('ENUM_ARRAY_CHANGED', 'enum');
}

function compareNots(ctx: DiffContext, original: NotModel, update: NotModel): void {
  ctx.at('not', (inner) => {
    // `not A` → `not B` reads more exactly when A reads everything B reads: compare reversed.
    const sub = inner.sub();
    compareSchemas(sub, update.schema, original.schema);
    inner.add(sub.isCompatible() ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED');
  });
}

function isMultiple(value: number, divisor: number): boolean {
  const ratio = value / divisor;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}
