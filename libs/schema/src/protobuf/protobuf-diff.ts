/**
 * Protobuf compatibility as Confluent classifies it: walk the original and updated files side
 * by side (messages and enums by name, fields by number, oneofs by name), record every
 * difference, and call the update incompatible when any is outside
 * COMPATIBLE_PROTOBUF_CHANGES. Scalar types are grouped by wire compatibility as the
 * Protobuf language guide's "Updating A Message Type" lists them: int32, uint32, int64, uint64,
 * bool and enums; sint32 and sint64; fixed32 and sfixed32; fixed64 and sfixed64; string and
 * bytes; float; double.
 */
import { Enum, MapField, Type, type Field, type FieldBase, type OneOf, type ReflectionObject } from 'protobufjs';
import type { Incompatibility } from '../incompatibility';
import { isCompatibleProtobufChange, protobufIncompatibility, type ProtobufDifference } from './protobuf-difference';
import { fullName, ownFields, ruleOf, type ProtobufSchema } from './protobuf-schema';

const SCALAR_GROUPS: Record<string, string> = {
  int32: 'GENERAL_NUMBER', int64: 'GENERAL_NUMBER', uint32: 'GENERAL_NUMBER', uint64: 'GENERAL_NUMBER', bool: 'GENERAL_NUMBER',
  sint32: 'SIGNED_NUMBER', sint64: 'SIGNED_NUMBER',
  string: 'STRING_OR_BYTES', bytes: 'STRING_OR_BYTES',
  fixed32: 'FIXED32', sfixed32: 'FIXED32',
  fixed64: 'FIXED64', sfixed64: 'FIXED64',
  float: 'FLOAT', double: 'DOUBLE',
};

export function protobufReaderIncompatibilities(reader: ProtobufSchema, writer: ProtobufSchema): Incompatibility[] {
  return protobufDifferences(writer, reader)
    .filter((difference) => !isCompatibleProtobufChange(difference))
    .map(protobufIncompatibility);
}

/** Every difference from `original` to `update`, compatible or not. */
export function protobufDifferences(original: ProtobufSchema, update: ProtobufSchema): ProtobufDifference[] {
  const ctx = new Context(original, update);
  if (original.file.packageName !== update.file.packageName) ctx.add('PACKAGE_CHANGED');
  ctx.compareDeclarations(original.file.types, update.file.types);
  return ctx.differences;
}

type Label = 'optional' | 'required' | 'repeated' | 'oneof' | undefined;
type Side = { readonly schema: ProtobufSchema; readonly proto3: boolean };

class Context {
  readonly differences: ProtobufDifference[] = [];
  private readonly path: string[] = [];
  private readonly inProgress = new Set<Type>();
  private readonly original: Side;
  private readonly update: Side;

  constructor(original: ProtobufSchema, update: ProtobufSchema) {
    this.original = { schema: original, proto3: original.file.syntax === 'proto3' };
    this.update = { schema: update, proto3: update.file.syntax === 'proto3' };
  }

  add(type: string): void {
    this.differences.push({ type, path: `#/${this.path.join('/')}` });
  }

  at(segment: string | number, body: () => void): void {
    this.path.push(String(segment));
    try {
      body();
    } finally {
      this.path.pop();
    }
  }

  /** Messages and enums of one scope, by name; a message's index among messages may change. */
  compareDeclarations(original: readonly ReflectionObject[], update: readonly ReflectionObject[]): void {
    const messages = (objects: readonly ReflectionObject[]) => objects.filter((object): object is Type => object instanceof Type);
    const enums = (objects: readonly ReflectionObject[]) => objects.filter((object): object is Enum => object instanceof Enum);
    const [wasMessages, isMessages] = [messages(original), messages(update)];
    for (const name of unionOf(wasMessages, isMessages)) {
      this.at(name, () => {
        const was = wasMessages.findIndex((message) => message.name === name);
        const is = isMessages.findIndex((message) => message.name === name);
        if (is < 0) return this.add('MESSAGE_REMOVED');
        if (was < 0) return this.add('MESSAGE_ADDED');
        this.compareMessages(wasMessages[was], isMessages[is]);
        if (was !== is) this.add('MESSAGE_MOVED');
      });
    }
    const [wasEnums, isEnums] = [enums(original), enums(update)];
    for (const name of unionOf(wasEnums, isEnums)) {
      this.at(name, () => {
        const was = wasEnums.find((entry) => entry.name === name);
        const is = isEnums.find((entry) => entry.name === name);
        if (!is) return this.add('ENUM_REMOVED');
        if (!was) return this.add('ENUM_ADDED');
        this.compareEnums(was, is);
      });
    }
  }

