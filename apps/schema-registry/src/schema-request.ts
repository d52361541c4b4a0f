import { parseSchemaType, SchemaError, type SchemaType } from '@tributary/schema';
import { RegistryErrors } from './registry-error';
import type { SchemaReference } from './registry-records';

/** The body of register, lookup and compatibility requests, checked for shape. */
export interface SchemaRequest {
  /** Absent or empty: Confluent's "Empty schema" (42201) where a schema is required. */
  readonly schema: string;
  readonly schemaType: SchemaType;
  readonly references: readonly SchemaReference[];
  /** IMPORT mode only: the id to register under. */
  readonly id?: number;
  /** IMPORT mode, or the next version: the version to register as. */
  readonly version?: number;
}

const LATEST = -1;

/** A version in a path: an integer in [1, 2^31-1], or "latest" / -1 for the latest (as -1). Else 42202. */
export function parseVersionId(text: string): number {
  if (text.toLowerCase() === 'latest') return LATEST;
  const version = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (version === LATEST || (Number.isInteger(version) && version >= 1 && version <= 2 ** 31 - 1)) return version;
  throw RegistryErrors.invalidVersion(text);
}

/** Reads a request body (already JSON) as Confluent's RegisterSchemaRequest: wrong shapes are 422, an unknown schema type 42201. */
export function readSchemaRequest(body: unknown): SchemaRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw RegistryErrors.unprocessableBody('The request body must be a JSON object such as {"schema": "..."}');
  }
  const json = body as Record<string, unknown>;
  const schema = optional(json, 'schema', 'string', 'a string (the schema text)') ?? '';
  const typeName = optional(json, 'schemaType', 'string', 'one of AVRO, JSON, PROTOBUF');
  let schemaType: SchemaType;
  try {
    schemaType = parseSchemaType(typeName);
  } catch (error) {
    throw RegistryErrors.invalidSchema((error as SchemaError).message);
  }
  const references = json.references ?? [];
  if (!Array.isArray(references) || !references.every(isReference)) {
    throw RegistryErrors.unprocessableBody('"references" must be an array of {"name": string, "subject": string, "version": integer}');
  }
  const id = optionalInteger(json, 'id');
  const version = optionalInteger(json, 'version');
  return {
    schema,
    schemaType,
    references: references.map((r) => ({ name: r.name, subject: r.subject, version: r.version })),
    ...(id !== undefined && id >= 0 ? { id } : {}),
    ...(version !== undefined && version > 0 ? { version } : {}),
  };
}

function isReference(value: unknown): value is SchemaReference {
  const r = value as SchemaReference;
  return typeof r === 'object' && r !== null && typeof r.name === 'string' && typeof r.subject === 'string' && Number.isInteger(r.version);
}

function optional(json: Record<string, unknown>, field: string, type: 'string', what: string): string | undefined {
  const value = json[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw RegistryErrors.unprocessableBody(`"${field}" must be ${what}, not ${JSON.stringify(value)}`);
  return value as string;
}

function optionalInteger(json: Record<string, unknown>, field: string): number | undefined {
  const value = json[field];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value)) throw RegistryErrors.unprocessableBody(`"${field}" must be an integer, not ${JSON.stringify(value)}`);
  return value as number;
}
