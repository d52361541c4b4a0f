/** Member ids `<prefix>-1`, `<prefix>-2`, … so tests and seeded runs are reproducible. */
export function sequentialMemberIds(prefix = 'member'): () => string {
  let next = 0;
  return () => `${prefix}-${++next}`;
}
