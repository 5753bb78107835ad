/**
 * Between executions of one n8n process: executions that run at once share one pacer per Stripe account and queue
 * for each customer's lock, a 429 is a wait rather than a failure, and Stripe's refusal of a key it saw with other
 * values is reported as "already sent", never written again. (n8n's Retry itself is tested in the real server:
 * test/e2e/betweenExecutions.e2e.test.ts.)
 */
import { busiestSecond, createFromItem, runStripe, useRemoteSandbox, useSandbox, writesTo } from './support';

const sandbox = useSandbox();

const credit = (customer: string, amount = -100) => ({ customer, amount, currency: 'usd' });

describe('executions running at once share one pacer per Stripe account', () => {
	// The sandbox runs in a process of its own here, so that its clock measures arrivals, not this process's load.
	const remote = useRemoteSandbox();

	it('two executions of 200 items each never exceed the ceiling together, and Stripe answers no 429', async () => {
		await remote().setFaults({ rateLimitPerSecond: 100 });
		const customers = await remote().createCustomers(400);
		const parameters = createFromItem({ options: { maxRequestsPerSecond: 100 } });
		const [first, second] = await Promise.all([
			runStripe(remote(), customers.slice(0, 200).map((customer) => credit(customer)), parameters),
			runStripe(remote(), customers.slice(200).map((customer) => credit(customer)), parameters),
		]);

		expect([first.status, second.status]).toEqual(['success', 'success']);
		expect((await remote().stats()).rateLimited).toBe(0);
		expect(await remote().transactions()).toHaveLength(400);
		// Each alone would go at 95/s: together, through one pacer, they stay under 100/s.
		expect(busiestSecond((await remote().timeline()).map(([at]) => at))).toBeLessThanOrEqual(100);
	});

	it('the lowest Max Requests per Second of the executions running holds for all of them while it runs', async () => {
		await remote().setFaults({ rateLimitPerSecond: 100 });
		const customers = await remote().createCustomers(40);
		const [slowOnes, fastOnes] = [customers.slice(0, 20), customers.slice(20)];
		const slow = runStripe(remote(), slowOnes.map((customer) => credit(customer)), createFromItem({ options: { maxRequestsPerSecond: 10, concurrency: 1 } }));
		await new Promise((resolve) => setTimeout(resolve, 300));
		const fast = runStripe(remote(), fastOnes.map((customer) => credit(customer)), createFromItem({ options: { maxRequestsPerSecond: 100 } }));
		await Promise.all([slow, fast]);

		const timeline = await remote().timeline();
		const of = (group: string[]) => timeline.filter(([, , , path]) => group.some((customer) => path.includes(customer))).map(([at]) => at);
		const slowLastSent = Math.max(...of(slowOnes));
		// The fast one's requests came while the slow one ran, interleaved with its 20, at the slow one's pace.
		expect(of(fastOnes).filter((at) => at < slowLastSent).length).toBeGreaterThan(0);
		expect(busiestSecond(timeline.map(([at]) => at).filter((at) => at <= slowLastSent))).toBeLessThanOrEqual(10);
		expect(await remote().transactions()).toHaveLength(40);
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
	it('20 executions crediting one customer at once: no lock_timeout, no overlap, every credit once', async () => {
		const customer = sandbox().createCustomer({}).id;
		sandbox().setFaults({ latencyMs: 30, lockTimeouts: true });
		const results = await Promise.all(
			Array.from({ length: 20 }, async (_, index) =>
				await runStripe(sandbox(), [credit(customer, -(index + 1))], createFromItem({ options: { maxRetries: 0, maxRequestsPerSecond: 1000 } })),
			),
		);

		expect(results.map((result) => result.status)).toEqual(Array(20).fill('success'));
		expect(sandbox().stats.lockTimeouts).toBe(0);
		const arrivals = writesTo(sandbox()).map((request) => request.at);
		arrivals.slice(1).forEach((at, index) => expect(at).toBeGreaterThanOrEqual(arrivals[index] + 30));
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
