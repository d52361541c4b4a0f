import { TributaryError } from '@tributary/protocol';

/** Parses Kafka-style `k=v` arguments (--config, --property, --producer-property …) into a map. */
export function keyValueList(entries: string[], flag: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new TributaryError('INVALID_CONFIG', `${flag} expects key=value, got "${entry}"`);
    map.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return map;
}

/** Commander collector for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
