import { performance } from 'node:perf_hooks';

export interface WaitOptions {
  /** Default 120000: long enough for a failure detector, short enough that a hang ends the bench. */
  timeoutMs?: number;
  /** Default 20. */
  pollMs?: number;
}

/** Polls `probe` until it gives a value (rejections pass through); throws, naming `what`, after the timeout. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 120_000, pollMs = 20 } = options;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
