import { parseSchema } from '../parse-schema';
import { protobufDifferences, protobufReaderIncompatibilities } from './protobuf-diff';
import { isCompatibleProtobufChange } from './protobuf-difference';
import type { ProtobufSchema } from './protobuf-schema';

/**
 * Each case: the rule it checks (Confluent's Protobuf classification, grounded in the Protobuf
 * language guide's "Updating A Message Type"), the file data was written with (original), the
 * file that reads it (update), every difference found ("TYPE path") and whether the reader
 * copes. Bodies are message M of package p unless the case spells out a whole file.
 */
type Case = [rule: string, original: string, update: string, changes: string[], compatible: boolean];

const PROTO3 = 'syntax = "proto3";\npackage p;\n';
const PROTO2 = 'syntax = "proto2";\npackage p;\n';
const m = (body: string, header = PROTO3) => `${header}message M {\n${body}\n}\n`;

const CASES: Case[] = [
  ['an unchanged file has no differences', m('int32 a = 1;'), m('int32 a = 1;'), [], true],
  ['comments and layout are not differences', m('int32 a = 1; // the a'), m('  int32   a=1;'), [], true],
  // Fields added and removed.
  ['a field added is compatible: old data simply lacks it', m('int32 a = 1;'), m('int32 a = 1;\nstring b = 2;'), ['FIELD_ADDED #/M/2'], true],
  ['a field removed is compatible: readers skip unknown numbers', m('int32 a = 1;\nstring b = 2;'), m('int32 a = 1;'), ['FIELD_REMOVED #/M/2'], true],
  ['a field removed and its number reserved is compatible', m('int32 a = 1;\nstring b = 2;'), m('reserved 2;\nint32 a = 1;'), ['FIELD_REMOVED #/M/2'], true],
  ['a field renamed keeps its number: compatible on the wire', m('int32 a = 1;'), m('int32 b = 1;'), ['FIELD_NAME_CHANGED #/M/1'], true],
  ['a field renumbered is a removal plus an addition', m('int32 a = 1;'), m('int32 a = 2;'), ['FIELD_REMOVED #/M/1', 'FIELD_ADDED #/M/2'], true],
  ['a required field added is incompatible', m('optional int32 a = 1;', PROTO2), m('optional int32 a = 1;\nrequired int32 b = 2;', PROTO2), ['REQUIRED_FIELD_ADDED #/M/2'], false],
  ['a required field removed is incompatible', m('required int32 a = 1;', PROTO2), m('', PROTO2), ['REQUIRED_FIELD_REMOVED #/M/1'], false],
  // Scalar kinds.
  ['int32 and int64 share a wire group', m('int32 a = 1;'), m('int64 a = 1;'), [], true],
  ['int32 and uint64 share a wire group', m('int32 a = 1;'), m('uint64 a = 1;'), [], true],
  ['bool and uint32 share a wire group', m('bool a = 1;'), m('uint32 a = 1;'), [], true],
  ['an enum reads as int32 (both varints)', m('int32 a = 1;'), m('E a = 1;\nenum E { Z = 0; }'), ['ENUM_ADDED #/M/E'], true],
  ['sint32 and sint64 share a wire group', m('sint32 a = 1;'), m('sint64 a = 1;'), [], true],
  ['int32 to sint32 changes the encoding: incompatible', m('int32 a = 1;'), m('sint32 a = 1;'), ['FIELD_SCALAR_KIND_CHANGED #/M/1'], false],
  ['fixed32 and sfixed32 share a wire group', m('fixed32 a = 1;'), m('sfixed32 a = 1;'), [], true],
  ['fixed64 and sfixed64 share a wire group', m('fixed64 a = 1;'), m('sfixed64 a = 1;'), [], true],
  ['fixed32 to fixed64 is incompatible', m('fixed32 a = 1;'), m('fixed64 a = 1;'), ['FIELD_SCALAR_KIND_CHANGED #/M/1'], false],
  ['string and bytes share a wire group', m('string a = 1;'), m('bytes a = 1;'), [], true],
  ['int32 to float is incompatible', m('int32 a = 1;'), m('float a = 1;'), ['FIELD_SCALAR_KIND_CHANGED #/M/1'], false],
  ['float to double is incompatible', m('float a = 1;'), m('double a = 1;'), ['FIELD_SCALAR_KIND_CHANGED #/M/1'], false],
  ['string to int32 is incompatible', m('string a = 1;'), m('int32 a = 1;'), ['FIELD_SCALAR_KIND_CHANGED #/M/1'], false],
  // Kinds and labels.
  ['a scalar field becoming a message is incompatible', m('string a = 1;'), m('N a = 1;\nmessage N {}'), ['FIELD_KIND_CHANGED #/M/1', 'MESSAGE_ADDED #/M/N'], false],
  ['a map field becoming a scalar is incompatible', m('map<string, int32> a = 1;'), m('string a = 1;'), ['FIELD_KIND_CHANGED #/M/1'], false],
  ['a map whose value type changes scalar kind is incompatible', m('map<string, int32> a = 1;'), m('map<string, string> a = 1;'), ['FIELD_SCALAR_KIND_CHANGED #/M/1'], false],
  ['a message field naming another message is incompatible', m('A a = 1;\nmessage A {}\nmessage B {}'), m('B a = 1;\nmessage A {}\nmessage B {}'), ['FIELD_NAMED_TYPE_CHANGED #/M/1'], false],
  ['optional to repeated on a number is incompatible', m('optional int32 a = 1;', PROTO2), m('repeated int32 a = 1;', PROTO2), ['FIELD_NUMERIC_LABEL_CHANGED #/M/1'], false],
  ['optional to repeated on a string is compatible', m('optional string a = 1;', PROTO2), m('repeated string a = 1;', PROTO2), ['FIELD_STRING_OR_BYTES_LABEL_CHANGED #/M/1'], true],
  // Oneofs.
  ['a single field moved into a new oneof is compatible', m('int32 a = 1;'), m('oneof o { int32 a = 1; }'), ['ONEOF_ADDED #/M/o'], true],
  ['several fields moved into one new oneof are incompatible', m('int32 a = 1;\nint32 b = 2;'), m('oneof o { int32 a = 1; int32 b = 2; }'), ['MULTIPLE_FIELDS_MOVED_TO_ONEOF #/M/o', 'ONEOF_ADDED #/M/o'], false],
  ['a field moved into an existing oneof is incompatible', m('int32 a = 1;\noneof o { int32 b = 2; }'), m('oneof o { int32 a = 1; int32 b = 2; }'), ['FIELD_MOVED_TO_EXISTING_ONEOF #/M/o', 'ONEOF_FIELD_ADDED #/M/o/1'], false],
  ['a field added to a oneof is compatible', m('oneof o { int32 a = 1; }'), m('oneof o { int32 a = 1; string b = 2; }'), ['ONEOF_FIELD_ADDED #/M/o/2'], true],
  ['a field removed from a oneof is incompatible', m('oneof o { int32 a = 1; string b = 2; }'), m('oneof o { int32 a = 1; }'), ['ONEOF_FIELD_REMOVED #/M/o/2'], false],
  ['a whole oneof removed is compatible', m('int32 a = 1;\noneof o { string b = 2; }'), m('int32 a = 1;'), ['ONEOF_REMOVED #/M/o'], true],
  ['proto3 optional is not a oneof of the author', m('int32 a = 1;'), m('optional int32 a = 1;'), [], true],
  // Enums.
  ['an enum constant added is compatible', `${PROTO3}enum E { Z = 0; }\n`, `${PROTO3}enum E { Z = 0; A = 1; }\n`, ['ENUM_CONST_ADDED #/E/1'], true],
  ['an enum constant removed is compatible (Confluent)', `${PROTO3}enum E { Z = 0; A = 1; }\n`, `${PROTO3}enum E { Z = 0; }\n`, ['ENUM_CONST_REMOVED #/E/1'], true],
  ['an enum constant renamed is compatible', `${PROTO3}enum E { Z = 0; A = 1; }\n`, `${PROTO3}enum E { Z = 0; B = 1; }\n`, ['ENUM_CONST_CHANGED #/E/1'], true],
  ['a whole enum removed is compatible', `${PROTO3}enum E { Z = 0; }\nmessage M {}\n`, `${PROTO3}message M {}\n`, ['ENUM_REMOVED #/E'], true],
  // Messages and packages.
  ['a message added is compatible', m(''), `${m('')}message N {}\n`, ['MESSAGE_ADDED #/N'], true],
  ['a message removed is incompatible', `${m('')}message N {}\n`, m(''), ['MESSAGE_REMOVED #/N'], false],
  ['messages reordered are moved: compatible (indexes are per schema id)', `${PROTO3}message A {}\nmessage B {}\n`, `${PROTO3}message B {}\nmessage A {}\n`, ['MESSAGE_MOVED #/A', 'MESSAGE_MOVED #/B'], true],
  ['a nested message is compared where it is declared', m('message N { int32 x = 1; }'), m('message N { string x = 1; }'), ['FIELD_SCALAR_KIND_CHANGED #/M/N/1'], false],
  ['a package change is incompatible', m('int32 a = 1;'), m('int32 a = 1;').replace('package p;', 'package q;'), ['PACKAGE_CHANGED #/'], false],
];

