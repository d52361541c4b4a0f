import { RegistryErrors } from '../registry-error';

/**
 * The JSON of a request body (read raw, so a bad body gets Confluent's 400 with the parser's
 * reason instead of a framework page). An empty body is 422: every body-taking endpoint needs one.
 */
export function jsonBody(raw: unknown): unknown {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
  if (text.trim() === '') throw RegistryErrors.unprocessableBody('The request body is empty: send a JSON object, e.g. {"schema": "..."}');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw RegistryErrors.malformedBody(`${(error as Error).message}; send a JSON object, e.g. {"schema": "..."}`);
  }
}

/** A JSON object body; anything else is 422. */
export function objectBody(raw: unknown): Record<string, unknown> {
  const body = jsonBody(raw);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw RegistryErrors.unprocessableBody('The request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** A query flag as JAX-RS reads a boolean: "true" in any case is true, anything else false. */
export function flag(value: unknown): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

/** An integer query value, or the default when absent or not a number. */
export function integer(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : fallback;
}
