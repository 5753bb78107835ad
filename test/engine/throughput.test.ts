/**
 * Bulk runs go as fast as Stripe allows and no faster: items run concurrently, writes to one customer one at a time
 * in input order, and the request rate stays under the key's limit. (Speed itself is measured by `npm run bench`.)
 */
import { busiestSecond } from '../sandbox/arrivals';
import { createFromItem, oneAtATime, onePerCustomer, runStripe, until, useRemoteSandbox, useSandbox, writesTo } from './support';

const sandbox = useSandbox();

const creditsFor = (customerIds: string[]) => customerIds.map((customer, index) => ({ customer, amount: -(index + 1), currency: 'usd' }));

describe('concurrency', () => {
	// Seen at a closed door in the sandbox (requests wait there until the test opens it), so load cannot fake or hide it.
	it('sends items for different customers concurrently: all 10 are at Stripe at once', async () => {
		const customers = Array.from({ length: 10 }, () => sandbox().createCustomer({}).id);
		sandbox().holdRequests();
		const run = runStripe(sandbox(), creditsFor(customers), createFromItem({ options: { concurrency: 10, maxRequestsPerSecond: 1000 } }));
		await until(() => sandbox().waitingRequests === 10);
		sandbox().releaseRequests();

		expect((await run).status).toBe('success');
		expect(sandbox().transactions()).toHaveLength(10);
	});

	it('never has more requests in flight than Concurrency', async () => {
		const customers = Array.from({ length: 12 }, () => sandbox().createCustomer({}).id);
		sandbox().holdRequests();
		const run = runStripe(sandbox(), creditsFor(customers), createFromItem({ options: { concurrency: 3, maxRequestsPerSecond: 1000 } }));
		await until(() => sandbox().waitingRequests === 3);
		// A fourth would arrive now if anything let it: give it the chance, then let the three go.
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(sandbox().waitingRequests).toBe(3);
		sandbox().releaseRequests();

		expect((await run).status).toBe('success');
		expect(sandbox().stats.peakInFlight).toBe(3);
		expect(onePerCustomer(sandbox().transactions(), customers)).toBe(true);
	});

	it('writes to one customer go one at a time, in input order, so Stripe never answers lock_timeout', async () => {
		const customer = sandbox().createCustomer({}).id;
		const other = sandbox().createCustomer({}).id;
		sandbox().setFaults({ latencyMs: 40, lockTimeouts: true });
		const ids = [customer, other, customer, customer, other, customer, customer, customer];
		const result = await runStripe(sandbox(), creditsFor(ids), createFromItem({ options: { concurrency: 8, maxRequestsPerSecond: 1000, maxRetries: 0 } }));

		expect(result.status).toBe('success');
		expect(sandbox().stats.lockTimeouts).toBe(0);
		const forCustomer = result.output('Stripe').filter((item) => item.json.customer === customer);
		expect(forCustomer.map((item) => item.json.amount)).toEqual([-1, -3, -4, -6, -7, -8]);
		expect(forCustomer.map((item) => item.json.ending_balance)).toEqual([-1, -4, -8, -14, -21, -29]);
		expect(oneAtATime(writesTo(sandbox()).filter((request) => request.path.includes(customer)))).toBe(true);
	});
});

