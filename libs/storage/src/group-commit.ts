/**
 * Group commit: many appends waiting for durability share one fdatasync. A request made while no
 * sync runs starts one at once; requests made while one runs wait for the single next sync,
 * which starts when the running one ends and covers every write made before it started.
 * So N concurrent appends cost at most two syncs, not N.
 */
export class GroupCommit {
  private current: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  /** Syncs started so far. */
  syncCount = 0;

  constructor(private readonly sync: () => Promise<void>) {}

  /** Resolves once a sync that started after this call has completed. */
  request(): Promise<void> {
    if (this.next !== undefined) return this.next;
    if (this.current === undefined) return this.start();
    this.next = this.current
      .catch(() => undefined) // the running sync's failure belongs to its own waiters
      .then(() => {
        this.next = undefined;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<void> {
    this.syncCount++;
    const running: Promise<void> = this.sync().finally(() => {
      if (this.current === running) this.current = undefined;
    });
    this.current = running;
    return running;
  }
}
