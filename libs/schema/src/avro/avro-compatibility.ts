/**
 * Avro schema resolution as a compatibility check: can data written with `writer` be read with
 * `reader`? The rules are the specification's "Schema Resolution" section, checked the way the
 * Java reference implementation's SchemaCompatibility checks them (and so as Confluent's
 * registry does): the same incompatibility types, the same locations ('/fields/1/type/0'), the
 * same details ("reader type: INT not compatible with writer type: STRING").
 *
 * - Same primitive: fine. Promotions: int → long, float, double; long → float, double;
 *   float → double; string ↔ bytes.
 * - Records, enums, fixed: the reader's unqualified name equals the writer's, or one of the
 *   reader's aliases is the writer's full name.
 * - Record fields are matched by name or by a reader field's alias; a reader field missing in
 *   the writer needs a default; a writer field missing in the reader is skipped.
 * - Enums: every writer symbol is a reader symbol, unless the reader has a default symbol.
 * - Fixed: same size. Arrays and maps: items and values resolve.
 * - Unions: every writer branch must resolve against the reader (a union, or a single type);
 *   a writer non-union must resolve against some reader branch.
 * Logical types are not considered: Avro resolves their underlying types.
 */
import type { Type } from 'avsc';
import { avroIncompatibility, type Incompatibility } from '../incompatibility';

type Kind = 'NULL' | 'BOOLEAN' | 'INT' | 'LONG' | 'FLOAT' | 'DOUBLE' | 'BYTES' | 'STRING' | 'RECORD' | 'ENUM' | 'FIXED' | 'ARRAY' | 'MAP' | 'UNION';

/** Writer kinds each reader kind accepts besides its own. */
const PROMOTIONS: Partial<Record<Kind, readonly Kind[]>> = {
  LONG: ['INT'],
  FLOAT: ['INT', 'LONG'],
  DOUBLE: ['INT', 'LONG', 'FLOAT'],
  BYTES: ['STRING'],
  STRING: ['BYTES'],
};

export function avroReaderIncompatibilities(reader: Type, writer: Type): Incompatibility[] {
  return new ReaderWriterChecker().check(reader, writer, []);
}

interface AvroField {
  readonly name: string;
  readonly aliases: string[];
  readonly type: Type;
  defaultValue(): unknown;
}

interface AvroTypeShape {
  readonly typeName: string;
  readonly name?: string;
  readonly aliases?: string[];
  readonly fields?: AvroField[];
  readonly symbols?: string[];
  readonly default?: string;
  readonly size?: number;
  readonly itemsType?: Type;
  readonly valuesType?: Type;
  readonly types?: Type[];
}

function shape(type: Type): AvroTypeShape {
  return type as unknown as AvroTypeShape;
}

function kindOf(type: Type): Kind {
  const name = shape(type).typeName;
  if (name.startsWith('union')) return 'UNION';
  if (name === 'error') return 'RECORD';
  return name.toUpperCase() as Kind;
}

class ReaderWriterChecker {
  /** Results per (reader, writer) pair; 'pending' while a recursive type is being checked. */
  private readonly memo = new Map<Type, Map<Type, Incompatibility[] | 'pending'>>();

  check(reader: Type, writer: Type, location: string[]): Incompatibility[] {
    let byWriter = this.memo.get(reader);
    if (!byWriter) this.memo.set(reader, (byWriter = new Map()));
    const known = byWriter.get(writer);
    // A pair met again while it is being checked is a recursive type: assume it resolves, as
    // Avro does, since any real difference shows up on the first pass.
    if (known === 'pending') return [];
    if (known) return known;
    byWriter.set(writer, 'pending');
    const result = this.calculate(reader, writer, location);
    byWriter.set(writer, result);
    return result;
  }

  private at(reference: string, reader: Type, writer: Type, location: string[]): Incompatibility[] {
    return this.check(reader, writer, [...location, reference]);
  }

  private calculate(reader: Type, writer: Type, location: string[]): Incompatibility[] {
    const readerKind = kindOf(reader);
    const writerKind = kindOf(writer);
    if (readerKind === writerKind) return this.sameKind(readerKind, reader, writer, location);
    if (writerKind === 'UNION') {
      // Every writer branch must resolve; Avro reports them at the union's own location.
      return (shape(writer).types ?? []).flatMap((branch) => this.check(reader, branch, location));
    }
    if (readerKind === 'UNION') {
      const resolves = (shape(reader).types ?? []).some((branch) => this.check(branch, writer, location).length === 0);
      return resolves ? [] : [missingUnionBranch(writerKind, location)];
    }
    if (PROMOTIONS[readerKind]?.includes(writerKind)) return [];
    return [typeMismatch(readerKind, writerKind, location)];
  }

