import { TributaryError } from '@tributary/protocol';

/**
 * What a caller of this library can do wrong. The registry maps each kind to Confluent's error
 * code: INVALID_SCHEMA to 42201, UNKNOWN_SCHEMA_TYPE to 42201 as well (Confluent reports an
 * unknown type as an invalid schema), INVALID_COMPATIBILITY_LEVEL to 42203.
 */
export type SchemaErrorKind = 'INVALID_SCHEMA' | 'UNKNOWN_SCHEMA_TYPE' | 'INVALID_COMPATIBILITY_LEVEL';

export class SchemaError extends TributaryError {
  constructor(
    readonly kind: SchemaErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('INVALID_REQUEST', message, options);
    this.name = 'SchemaError';
  }
}

/** An INVALID_SCHEMA error whose message names the format and the parser's reason. */
export function invalidSchema(format: string, reason: string, cause?: unknown): SchemaError {
  return new SchemaError('INVALID_SCHEMA', `Invalid ${format} schema: ${reason}`, { cause });
}

export function isSchemaError(error: unknown): error is SchemaError {
  return error instanceof SchemaError;
}
