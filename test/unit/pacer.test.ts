/**
 * Pacing per Stripe limiter: a request takes a turn from its endpoint's limiter, Search's for a search, and the
 * account's; a 429 slows the limiter its Stripe-Rate-Limited-Reason names, and no other.
 */
import { Pacer } from '../../nodes/StripeCustomerBalance/transport/pacer';
import { endpointOf, refusalOf, replyOutcome } from '../../nodes/StripeCustomerBalance/transport/stripeLimits';

const CREDITS = 'POST /v1/customers/{customer}/balance_transactions';
const CUSTOMER = 'GET /v1/customers/{customer}';
const SEARCH = 'GET /v1/customers/search';

describe('endpoints', () => {
	it('are a method and a path template, whatever the object', () => {
		expect(endpointOf('POST', '/v1/customers/cus_A/balance_transactions')).toBe(CREDITS);
		expect(endpointOf('POST', '/v1/customers/cus_B/balance_transactions')).toBe(CREDITS);
		expect(endpointOf('GET', '/v1/customers/cus_A/balance_transactions')).toBe('GET /v1/customers/{customer}/balance_transactions');
		expect(endpointOf('POST', '/v1/customers/cus_A/balance_transactions/cbtxn_1')).toBe('POST /v1/customers/{customer}/balance_transactions/{balance_transaction}');
		expect(endpointOf('GET', '/v1/customers/cus_A')).toBe(CUSTOMER);
		expect(endpointOf('GET', '/v1/customers/search')).toBe(SEARCH);
		expect(endpointOf('GET', '/v1/customers')).toBe('GET /v1/customers');
		expect(endpointOf('DELETE', '/v1/webhook_endpoints/we_1')).toBe('DELETE /v1/webhook_endpoints/{webhook_endpoint}');
	});
});

describe('which limiter a 429 names', () => {
	it('reads Stripe-Rate-Limited-Reason; a reason the node does not know, or none, is the account', () => {
		expect(refusalOf('endpoint-rate')).toBe('endpoint-rate');
		expect(refusalOf('resource-specific')).toBe('endpoint-rate');
		expect(refusalOf('global-rate')).toBe('global-rate');
		expect(refusalOf('global-concurrency')).toBe('global-concurrency');
		expect(refusalOf('endpoint-concurrency')).toBe('endpoint-concurrency');
		expect(refusalOf('something-new')).toBe('global-rate');
		expect(refusalOf(undefined)).toBe('global-rate');
	});

	it('a lock_timeout is a lock, not a limit: nothing slows', () => {
		expect(replyOutcome('lock_timeout', undefined)).toEqual({ kind: 'admitted' });
		expect(replyOutcome('rate_limit', 'endpoint-rate')).toEqual({ kind: 'refused', by: 'endpoint-rate' });
	});
});