  private compareMessages(original: Type, update: Type): void {
    if (!this.inProgress.has(original)) {
      this.inProgress.add(original);
      try {
        this.compareMessageFields(original, update);
      } finally {
        this.inProgress.delete(original);
      }
    }
    this.compareDeclarations(original.nestedArray, update.nestedArray);
  }

  private compareMessageFields(original: Type, update: Type): void {
    const wasByNumber = new Map(regularFields(original).map((field) => [field.id, field]));
    const isByNumber = new Map(regularFields(update).map((field) => [field.id, field]));
    const wasOneofs = realOneofs(original);
    const isOneofs = realOneofs(update);
    const wasInOneof = new Set(wasOneofs.flatMap((oneof) => oneof.fieldsArray.map((field) => field.id)));
    for (const oneof of isOneofs) {
      this.at(oneof.name, () => {
        let moved = 0;
        let existing = 0;
        for (const field of oneof.fieldsArray) {
          // A field moved into a oneof is not a removed field.
          if (wasByNumber.delete(field.id)) moved++;
          else if (wasInOneof.has(field.id)) existing++;
        }
        if (moved > 1) this.add('MULTIPLE_FIELDS_MOVED_TO_ONEOF');
        else if (moved === 1 && existing > 0) this.add('FIELD_MOVED_TO_EXISTING_ONEOF');
      });
    }
    for (const name of unionOf(wasOneofs, isOneofs)) {
      this.at(name, () => {
        const was = wasOneofs.find((oneof) => oneof.name === name);
        const is = isOneofs.find((oneof) => oneof.name === name);
        if (!is) return this.add('ONEOF_REMOVED');
        if (!was) return this.add('ONEOF_ADDED');
        this.compareFieldSets(byNumber(was.fieldsArray), byNumber(is.fieldsArray), 'ONEOF_FIELD');
      });
    }
    this.compareFieldSets(wasByNumber, isByNumber, 'FIELD');
  }

  private compareFieldSets(was: Map<number, Field>, is: Map<number, Field>, noun: 'FIELD' | 'ONEOF_FIELD'): void {
    for (const number of [...new Set([...was.keys(), ...is.keys()])].sort((a, b) => a - b)) {
      this.at(number, () => {
        const from = was.get(number);
        const to = is.get(number);
        if (!to) return this.add(noun === 'FIELD' && ruleOf(from as Field) === 'required' ? 'REQUIRED_FIELD_REMOVED' : `${noun}_REMOVED`);
        if (!from) return this.add(noun === 'FIELD' && ruleOf(to) === 'required' ? 'REQUIRED_FIELD_ADDED' : `${noun}_ADDED`);
        if (from.name !== to.name) this.add('FIELD_NAME_CHANGED');
        this.compareTypes(from, to);
      });
    }
  }

  private compareTypes(original: FieldBase, update: FieldBase): void {
    const wasKind = kindOf(original);
    const isKind = kindOf(update);
    if (wasKind !== isKind) return this.add('FIELD_KIND_CHANGED');
    if (wasKind === 'MAP') {
      const [from, to] = [original as MapField, update as MapField];
      this.compareScalars(from.keyType, to.keyType, undefined, undefined);
      return this.compareValueTypes(from, to);
    }
    if (wasKind === 'SCALAR') return this.compareScalars(scalarName(original), scalarName(update), this.labelOf(original as Field, this.original), this.labelOf(update as Field, this.update));
    this.compareMessageTypes(original.resolvedType as Type, update.resolvedType as Type);
  }

  /** A map's values compare as a field would, without labels. */
  private compareValueTypes(original: MapField, update: MapField): void {
    const wasKind = kindOf(original, true);
    const isKind = kindOf(update, true);
    if (wasKind !== isKind) return this.add('FIELD_KIND_CHANGED');
    if (wasKind === 'SCALAR') return this.compareScalars(scalarName(original), scalarName(update), undefined, undefined);
    this.compareMessageTypes(original.resolvedType as Type, update.resolvedType as Type);
  }

