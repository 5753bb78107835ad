/**
 * The pacer's reaction to Stripe's 429s from elsewhere (another process or app on the same key): down by a quarter,
 * at most once a second (a burst of 429s is one signal), then back up to the ceiling over the next seconds.
 */
import { RateLimiter } from '../nodes/StripeCustomerBalance/transport/rateLimiter';

describe('RateLimiter', () => {
	it('slows down by a quarter on a 429, once per second however many arrive', () => {
		const limiter = new RateLimiter(100);
		const now = Date.now();
		limiter.onRateLimited();
		limiter.onRateLimited();
		limiter.onRateLimited();
		expect(limiter.rateAt(now)).toBeCloseTo(75, 0);
	});

	it('recovers to the ceiling within 5 s of the last 429', () => {
		const limiter = new RateLimiter(100);
		const now = Date.now();
		limiter.onRateLimited();
		expect(limiter.rateAt(now + 2500)).toBeCloseTo(87.5, 0);
		expect(limiter.rateAt(now + 5000)).toBe(100);
		expect(limiter.rateAt(now + 60_000)).toBe(100);
	});

	it('a new ceiling (an execution with its own Max Requests per Second joins or leaves) applies to the next turn', () => {
		const limiter = new RateLimiter(100);
		limiter.setCeiling(10);
		expect(limiter.rateAt(Date.now())).toBe(10);
		limiter.setCeiling(100);
		expect(limiter.rateAt(Date.now())).toBe(100);
	});
});
