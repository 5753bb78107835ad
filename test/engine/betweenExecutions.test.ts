/**
 * Between executions of one n8n process: executions that run at once share one pacer per Stripe account and queue
 * for each customer's lock, a 429 is a wait rather than a failure, and Stripe's refusal of a key it saw with other
 * values is reported as "already sent", never written again. (n8n's Retry itself is tested in the real server:
 * test/e2e/betweenExecutions.e2e.test.ts.)
 */
import { createFromItem, oneAtATime, onePerCustomer, runStripe, until, useRemoteSandbox, useSandbox, writesTo } from './support';

const sandbox = useSandbox();

const credit = (customer: string, amount = -100) => ({ customer, amount, currency: 'usd' });

describe('executions running at once share one pacer per Stripe account', () => {
	// Stripe's 429s, the busiest second and wall time depend on the machine's load: `npm run bench` (e) measures them.
	// What holds under any load: every item written once, and a lower bound on time that only pacing explains (load
	// can make a run slower, never faster).
	const remote = useRemoteSandbox();

	it('two executions of 200 items at once: all 400 written once, together no faster than one ceiling allows', async () => {
		await remote().setFaults({ rateLimitPerSecond: 100 });
		const customers = await remote().createCustomers(400);
		const parameters = createFromItem({ options: { maxRequestsPerSecond: 100 } });
		const started = Date.now();
		const [first, second] = await Promise.all([
			runStripe(remote(), customers.slice(0, 200).map((customer) => credit(customer)), parameters),
			runStripe(remote(), customers.slice(200).map((customer) => credit(customer)), parameters),
		]);
		const elapsed = Date.now() - started;

		expect([first.status, second.status]).toEqual(['success', 'success']);
		expect(onePerCustomer(await remote().transactions(), customers)).toBe(true);
		// One pacer hands out at most 100 turns per window of 1.05 s: 400 requests need 3 full windows after the first.
		// Two pacers of their own would each send 200 in about 2.1 s.
		expect(elapsed).toBeGreaterThanOrEqual(3 * 1050);
	});

	it('the lowest Max Requests per Second of the executions running holds for all of them while it runs', async () => {
		const customers = await remote().createCustomers(40);
		const [slowOnes, fastOnes] = [customers.slice(0, 20), customers.slice(20)];
		const slow = runStripe(remote(), slowOnes.map((customer) => credit(customer)), createFromItem({ options: { maxRequestsPerSecond: 10, concurrency: 1 } }));
		// The fast one starts once the slow one is sending (its 20 requests at 10/s take about 2 s).
		await until(async () => (await remote().transactions()).length > 0);
		const fastStarted = Date.now();
		const fast = await runStripe(remote(), fastOnes.map((customer) => credit(customer)), createFromItem({ options: { maxRequestsPerSecond: 100 } }));
		const fastElapsed = Date.now() - fastStarted;
		await slow;

		expect(fast.status).toBe('success');
		expect(onePerCustomer(await remote().transactions(), customers)).toBe(true);
		// Alone, 20 requests at 100/s take about 0.2 s; held to the slow one's 10/s they need more than a window (1.05 s).
		expect(fastElapsed).toBeGreaterThanOrEqual(1050);
	});
});

describe('derived keys never meet the keys of another installation', () => {
	it('the same workflow in two n8n installations, execution ids alike (they start at 1 in every database): two credits', async () => {
		const customer = sandbox().createCustomer({}).id;
		const sameNode = { id: 'node-imported-in-both' };
		await runStripe(sandbox(), [credit(customer, -500)], createFromItem(), sameNode, { executionId: '1' });
		await runStripe(sandbox(), [credit(customer, -500)], createFromItem(), sameNode, { executionId: '1' });

		expect(sandbox().transactions(customer)).toHaveLength(2);
		expect(sandbox().stats.replays).toBe(0);
	});
});

describe('writes to one customer from many executions go one at a time, in arrival order', () => {
	it('20 executions crediting one customer at once: no lock_timeout, each write after the reply to the one before, every credit once', async () => {
		const customer = sandbox().createCustomer({}).id;
		sandbox().setFaults({ latencyMs: 30, lockTimeouts: true });
		const results = await Promise.all(
			Array.from({ length: 20 }, async (_, index) =>
				await runStripe(sandbox(), [credit(customer, -(index + 1))], createFromItem({ options: { maxRetries: 0, maxRequestsPerSecond: 1000 } })),
			),
		);

		expect(results.map((result) => result.status)).toEqual(Array(20).fill('success'));
		expect(sandbox().stats.lockTimeouts).toBe(0);
		expect(oneAtATime(writesTo(sandbox()))).toBe(true);
		expect(sandbox().transactions(customer)).toHaveLength(20);
		expect(sandbox().customer(customer)?.balance).toBe(-210);
	});
});

