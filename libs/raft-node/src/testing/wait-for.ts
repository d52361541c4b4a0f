/**
 * Polls `condition` until it holds; fails after `attempts` polls. A bound on polls, not a
 * timing assertion: it only keeps a broken test from hanging.
 */
export async function waitFor(condition: () => boolean, what: string, attempts = 1000, intervalMs = 10): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}
