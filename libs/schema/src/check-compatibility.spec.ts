import { checkCompatibility } from './check-compatibility';
import { COMPATIBILITY_LEVELS, parseCompatibilityLevel, type CompatibilityLevel } from './compatibility-level';
import { parseSchema } from './parse-schema';
import type { ParsedSchema } from './parsed-schema';
import { SchemaError } from './schema-error';
import { parseSchemaType } from './schema-type';

const record = (fields: string, version?: number): ParsedSchema =>
  parseSchema({ schema: `{"type":"record","name":"User","fields":[${fields}]}`, version });

const id = '{"name":"id","type":"long"}';
const nameWithDefault = '{"name":"name","type":"string","default":""}';
const nameRequired = '{"name":"name","type":"string"}';
const email = '{"name":"email","type":"string"}';

const check = (level: CompatibilityLevel, newSchema: ParsedSchema, ...previousSchemas: ParsedSchema[]) =>
  checkCompatibility({ newSchema, previousSchemas, level }).compatible;

describe('checkCompatibility: the seven levels', () => {
  const v1 = record(id);
  const addedWithDefault = record(`${id},${nameWithDefault}`);
  const addedRequired = record(`${id},${nameRequired}`);
  const removed = record('');

  // [level, added field with default, added required field, removed required field]
  it.each<[CompatibilityLevel, boolean, boolean, boolean]>([
    ['BACKWARD', true, false, true],
    ['BACKWARD_TRANSITIVE', true, false, true],
    ['FORWARD', true, true, false],
    ['FORWARD_TRANSITIVE', true, true, false],
    ['FULL', true, false, false],
    ['FULL_TRANSITIVE', true, false, false],
    ['NONE', true, true, true],
  ])('%s: adding a defaulted field %s, adding a required field %s, removing a required field %s', (level, withDefault, required, removal) => {
    expect(check(level, addedWithDefault, v1)).toBe(withDefault);
    expect(check(level, addedRequired, v1)).toBe(required);
    expect(check(level, removed, v1)).toBe(removal);
  });

  it('every level is covered above', () => {
    expect(COMPATIBILITY_LEVELS).toHaveLength(7);
  });

  it('a subject without versions accepts any schema', () => {
    expect(check('FULL_TRANSITIVE', v1)).toBe(true);
  });
});

describe('checkCompatibility: transitive levels check every version, the others only the latest', () => {
  const v1 = record(id, 1);
  const v2 = record(`${id},${nameWithDefault}`, 2);
  // v3 reads v2 (name present in v2's data) but not v1 (v1's data has no name, no default).
  const v3 = record(`${id},${nameRequired}`);

  it('BACKWARD checks v3 against v2 only: compatible', () => {
    expect(check('BACKWARD', v3, v1, v2)).toBe(true);
  });

  it('BACKWARD_TRANSITIVE also checks v1: incompatible, naming v1', () => {
    const result = checkCompatibility({ newSchema: v3, previousSchemas: [v1, v2], level: 'BACKWARD_TRANSITIVE' });
    expect(result.compatible).toBe(false);
    expect(result.messages).toEqual([
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'name' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'name'}",
      '{oldSchemaVersion: 1}',
      `{oldSchema: '{"type":"record","name":"User","fields":[${id}]}'}`,
      "{compatibility: 'BACKWARD_TRANSITIVE'}",
    ]);
    expect(result.reasons).toEqual([
      {
        errorType: 'READER_FIELD_MISSING_DEFAULT_VALUE',
        path: '/fields/1',
        description: "The field 'name' at path '/fields/1' in the new schema has no default value and is missing in the old schema",
      },
    ]);
  });

  it('FULL checks v3 both ways against v2 only; FULL_TRANSITIVE also against v1', () => {
    expect(check('FULL', v3, v1, v2)).toBe(true);
    expect(check('FULL_TRANSITIVE', v3, v1, v2)).toBe(false);
  });

  it('FORWARD lets v3 drop a field v2 defaults; FORWARD_TRANSITIVE refuses it for v1, which has no default', () => {
    const f1 = record(`${id},${email}`);
    const f2 = record(`${id},{"name":"email","type":"string","default":""}`);
    const f3 = record(id);
    expect(check('FORWARD', f3, f1, f2)).toBe(true);
    expect(check('FORWARD_TRANSITIVE', f3, f1, f2)).toBe(false);
  });

  it('FORWARD words the finding from the old schema as reader', () => {
    const result = checkCompatibility({ newSchema: record(''), previousSchemas: [record(id)], level: 'FORWARD' });
    expect(result.messages[0]).toBe(
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'id' at path '/fields/0' in the old schema has no default value and is missing in the new schema', additionalInfo:'id'}",
    );
  });
});

describe('checkCompatibility: schema types', () => {
  it('a change of schema type is incompatible at every level but NONE', () => {
    const avro = parseSchema({ schema: '"string"' });
    const json = parseSchema({ schemaType: 'JSON', schema: '{"type":"string"}' });
    for (const level of COMPATIBILITY_LEVELS) {
      const result = checkCompatibility({ newSchema: json, previousSchemas: [avro], level });
      expect(result.compatible).toBe(level === 'NONE');
      if (level !== 'NONE') expect(result.messages[0]).toBe('Incompatible because of different schema type');
    }
  });

  it('JSON Schema and Protobuf checks go through the same levels', () => {
    const open = parseSchema({ schemaType: 'JSON', schema: '{"type":"object","properties":{"a":{"type":"string"}}}' });
    const withB = parseSchema({ schemaType: 'JSON', schema: '{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"number"}}}' });
    expect(check('BACKWARD', withB, open)).toBe(false);
    expect(check('FORWARD', withB, open)).toBe(true);
    const p1 = parseSchema({ schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message M { int32 a = 1; }' });
    const p2 = parseSchema({ schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message M { sint32 a = 1; }' });
    const result = checkCompatibility({ newSchema: p2, previousSchemas: [p1], level: 'FULL' });
    expect(result.reasons.map((reason) => reason.errorType)).toEqual(['FIELD_SCALAR_KIND_CHANGED', 'FIELD_SCALAR_KIND_CHANGED']);
  });
});

describe('levels and types as requests spell them', () => {
  it('reads levels case-insensitively and refuses unknown ones', () => {
    expect(parseCompatibilityLevel('full_transitive')).toBe('FULL_TRANSITIVE');
    expect(() => parseCompatibilityLevel('SIDEWAYS')).toThrow(SchemaError);
    expect(() => parseCompatibilityLevel('SIDEWAYS')).toThrow(/Invalid compatibility level 'SIDEWAYS'/);
  });

  it('defaults the schema type to AVRO and refuses unknown ones', () => {
    expect(parseSchemaType(undefined)).toBe('AVRO');
    expect(parseSchemaType('protobuf')).toBe('PROTOBUF');
    expect(() => parseSchemaType('XML')).toThrow(/Unknown schema type 'XML'/);
  });
});
