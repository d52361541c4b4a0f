import { InvalidArgumentError } from 'commander';

/** A commander option parser for counts and durations: an integer of at least 1, or commander's usage error naming the flag. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${value} is not a positive integer`);
  return n;
}