  private sameKind(kind: Kind, reader: Type, writer: Type, location: string[]): Incompatibility[] {
    const r = shape(reader);
    const w = shape(writer);
    switch (kind) {
      case 'ARRAY':
        return this.at('items', r.itemsType as Type, w.itemsType as Type, location);
      case 'MAP':
        return this.at('values', r.valuesType as Type, w.valuesType as Type, location);
      case 'FIXED':
        return [...checkNames(r, w, location), ...checkFixedSize(r, w, location)];
      case 'ENUM':
        return [...checkNames(r, w, location), ...checkEnumSymbols(r, w, location)];
      case 'RECORD':
        return [...checkNames(r, w, location), ...this.checkFields(r, w, location)];
      case 'UNION':
        return (w.types ?? []).flatMap((branch, index) => {
          const branchLocation = [...location, String(index)];
          return this.check(reader, branch, branchLocation).length === 0 ? [] : [missingUnionBranch(kindOf(branch), branchLocation)];
        });
      default:
        return [];
    }
  }

  private checkFields(reader: AvroTypeShape, writer: AvroTypeShape, location: string[]): Incompatibility[] {
    const writerFields = writer.fields ?? [];
    return (reader.fields ?? []).flatMap((readerField, position) => {
      const fieldLocation = [...location, 'fields', String(position)];
      const writerField =
        writerFields.find((field) => field.name === readerField.name) ??
        writerFields.find((field) => readerField.aliases.includes(field.name));
      if (writerField) return this.at('type', readerField.type, writerField.type, fieldLocation);
      return readerField.defaultValue() === undefined ? [missingDefault(readerField.name, fieldLocation)] : [];
    });
  }
}

function checkNames(reader: AvroTypeShape, writer: AvroTypeShape, location: string[]): Incompatibility[] {
  const writerFullName = writer.name ?? '';
  if (unqualified(reader.name ?? '') === unqualified(writerFullName)) return [];
  if ((reader.aliases ?? []).includes(writerFullName)) return [];
  const path = pathOf([...location, 'name']);
  return [
    avroIncompatibility('NAME_MISMATCH', path, `expected: ${writerFullName}`, () => `The name of the schema has changed (path '${path}')`),
  ];
}

function checkFixedSize(reader: AvroTypeShape, writer: AvroTypeShape, location: string[]): Incompatibility[] {
  if (reader.size === writer.size) return [];
  const path = pathOf([...location, 'size']);
  return [
    avroIncompatibility(
      'FIXED_SIZE_MISMATCH',
      path,
      `expected: ${writer.size}, found: ${reader.size}`,
      (r, w) => `The size of FIXED type field at path '${path}' in the ${r} schema does not match with the ${w} schema`,
    ),
  ];
}

function checkEnumSymbols(reader: AvroTypeShape, writer: AvroTypeShape, location: string[]): Incompatibility[] {
  const readerSymbols = reader.symbols ?? [];
  const missing = (writer.symbols ?? []).filter((symbol) => !readerSymbols.includes(symbol)).sort();
  // A reader default stands in for symbols it does not know (Avro 1.9+).
  if (missing.length === 0 || (reader.default !== undefined && readerSymbols.includes(reader.default))) return [];
  const path = pathOf([...location, 'symbols']);
  const info = `[${missing.join(', ')}]`;
  return [
    avroIncompatibility(
      'MISSING_ENUM_SYMBOLS',
      path,
      info,
      (r, w) => `The ${r} schema is missing enum symbols '${info}' at path '${path}' in the ${w} schema`,
    ),
  ];
}

function missingUnionBranch(writerKind: Kind, location: string[]): Incompatibility {
  const path = pathOf(location);
  return avroIncompatibility(
    'MISSING_UNION_BRANCH',
    path,
    `reader union lacking writer type: ${writerKind}`,
    (r, w) => `The ${r} schema is missing a type inside a union field at path '${path}' in the ${w} schema`,
  );
}

function typeMismatch(readerKind: Kind, writerKind: Kind, location: string[]): Incompatibility {
  const path = pathOf(location);
  return avroIncompatibility(
    'TYPE_MISMATCH',
    path,
    `reader type: ${readerKind} not compatible with writer type: ${writerKind}`,
    (r, w) => `The type (path '${path}') of a field in the ${r} schema does not match with the ${w} schema`,
  );
}

function missingDefault(fieldName: string, location: string[]): Incompatibility {
  const path = pathOf(location);
  return avroIncompatibility(
    'READER_FIELD_MISSING_DEFAULT_VALUE',
    path,
    fieldName,
    (r, w) => `The field '${fieldName}' at path '${path}' in the ${r} schema has no default value and is missing in the ${w} schema`,
  );
}

/** Avro's locations are JSON pointers from the schema root. */
function pathOf(location: string[]): string {
  return '/' + location.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function unqualified(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('.') + 1);
}
