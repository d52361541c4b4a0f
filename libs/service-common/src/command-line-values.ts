/** Parsers of the command-line values every service takes (commander argument parsers). */
import { InvalidArgumentError } from 'commander';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`${value} is not a port (0-65535)`);
  return port;
}

/** Accumulates repeated `--config key=value` flags; a later one wins. */
export function collectConfig(value: string, previous: Record<string, string>): Record<string, string> {
  const separator = value.indexOf('=');
  if (separator <= 0) throw new InvalidArgumentError(`--config takes key=value, got "${value}"`);
  return { ...previous, [value.slice(0, separator)]: value.slice(separator + 1) };
}
