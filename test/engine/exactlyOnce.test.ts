/**
 * Money safety: every write carries an Idempotency-Key, failures are retried with the same key, and Stripe's replay
 * means nothing is applied twice: not on the node's own retries, not on n8n's Retry On Fail, not on a dropped connection.
 */
import type { SandboxScriptedFault } from '../sandbox';
import { createFromItem, runStripe, useSandbox, writesTo } from './support';

const sandbox = useSandbox();

const credit = (customer: string, amount = -100) => ({ customer, amount, currency: 'usd' });

describe('retries with the same idempotency key', () => {
	const retried: Array<[SandboxScriptedFault['fault'], string]> = [
		['500', 'a 500 before Stripe did anything'],
		['503', 'a 503'],
		['drop-before-commit', 'a connection dropped before the write'],
		['drop-after-commit', 'a connection dropped after Stripe committed'],
		['rate_limit', 'a 429 rate_limit'],
		['lock_timeout', 'a 429 lock_timeout'],
		['409', 'a 409 conflict'],
	];

	it.each(retried)('%s (%s) is retried and the credit lands exactly once', async (fault) => {
		const customer = sandbox().createCustomer({});
		sandbox().setFaults({ script: [{ fault, method: 'POST' }] });
		const result = await runStripe(sandbox(), [credit(customer.id, -500)], createFromItem());

		expect(result.status).toBe('success');
		expect(result.output('Stripe')[0].json).toMatchObject({ amount: -500, ending_balance: -500 });
		expect(sandbox().transactions(customer.id)).toHaveLength(1);
		expect(sandbox().customer(customer.id)?.balance).toBe(-500);
		const attempts = writesTo(sandbox());
		expect(attempts).toHaveLength(2);
		expect(attempts[1].idempotencyKey).toBe(attempts[0].idempotencyKey);
		expect(attempts[0].idempotencyKey).toMatch(/^n8n-[\w-]{43}$/);
	});

	it('a reply slower than the timeout is retried; Stripe replays the committed write instead of applying it again', async () => {
		const customer = sandbox().createCustomer({});
		sandbox().setFaults({ slowReplyMs: 2500, script: [{ fault: 'slow-after-commit', method: 'POST' }] });
		const result = await runStripe(sandbox(), [credit(customer.id)], createFromItem({ options: { timeout: 1000, maxRetries: 5 } }));

		expect(result.status).toBe('success');
		expect(sandbox().transactions(customer.id)).toHaveLength(1);
		expect(writesTo(sandbox()).length).toBeGreaterThanOrEqual(2);
		expect(writesTo(sandbox()).some((request) => request.replayed)).toBe(true);
	});

	it('Stripe-Should-Retry: false is never retried, and the error is reported', async () => {
		const customer = sandbox().createCustomer({});
		sandbox().setFaults({ script: [{ fault: 'should-retry-false-500', method: 'POST' }] });
		const result = await runStripe(sandbox(), [credit(customer.id)], createFromItem());
		expect(result.status).toBe('error');
		expect(result.error?.httpCode).toBe('500');
		expect(writesTo(sandbox())).toHaveLength(1);
		expect(sandbox().transactions(customer.id)).toHaveLength(0);
	});

	it('gives up after Max Retries and says how many attempts were made', async () => {
		const customer = sandbox().createCustomer({});
		sandbox().setFaults({ script: Array.from({ length: 3 }, () => ({ fault: '500' as const, method: 'POST' as const })) });
		const result = await runStripe(sandbox(), [credit(customer.id)], createFromItem({ options: { maxRetries: 2 } }));
		expect(result.status).toBe('error');
		expect(String(result.error?.description)).toMatch(/after 3 attempts/);
		expect(writesTo(sandbox())).toHaveLength(3);
	});

	it('your own idempotency key (e.g. an order id) is sent as is, and a second execution with it writes nothing new', async () => {
		const customer = sandbox().createCustomer({});
		const parameters = createFromItem({ options: { idempotencyKey: '={{ "order-" + $json.order }}' } });
		const items = [{ ...credit(customer.id), order: 4512 }];
		const first = await runStripe(sandbox(), items, parameters);
		const second = await runStripe(sandbox(), items, parameters);
		expect(second.output('Stripe')[0].json).toMatchObject({ id: first.output('Stripe')[0].json.id, alreadyApplied: true });
		expect(first.output('Stripe')[0].json.alreadyApplied).toBe(false);
		// The second execution found the key on the customer's transaction and sent no write.
		expect(writesTo(sandbox()).map((request) => request.idempotencyKey)).toEqual(['order-4512']);
		expect(sandbox().transactions(customer.id)).toHaveLength(1);
	});

	it('derived keys differ per item and per execution, so identical items are still two credits', async () => {
		const customer = sandbox().createCustomer({});
		await runStripe(sandbox(), [credit(customer.id), credit(customer.id)], createFromItem());
		await runStripe(sandbox(), [credit(customer.id)], createFromItem());
		const keys = writesTo(sandbox()).map((request) => request.idempotencyKey);
		expect(new Set(keys).size).toBe(3);
		expect(sandbox().customer(customer.id)?.balance).toBe(-300);
	});
});

