/** One write at a time per key (account + customer). */
export class KeyedLocks {
  /** A key is held while present; its array holds the writers waiting for it. */
  private readonly held = new Map<string, Array<() => void>>();

  tryAcquire(key: string): boolean {
    if (this.held.has(key)) return false;
    this.held.set(key, []);
    return true;
  }

  acquire(key: string): Promise<void> {
    if (this.tryAcquire(key)) return Promise.resolve();
    return new Promise((resolve) => this.held.get(key)!.push(resolve));
  }

  /** Hands the lock to the next waiter, if any. */
  release(key: string): void {
    const waiters = this.held.get(key);
    if (!waiters) return;
    const next = waiters.shift();
    if (next) next();
    else this.held.delete(key);
  }
}
