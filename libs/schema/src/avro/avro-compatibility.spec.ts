import { parseSchema } from '../parse-schema';
import { avroReaderIncompatibilities } from './avro-compatibility';
import type { AvroSchema } from './avro-schema';

/**
 * Each case: the rule it checks (from the Avro specification's "Schema Resolution" section, as
 * Apache Avro's SchemaCompatibility and Confluent's registry apply it), the writer schema, the
 * reader schema, and the incompatibilities expected ("TYPE path"; none means the reader can
 * read everything the writer wrote).
 */
type Case = [rule: string, writer: unknown, reader: unknown, incompatibilities: string[]];

const record = (fields: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'record', name: 'R', namespace: 'ns', fields, ...extra });
const field = (name: string, type: unknown, extra: Record<string, unknown> = {}) => ({ name, type, ...extra });
const enumOf = (symbols: string[], extra: Record<string, unknown> = {}) => ({ type: 'enum', name: 'E', symbols, ...extra });
const fixed = (size: number, name = 'F') => ({ type: 'fixed', name, size });

const CASES: Case[] = [
  // Primitives and promotions.
  ['identical primitives resolve', 'string', 'string', []],
  ['int is promoted to long', 'int', 'long', []],
  ['int is promoted to float', 'int', 'float', []],
  ['int is promoted to double', 'int', 'double', []],
  ['long is promoted to float', 'long', 'float', []],
  ['long is promoted to double', 'long', 'double', []],
  ['float is promoted to double', 'float', 'double', []],
  ['string is read as bytes', 'string', 'bytes', []],
  ['bytes are read as string', 'bytes', 'string', []],
  ['long is not demoted to int', 'long', 'int', ['TYPE_MISMATCH /']],
  ['double is not demoted to float', 'double', 'float', ['TYPE_MISMATCH /']],
  ['int is not read as string', 'int', 'string', ['TYPE_MISMATCH /']],
  ['boolean is not read as int', 'boolean', 'int', ['TYPE_MISMATCH /']],
  ['null is only read as null', 'null', 'string', ['TYPE_MISMATCH /']],
  // Records.
  ['a field added with a default is filled from the default', record([field('a', 'int')]), record([field('a', 'int'), field('b', 'string', { default: 'x' })]), []],
  ['a field added without a default cannot be filled', record([field('a', 'int')]), record([field('a', 'int'), field('b', 'string')]), ['READER_FIELD_MISSING_DEFAULT_VALUE /fields/1']],
  ['a field added with a null default in an optional union resolves', record([field('a', 'int')]), record([field('a', 'int'), field('b', ['null', 'string'], { default: null })]), []],
  ['a removed field is skipped by the reader', record([field('a', 'int'), field('b', 'string')]), record([field('a', 'int')]), []],
  ['fields are matched by name, not position', record([field('a', 'int'), field('b', 'string')]), record([field('b', 'string'), field('a', 'int')]), []],
  ['a field type promoted inside a record resolves', record([field('a', 'int')]), record([field('a', 'long')])  , []],
  ['a field type narrowed inside a record is reported at its path', record([field('a', 'long')]), record([field('a', 'int')]), ['TYPE_MISMATCH /fields/0/type']],
  ['a renamed field with the old name as alias resolves', record([field('old', 'int')]), record([field('new', 'int', { aliases: ['old'] })]), []],
  ['a renamed field without an alias needs a default', record([field('old', 'int')]), record([field('new', 'int')]), ['READER_FIELD_MISSING_DEFAULT_VALUE /fields/0']],
  ['records must share their unqualified name', record([]), record([], { name: 'Other' }), ['NAME_MISMATCH /name']],
  ['a namespace change alone keeps the unqualified name', record([]), record([], { namespace: 'other.ns' }), []],
  ['a renamed record with the old full name as alias resolves', record([]), record([], { name: 'Renamed', aliases: ['ns.R'] }), []],
  ['nested records resolve field by field', record([field('inner', record([field('x', 'int')], { name: 'Inner' }))]), record([field('inner', record([field('x', 'int'), field('y', 'int')], { name: 'Inner' }))]), ['READER_FIELD_MISSING_DEFAULT_VALUE /fields/0/type/fields/1']],
  ['a recursive record resolves against itself', record([field('next', ['null', 'R'], { default: null })]), record([field('next', ['null', 'R'], { default: null })]), []],
  // Enums.
  ['an enum that gains symbols reads the old data', enumOf(['A', 'B']), enumOf(['A', 'B', 'C']), []],
  ['an enum that loses a symbol cannot read it', enumOf(['A', 'B', 'C']), enumOf(['A', 'B']), ['MISSING_ENUM_SYMBOLS /symbols']],
  ['an enum default stands in for unknown symbols', enumOf(['A', 'B', 'C']), enumOf(['A', 'B'], { default: 'A' }), []],
  ['enums must share their name', enumOf(['A']), enumOf(['A'], { name: 'Other' }), ['NAME_MISMATCH /name']],
  // Fixed.
  ['fixed of the same size and name resolve', fixed(16), fixed(16), []],
  ['fixed of another size do not', fixed(16), fixed(8), ['FIXED_SIZE_MISMATCH /size']],
  ['fixed of another name do not', fixed(16), fixed(16, 'G'), ['NAME_MISMATCH /name']],
  // Arrays and maps.
  ['array items resolve with promotion', { type: 'array', items: 'int' }, { type: 'array', items: 'long' }, []],
  ['array items that do not resolve are reported under /items', { type: 'array', items: 'long' }, { type: 'array', items: 'int' }, ['TYPE_MISMATCH /items']],
  ['map values that do not resolve are reported under /values', { type: 'map', values: 'string' }, { type: 'map', values: 'int' }, ['TYPE_MISMATCH /values']],
  ['an array is not read as a map', { type: 'array', items: 'int' }, { type: 'map', values: 'int' }, ['TYPE_MISMATCH /']],
  // Unions.
  ['a union that gains a branch reads the old data', ['null', 'string'], ['null', 'string', 'int'], []],
  ['a union that loses a branch cannot read it', ['null', 'string', 'int'], ['null', 'string'], ['MISSING_UNION_BRANCH /2']],
  ['a union branch may be promoted', ['null', 'int'], ['null', 'long'], []],
  ['a union branch narrowed from long to int is missing', ['null', 'long'], ['null', 'int'], ['MISSING_UNION_BRANCH /1']],
  ['a plain type is read by a union that has it', 'string', ['null', 'string'], []],
  ['a plain type is not read by a union without it', 'int', ['null', 'string'], ['MISSING_UNION_BRANCH /']],
  ['a union is read by a plain type only if every branch is', ['null', 'string'], 'string', ['TYPE_MISMATCH /']],
  ['a single-branch union is read by that type', ['string'], 'string', []],
  // Logical types are resolved by their underlying types.
  ['a timestamp-millis long reads a plain long', 'long', { type: 'long', logicalType: 'timestamp-millis' }, []],
  ['a decimal over bytes reads plain bytes', 'bytes', { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 }, []],
  ['a date (int) reads a time-millis (int): logical types are not compared', { type: 'int', logicalType: 'time-millis' }, { type: 'int', logicalType: 'date' }, []],
  ['a uuid string does not read a long', 'long', { type: 'string', logicalType: 'uuid' }, ['TYPE_MISMATCH /']],
];

