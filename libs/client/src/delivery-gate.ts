/**
 * Knows when the application holds a record or batch the consumer handed out, so that group
 * work happens between deliveries, as Kafka's consumer does it inside poll(): a rebalance
 * callback never runs while a record is being processed (and no record is handed out while one
 * runs), and an auto-commit never counts a record the application has not finished.
 */
export class DeliveryGate {
  private delivering = false;
  private barrier: Promise<void> | null = null;
  private idleCallbacks: (() => void)[] = [];
  private closed = false;

  /** Whether a delivery has to wait (for `opened()`) before it starts. */
  get held(): boolean {
    return this.barrier !== null;
  }

  opened(): Promise<void> {
    return this.barrier ?? Promise.resolve();
  }

  /** The application now holds a record or batch. */
  begin(): void {
    this.delivering = true;
  }

  /** The application gave control back. */
  end(): void {
    this.delivering = false;
    for (const callback of this.idleCallbacks.splice(0)) callback();
  }

  /**
   * Calls `callback` synchronously at the first moment no delivery is in progress (now, if none
   * is): before the next one can start.
   */
  whenIdle(callback: () => void): void {
    if (this.delivering && !this.closed) this.idleCallbacks.push(callback);
    else callback();
  }

  /** Runs `task` once the delivery in progress ends; no delivery starts until the task settles. */
  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    while (this.barrier) await this.barrier;
    let open!: () => void;
    this.barrier = new Promise<void>((resolve) => (open = resolve));
    try {
      await new Promise<void>((resolve) => this.whenIdle(resolve));
      return await task();
    } finally {
      this.barrier = null;
      open();
    }
  }

  /**
   * The consumer is closing: nothing waits for the application any more (close() may be called
   * from inside a handler, which would otherwise wait for itself).
   */
  close(): void {
    this.closed = true;
    for (const callback of this.idleCallbacks.splice(0)) callback();
  }
}
