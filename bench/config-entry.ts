import { InvalidArgumentError } from 'commander';

/** A commander collector for a repeatable `--config key=value`: the entries so far with this one added, or commander's usage error. */
export function configEntry(entry: string, previous: Record<string, string>): Record<string, string> {
  const at = entry.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`${entry} is not key=value`);
  return { ...previous, [entry.slice(0, at)]: entry.slice(at + 1) };
}