function avro(schema: unknown): AvroSchema {
  return parseSchema({ schemaType: 'AVRO', schema: JSON.stringify(schema) }) as AvroSchema;
}

describe('Avro schema resolution (writer wrote, reader reads)', () => {
  it.each(CASES)('%s', (_rule, writer, reader, incompatibilities) => {
    const found = avroReaderIncompatibilities(avro(reader).type, avro(writer).type);
    expect(found.map((incompatibility) => `${incompatibility.errorType} ${incompatibility.path}`)).toEqual(incompatibilities);
  });

  it('has dozens of cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it('words a missing default as Confluent does, with the field name as additional info', () => {
    const [found] = avroReaderIncompatibilities(avro(record([field('a', 'int'), field('b', 'string')])).type, avro(record([field('a', 'int')])).type);
    expect(found.render('new', 'old')).toBe(
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'b'}",
    );
  });

  it('names the lost union branch and the missing enum symbols', () => {
    const [branch] = avroReaderIncompatibilities(avro(['null', 'string']).type, avro(['null', 'string', 'long']).type);
    expect(branch.render('new', 'old')).toContain("additionalInfo:'reader union lacking writer type: LONG'");
    const [symbols] = avroReaderIncompatibilities(avro(enumOf(['A'])).type, avro(enumOf(['A', 'C', 'B'])).type);
    expect(symbols.render('new', 'old')).toBe(
      "{errorType:'MISSING_ENUM_SYMBOLS', description:'The new schema is missing enum symbols '[B, C]' at path '/symbols' in the old schema', additionalInfo:'[B, C]'}",
    );
  });

  it('names both types of a mismatch', () => {
    const [found] = avroReaderIncompatibilities(avro('int').type, avro('string').type);
    expect(found.render('new', 'old')).toContain("additionalInfo:'reader type: INT not compatible with writer type: STRING'");
  });
});
