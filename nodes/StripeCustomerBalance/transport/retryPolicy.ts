/**
 * When to try a request again, after stripe-node's policy: network failures, timeouts, 409, 429 and 5xx are retried with
 * the same idempotency key, and Stripe's `Stripe-Should-Retry` header overrides the status. Unlike stripe-node, 429s are
 * always retried: the node paces itself, so a 429 means a burst from elsewhere or a customer lock, both short-lived.
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