  private compareScalars(original: string, update: string, wasLabel: Label, isLabel: Label): void {
    const group = SCALAR_GROUPS[original];
    if (group !== SCALAR_GROUPS[update]) return this.add('FIELD_SCALAR_KIND_CHANGED');
    if (wasLabel === undefined || isLabel === undefined || wasLabel === isLabel) return;
    this.add(group === 'STRING_OR_BYTES' ? 'FIELD_STRING_OR_BYTES_LABEL_CHANGED' : 'FIELD_NUMERIC_LABEL_CHANGED');
  }

  /**
   * Message-typed fields must name the same message (package aside). A message of this file is
   * compared where it is declared; one from a reference is compared here, when the two
   * schemas do not take it from the same reference text.
   */
  private compareMessageTypes(original: Type, update: Type): void {
    if (localName(original) !== localName(update)) return this.add('FIELD_NAMED_TYPE_CHANGED');
    const wasOrigin = this.original.schema.file.originOf(original);
    const isOrigin = this.update.schema.file.originOf(update);
    const sameSource =
      wasOrigin === isOrigin &&
      (wasOrigin === undefined || this.original.schema.references[wasOrigin] === this.update.schema.references[isOrigin as string]);
    if (sameSource || this.inProgress.has(original)) return;
    const before = this.differences.length;
    // As in Confluent, the referenced message's findings are located from its own name.
    const outer = this.path.splice(0, this.path.length, ...localName(original).split('.'));
    try {
      this.compareMessages(original, update);
    } finally {
      this.path.splice(0, this.path.length, ...outer);
    }
    if (this.differences.slice(before).some((difference) => !isCompatibleProtobufChange(difference))) this.add('FIELD_NAMED_TYPE_CHANGED');
  }

  private compareEnums(original: Enum, update: Enum): void {
    const was = new Map(Object.entries(original.values).map(([name, number]) => [number, name]));
    const is = new Map(Object.entries(update.values).map(([name, number]) => [number, name]));
    for (const number of [...new Set([...was.keys(), ...is.keys()])].sort((a, b) => a - b)) {
      this.at(number, () => {
        if (!is.has(number)) this.add('ENUM_CONST_REMOVED');
        else if (!was.has(number)) this.add('ENUM_CONST_ADDED');
        else if (was.get(number) !== is.get(number)) this.add('ENUM_CONST_CHANGED');
      });
    }
  }

  private labelOf(field: Field, side: Side): Label {
    if (field.partOf && !isSynthetic(field.partOf)) return 'oneof';
    const rule = ruleOf(field);
    if (rule) return rule;
    if (field.options?.['proto3_optional'] || !side.proto3) return 'optional';
    return undefined;
  }
}

function kindOf(field: FieldBase, valueOnly = false): 'SCALAR' | 'MAP' | 'MESSAGE' {
  if (field instanceof MapField && !valueOnly) return 'MAP';
  if (field.resolvedType === null || field.resolvedType instanceof Enum) return 'SCALAR';
  return 'MESSAGE';
}

/** Enums travel as varints: they group with int32 and friends. */
function scalarName(field: FieldBase): string {
  return field.resolvedType instanceof Enum ? 'int32' : field.type;
}

function regularFields(type: Type): Field[] {
  return ownFields(type).filter((field) => !(field.partOf && !isSynthetic(field.partOf)));
}

function realOneofs(type: Type): OneOf[] {
  return type.oneofsArray.filter((oneof) => !isSynthetic(oneof));
}

function isSynthetic(oneof: OneOf): boolean {
  return oneof.fieldsArray.length === 1 && oneof.fieldsArray[0].options?.['proto3_optional'] === true;
}

function byNumber(fields: Field[]): Map<number, Field> {
  return new Map(fields.map((field) => [field.id, field]));
}

function unionOf(a: ReadonlyArray<{ name: string }>, b: ReadonlyArray<{ name: string }>): string[] {
  return [...new Set([...a.map((entry) => entry.name), ...b.map((entry) => entry.name)])];
}

/** The name within its package ('Outer.Inner'): a package change is reported on its own. */
function localName(type: Type): string {
  let scope = type.parent;
  while (scope instanceof Type) scope = scope.parent;
  const packageName = scope ? fullName(scope) : '';
  const name = fullName(type);
  return packageName !== '' ? name.slice(packageName.length + 1) : name;
}
