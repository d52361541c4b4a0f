/** A commander option parser for counts and durations: an integer of at least 1, or a clear error. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${value} is not a positive integer`);
  return n;
}