describe('a 429 is a wait, not a failure', () => {
	it('rate_limit and lock_timeout answers are waited out even with Max Retries 0', async () => {
		const customer = sandbox().createCustomer({}).id;
		const fault = (kind: 'rate_limit' | 'lock_timeout') => ({ fault: kind, method: 'POST' as const });
		sandbox().setFaults({ script: [fault('rate_limit'), fault('lock_timeout'), fault('rate_limit'), fault('lock_timeout')] });
		const result = await runStripe(sandbox(), [credit(customer, -700)], createFromItem({ options: { maxRetries: 0 } }));

		expect(result.status).toBe('success');
		expect(writesTo(sandbox())).toHaveLength(5);
		expect(sandbox().transactions(customer)).toHaveLength(1);
	});

	it('Max Retries still bounds 5xx: with 0, one 500 fails the item', async () => {
		const customer = sandbox().createCustomer({}).id;
		sandbox().setFaults({ script: [{ fault: '500', method: 'POST' }] });
		const result = await runStripe(sandbox(), [credit(customer)], createFromItem({ options: { maxRetries: 0 } }));
		expect(result.status).toBe('error');
		expect(writesTo(sandbox())).toHaveLength(1);
	});

	it('a 429 that outlasts the Timeout fails, saying so', async () => {
		const customer = sandbox().createCustomer({}).id;
		sandbox().setFaults({ script: Array.from({ length: 30 }, () => ({ fault: 'rate_limit' as const, method: 'POST' as const })) });
		const result = await runStripe(sandbox(), [credit(customer)], createFromItem({ options: { timeout: 2000 } }));

		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/still answering 429 after 2 s \(Options > Timeout\)/);
		expect(sandbox().transactions(customer)).toHaveLength(0);
	});
});

describe('a write Stripe already applied with other values is never sent again', () => {
	const items = (customer: string, amount: number) => [{ ...credit(customer, amount), order: 'SO-1' }];
	const withOrderKey = (extra: Record<string, unknown> = {}) =>
		createFromItem({ options: { idempotencyKey: '={{ "order-" + $json.order }}' }, ...extra });

	it('On Error continue: an error item says which item, that it was already sent, and what to do', async () => {
		const customer = sandbox().createCustomer({}).id;
		const other = sandbox().createCustomer({}).id;
		await runStripe(sandbox(), items(customer, -500), withOrderKey());
		const second = await runStripe(
			sandbox(),
			[...items(customer, -900), { ...credit(other, -100), order: 'SO-2' }],
			withOrderKey(),
			{ onError: 'continueRegularOutput' },
		);

		const [refused, written] = second.output('Stripe').map((item) => item.json);
		expect(refused).toMatchObject({ alreadySent: true, itemIndex: 0, type: 'idempotency_error' });
		expect(refused.error).toMatch(/Idempotency Key \(order-SO-1\).*item 0 was not sent again/);
		expect(refused.hint).toMatch(/give it a key of its own/);
		expect(written).toMatchObject({ object: 'customer_balance_transaction', amount: -100 });
		expect(sandbox().customer(customer)?.balance).toBe(-500);
	});

	it('On Error stop: the other items are still sent, then the node fails naming the item', async () => {
		const customer = sandbox().createCustomer({}).id;
		const others = [sandbox().createCustomer({}).id, sandbox().createCustomer({}).id];
		await runStripe(sandbox(), items(customer, -500), withOrderKey());
		const second = await runStripe(sandbox(), [
			{ ...credit(others[0], -1), order: 'SO-10' },
			...items(customer, -900),
			{ ...credit(others[1], -2), order: 'SO-11' },
		], withOrderKey());

		expect(second.status).toBe('error');
		expect(second.error?.message).toMatch(/item 1 was not sent again/);
		expect(others.map((id) => sandbox().transactions(id).length)).toEqual([1, 1]);
		expect(sandbox().transactions(customer)).toHaveLength(1);
	});

	it('several such items are named together, as ranges', async () => {
		const customers = Array.from({ length: 4 }, () => sandbox().createCustomer({}).id);
		const batch = (amount: number) => customers.map((customer, index) => ({ ...credit(customer, amount), order: `SO-${index}` }));
		await runStripe(sandbox(), batch(-100), withOrderKey());
		const changed = batch(-200).map((item, index) => (index === 2 ? { ...item, amount: -100 } : item));
		const second = await runStripe(sandbox(), changed, withOrderKey());

		expect(second.error?.message).toBe('Items 0-1 and 3 were already sent to Stripe, with other values: they were not sent again');
		expect(sandbox().transactions()).toHaveLength(4);
	});
});
