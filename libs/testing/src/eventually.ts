/**
 * Polls `condition` until it returns something other than undefined or false, and returns that;
 * fails after `attempts` polls with the last error it threw. A bound on the wait, not a timing
 * assertion: tests never fail for being slow, only for never getting there.
 */
export async function eventually<T>(condition: () => Promise<T | undefined | false> | T | undefined | false, what: string, attempts = 500, intervalMs = 20): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await condition();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs).unref());
  }
  throw new Error(`gave up waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
