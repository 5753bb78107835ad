/**
 * A door in front of the pipeline that a test can close: requests that arrive while it is closed are recorded, then
 * wait until it opens. Tests use it to see concurrency without timing: "10 requests are waiting at once" is a fact
 * no load can fake or hide, where "10 arrived within 150 ms" is a race.
 */
export class RequestGate {
  private waiters: Array<() => void> = [];
  private closed = false;

  /** Requests waiting at the closed door right now. */
  get waiting(): number {
    return this.waiters.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
  }

  open(): void {
    this.closed = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resume of waiters) resume();
  }

  pass(): Promise<void> {
    if (!this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
