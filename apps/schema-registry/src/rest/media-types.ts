import { RegistryError } from '../registry-error';

/** What the registry answers in, best first (Confluent's weighted @Produces). */
export const RESPONSE_MEDIA_TYPES = ['application/vnd.schemaregistry.v1+json', 'application/vnd.schemaregistry+json', 'application/json'] as const;

/** What request bodies may be sent as (Confluent's @Consumes, octet-stream being its generic request type). */
const REQUEST_MEDIA_TYPES = new Set<string>([...RESPONSE_MEDIA_TYPES, 'application/octet-stream']);

/**
 * The response media type for an Accept header: the best of ours it accepts, by q-value then by
 * our preference; `*\/*`, `application/*` or no header get the first. None acceptable is 406.
 */
export function negotiateResponseType(accept: string | undefined): string {
  if (!accept || accept.trim() === '') return RESPONSE_MEDIA_TYPES[0];
  let best: { type: string; q: number; rank: number } | undefined;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0)) continue;
    RESPONSE_MEDIA_TYPES.forEach((type, rank) => {
      const matches = range === '*/*' || range === 'application/*' || range === type;
      if (matches && (!best || q > best.q || (q === best.q && rank < best.rank))) best = { type, q, rank };
    });
  }
  if (!best) throw new RegistryError(406, 406, 'HTTP 406 Not Acceptable');
  return best.type;
}

/** A body of another media type is 415; no Content-Type at all is read as JSON. */
export function checkRequestType(contentType: string | undefined): void {
  if (!contentType) return;
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (!REQUEST_MEDIA_TYPES.has(type)) throw new RegistryError(415, 415, 'HTTP 415 Unsupported Media Type');
}
