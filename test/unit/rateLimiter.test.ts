/**
 * The pacer's reaction to Stripe's 429s from elsewhere (another process or app on the same key): down to a little less
 * than the share of its last second's requests that Stripe let through, at most once a second (a burst of 429s is one
 * signal), then back up to the ceiling, gently at first and faster while no 429 comes.
 */
import { Pacer } from '../../nodes/StripeCustomerBalance/transport/pacer';
import { RateLimiter } from '../../nodes/StripeCustomerBalance/transport/rateLimiter';

const ENDPOINT = 'POST /v1/customers/{customer}/balance_transactions';

/** `admitted` replies spread over the second before `end`, then one 429 at `end`. */
function secondOfReplies(limiter: RateLimiter, end: number, admitted: number, refused = 0): void {
	const total = admitted + refused;
	for (let n = 0; n < total; n++) {
		const at = end - 990 + Math.floor((n * 980) / total);
		// refusals first: within a second of the last slowdown they do not slow down again
		if (n < refused) limiter.onRateLimited(at);
		else limiter.onAdmitted(at);
	}
	limiter.onRateLimited(end);
}

describe('RateLimiter', () => {
	it('after a 429 among replies that all went through, keeps nearly all of its rate', () => {
		const limiter = new RateLimiter(100);
		const now = Date.now();
		secondOfReplies(limiter, now, 99);
		expect(limiter.rateAt(now)).toBeCloseTo(100 * 0.95 * (99 / 100), 1);
	});

	it('keeps less the more Stripe refused in the last second, never less than half', () => {
		const limiter = new RateLimiter(100);
		const start = Date.now();
		secondOfReplies(limiter, start, 99);
		const afterFirst = limiter.rateAt(start + 1000);

		// the second after: 60 through, 40 refused (no new slowdown within the second), then a 429
		secondOfReplies(limiter, start + 1000, 60, 40);
		expect(limiter.rateAt(start + 1000)).toBeCloseTo(afterFirst * ((0.95 * 60) / 101), 1);

		const beforeThird = limiter.rateAt(start + 2000);
		secondOfReplies(limiter, start + 2000, 0, 50);
		expect(limiter.rateAt(start + 2000)).toBeCloseTo(beforeThird / 2, 1);
	});

	it('slows down at most once a second however many 429s arrive', () => {
		const limiter = new RateLimiter(100);
		const now = Date.now();
		secondOfReplies(limiter, now, 99);
		for (let n = 1; n <= 50; n++) limiter.onRateLimited(now + n * 10);
		expect(limiter.rateAt(now)).toBeCloseTo(100 * 0.95 * (99 / 100), 1);
	});

	it('climbs back gently at first, then faster: at the ceiling again within 3 s', () => {
		const limiter = new RateLimiter(100);
		const now = Date.now();
		limiter.onRateLimited(now);
		expect(limiter.rateAt(now)).toBe(50);
		expect(limiter.rateAt(now + 1000)).toBeCloseTo(52, 1);
		expect(limiter.rateAt(now + 2000)).toBeCloseTo(68, 1);
		expect(limiter.rateAt(now + 3000)).toBe(100);
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

/**
 * Two processes that share nothing but the account (queue-mode workers): each paces at the key's 100/s, Stripe lets
 * 100 a second through and refuses the rest with 429. Simulated time: what is checked is where the pacers settle.
 */
describe('two pacers that meet only at Stripe', () => {
	beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z') }));
	afterEach(() => jest.useRealTimers());

	it('settle at the limit together: Stripe busy every second, few requests refused', async () => {
		const acceptedAt: number[] = [];
		const perSecond = { admitted: new Map<number, number>(), refused: new Map<number, number>() };
		const count = (map: Map<number, number>, at: number) => map.set(Math.floor(at / 1000), (map.get(Math.floor(at / 1000)) ?? 0) + 1);
		const stripeAdmits = (at: number): boolean => {
			while (acceptedAt.length > 0 && acceptedAt[0] <= at - 1000) acceptedAt.shift();
			if (acceptedAt.length >= 100) return false;
			acceptedAt.push(at);
			return true;
		};
		const start = Date.now();
		const end = start + 30_000;
		const worker = async (pacer: Pacer) => {
			while (Date.now() < end) {
				const turn = await pacer.acquire(ENDPOINT);
				pacer.sent(turn);
				await new Promise((resolve) => setTimeout(resolve, 100)); // the request's round trip
				const at = Date.now();
				if (stripeAdmits(at)) {
					count(perSecond.admitted, at - start);
					pacer.settle(turn, { kind: 'admitted' }, at);
				} else {
					count(perSecond.refused, at - start);
					pacer.settle(turn, { kind: 'refused', by: 'global-rate' }, at);
				}
			}
		};
		const pacers = [new Pacer({ global: 100, endpoint: 1000 }), new Pacer({ global: 100, endpoint: 1000 })];
		// each process has far more requests in flight than the rate needs
		const running = pacers.flatMap((pacer) => Array.from({ length: 40 }, async () => await worker(pacer)));
		await jest.advanceTimersByTimeAsync(31_000);
		await Promise.all(running);

		const seconds = Array.from({ length: 25 }, (_, index) => index + 5); // once settled
		const admitted = seconds.map((second) => perSecond.admitted.get(second) ?? 0);
		const refused = seconds.reduce((sum, second) => sum + (perSecond.refused.get(second) ?? 0), 0);
		const total = admitted.reduce((sum, n) => sum + n, 0);
		// one pacer alone gets 90-95 a second through (it paces at 95% of its ceiling, 95 turns per window of 1.05 s)
		expect(Math.min(...admitted)).toBeGreaterThanOrEqual(80);
		expect(total / seconds.length).toBeGreaterThanOrEqual(88);
		expect(refused / (total + refused)).toBeLessThan(0.05);
		// neither starves the other
		for (const pacer of pacers) expect(pacer.rateAt(Date.now())).toBeGreaterThan(25);
	});
});
