/**
 * Prints a parsed .proto file back as .proto text without comments: Confluent's canonical
 * string for Protobuf. With `normalize`, spelling differences are removed as well: imports and
 * options sorted, fields and enum values in number order (a oneof sits at its lowest number),
 * type names fully qualified. Top-level declaration order is kept either way, since the
 * Confluent wire format addresses messages by their index in the file.
 */
import { Enum, Field, MapField, Method, OneOf, Service, Type, type ReflectionObject } from 'protobufjs';
import { isGroup, ownFields, ruleOf, type ProtoFile } from './protobuf-schema';

export interface PrintOptions {
  readonly normalize: boolean;
}

const INDENT = '  ';

export function printProto(file: ProtoFile, options: PrintOptions): string {
  const printer = new Printer(file, options.normalize);
  const lines: string[] = [file.edition ? `edition = "${file.syntax}";` : `syntax = "${file.syntax}";`];
  if (file.packageName) lines.push(`package ${file.packageName};`);
  const imports = printer.sorted(file.imports.map((entry) => `import ${entry.modifier ? `${entry.modifier} ` : ''}"${entry.path}";`));
  if (imports.length) lines.push('', ...imports);
  const fileOptions = printer.options(file.options).map((option) => `option ${option};`);
  if (fileOptions.length) lines.push('', ...fileOptions);
  lines.push(...printer.declarations(file.types, ''));
  return lines.join('\n') + '\n';
}

class Printer {
  constructor(
    private readonly file: ProtoFile,
    private readonly normalize: boolean,
  ) {}

  sorted(items: string[]): string[] {
    return this.normalize ? [...items].sort() : items;
  }

  declarations(objects: readonly ReflectionObject[], indent: string): string[] {
    const lines: string[] = [];
    const extensions = objects.filter((object): object is Field => object instanceof Field && object.extend !== undefined);
    for (const object of objects) {
      if (object instanceof Type && !isGroup(object)) lines.push('', ...this.message(object, indent));
      if (object instanceof Enum) lines.push('', ...this.enumeration(object, indent));
      if (object instanceof Service) lines.push('', ...this.service(object, indent));
    }
    for (const target of [...new Set(extensions.map((field) => field.extend as string))]) {
      const fields = extensions.filter((field) => field.extend === target);
      lines.push('', `${indent}extend ${target} {`, ...fields.map((field) => this.field(field, indent + INDENT)), `${indent}}`);
    }
    return lines;
  }

  private message(type: Type, indent: string): string[] {
    const inner = indent + INDENT;
    const lines = [`${indent}message ${type.name} {`, ...this.body(type, inner), `${indent}}`];
    return lines;
  }

  private body(type: Type, inner: string): string[] {
    const lines = this.options(type.options).map((option) => `${inner}option ${option};`);
    lines.push(...this.reserved(type.reserved, inner));
    if (type.extensions?.length) lines.push(`${inner}extensions ${type.extensions.map(range).join(', ')};`);
    const own = ownFields(type);
    const oneofs = type.oneofsArray.filter((oneof) => !isSynthetic(oneof));
    const entries: Array<{ number: number; lines: string[] }> = [];
    for (const field of own) {
      if (field.partOf && !isSynthetic(field.partOf)) continue;
      entries.push({ number: field.id, lines: this.fieldLines(field, type, inner) });
    }
    for (const oneof of oneofs) {
      const members = this.inOrder(oneof.fieldsArray);
      entries.push({
        number: Math.min(...members.map((field) => field.id)),
        lines: [`${inner}oneof ${oneof.name} {`, ...this.options(oneof.options).map((option) => `${inner}${INDENT}option ${option};`), ...members.flatMap((field) => this.fieldLines(field, type, inner + INDENT)), `${inner}}`],
      });
    }
    // Without normalize the author's order is kept: oneofs go where their first member was.
    const position = (entry: { number: number }) => (this.normalize ? entry.number : own.findIndex((field) => field.id === entry.number));
    lines.push(...entries.sort((a, b) => position(a) - position(b)).flatMap((entry) => entry.lines));
    lines.push(...this.declarations(type.nestedArray, inner));
    return lines;
  }

  private inOrder(fields: Field[]): Field[] {
    return this.normalize ? [...fields].sort((a, b) => a.id - b.id) : fields;
  }

  private fieldLines(field: Field, owner: Type, indent: string): string[] {
    const groupType = owner.nestedArray.find((nested): nested is Type => nested instanceof Type && isGroup(nested) && nested.name === field.type);
    if (!groupType) return [this.field(field, indent)];
    return [`${indent}${this.label(field)}group ${groupType.name} = ${field.id} {`, ...this.body(groupType, indent + INDENT), `${indent}}`];
  }