describe('Pacer', () => {
	const LIVE = { global: 100, endpoint: 25 };

	it('an endpoint-rate 429 slows that endpoint only', async () => {
		const pacer = new Pacer(LIVE);
		const turn = await pacer.acquire(CREDITS);
		await pacer.acquire(CUSTOMER);
		const now = Date.now();
		pacer.settle(turn, { kind: 'refused', by: 'endpoint-rate' }, now);
		expect(pacer.rateAt(now, CREDITS)).toBeLessThan(25);
		expect(pacer.rateAt(now, CUSTOMER)).toBe(25);
		expect(pacer.rateAt(now)).toBe(100);
	});

	it('a global-rate 429, or one without a reason the node knows, slows the account, not the endpoint', async () => {
		for (const reason of ['global-rate', 'something-new', undefined]) {
			const pacer = new Pacer(LIVE);
			const turn = await pacer.acquire(CREDITS);
			const now = Date.now();
			pacer.settle(turn, { kind: 'refused', by: refusalOf(reason) }, now);
			expect(pacer.rateAt(now)).toBeLessThan(100);
			expect(pacer.rateAt(now, CREDITS)).toBe(25);
		}
	});

	it('a request let through slows nothing', async () => {
		const pacer = new Pacer(LIVE);
		const turn = await pacer.acquire(SEARCH);
		const now = Date.now();
		pacer.settle(turn, { kind: 'admitted' }, now);
		expect(pacer.rateAt(now)).toBe(100);
		expect(pacer.rateAt(now, SEARCH)).toBe(25);
	});

	it('raised limits (the Options) apply to the next turn', () => {
		const pacer = new Pacer(LIVE);
		pacer.setLimits({ global: 200, endpoint: 80 });
		expect(pacer.rateAt(Date.now(), CREDITS)).toBe(80);
		expect(pacer.rateAt(Date.now())).toBe(200);
	});

	describe('in simulated time', () => {
		beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z') }));
		afterEach(() => jest.useRealTimers());

		/** Hands out turns for `ms` to `count` requests of each endpoint; returns when each was handed out. */
		async function turnsOver(pacer: Pacer, endpoints: Record<string, number>, ms: number): Promise<Record<string, number[]>> {
			const at: Record<string, number[]> = {};
			for (const [endpoint, count] of Object.entries(endpoints)) {
				at[endpoint] = [];
				for (let n = 0; n < count; n++) {
					void pacer.acquire(endpoint).then((turn) => {
						at[endpoint].push(Date.now());
						pacer.settle(turn, { kind: 'admitted' });
					});
				}
			}
			await jest.advanceTimersByTimeAsync(ms);
			return at;
		}

		const busiestSecond = (times: number[]) => Math.max(...times.map((start) => times.filter((t) => t >= start && t < start + 1000).length));

		it('each endpoint at its own limit, the account under its own, Search under 20/s', async () => {
			const at = await turnsOver(new Pacer(LIVE), { [CREDITS]: 200, [CUSTOMER]: 200, [SEARCH]: 200 }, 4000);
			expect(busiestSecond(at[CREDITS])).toBeLessThanOrEqual(25);
			expect(busiestSecond(at[CUSTOMER])).toBeLessThanOrEqual(25);
			expect(busiestSecond(at[SEARCH])).toBeLessThanOrEqual(20);
			// endpoints do not wait for each other: each got near its own limit in the same seconds
			expect(at[CREDITS].length).toBeGreaterThanOrEqual(80);
			expect(at[CUSTOMER].length).toBeGreaterThanOrEqual(80);
			expect(at[SEARCH].length).toBeGreaterThanOrEqual(65);
		});

		it('with a test key the account (25/s) holds all endpoints together', async () => {
			const at = await turnsOver(new Pacer({ global: 25, endpoint: 25 }), { [CREDITS]: 100, [CUSTOMER]: 100 }, 4000);
			expect(busiestSecond([...at[CREDITS], ...at[CUSTOMER]])).toBeLessThanOrEqual(25);
		});

		it('requests asked first go before the others of their endpoint', async () => {
			const pacer = new Pacer(LIVE);
			const order: string[] = [];
			const take = (name: string, first: boolean) =>
				void pacer.acquire(CREDITS, first).then((turn) => {
					order.push(name);
					pacer.settle(turn, { kind: 'admitted' });
				});
			for (let n = 0; n < 5; n++) take(`later-${n}`, false);
			take('first', true);
			await jest.advanceTimersByTimeAsync(1000);
			// the first turn went at once; the one asked first is next
			expect(order.slice(0, 2)).toEqual(['later-0', 'first']);
		});

		it('an endpoint-concurrency 429 lowers the requests in flight to that endpoint', async () => {
			const pacer = new Pacer(LIVE);
			const acquired = Array.from({ length: 8 }, async () => await pacer.acquire(CREDITS));
			await jest.advanceTimersByTimeAsync(1000);
			const turns = await Promise.all(acquired);
			// 8 in flight; one refused for concurrency: at most 6 at once from now on (7 are still in flight)
			pacer.settle(turns[0], { kind: 'refused', by: 'endpoint-concurrency' });
			let started = 0;
			for (let n = 0; n < 5; n++) void pacer.acquire(CREDITS).then(() => (started += 1));
			await jest.advanceTimersByTimeAsync(500);
			expect(started).toBe(0);
			pacer.settle(turns[1], { kind: 'admitted' });
			pacer.settle(turns[2], { kind: 'admitted' });
			await jest.advanceTimersByTimeAsync(100);
			expect(started).toBe(1);
			// another endpoint is not held back
			let other = false;
			void pacer.acquire(CUSTOMER).then(() => (other = true));
			await jest.advanceTimersByTimeAsync(100);
			expect(other).toBe(true);
		});

		/**
		 * Two processes that share nothing but one endpoint of the account (queue-mode workers), each pacing at the
		 * endpoint's 25/s: Stripe lets 25 a second through and refuses the rest with an endpoint-rate 429.
		 */
		it('two pacers on one endpoint settle at its limit together: few requests refused', async () => {
			const acceptedAt: number[] = [];
			let admitted = 0;
			let refused = 0;
			const stripeAdmits = (at: number): boolean => {
				while (acceptedAt.length > 0 && acceptedAt[0] <= at - 1000) acceptedAt.shift();
				if (acceptedAt.length >= 25) return false;
				acceptedAt.push(at);
				return true;
			};
			const end = Date.now() + 60_000;
			const worker = async (pacer: Pacer) => {
				while (Date.now() < end) {
					const turn = await pacer.acquire(CREDITS);
					pacer.sent(turn);
					await new Promise((resolve) => setTimeout(resolve, 100));
					const at = Date.now();
					const ok = stripeAdmits(at);
					if (ok) admitted += 1;
					else refused += 1;
					pacer.settle(turn, ok ? { kind: 'admitted' } : { kind: 'refused', by: 'endpoint-rate' }, at);
				}
			};
			const pacers = [new Pacer(LIVE), new Pacer(LIVE)];
			const running = pacers.flatMap((pacer) => Array.from({ length: 20 }, async () => await worker(pacer)));
			// then the requests still waiting get their turns
			await jest.advanceTimersByTimeAsync(70_000);
			await Promise.all(running);
			expect(refused / (admitted + refused)).toBeLessThan(0.05);
			// together they keep the endpoint busy: at least 80% of 25/s over the minute
			expect(admitted).toBeGreaterThanOrEqual(0.8 * 25 * 60);
			for (const pacer of pacers) expect(pacer.rateAt(Date.now())).toBe(100);
		});
	});
});
