import { performance } from 'node:perf_hooks';

/**
 * A clock read at most once per synchronous run of callbacks: a client acknowledges a whole
 * batch in one loop, so every record of it gets the same reading for the price of one.
 */
export class BatchClock {
  private cachedMs: number | null = null;
  private readonly forget = () => {
    this.cachedMs = null;
  };

  nowMs(): number {
    if (this.cachedMs === null) {
      this.cachedMs = performance.now();
      queueMicrotask(this.forget);
    }
    return this.cachedMs;
  }
}