  field(field: Field, indent: string): string {
    const type = field instanceof MapField ? `map<${field.keyType}, ${this.typeName(field)}>` : this.typeName(field);
    const options = this.options(field.options);
    const name = field.name.replace(/^\..*\./, '');
    return `${indent}${this.label(field)}${type} ${name} = ${field.id}${options.length ? ` [${options.join(', ')}]` : ''};`;
  }

  private label(field: Field): string {
    if (field instanceof MapField || (field.partOf && !isSynthetic(field.partOf))) return '';
    const rule = ruleOf(field);
    if (rule === 'repeated' || rule === 'required') return `${rule} `;
    if (field.options?.['proto3_optional'] || (this.file.syntax === 'proto2' && !this.file.edition)) return 'optional ';
    return '';
  }

  private typeName(field: Field): string {
    if (this.normalize && field.resolvedType) return field.resolvedType.fullName;
    return field.type;
  }

  private enumeration(type: Enum, indent: string): string[] {
    const inner = indent + INDENT;
    const values = Object.entries(type.values);
    if (this.normalize) values.sort((a, b) => a[1] - b[1]);
    return [
      `${indent}enum ${type.name} {`,
      ...this.options(type.options).map((option) => `${inner}option ${option};`),
      ...this.reserved(type.reserved, inner),
      ...values.map(([name, number]) => {
        const options = this.options(type.valuesOptions?.[name]);
        return `${inner}${name} = ${number}${options.length ? ` [${options.join(', ')}]` : ''};`;
      }),
      `${indent}}`,
    ];
  }

  private service(service: Service, indent: string): string[] {
    const inner = indent + INDENT;
    const method = (m: Method) => {
      const options = this.options(m.options);
      const signature = `${inner}rpc ${m.name}(${m.requestStream ? 'stream ' : ''}${m.requestType}) returns (${m.responseStream ? 'stream ' : ''}${m.responseType})`;
      return options.length ? [`${signature} {`, ...options.map((option) => `${inner}${INDENT}option ${option};`), `${inner}}`] : [`${signature};`];
    };
    return [`${indent}service ${service.name} {`, ...this.options(service.options).map((option) => `${inner}option ${option};`), ...service.methodsArray.flatMap(method), `${indent}}`];
  }

  private reserved(reserved: Array<number[] | string> | undefined, indent: string): string[] {
    if (!reserved?.length) return [];
    const ranges = reserved.filter((entry): entry is number[] => Array.isArray(entry));
    const names = reserved.filter((entry): entry is string => typeof entry === 'string');
    if (this.normalize) {
      ranges.sort((a, b) => a[0] - b[0]);
      names.sort();
    }
    return [
      ...(ranges.length ? [`${indent}reserved ${ranges.map(range).join(', ')};`] : []),
      ...(names.length ? [`${indent}reserved ${names.map((name) => `"${name}"`).join(', ')};`] : []),
    ];
  }

  /** `name = value` pairs; proto3_optional is protobufjs's own marker, not a written option. */
  options(options: Record<string, unknown> | undefined): string[] {
    const entries = Object.entries(options ?? {}).filter(([name]) => name !== 'proto3_optional');
    const printed = entries.map(([name, value]) => `${name} = ${this.value(value)}`);
    return this.sorted(printed);
  }

  private value(value: unknown): string {
    if (typeof value === 'string') return this.isIdentifier(value) ? value : JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map((item) => this.value(item)).join(', ')}]`;
    if (value !== null && typeof value === 'object') {
      return `{ ${Object.entries(value)
        .map(([key, item]) => `${key}: ${this.value(item)}`)
        .join(' ')} }`;
    }
    return String(value);
  }

  /** protobufjs keeps enum-valued options as strings; the source tells whether they were quoted. */
  private isIdentifier(value: string): boolean {
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(value)) return false;
    return new RegExp(`[=:]\\s*${value.replace(/\./g, '\\.')}\\s*[;,\\]}\\s]`).test(this.file.bareText);
  }
}

function range(entry: number[]): string {
  const [from, to] = entry;
  if (from === to) return String(from);
  return to >= 536870911 ? `${from} to max` : `${from} to ${to}`;
}

/** proto3 `optional` fields get a oneof of their own in protobufjs; it is not the author's. */
function isSynthetic(oneof: OneOf): boolean {
  return oneof.fieldsArray.length === 1 && oneof.fieldsArray[0].options?.['proto3_optional'] === true;
}
