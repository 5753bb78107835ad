/**
 * Bulk runs go as fast as Stripe allows and no faster: items run concurrently, writes to one customer one at a time
 * in input order, and the request rate stays under the key's limit. (Speed itself is measured by `npm run bench`.)
 */
import { busiestSecond, createFromItem, runStripe, useRemoteSandbox, useSandbox, writesTo } from './support';

const sandbox = useSandbox();

const creditsFor = (customerIds: string[]) => customerIds.map((customer, index) => ({ customer, amount: -(index + 1), currency: 'usd' }));

describe('concurrency', () => {
	it('sends items for different customers concurrently', async () => {
		const customers = Array.from({ length: 10 }, () => sandbox().createCustomer({}).id);
		sandbox().setFaults({ latencyMs: 150 });
		const result = await runStripe(sandbox(), creditsFor(customers), createFromItem({ options: { concurrency: 10, maxRequestsPerSecond: 1000 } }));
		expect(result.status).toBe('success');
		const writes = writesTo(sandbox());
		const beforeFirstAnswer = writes.filter((request) => request.at < writes[0].at + 150);
		expect(beforeFirstAnswer.length).toBeGreaterThanOrEqual(8);
	});

	it('never has more requests in flight than Concurrency', async () => {
		const customers = Array.from({ length: 12 }, () => sandbox().createCustomer({}).id);
		sandbox().setFaults({ latencyMs: 150 });
		await runStripe(sandbox(), creditsFor(customers), createFromItem({ options: { concurrency: 3, maxRequestsPerSecond: 1000 } }));
		const writes = writesTo(sandbox());
		for (const request of writes) {
			const overlapping = writes.filter((other) => other.at <= request.at && other.at + 150 > request.at + 5);
			expect(overlapping.length).toBeLessThanOrEqual(3);
		}
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
		const arrivals = writesTo(sandbox()).filter((request) => request.path.includes(customer)).map((request) => request.at);
		arrivals.slice(1).forEach((at, index) => expect(at).toBeGreaterThanOrEqual(arrivals[index] + 40));
	});
});

describe('rate limits', () => {
	describe('measured by a sandbox in a process of its own (its clock must not share this process\'s load)', () => {
		const remote = useRemoteSandbox();

		it('with a test key, stays under Stripe test mode limit (25/s) by default', async () => {
			const customers = await remote().createCustomers(35);
			await remote().setFaults({ rateLimitPerSecond: 25 });
			const result = await runStripe(remote(), creditsFor(customers), createFromItem());
			expect(result.status).toBe('success');
			expect((await remote().stats()).rateLimited).toBe(0);
		});

		it('honours Max Requests per Second', async () => {
			const customers = await remote().createCustomers(20);
			await remote().setFaults({ rateLimitPerSecond: 12 });
			const result = await runStripe(remote(), creditsFor(customers), createFromItem({ options: { maxRequestsPerSecond: 10 } }));
			expect(result.status).toBe('success');
			expect((await remote().stats()).rateLimited).toBe(0);
			// No second holds more than the ceiling (the 429s above are the sandbox's own count of the same thing).
			expect(busiestSecond((await remote().timeline()).map(([at]) => at))).toBeLessThanOrEqual(10);
		});
	});

	it('when Stripe still answers 429 (another client shares the key), slows down and retries: no 429 reaches the user', async () => {
		const customers = Array.from({ length: 20 }, () => sandbox().createCustomer({}).id);
		sandbox().setFaults({ rateLimitPerSecond: 5 });
		const result = await runStripe(sandbox(), creditsFor(customers), createFromItem({ options: { maxRequestsPerSecond: 20, maxRetries: 10 } }));
		expect(result.status).toBe('success');
		expect(result.output('Stripe')).toHaveLength(20);
		expect(sandbox().stats.rateLimited).toBeGreaterThan(0);
		expect(sandbox().transactions()).toHaveLength(20);
	});
});