function proto(schema: string, references?: Record<string, string>): ProtobufSchema {
  return parseSchema({ schemaType: 'PROTOBUF', schema, references }) as ProtobufSchema;
}

describe('Protobuf compatibility (original writes, update reads)', () => {
  it.each(CASES)('%s', (_rule, original, update, changes, compatible) => {
    const differences = protobufDifferences(proto(original), proto(update));
    expect(differences.map((difference) => `${difference.type} ${difference.path}`).sort()).toEqual([...changes].sort());
    expect(differences.every(isCompatibleProtobufChange)).toBe(compatible);
  });

  it('has dozens of cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it('words a scalar kind change as Confluent does', () => {
    const [found] = protobufReaderIncompatibilities(proto(m('float a = 2;')), proto(m('int32 a = 2;')));
    expect(found.render('new', 'old')).toBe(
      `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at path '#/M/2' in the new schema does not match its kind in the old schema"}`,
    );
  });

  it('compares a message taken from a reference when the reference text changed', () => {
    const dep = (type: string) => `syntax = "proto3";\npackage d;\nmessage D { ${type} x = 1; }\n`;
    const main = `syntax = "proto3";\npackage p;\nimport "d.proto";\nmessage M { d.D d = 1; }\n`;
    const differences = protobufDifferences(proto(main, { 'd.proto': dep('int32') }), proto(main, { 'd.proto': dep('string') }));
    expect(differences.map((difference) => `${difference.type} ${difference.path}`)).toEqual(['FIELD_SCALAR_KIND_CHANGED #/D/1', 'FIELD_NAMED_TYPE_CHANGED #/M/1']);
  });
});
