/**
 * Wakes long-polling fetches when records land. A fetch registers interest in the partitions it
 * reads and sleeps until one of them is appended to, its time is up, or the broker shuts down;
 * appends call notify(). Nothing polls.
 */
export class AppendNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();
  private shutDown = false;

  /** True once the broker is shutting down: fetches stop waiting. */
  get closed(): boolean {
    return this.shutDown;
  }

  /** Resolves on the next append to any of `partitionKeys`, after `timeoutMs`, or on close. */
  waitForAppend(partitionKeys: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.shutDown || timeoutMs <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        for (const key of partitionKeys) {
          const set = this.waiters.get(key);
          set?.delete(wake);
          if (set?.size === 0) this.waiters.delete(key);
        }
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      signal?.addEventListener('abort', wake);
      for (const key of partitionKeys) {
        let set = this.waiters.get(key);
        if (!set) this.waiters.set(key, (set = new Set()));
        set.add(wake);
      }
    });
  }

  notify(partitionKey: string): void {
    const set = this.waiters.get(partitionKey);
    if (!set) return;
    for (const wake of [...set]) wake();
  }

  /** Releases every waiting fetch (they answer with what they have) and refuses new waits. */
  close(): void {
    this.shutDown = true;
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }
}
