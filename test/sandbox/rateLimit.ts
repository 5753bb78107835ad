/** Sliding one-second windows of accepted requests, one window per bucket (API key + account). */
export class SlidingWindowRateLimiter {
  private readonly acceptedAt = new Map<string, number[]>();

  /** Accepts (and counts) the request unless `limitPerSecond` requests were accepted in the last second. */
  admit(bucket: string, limitPerSecond: number, nowMs: number): boolean {
    const times = this.acceptedAt.get(bucket) ?? [];
    while (times.length > 0 && times[0] <= nowMs - 1000) times.shift();
    this.acceptedAt.set(bucket, times);
    if (times.length >= limitPerSecond) return false;
    times.push(nowMs);
    return true;
  }

  clear(): void {
    this.acceptedAt.clear();
  }
}
