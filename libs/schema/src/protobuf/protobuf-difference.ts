/**
 * The kinds of difference Confluent's Protobuf compatibility check finds between an original
 * file (what wrote the data) and an update (what reads it), which a reader survives, and how
 * the others are worded (Confluent's `Difference.Type` names and wording). Protobuf readers
 * skip unknown fields and default missing ones, so most additions and removals are fine; what
 * breaks is a field number whose wire type or meaning changes, required fields, oneof
 * regrouping, and a message or package that disappears.
 */
import { diffIncompatibility, type Incompatibility } from '../incompatibility';

export interface ProtobufDifference {
  readonly type: string;
  /** '#/' then message names, oneof names and field numbers: '#/Order/items/3'. */
  readonly path: string;
}

export const COMPATIBLE_PROTOBUF_CHANGES: ReadonlySet<string> = new Set([
  'MESSAGE_ADDED', 'MESSAGE_MOVED', 'ENUM_ADDED', 'ENUM_REMOVED', 'ENUM_CONST_ADDED', 'ENUM_CONST_CHANGED', 'ENUM_CONST_REMOVED',
  'FIELD_ADDED', 'FIELD_REMOVED', 'FIELD_NAME_CHANGED', 'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'ONEOF_ADDED', 'ONEOF_REMOVED', 'ONEOF_FIELD_ADDED',
]);

type Describe = (path: string, reader: string, writer: string) => string;

const DESCRIPTIONS: Record<string, Describe> = {
  PACKAGE_CHANGED: (p, r, w) => `The package at '${p}' in the ${r} schema does not match the package in the ${w} schema`,
  MESSAGE_REMOVED: (p, r, w) => `The ${r} schema is missing a MESSAGE type at path '${p}' in the ${w} schema`,
  FIELD_KIND_CHANGED: (p, r, w) => `The type of a field at path '${p}' in the ${r} schema does not match the ${w} schema`,
  FIELD_SCALAR_KIND_CHANGED: (p, r, w) => `The kind of a SCALAR field at path '${p}' in the ${r} schema does not match its kind in the ${w} schema`,
  FIELD_NAMED_TYPE_CHANGED: (p, r, w) => `The type of a MESSAGE field at path '${p}' in the ${r} schema does not match its type in the ${w} schema`,
  FIELD_NUMERIC_LABEL_CHANGED: (p, r, w) => `The label for a NUMERIC field at path '${p}' in the ${r} schema does not match its label in the ${w} schema`,
  REQUIRED_FIELD_ADDED: (p, r, w) => `A required field at path '${p}' in the ${r} schema is missing in the ${w} schema`,
  REQUIRED_FIELD_REMOVED: (p, r, w) => `The ${r} schema is missing a required field at path: '${p}' in the ${w} schema`,
  ONEOF_FIELD_REMOVED: (p, r, w) => `The ${r} schema is missing a oneof field at path '${p}' in the ${w} schema`,
  MULTIPLE_FIELDS_MOVED_TO_ONEOF: (p, r, w) => `Multiple fields in the oneof at path '${p}' in the ${r} schema are outside a oneof in the ${w} schema`,
  FIELD_MOVED_TO_EXISTING_ONEOF: (p, r, w) => `A field in the oneof at path '${p}' in the ${r} schema is outside an existing oneof in the ${w} schema`,
};

export function isCompatibleProtobufChange(difference: ProtobufDifference): boolean {
  return COMPATIBLE_PROTOBUF_CHANGES.has(difference.type);
}

export function protobufIncompatibility(difference: ProtobufDifference): Incompatibility {
  const describe = DESCRIPTIONS[difference.type];
  return diffIncompatibility(difference.type, difference.path, (reader, writer) => describe(difference.path, reader, writer));
}
