/**
 * Config definitions in the manner of Kafka's ConfigDef: a name, a type, a default, a validator
 * and documentation. Values travel as strings (as in Kafka's admin protocol and in ConfigRecord)
 * and are parsed here into typed values; every parse failure is INVALID_CONFIG naming the
 * config, the value and what is allowed.
 */
import { TributaryError } from '@tributary/protocol';

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'LONG' | 'DOUBLE' | 'LIST';

export type ConfigValue = boolean | string | number | readonly string[] | null;

/** Java's Long.MAX_VALUE as Kafka writes it; parsed to Number.MAX_SAFE_INTEGER. */
export const LONG_MAX_STRING = '9223372036854775807';
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

export const CLEANUP_POLICIES = ['compact', 'delete'] as const;
export type CleanupPolicyName = (typeof CLEANUP_POLICIES)[number];
/** Kafka's BrokerCompressionType, plus `none` which producers use for "uncompressed". */
export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer', 'none'] as const;
export type CompressionTypeName = (typeof COMPRESSION_TYPES)[number];
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;
export type TimestampTypeName = (typeof TIMESTAMP_TYPES)[number];

export interface ConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  /** The default as Kafka prints it; null means "no default" (unset). */
  readonly defaultValue: string | null;
  /** Inclusive numeric bounds. */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values (for LIST: allowed items). */
  readonly validValues?: readonly string[];
  /** LIST only: whether an empty list is allowed. */
  readonly allowEmpty?: boolean;
  readonly readOnly?: boolean;
  readonly sensitive?: boolean;
  readonly documentation: string;
}

export function invalidConfig(def: ConfigDef, raw: string, reason: string): TributaryError {
  return new TributaryError(
    'INVALID_CONFIG',
    `Invalid value ${JSON.stringify(raw)} for configuration ${def.name}: ${reason}. Allowed: ${describeAllowed(def)}`,
  );
}

/** What a value of `def` may be, in words, for error messages and documentation. */
export function describeAllowed(def: ConfigDef): string {
  switch (def.type) {
    case 'BOOLEAN':
      return 'true or false';
    case 'STRING':
      return def.validValues ? `one of ${def.validValues.join(', ')}` : 'any string';
    case 'LIST':
      return def.validValues
        ? `a comma-separated list of ${def.validValues.join(', ')}${def.allowEmpty ? ' (may be empty)' : ''}`
        : 'a comma-separated list';
    case 'INT':
    case 'LONG':
    case 'DOUBLE': {
      const kind = def.type === 'DOUBLE' ? 'a number' : def.type === 'INT' ? 'an integer (INT)' : 'an integer (LONG)';
      if (def.min !== undefined && def.max !== undefined) return `${kind} in [${def.min}, ${def.max}]`;
      if (def.min !== undefined) return `${kind} >= ${def.min}`;
      if (def.max !== undefined) return `${kind} <= ${def.max}`;
      return kind;
    }
  }
}

/** Parses `raw` by `def`; throws INVALID_CONFIG naming the config, the value and what is allowed. */
export function parseConfigValue(def: ConfigDef, raw: string | null): ConfigValue {
  if (raw === null) return null;
  const text = raw.trim();
  switch (def.type) {
    case 'BOOLEAN': {
      const lower = text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      throw invalidConfig(def, raw, 'expected a boolean');
    }
    case 'STRING':
      if (def.validValues && !def.validValues.includes(text)) throw invalidConfig(def, raw, 'not a valid value');
      return text;
    case 'LIST': {
      const items = text === '' ? [] : text.split(',').map((s) => s.trim());
      if (items.length === 0 && def.allowEmpty === false) throw invalidConfig(def, raw, 'the list is empty');
      for (const item of items) {
        if (item === '') throw invalidConfig(def, raw, 'the list has an empty item');
        if (def.validValues && !def.validValues.includes(item)) {
          throw invalidConfig(def, raw, `${JSON.stringify(item)} is not a valid item`);
        }
      }
      return items;
    }
    case 'INT':
    case 'LONG':
      return checkRange(def, raw, parseInteger(def, raw, text));
    case 'DOUBLE': {
      const n = text === '' ? NaN : Number(text);
      if (!Number.isFinite(n)) throw invalidConfig(def, raw, 'not a number of type DOUBLE');
      return checkRange(def, raw, n);
    }
  }
}

function parseInteger(def: ConfigDef, raw: string, text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw invalidConfig(def, raw, `not a number of type ${def.type}`);
  const big = BigInt(text);
  if (def.type === 'INT') {
    if (big < BigInt(INT_MIN) || big > BigInt(INT_MAX)) throw invalidConfig(def, raw, 'out of range for type INT');
    return Number(big);
  }
  if (big < LONG_MIN || big > LONG_MAX) throw invalidConfig(def, raw, 'out of range for type LONG');
  // JavaScript numbers are exact only up to 2^53 - 1; larger longs (in practice Long.MAX_VALUE,
  // Kafka's "never") saturate there, which keeps "effectively infinite" meaning the same.
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (big < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(big);
}

function checkRange(def: ConfigDef, raw: string, n: number): number {
  if (def.min !== undefined && n < def.min) throw invalidConfig(def, raw, `value must be at least ${def.min}`);
  if (def.max !== undefined && n > def.max) throw invalidConfig(def, raw, `value must be at most ${def.max}`);
  return n;
}

/** The string form Kafka prints for a typed value (lists comma-joined, null as null). */
export function formatConfigValue(value: ConfigValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  if (value === Number.MAX_SAFE_INTEGER) return LONG_MAX_STRING;
  return String(value);
}

/** Looks up definitions by name, in declaration order. */
export function indexConfigDefs<D extends ConfigDef>(defs: readonly D[]): ReadonlyMap<string, D> {
  const byName = new Map<string, D>();
  for (const def of defs) {
    if (byName.has(def.name)) throw new Error(`config ${def.name} is defined twice`);
    if (def.defaultValue !== null) parseConfigValue(def, def.defaultValue); // a bad default is a programming error
    byName.set(def.name, def);
  }
  return byName;
}
