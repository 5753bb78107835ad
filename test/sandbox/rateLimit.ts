/** Stripe's rate limiters: sliding one-second windows of accepted requests per API key + account. */
import type { SandboxFaults } from './types';

/** Sliding one-second windows of accepted requests, one window per bucket. */
export class SlidingWindowRateLimiter {
  private readonly acceptedAt = new Map<string, number[]>();

  /** Whether the bucket has room for one more request now (nothing counted). */
  hasRoom(bucket: string, limitPerSecond: number, nowMs: number): boolean {
    const times = this.acceptedAt.get(bucket) ?? [];
    while (times.length > 0 && times[0] <= nowMs - 1000) times.shift();
    this.acceptedAt.set(bucket, times);
    return times.length < limitPerSecond;
  }

  count(bucket: string, nowMs: number): void {
    this.acceptedAt.get(bucket)?.push(nowMs) ?? this.acceptedAt.set(bucket, [nowMs]);
  }

  /** Accepts (and counts) the request unless `limitPerSecond` requests were accepted in the last second. */
  admit(bucket: string, limitPerSecond: number, nowMs: number): boolean {
    if (!this.hasRoom(bucket, limitPerSecond, nowMs)) return false;
    this.count(bucket, nowMs);
    return true;
  }

  clear(): void {
    this.acceptedAt.clear();
  }
}

/**
 * Stripe's limiters for one request, narrowest first: Search's (search reads), the endpoint's, then the account's
 * global one. Returns the reason of the first that refuses (what Stripe sends in Stripe-Rate-Limited-Reason), or
 * undefined when every one has room; an admitted request counts in all of them.
 */
export function refusingLimiter(
  windows: SlidingWindowRateLimiter,
  request: { bucket: string; endpoint: string },
  faults: Readonly<SandboxFaults>,
  nowMs: number,
): 'endpoint-rate' | 'global-rate' | undefined {
  const global = faults.rateLimitPerSecond === 'stripe' ? (faults.liveModeLimits ? 100 : 25) : faults.rateLimitPerSecond;
  const endpoint = faults.endpointRateLimits[request.endpoint] ?? faults.endpointRateLimitPerSecond;
  const search = request.endpoint.startsWith('GET ') && request.endpoint.endsWith('/search') ? faults.searchRateLimitPerSecond : null;
  const limiters: Array<{ bucket: string; limit: number | null; reason: 'endpoint-rate' | 'global-rate' }> = [
    { bucket: `${request.bucket}\u0000search`, limit: search, reason: 'endpoint-rate' },
    { bucket: `${request.bucket}\u0000${request.endpoint}`, limit: endpoint, reason: 'endpoint-rate' },
    { bucket: request.bucket, limit: global, reason: 'global-rate' },
  ];
  for (const limiter of limiters) {
    if (limiter.limit !== null && !windows.hasRoom(limiter.bucket, limiter.limit, nowMs)) return limiter.reason;
  }
  for (const limiter of limiters) if (limiter.limit !== null) windows.count(limiter.bucket, nowMs);
  return undefined;
}
