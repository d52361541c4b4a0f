import { parseSchema } from '../parse-schema';
import { jsonDifferences, jsonReaderIncompatibilities } from './json-schema-diff';
import type { JsonSchema } from './json-schema';
import { isCompatibleJsonChange } from './json-difference';

/**
 * Each case: the rule it checks, the schema data was written with (original), the schema that
 * reads it (update), every difference found ("TYPE path") and whether the reader copes. The
 * facts follow Confluent's JSON Schema compatibility rules (its Difference.Type classification
 * and its diff examples); the wording of the cases is ours.
 */
type Case = [rule: string, original: unknown, update: unknown, changes: string[], compatible: boolean];

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });
const str = { type: 'string' };
const num = { type: 'number' };

const CASES: Case[] = [
  // Empty and unchanged schemas.
  ['any schema may become the empty schema, which accepts everything', object({}), {}, [], true],
  ['an unchanged schema has no differences', object({ a: str }), object({ a: str }), [], true],
  ['changing $id is compatible', { $id: 'a' }, { $id: 'b' }, ['ID_CHANGED #/'], true],
  ['changing title is compatible', { title: 'a' }, { title: 'b' }, ['TITLE_CHANGED #/'], true],
  ['changing description is compatible', { description: 'a' }, { description: 'b' }, ['DESCRIPTION_CHANGED #/'], true],
  ['changing the default is compatible', { ...str, default: 'a' }, { ...str, default: 'b' }, ['DEFAULT_CHANGED #/'], true],
  // Types.
  ['changing the type is incompatible', { type: 'object' }, { type: 'array' }, ['TYPE_CHANGED #/'], false],
  ['integer widened to number is compatible (integer ⊂ number)', { type: 'integer' }, num, ['TYPE_EXTENDED #/'], true],
  ['number narrowed to integer is incompatible', num, { type: 'integer' }, ['TYPE_NARROWED #/'], false],
  ['a type array that gains a type is a wider sum type', { type: ['object'] }, { type: ['object', 'array'] }, ['SUM_TYPE_EXTENDED #/'], true],
  ['a type array that loses a type is a narrower sum type', { type: ['string', 'null'] }, { type: ['string'] }, ['TYPE_CHANGED #/'], false],
  ['a plain schema may become a oneOf containing it', str, { oneOf: [num, str] }, ['SUM_TYPE_EXTENDED #/'], true],
  ['null may become an optional value (oneOf with null)', { type: 'null' }, { oneOf: [num, { type: 'null' }] }, ['SUM_TYPE_EXTENDED #/'], true],
  ['a union branch that drops a bound still reads the plain schema', { ...str, maxLength: 3 }, { oneOf: [num, str] }, ['MAX_LENGTH_REMOVED #/maxLength', 'SUM_TYPE_EXTENDED #/'], true],
  // Strings.
  ['a larger minLength rejects what was written', { ...str, minLength: 10 }, { ...str, minLength: 11 }, ['MIN_LENGTH_INCREASED #/minLength'], false],
  ['a smaller minLength is compatible', { ...str, minLength: 11 }, { ...str, minLength: 10 }, ['MIN_LENGTH_DECREASED #/minLength'], true],
  ['a larger maxLength is compatible', { ...str, maxLength: 10 }, { ...str, maxLength: 12 }, ['MAX_LENGTH_INCREASED #/maxLength'], true],
  ['a smaller maxLength is incompatible', { ...str, maxLength: 12 }, { ...str, maxLength: 10 }, ['MAX_LENGTH_DECREASED #/maxLength'], false],
  ['adding maxLength is incompatible', str, { ...str, maxLength: 10 }, ['MAX_LENGTH_ADDED #/maxLength'], false],
  ['removing a pattern is compatible', { ...str, pattern: '^a' }, str, ['PATTERN_REMOVED #/pattern'], true],
  ['adding a pattern is incompatible', str, { ...str, pattern: '^a' }, ['PATTERN_ADDED #/pattern'], false],
  ['changing a pattern is incompatible', { ...str, pattern: '^a' }, { ...str, pattern: '^b' }, ['PATTERN_CHANGED #/pattern'], false],
  // Numbers.
  ['removing maximum is compatible', { ...num, maximum: 10 }, num, ['MAXIMUM_REMOVED #/maximum'], true],
  ['raising maximum is compatible', { ...num, maximum: 10 }, { ...num, maximum: 11 }, ['MAXIMUM_INCREASED #/maximum'], true],
  ['lowering maximum is incompatible', { ...num, maximum: 11 }, { ...num, maximum: 10 }, ['MAXIMUM_DECREASED #/maximum'], false],
  ['raising minimum is incompatible', { ...num, minimum: 10 }, { ...num, minimum: 11 }, ['MINIMUM_INCREASED #/minimum'], false],
  ['adding minimum is incompatible', num, { ...num, minimum: 0 }, ['MINIMUM_ADDED #/minimum'], false],
  ['lowering exclusiveMinimum is compatible', { ...num, exclusiveMinimum: 5 }, { ...num, exclusiveMinimum: 1 }, ['EXCLUSIVE_MINIMUM_DECREASED #/exclusiveMinimum'], true],
  ['lowering exclusiveMaximum is incompatible', { ...num, exclusiveMaximum: 5 }, { ...num, exclusiveMaximum: 1 }, ['EXCLUSIVE_MAXIMUM_DECREASED #/exclusiveMaximum'], false],
  ['draft 4 boolean exclusiveMaximum reads as an exclusive bound', { ...num, maximum: 5, exclusiveMaximum: true }, { ...num, exclusiveMaximum: 9 }, ['EXCLUSIVE_MAXIMUM_INCREASED #/exclusiveMaximum'], true],
  ['a divisor of multipleOf accepts more (reduced)', { ...num, multipleOf: 10 }, { ...num, multipleOf: 2 }, ['MULTIPLE_OF_REDUCED #/multipleOf'], true],
  ['a multiple of multipleOf accepts less (expanded)', { ...num, multipleOf: 2 }, { ...num, multipleOf: 10 }, ['MULTIPLE_OF_EXPANDED #/multipleOf'], false],
  ['an unrelated multipleOf is incompatible', { ...num, multipleOf: 10 }, { ...num, multipleOf: 11 }, ['MULTIPLE_OF_CHANGED #/multipleOf'], false],
  // Enums and not.
  ['an enum that gains values is compatible', { enum: ['red'] }, { enum: ['red', 'blue'] }, ['ENUM_ARRAY_EXTENDED #/enum'], true],
  ['an enum that loses values is incompatible', { enum: ['red', 'blue'] }, { enum: ['red'] }, ['ENUM_ARRAY_NARROWED #/enum'], false],
  ['an enum with other values is incompatible', { enum: ['red'] }, { enum: ['blue'] }, ['ENUM_ARRAY_CHANGED #/enum'], false],
  ['dropping enum beside type narrows an allOf product: compatible', { ...str, enum: ['red'] }, str, ['PRODUCT_TYPE_NARROWED #/'], true],
  ['adding enum beside type extends an allOf product: incompatible', str, { ...str, enum: ['red'] }, ['PRODUCT_TYPE_EXTENDED #/'], false],
  ['an enum extended inside allOf is matched to its counterpart', { allOf: [str, { enum: ['red'] }] }, { allOf: [{ enum: ['red', 'blue'] }, str] }, ['ENUM_ARRAY_EXTENDED #/allOf/1/enum'], true],
  ['not of a wider schema is narrower: compatible', { not: num }, { not: { type: 'integer' } }, ['NOT_TYPE_NARROWED #/not'], true],
  ['not of a narrower schema is wider: incompatible', { not: { type: 'integer' } }, { not: num }, ['NOT_TYPE_EXTENDED #/not'], false],
  // Combined schemas.
  ['a oneOf whose only member changes type is incompatible', { oneOf: [str] }, { oneOf: [num] }, ['COMBINED_TYPE_SUBSCHEMAS_CHANGED #/'], false],
  ['a oneOf that gains a member is compatible', { oneOf: [str] }, { oneOf: [num, str] }, ['SUM_TYPE_EXTENDED #/'], true],
  ['a oneOf that loses a member is incompatible', { oneOf: [num, str] }, { oneOf: [str] }, ['SUM_TYPE_NARROWED #/'], false],
  ['an allOf that gains a member is incompatible', { allOf: [str] }, { allOf: [str, { maxLength: 3 }] }, ['PRODUCT_TYPE_EXTENDED #/'], false],
  ['oneOf to anyOf is a wider criterion', { oneOf: [str, num] }, { anyOf: [str, num] }, ['COMBINED_TYPE_EXTENDED #/'], true],
  ['a single-member oneOf may become a single-member allOf: both mean that member', { oneOf: [str] }, { allOf: [str] }, ['COMBINED_TYPE_EXTENDED #/'], true],
  ['oneOf of several to allOf is a changed criterion', { oneOf: [str, num] }, { allOf: [str, num] }, ['COMBINED_TYPE_CHANGED #/'], false],
  ['anyOf of several to oneOf is a changed criterion', { anyOf: [str, num] }, { oneOf: [str, num] }, ['COMBINED_TYPE_CHANGED #/'], false],
  // Objects: open content model (no additionalProperties).
  ['a property removed from an open model is compatible', object({ a: str, b: str }), object({ a: str }), ['PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL #/properties/b'], true],
  ['a property added to an open model is incompatible: old data may hold anything there', object({ a: str }), object({ a: str, b: num }), ['OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b'], false],
  ['a required property added to an open model is incompatible', object({}), object({ b: num }, { required: ['b'] }), ['REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b'], false],
  ['a property with the empty schema may be added to an open model', { additionalProperties: true }, { additionalProperties: true, properties: { a: true } }, ['PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL #/properties/a'], true],
  ['a property whose type changes is incompatible', object({ a: str }), object({ a: num }), ['TYPE_CHANGED #/properties/a'], false],
  // Objects: closed content model.
  ['an optional property added to a closed model is compatible', object({ a: str }, { additionalProperties: false }), object({ a: str, b: num }, { additionalProperties: false }), ['OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b'], true],
  ['a required property added to a closed model is incompatible', object({}, { additionalProperties: false }), object({ b: num }, { required: ['b'], additionalProperties: false }), ['REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b'], false],
  ['a required property with a default added to a closed model is compatible', object({}, { additionalProperties: false }), object({ b: { ...num, default: 0 } }, { required: ['b'], additionalProperties: false }), ['REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b'], true],
  ['a property removed from a closed model is incompatible', object({ a: str, b: str }, { additionalProperties: false }), object({ a: str }, { additionalProperties: false }), ['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/b'], false],
  ['a false property may be removed from a closed model', { additionalProperties: false, properties: { a: false } }, { additionalProperties: false }, ['PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/a'], true],
  ['opening a closed model is compatible', object({}, { additionalProperties: false }), object({}), ['ADDITIONAL_PROPERTIES_ADDED #/additionalProperties'], true],
  ['closing an open model is incompatible', { additionalProperties: true }, { additionalProperties: false }, ['ADDITIONAL_PROPERTIES_REMOVED #/additionalProperties'], false],
  ['giving an open model an additionalProperties schema narrows it', { additionalProperties: true }, { additionalProperties: num }, ['ADDITIONAL_PROPERTIES_NARROWED #/additionalProperties'], false],
  ['changing the additionalProperties schema compares the schemas', { additionalProperties: str }, { additionalProperties: num }, ['TYPE_CHANGED #/additionalProperties'], false],
  // Objects: partially open content model.
  ['a property added where patternProperties covered it with a narrower schema is compatible', object({ a: str }, { additionalProperties: false, patternProperties: { '^I_': { type: 'integer' } } }), object({ a: str, I_1: num }, { additionalProperties: false, patternProperties: { '^I_': { type: 'integer' } } }), ['TYPE_EXTENDED #/properties/I_1', 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/I_1', 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/I_1'], true],
  ['a property added against additionalProperties of another type is incompatible', object({}, { additionalProperties: str }), object({ b: num }, { additionalProperties: str }), ['TYPE_CHANGED #/properties/b', 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b', 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b'], false],
  ['a property removed into an additionalProperties schema that accepts it is compatible', object({ b: str }, { additionalProperties: false }), object({}, { additionalProperties: str }), ['PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b', 'ADDITIONAL_PROPERTIES_ADDED #/additionalProperties'], true],
  ['a property removed into an additionalProperties schema of another type is incompatible', object({ b: num }, { additionalProperties: false }), object({}, { additionalProperties: str }), ['TYPE_CHANGED #/properties/b', 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b', 'ADDITIONAL_PROPERTIES_ADDED #/additionalProperties'], false],
  // Required, dependencies, property counts.
  ['no longer requiring a property is compatible', object({ a: str }, { required: ['a'] }), object({ a: str }), ['REQUIRED_ATTRIBUTE_REMOVED #/required/a'], true],
  ['requiring an existing property is incompatible', object({ a: str }), object({ a: str }, { required: ['a'] }), ['REQUIRED_ATTRIBUTE_ADDED #/required/a'], false],
  ['requiring an existing property that has a default is compatible', object({ a: { ...str, default: 'x' } }), object({ a: { ...str, default: 'x' } }, { required: ['a'] }), ['REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED #/required/a'], true],
  ['a property dependency added is incompatible, one removed is compatible', object({ a: num, b: str }, { dependencies: { a: ['b'] } }), object({ a: num, b: str }, { dependencies: { b: ['a'] } }), ['DEPENDENCY_ARRAY_REMOVED #/dependencies/a', 'DEPENDENCY_ARRAY_ADDED #/dependencies/b'], false],
  ['a schema dependency removed is compatible', { dependencies: { a: str } }, { dependencies: {} }, ['DEPENDENCY_SCHEMA_REMOVED #/dependencies/a'], true],
  ['a lower maxProperties is incompatible', { maxProperties: 2 }, { maxProperties: 1 }, ['MAX_PROPERTIES_DECREASED #/maxProperties'], false],
  ['a lower minProperties is compatible', { minProperties: 2 }, { minProperties: 1 }, ['MIN_PROPERTIES_DECREASED #/minProperties'], true],
  // Arrays.
  ['an items schema added to an array is incompatible', { type: 'array' }, { type: 'array', items: str }, ['SCHEMA_ADDED #/items'], false],
  ['an items schema removed from an array is compatible', { type: 'array', items: str }, { type: 'array' }, ['SCHEMA_REMOVED #/items'], true],
  ['tuple items removed from an open array are compatible', { type: 'array', items: [str, num] }, { type: 'array' }, ['ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL #/items/0', 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL #/items/1'], true],
  ['a tuple item added to a closed array is compatible', { type: 'array', items: [str], additionalItems: false }, { type: 'array', items: [str, num], additionalItems: false }, ['ITEM_ADDED_TO_CLOSED_CONTENT_MODEL #/items/1'], true],
  ['a tuple item added to an open array is incompatible', { type: 'array', items: [str] }, { type: 'array', items: [str, num] }, ['ITEM_ADDED_TO_OPEN_CONTENT_MODEL #/items/1'], false],
  ['a tuple item added against additionalItems of another type is incompatible', { type: 'array', items: [str, num], additionalItems: str }, { type: 'array', items: [str, num, num], additionalItems: str }, ['TYPE_CHANGED #/items/2', 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/items/2'], false],
  ['a tuple item removed into additionalItems that accept it is compatible', { type: 'array', items: [str, num, str], additionalItems: str }, { type: 'array', items: [str, num], additionalItems: str }, ['ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/items/2'], true],
  ['forbidding additional items is incompatible', { additionalItems: true }, { additionalItems: false }, ['ADDITIONAL_ITEMS_REMOVED #/additionalItems'], false],
  ['a lower maxItems is incompatible', { type: 'array', maxItems: 2 }, { type: 'array', maxItems: 1 }, ['MAX_ITEMS_DECREASED #/maxItems'], false],
  ['a higher minItems is incompatible', { type: 'array', minItems: 1 }, { type: 'array', minItems: 2 }, ['MIN_ITEMS_INCREASED #/minItems'], false],
  ['dropping uniqueItems is compatible', { type: 'array', uniqueItems: true }, { type: 'array' }, ['UNIQUE_ITEMS_REMOVED #/uniqueItems'], true],
  ['requiring uniqueItems is incompatible', { type: 'array' }, { type: 'array', uniqueItems: true }, ['UNIQUE_ITEMS_ADDED #/uniqueItems'], false],
  // References.
  ['a $ref target that changes type is incompatible', { type: 'array', items: { $ref: '#/definitions/a' }, definitions: { a: str } }, { type: 'array', items: { $ref: '#/definitions/a' }, definitions: { a: num } }, ['TYPE_CHANGED #/items'], false],
  ['moving a schema into $defs behind a $ref changes nothing', str, { $ref: '#/$defs/a', $defs: { a: str } }, [], true],
  ['a recursive schema compared with itself terminates and is compatible', { $defs: { node: object({ next: { $ref: '#/$defs/node' } }) }, $ref: '#/$defs/node' }, { $defs: { node: object({ next: { $ref: '#/$defs/node' } }) }, $ref: '#/$defs/node' }, [], true],
];

function json(schema: unknown, references?: Record<string, string>): JsonSchema {
  return parseSchema({ schemaType: 'JSON', schema: JSON.stringify(schema), references }) as JsonSchema;
}

describe('JSON Schema compatibility (original writes, update reads)', () => {
  it.each(CASES)('%s', (_rule, original, update, changes, compatible) => {
    const differences = jsonDifferences(json(original), json(update));
    expect(differences.map((difference) => `${difference.type} ${difference.path}`).sort()).toEqual([...changes].sort());
    expect(differences.every(isCompatibleJsonChange)).toBe(compatible);
  });

  it('has dozens of cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it('words an incompatibility as Confluent does, reader first', () => {
    const [first] = jsonReaderIncompatibilities(json(object({ a: { ...str, maxLength: 3 } })), json(object({ a: { ...str, maxLength: 5 } })));
    expect(first.render('new', 'old')).toBe(
      `{errorType:"MAX_LENGTH_DECREASED", description:"The value at path '#/properties/a/maxLength' in the new schema is less than its value in the old schema"}`,
    );
  });

  it('follows a $ref into a referenced document by reference name', () => {
    const address = (street: unknown) => JSON.stringify({ type: 'object', properties: { street } });
    const original = json(object({ home: { $ref: 'address.json' } }), { 'address.json': address(str) });
    const update = json(object({ home: { $ref: 'address.json' } }), { 'address.json': address(num) });
    expect(jsonDifferences(original, update).map((difference) => `${difference.type} ${difference.path}`)).toEqual(['TYPE_CHANGED #/properties/home/properties/street']);
  });
});
