import type { SchemaType } from './schema-type';

/**
 * Schemas this one refers to, already resolved by the caller: reference name (Avro: any label,
 * Protobuf: the import path, JSON Schema: the `$ref` URI) to that schema's text. Insertion order
 * matters for Avro, whose named types must be defined before use: list dependencies first, as
 * Confluent's registry does when it expands references depth-first.
 */
export type ResolvedReferences = Readonly<Record<string, string>>;

/** A schema as a request carries it. */
export interface SchemaSource {
  /** AVRO when omitted. */
  readonly schemaType?: SchemaType;
  readonly schema: string;
  readonly references?: ResolvedReferences;
  /** The registered version, when the schema is one; named in incompatibility messages. */
  readonly version?: number;
}

/** A schema that parsed and validated. */
export interface ParsedSchema {
  readonly schemaType: SchemaType;
  /** The text as given. */
  readonly schema: string;
  readonly references: ResolvedReferences;
  readonly version?: number;
  /**
   * Confluent's canonical string: the schema re-printed without insignificant whitespace (Avro
   * and JSON: compact JSON in the author's key order; Protobuf: a printed .proto without
   * comments). Two registrations are "the same schema" when these are equal.
   */
  readonly canonicalString: string;
  /**
   * The form registered with `normalize=true`: also equal for schemas that differ only in
   * spelling (Avro: full names and a fixed attribute order; JSON: keys sorted; Protobuf:
   * fully-qualified type names, fields in number order, options and imports sorted).
   */
  readonly normalizedString: string;
  /**
   * The record name serializers use for RecordNameStrategy: Avro's top-level full name, the
   * first Protobuf message's full name, JSON Schema's `title`; undefined when there is none.
   */
  readonly recordName: string | undefined;
}
