import { schemaFingerprint } from './fingerprint';
import { parseSchema } from './parse-schema';
import type { SchemaSource } from './parsed-schema';
import { SchemaError } from './schema-error';

function rejection(source: SchemaSource): SchemaError {
  try {
    parseSchema(source);
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaError);
    return error as SchemaError;
  }
  throw new Error('expected the schema to be rejected');
}

describe('parseSchema: invalid schemas are rejected with the reason', () => {
  it.each<[string, SchemaSource, RegExp]>([
    ['Avro that is not JSON', { schema: '{"type": "record",' }, /Invalid Avro schema: schema is not JSON/],
    ['Avro with an unknown type', { schema: '{"type":"recor"}' }, /unknown type: "recor"/],
    ['Avro with a default of the wrong type', { schema: '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}' }, /incompatible field default/],
    ['Avro with a union default not matching the first branch', { schema: '{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":1}]}' }, /first branch/],
    ['Avro with an undefined named type', { schema: '{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}' }, /undefined type name: Missing/],
    ['Avro with a field without a type', { schema: '{"type":"record","name":"R","fields":[{"name":"a"}]}' }, /field "a" of R has no "type"/],
    ['Avro with duplicate enum symbols', { schema: '{"type":"enum","name":"E","symbols":["A","A"]}' }, /duplicate "E" symbol/],
    ['Avro with an enum default outside its symbols', { schema: '{"type":"enum","name":"E","symbols":["A"],"default":"Z"}' }, /invalid "E" default/],
    ['JSON Schema that is not JSON', { schemaType: 'JSON', schema: '{' }, /Invalid JSON schema: schema is not JSON/],
    ['JSON Schema that is a number', { schemaType: 'JSON', schema: '3' }, /must be a JSON object or a boolean/],
    ['JSON Schema with an unknown type', { schemaType: 'JSON', schema: '{"properties":{"a":{"type":"strin"}}}' }, /#\/properties\/a\/type: unknown type "strin"/],
    ['JSON Schema with a negative maxLength', { schemaType: 'JSON', schema: '{"maxLength":-1}' }, /#\/maxLength: must be a non-negative integer/],
    ['JSON Schema with a broken pattern', { schemaType: 'JSON', schema: '{"pattern":"("}' }, /#\/pattern: invalid regular expression/],
    ['JSON Schema with a dangling $ref', { schemaType: 'JSON', schema: '{"$ref":"#/definitions/nope"}' }, /\$ref '#\/definitions\/nope' points at nothing/],
    ['JSON Schema referring to a document not passed as a reference', { schemaType: 'JSON', schema: '{"$ref":"other.json"}' }, /pass 'other.json' as a reference/],
    ['Protobuf with a syntax error', { schemaType: 'PROTOBUF', schema: 'message A { int32 x = 1 }' }, /Invalid Protobuf schema: schema: illegal token/],
    ['Protobuf with a duplicate field number', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message A { int32 x = 1; int32 y = 1; }' }, /duplicate id 1/],
    ['Protobuf with a field on a reserved number', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message A { int32 x = 1; reserved 1; }' }, /reserved/],
    ['Protobuf with a field on a reserved name', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message A { reserved "x"; int32 x = 1; }' }, /reserved/],
    ['Protobuf proto3 enum not starting at zero', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; enum E { A = 1; }' }, /must be zero in proto3/],
    ['Protobuf with an unknown type', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message A { Missing m = 1; }' }, /no such type/i],
    ['Protobuf importing a file not passed as a reference', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; import "other.proto"; message A {}' }, /pass it as a reference named 'other.proto'/],
  ])('%s', (_what, source, reason) => {
    const error = rejection(source);
    expect(error.kind).toBe('INVALID_SCHEMA');
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toMatch(reason);
  });
});

describe('parseSchema: references', () => {
  it('Avro: a named type defined in a reference is usable by full name', () => {
    const parsed = parseSchema({
      schema: '{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"customer","type":"crm.Customer"}]}',
      references: { customer: '{"type":"record","name":"Customer","namespace":"crm","fields":[{"name":"id","type":"long"}]}' },
    });
    expect(parsed.recordName).toBe('shop.Order');
  });

  it('Avro: references are parsed in order, dependencies first', () => {
    const parsed = parseSchema({
      schema: '{"type":"record","name":"C","fields":[{"name":"b","type":"B"}]}',
      references: { a: '{"type":"fixed","name":"A","size":2}', b: '{"type":"record","name":"B","fields":[{"name":"a","type":"A"}]}' },
    });
    expect(parsed.schemaType).toBe('AVRO');
  });

  it('Protobuf: well-known types need no reference', () => {
    const parsed = parseSchema({ schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; package p; import "google/protobuf/timestamp.proto"; message A { google.protobuf.Timestamp at = 1; }' });
    expect(parsed.recordName).toBe('p.A');
  });

  it('Protobuf: an import resolves to the reference of that name, and its own imports too', () => {
    const parsed = parseSchema({
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3"; package p; import "b.proto"; message A { q.B b = 1; }',
      references: {
        'c.proto': 'syntax = "proto3"; package q; message C {}',
        'b.proto': 'syntax = "proto3"; package q; import "c.proto"; message B { C c = 1; }',
      },
    });
    expect(parsed.recordName).toBe('p.A');
  });

  it('JSON Schema: the title is the record name', () => {
    expect(parseSchema({ schemaType: 'JSON', schema: '{"title":"Order","type":"object"}' }).recordName).toBe('Order');
  });
});

describe('parseSchema: canonical and normalized forms', () => {
  it('Avro: the canonical form drops whitespace and keeps the author order', () => {
    const parsed = parseSchema({ schema: '{ "type": "record",\n "name": "R", "fields": [ { "name": "a", "type": "int" } ] }' });
    expect(parsed.canonicalString).toBe('{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}');
  });

  it('Avro: the normalized form uses full names, bare primitives and a fixed key order', () => {
    const spelledOut = parseSchema({
      schema: '{"fields":[{"type":{"type":"int"},"name":"a","order":"ascending"},{"name":"e","type":{"symbols":["X"],"type":"enum","name":"E"}},{"name":"again","type":"E"}],"namespace":"n","name":"R","type":"record"}',
    });
    const compact = parseSchema({
      schema: '{"type":"record","name":"n.R","fields":[{"name":"a","type":"int"},{"name":"e","type":{"type":"enum","name":"n.E","symbols":["X"]}},{"name":"again","type":"n.E"}]}',
    });
    expect(spelledOut.normalizedString).toBe(compact.normalizedString);
    expect(compact.normalizedString).toBe('{"name":"n.R","type":"record","fields":[{"name":"a","type":"int"},{"name":"e","type":{"name":"n.E","type":"enum","symbols":["X"]}},{"name":"again","type":"n.E"}]}');
  });

  it('Avro: the normalized form keeps defaults, which change how data is read', () => {
    const withDefault = parseSchema({ schema: '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1}]}' });
    const withoutDefault = parseSchema({ schema: '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}' });
    expect(withDefault.normalizedString).not.toBe(withoutDefault.normalizedString);
  });

  it('JSON Schema: canonical keeps key order, normalized sorts keys', () => {
    const a = parseSchema({ schemaType: 'JSON', schema: '{ "type": "object", "properties": { "b": {"type":"string"}, "a": {"type":"integer"} } }' });
    const b = parseSchema({ schemaType: 'JSON', schema: '{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}' });
    expect(a.canonicalString).toBe('{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}');
    expect(a.canonicalString).not.toBe(b.canonicalString);
    expect(a.normalizedString).toBe(b.normalizedString);
  });

  const order = `syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
// an order
message Order {
  string id = 1;
  repeated Line lines = 3;
  google.protobuf.Timestamp at = 2 [deprecated = true];
  oneof payment { string card = 5; string iban = 4; }
  map<string, string> tags = 6;
  message Line { int64 quantity = 1; }
  enum Status { NEW = 0; PAID = 1; }
}
service Orders { rpc Get(Order) returns (stream Order); }
`;

  it('Protobuf: the canonical form is a .proto without comments that parses to itself', () => {
    const parsed = parseSchema({ schemaType: 'PROTOBUF', schema: order });
    expect(parsed.canonicalString).not.toContain('an order');
    expect(parsed.canonicalString).toContain('  repeated Line lines = 3;\n  google.protobuf.Timestamp at = 2 [deprecated = true];');
    expect(parseSchema({ schemaType: 'PROTOBUF', schema: parsed.canonicalString }).canonicalString).toBe(parsed.canonicalString);
  });

  it('Protobuf: the normalized form orders fields by number and qualifies type names', () => {
    const parsed = parseSchema({ schemaType: 'PROTOBUF', schema: order });
    expect(parsed.normalizedString).toContain('  .google.protobuf.Timestamp at = 2 [deprecated = true];\n  repeated .shop.Order.Line lines = 3;\n  oneof payment {\n    string iban = 4;\n    string card = 5;\n  }');
    const reordered = order.replace('string id = 1;\n  repeated Line lines = 3;', 'repeated Line lines = 3;\n  string id = 1;');
    expect(parseSchema({ schemaType: 'PROTOBUF', schema: reordered }).normalizedString).toBe(parsed.normalizedString);
    expect(parseSchema({ schemaType: 'PROTOBUF', schema: parsed.normalizedString }).normalizedString).toBe(parsed.normalizedString);
  });

  it('Protobuf: proto2 labels, groups of options and enum-valued options print back as written', () => {
    const proto2 = `syntax = "proto2";
package p;
option optimize_for = SPEED;
option java_package = "com.example";
message A {
  extensions 100 to 199;
  optional int32 a = 1 [default = 5];
  required string b = 2;
}
extend A {
  optional int32 ext = 100;
}
`;
    const parsed = parseSchema({ schemaType: 'PROTOBUF', schema: proto2 });
    expect(parsed.canonicalString).toContain('option optimize_for = SPEED;\noption java_package = "com.example";');
    expect(parsed.canonicalString).toContain('  optional int32 a = 1 [default = 5];\n  required string b = 2;');
    expect(parsed.canonicalString).toContain('extend A {\n  optional int32 ext = 100;\n}');
    expect(parseSchema({ schemaType: 'PROTOBUF', schema: parsed.canonicalString }).canonicalString).toBe(parsed.canonicalString);
  });
});

describe('schemaFingerprint', () => {
  it('is equal for equal canonical strings and references, different otherwise', () => {
    const a = parseSchema({ schema: '{"type": "string"}' });
    const b = parseSchema({ schema: '{"type":"string"}' });
    const c = parseSchema({ schema: '"string"' });
    expect(schemaFingerprint(a)).toBe(schemaFingerprint(b));
    expect(schemaFingerprint(a)).not.toBe(schemaFingerprint(c));
    expect(schemaFingerprint(a, { normalize: true })).toBe(schemaFingerprint(c, { normalize: true }));
    expect(schemaFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});
