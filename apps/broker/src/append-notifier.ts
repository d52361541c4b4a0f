/**
 * Wakes long-polling fetches when records land (or, for consumers, when the high watermark
 * moves). A fetch registers interest in the partitions it reads and sleeps until one of them is
 * notified, its time is up, or the broker shuts down. Nothing polls.
 */
export class AppendNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();
  private shutDown = false;

  /** Resolves on the next append to any of `partitionKeys`, after `timeoutMs`, or on close. */
  private waitForAppend(partitionKeys: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
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

  /**
   * Kafka's fetch long-poll: `read` (its argument counts the rounds from 0), answered when
   * `satisfied` says so, when `maxWaitMs` has passed, on cancel or at shutdown; otherwise it
   * sleeps until one of `partitionKeys` is notified and reads again. `movedSince` tells whether
   * what the read looked at changed meanwhile — a notification during the read would not wake it.
   */
  async longPoll<T>(
    partitionKeys: readonly string[],
    maxWaitMs: number,
    cancelled: AbortSignal,
    poll: { read: (round: number) => Promise<T>; satisfied: (result: T) => boolean; movedSince: (result: T) => boolean },
  ): Promise<T> {
    const deadlineMs = Date.now() + Math.max(0, maxWaitMs);
    for (let round = 0; ; round++) {
      const result = await poll.read(round);
      const remainingMs = deadlineMs - Date.now();
      if (poll.satisfied(result) || remainingMs <= 0 || cancelled.aborted || this.shutDown) return result;
      const wake = new AbortController();
      const waited = this.waitForAppend(partitionKeys, remainingMs, AbortSignal.any([cancelled, wake.signal]));
      if (poll.movedSince(result)) wake.abort();
      await waited;
    }
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
