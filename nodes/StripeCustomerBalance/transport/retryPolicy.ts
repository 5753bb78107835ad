/**
 * When to try a request again, after stripe-node's policy: network failures, timeouts, 409, 429 and 5xx are retried with
 * the same idempotency key, and Stripe's `Stripe-Should-Retry` header overrides the status. Unlike stripe-node, a 429
 * for the rate limit or a customer lock is always waited out: the node paces itself, so such a 429 means traffic from
 * another process or client, which passes.
 */
export type Outcome =
	| { kind: 'network'; reason: string }
	| { kind: 'reply'; statusCode: number; shouldRetryHeader?: string; retryAfterSeconds?: number };

export function isRetryable(outcome: Outcome): boolean {
	if (outcome.kind === 'network') return true;
	if (outcome.shouldRetryHeader === 'true') return true;
	if (outcome.shouldRetryHeader === 'false') return false;
	return outcome.statusCode === 409 || outcome.statusCode === 429 || outcome.statusCode >= 500;
}

/** A 429 for the rate limit or a customer lock: waited out within the Timeout, not counted against Max Retries. */
export function isWaitable(outcome: Outcome, code: string | undefined): boolean {
	return (
		outcome.kind === 'reply' &&
		outcome.statusCode === 429 &&
		outcome.shouldRetryHeader !== 'false' &&
		(code === 'rate_limit' || code === 'lock_timeout')
	);
}

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 5000;

/** Exponential backoff with jitter, never below the initial delay; honours a short Retry-After. `retry` counts from 1. */
export function backoffMs(retry: number, outcome: Outcome, random: () => number = Math.random): number {
	const exponential = Math.min(INITIAL_DELAY_MS * 2 ** (retry - 1), MAX_DELAY_MS);
	const jittered = Math.max(INITIAL_DELAY_MS, exponential * (0.5 + random() * 0.5));
	const retryAfter = outcome.kind === 'reply' ? outcome.retryAfterSeconds : undefined;
	if (retryAfter !== undefined && retryAfter > 0 && retryAfter <= 60) return Math.max(jittered, retryAfter * 1000);
	return jittered;
}

/**
 * How long to wait before asking again after the `waits`-th 429 in a row. A customer lock is held for one write
 * (about a request's latency), so a lock_timeout is retried soon: 100 ms doubling to 1 s. A rate limit goes through
 * the pacer again anyway, which has slowed down; the backoff only spreads the retries out.
 */
export function waitMs(waits: number, outcome: Outcome, code: string | undefined, random: () => number = Math.random): number {
	if (code === 'lock_timeout') return Math.min(100 * 2 ** (waits - 1), 1000) * (0.5 + random() * 0.5);
	return backoffMs(Math.min(waits, 3), outcome, random);
}