describe('rate limits', () => {
	// How close to the ceiling a run goes, and how many 429s Stripe sends, depend on load: `npm run bench` measures them.
	// A lower bound on time holds under any load: it only grows when the machine is slow.
	describe('never faster than the ceiling', () => {
		const remote = useRemoteSandbox();

		it('with a test key, paces at Stripe\'s test-mode limit (25/s) by default', async () => {
			const customers = await remote().createCustomers(35);
			const started = Date.now();
			const result = await runStripe(remote(), creditsFor(customers), createFromItem());
			expect(result.status).toBe('success');
			expect(onePerCustomer(await remote().transactions(), customers)).toBe(true);
			// At most 25 turns per window of 1.05 s: the 26th waits for the second window (at 100/s, 35 would take 0.35 s).
			expect(Date.now() - started).toBeGreaterThanOrEqual(1050);
		});

		/** Arrivals at Stripe's door per endpoint: the most in any one second. */
		async function busiestSecondPerEndpoint(): Promise<Record<string, number>> {
			const byEndpoint = new Map<string, number[]>();
			for (const [at, , , , endpoint] of await remote().timeline()) if (endpoint) byEndpoint.set(endpoint, [...(byEndpoint.get(endpoint) ?? []), at]);
			return Object.fromEntries([...byEndpoint].map(([endpoint, arrivals]) => [endpoint, busiestSecond(arrivals)]));
		}

		// Live mode's limits on a test key: the sandbox's switch, and the node told the account's 100/s (Options), as a
		// user whose account Stripe limits so would; a live key goes to api.stripe.com only.
		it("at live mode's limits, credits go at the endpoint's limit (25/s), not the account's: the endpoint's window is never overrun", async () => {
			await remote().setFaults({ liveModeLimits: true });
			const customers = await remote().createCustomers(60);
			const result = await runStripe(remote(), creditsFor(customers), createFromItem({ options: { maxRequestsPerSecond: 100 } }));
			expect(result.status).toBe('success');
			expect(onePerCustomer(await remote().transactions(), customers)).toBe(true);
			expect((await busiestSecondPerEndpoint())['POST /v1/customers/:customer/balance_transactions']).toBeLessThanOrEqual(25);
			expect((await remote().stats()).rateLimited).toBe(0);
		});

		it("by email at live mode's limits: every credit once, the credits under their endpoint's limit", async () => {
			await remote().setFaults({ liveModeLimits: true });
			const emails = Array.from({ length: 30 }, (_, index) => `Person${index}@Example.com`);
			const customers = await remote().createCustomersWithEmails(emails.map((email) => email.toLowerCase()));
			const items = emails.flatMap((email) => [1, 2].map((n) => ({ email, amount: -n, currency: 'usd' })));
			const byEmail = { __rl: true, mode: 'email', value: '={{ $json.email }}' };
			const result = await runStripe(remote(), items, createFromItem({ customer: byEmail, options: { maxRequestsPerSecond: 100 } }));
			expect(result.status).toBe('success');
			expect((await remote().transactions()).filter((transaction) => customers.includes(transaction.customer))).toHaveLength(60);
			// the lookups' Search turns can reach Stripe bunched (see docs/PERFORMANCE.md): only the credits' window is held here
			expect((await busiestSecondPerEndpoint())['POST /v1/customers/:customer/balance_transactions']).toBeLessThanOrEqual(25);
		});

		it('a 429 naming the endpoint is waited out: every credit written once', async () => {
			const customers = await remote().createCustomers(10);
			const refused = Array.from({ length: 3 }, () => ({ fault: 'rate_limit' as const, method: 'POST' as const, reason: 'endpoint-rate' }));
			await remote().setFaults({ script: refused });
			const result = await runStripe(remote(), creditsFor(customers), createFromItem());
			expect(result.status).toBe('success');
			expect((await remote().stats()).rateLimitedBy).toEqual({ 'endpoint-rate': 3 });
			expect(onePerCustomer(await remote().transactions(), customers)).toBe(true);
		});

		it('honours Max Requests per Second', async () => {
			const customers = await remote().createCustomers(20);
			const started = Date.now();
			const result = await runStripe(remote(), creditsFor(customers), createFromItem({ options: { maxRequestsPerSecond: 10 } }));
			expect(result.status).toBe('success');
			expect(onePerCustomer(await remote().transactions(), customers)).toBe(true);
			expect(Date.now() - started).toBeGreaterThanOrEqual(1050);
		});
	});

	it('when Stripe still answers 429 (another client shares the key), slows down and retries: no 429 reaches the user', async () => {
		const customers = Array.from({ length: 20 }, () => sandbox().createCustomer({}).id);
		// Stripe's own window refuses what goes past 5/s; the script makes sure some 429s come whatever the timing.
		const rateLimited = Array.from({ length: 3 }, () => ({ fault: 'rate_limit' as const, method: 'POST' as const }));
		sandbox().setFaults({ rateLimitPerSecond: 5, script: rateLimited });
		const result = await runStripe(sandbox(), creditsFor(customers), createFromItem({ options: { maxRequestsPerSecond: 20, maxRetries: 10 } }));
		expect(result.status).toBe('success');
		expect(result.output('Stripe')).toHaveLength(20);
		expect(sandbox().stats.rateLimited).toBeGreaterThanOrEqual(3);
		expect(sandbox().transactions()).toHaveLength(20);
	});
});
