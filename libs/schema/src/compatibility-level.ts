import { SchemaError } from './schema-error';

/**
 * Confluent's compatibility levels. BACKWARD: the new schema can read data written with the
 * old one (upgrade consumers first). FORWARD: the old schema can read data written with the new
 * one (upgrade producers first). FULL: both. The _TRANSITIVE forms check every previous version
 * instead of only the latest; NONE checks nothing.
 */
export const COMPATIBILITY_LEVELS = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const;

export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

/** Confluent's default for a registry with no configuration. */
export const DEFAULT_COMPATIBILITY_LEVEL: CompatibilityLevel = 'BACKWARD';

export interface CompatibilityRule {
  /** The new schema must read data written with a previous one. */
  readonly newReadsOld: boolean;
  /** A previous schema must read data written with the new one. */
  readonly oldReadsNew: boolean;
  /** Check every previous version, not only the latest. */
  readonly transitive: boolean;
}

export function compatibilityRule(level: CompatibilityLevel): CompatibilityRule {
  const base = level.replace(/_TRANSITIVE$/, '');
  return {
    newReadsOld: base === 'BACKWARD' || base === 'FULL',
    oldReadsNew: base === 'FORWARD' || base === 'FULL',
    transitive: level.endsWith('_TRANSITIVE'),
  };
}

/** Reads a level as a request spells it; case-insensitive as Confluent accepts it. */
export function parseCompatibilityLevel(name: string): CompatibilityLevel {
  const upper = typeof name === 'string' ? name.toUpperCase() : '';
  if ((COMPATIBILITY_LEVELS as readonly string[]).includes(upper)) return upper as CompatibilityLevel;
  throw new SchemaError(
    'INVALID_COMPATIBILITY_LEVEL',
    `Invalid compatibility level '${String(name)}': use one of ${COMPATIBILITY_LEVELS.join(', ')}`,
  );
}
