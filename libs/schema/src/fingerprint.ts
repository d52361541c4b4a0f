import { createHash } from 'node:crypto';
import type { ParsedSchema } from './parsed-schema';

/**
 * A stable SHA-256 (hex) of what makes two registrations the same schema: its type, its
 * canonical (or, with `normalize`, normalized) string and its references' names and texts. A
 * registry keys its schema-to-id index on it.
 */
export function schemaFingerprint(schema: ParsedSchema, options: { normalize?: boolean } = {}): string {
  const hash = createHash('sha256');
  hash.update(`${schema.schemaType}\n`);
  hash.update(options.normalize ? schema.normalizedString : schema.canonicalString);
  for (const name of Object.keys(schema.references).sort()) {
    hash.update(`\n${name}\n${schema.references[name]}`);
  }
  return hash.digest('hex');
}
