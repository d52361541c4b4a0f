import { RegistryError, RegistryErrors } from './registry-error';

/** Response header carrying the offset of `_schemas` the answering instance had applied. */
export const APPLIED_OFFSET_HEADER = 'x-tributary-schemas-offset';

export interface ForwardedRequest {
  readonly method: 'POST' | 'PUT' | 'DELETE';
  /** Path and query, e.g. `/subjects/orders-value/versions?normalize=true`. */
  readonly path: string;
  readonly body?: unknown;
}

/** The leader could not be reached at all (as opposed to answering with an error). */
export class LeaderUnreachableError extends Error {}

/**
 * Sends a write to the leader through its REST API (as Confluent's followers do) and returns its
 * answer with the offset the leader had applied when it answered, so the follower can wait for it
 * before answering (read-your-writes). The leader's errors come back as they are.
 */
export async function forwardToLeader(leaderUrl: string, request: ForwardedRequest, timeoutMs: number): Promise<{ body: unknown; appliedOffset: number }> {
  let response: Response;
  try {
    response = await fetch(`${leaderUrl}${request.path}`, {
      method: request.method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/vnd.schemaregistry.v1+json' },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new LeaderUnreachableError(`the leader ${leaderUrl} cannot be reached: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw RegistryErrors.forwardingFailed(`the leader ${leaderUrl} answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const error = body as { error_code?: number; message?: string };
    throw new RegistryError(response.status, error.error_code ?? response.status, error.message ?? text);
  }
  return { body, appliedOffset: Number(response.headers.get(APPLIED_OFFSET_HEADER) ?? 0) };
}