describe("n8n's Retry On Fail re-runs the node: nothing already written is written again", () => {
	it('after a partial failure, the retry replays the written items and completes the failed one', async () => {
		const [a, b, c] = [sandbox().createCustomer({}), sandbox().createCustomer({}), sandbox().createCustomer({})];
		// c's write fails on the first run (no retries inside the node), so the node fails and n8n runs it again.
		sandbox().setFaults({ script: [{ fault: '500', method: 'POST', pathIncludes: c.id }] });
		const result = await runStripe(
			sandbox(),
			[credit(a.id, -100), credit(b.id, -200), credit(c.id, -300)],
			createFromItem({ options: { maxRetries: 0 } }),
			{ retryOnFail: true, maxTries: 2, waitBetweenTries: 1 },
		);

		expect(result.status).toBe('success');
		expect(result.output('Stripe').map((item) => item.json.amount)).toEqual([-100, -200, -300]);
		// The second try knew it had run before, found a's and b's writes by their keys, and wrote only c's.
		expect(result.output('Stripe').map((item) => item.json.alreadyApplied)).toEqual([true, true, false]);
		expect(sandbox().transactions()).toHaveLength(3);
		expect([a, b, c].map((customer) => sandbox().customer(customer.id)?.balance)).toEqual([-100, -200, -300]);
		expect(writesTo(sandbox())).toHaveLength(4);
	});

	it('also when On Error continues: the error item makes n8n re-run the whole batch, and only replays come back', async () => {
		const customers = Array.from({ length: 4 }, () => sandbox().createCustomer({}));
		sandbox().setFaults({ script: [{ fault: '500', method: 'POST', pathIncludes: customers[0].id }] });
		const result = await runStripe(
			sandbox(),
			customers.map((customer) => credit(customer.id, -50)),
			createFromItem({ options: { maxRetries: 0 } }),
			{ retryOnFail: true, maxTries: 3, waitBetweenTries: 1, onError: 'continueRegularOutput' },
		);
		expect(result.output('Stripe').every((item) => item.json.object === 'customer_balance_transaction')).toBe(true);
		expect(result.output('Stripe').map((item) => item.json.alreadyApplied)).toEqual([false, true, true, true]);
		expect(sandbox().transactions()).toHaveLength(4);
	});

	it('without an execution id (n8n gives none), keys are kept for the execution, so Retry On Fail is still safe', async () => {
		const [a, b] = [sandbox().createCustomer({}), sandbox().createCustomer({})];
		sandbox().setFaults({ script: [{ fault: '500', method: 'POST', pathIncludes: b.id }] });
		const result = await runStripe(
			sandbox(),
			[credit(a.id), credit(b.id)],
			createFromItem({ options: { maxRetries: 0 } }),
			{ retryOnFail: true, maxTries: 2, waitBetweenTries: 1 },
			{ executionId: null },
		);
		expect(result.status).toBe('success');
		expect(sandbox().transactions()).toHaveLength(2);
		expect(result.output('Stripe').map((item) => item.json.alreadyApplied)).toEqual([true, false]);
	});
});

describe('under a mix of every fault at once', () => {
	it('N items give exactly N transactions and exact balances, with no duplicate', async () => {
		const customers = Array.from({ length: 8 }, () => sandbox().createCustomer({}));
		const items = Array.from({ length: 60 }, (_, index) => credit(customers[index % 8].id, -(index + 1)));
		sandbox().setFaults({
			latencyMs: 5,
			rateLimitPerSecond: 40,
			lockTimeouts: true,
			serverErrorRate: 0.1,
			dropAfterCommitRate: 0.1,
			slowReplyRate: 0.05,
			slowReplyMs: 3500,
			seed: 7,
		});
		const result = await runStripe(
			sandbox(),
			items,
			// A Timeout below the slow replies (so they are retried) and well above what a loaded machine adds.
			createFromItem({ options: { maxRetries: 8, timeout: 2500, concurrency: 16, maxRequestsPerSecond: 60 } }),
		);

		expect(result.status).toBe('success');
		const output = result.output('Stripe');
		expect(output.map((item) => item.json.amount)).toEqual(items.map((item) => item.amount));
		expect(output.map((item) => item.pairedItem)).toEqual(items.map((_, index) => ({ item: index })));
		const transactions = sandbox().transactions();
		expect(transactions).toHaveLength(60);
		expect(new Set(transactions.map((transaction) => transaction.amount)).size).toBe(60);
		customers.forEach((customer, c) => {
			const expected = items.filter((_, index) => index % 8 === c).reduce((sum, item) => sum + item.amount, 0);
			expect(sandbox().customer(customer.id)?.balance).toBe(expected);
		});
		const stats = sandbox().stats;
		// The mix really happened.
		expect(stats.serverErrors + stats.dropped + stats.slow).toBeGreaterThan(5);
		expect(stats.idempotencyErrors).toBe(0);
	});
});
