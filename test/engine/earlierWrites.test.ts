/**
 * Once means once for as long as the user says, not only for Stripe's 24 hours of idempotency keys. The sandbox here
 * forgets keys as soon as their request completed (idempotencyKeyTtlMs: 0), standing in for a Stripe that pruned them:
 * every "once" below comes from the key each write records on its transaction (metadata n8n_idempotency_key) and the
 * node's look-up of the customer's transactions before a write whose key may have been used.
 */
import { byId, createFromItem, runStripe, useSandbox, writesTo } from './support';

const sandbox = useSandbox();

const DAY = 86_400;
const credit = (customer: string, amount = -100) => ({ customer, amount, currency: 'usd' });
const listsOf = (customer: string) =>
	sandbox().requests.filter((request) => request.method === 'GET' && request.path === `/v1/customers/${customer}/balance_transactions`);
const withDataKey = (extra: Record<string, unknown> = {}) =>
	createFromItem({ ...extra, options: { idempotencyKey: '={{ "order-" + $json.order }}', ...((extra.options as object) ?? {}) } });

beforeEach(() => sandbox().setFaults({ idempotencyKeyTtlMs: 0 }));

describe("n8n's Retry after Stripe forgot the keys writes nothing twice", () => {
	/** Three credits; the third fails at Stripe (told not to retry) after the first two were written. */
	async function failAtTheThird(parameters: Record<string, unknown>) {
		const customers = [sandbox().createCustomer({}), sandbox().createCustomer({}), sandbox().createCustomer({})];
		const items = customers.map((customer, index) => ({ ...credit(customer.id, -(index + 1) * 100), order: index }));
		sandbox().setFaults({ script: [{ fault: 'should-retry-false-500', method: 'POST', pathIncludes: customers[2].id }] });
		const failed = await runStripe(sandbox(), items, parameters);
		expect(failed.status).toBe('error');
		expect(sandbox().transactions()).toHaveLength(2);
		sandbox().passTime(3 * DAY);
		return { customers, items, failed };
	}

	it.each([
		["the node's own keys", createFromItem()],
		['keys from the data', withDataKey()],
	])('with %s: the two written are found and marked, only the third is written', async (_, parameters) => {
		const { customers, items, failed } = await failAtTheThird(parameters);
		const retried = await runStripe(sandbox(), items, parameters, {}, { retryOf: failed });

		expect(retried.status).toBe('success');
		expect(sandbox().transactions()).toHaveLength(3);
		expect(customers.map((customer) => sandbox().customer(customer.id)?.balance)).toEqual([-100, -200, -300]);
		const output = retried.output('Stripe').map((item) => item.json);
		expect(output.map((json) => json.alreadyApplied)).toEqual([true, true, false]);
		expect(output[0].appliedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
		expect(output.map((json) => json.amount)).toEqual([-100, -200, -300]);
		// The retry wrote only the third: 3 writes in the failed execution, 1 in the retry.
		expect(writesTo(sandbox())).toHaveLength(4);
	});

	it('a new execution (not a Retry) with the node\'s own keys is a new write: the look-up is only for a run attempted before', async () => {
		const customer = sandbox().createCustomer({});
		await runStripe(sandbox(), [credit(customer.id)], createFromItem());
		await runStripe(sandbox(), [credit(customer.id)], createFromItem());
		expect(sandbox().transactions(customer.id)).toHaveLength(2);
		expect(listsOf(customer.id)).toHaveLength(0);
	});
});

describe('a key from the data applies once for the look-back window, and the output says so', () => {
	it('a second execution a month later writes nothing and outputs the first transaction, alreadyApplied with when', async () => {
		const customer = sandbox().createCustomer({});
		const first = await runStripe(sandbox(), [{ ...credit(customer.id), order: 7 }], withDataKey());
		sandbox().passTime(29 * DAY);
		const second = await runStripe(sandbox(), [{ ...credit(customer.id), order: 7 }], withDataKey());

		const [written] = first.output('Stripe').map((item) => item.json);
		const [again] = second.output('Stripe').map((item) => item.json);
		expect(written).toMatchObject({ alreadyApplied: false, metadata: { n8n_idempotency_key: 'order-7' } });
		expect(again).toMatchObject({ id: written.id, alreadyApplied: true, appliedAt: new Date(((written.created as number) - 29 * DAY) * 1000).toISOString() });
		expect(sandbox().transactions(customer.id)).toHaveLength(1);
		expect(writesTo(sandbox())).toHaveLength(1);
	});

	it('beyond the window the key is not looked for: Options > Look Back for Earlier Writes sets how long once holds', async () => {
		const customer = sandbox().createCustomer({});
		await runStripe(sandbox(), [{ ...credit(customer.id), order: 7 }], withDataKey());
		sandbox().passTime(31 * DAY);
		const past = await runStripe(sandbox(), [{ ...credit(customer.id), order: 7 }], withDataKey());
		expect(past.output('Stripe')[0].json.alreadyApplied).toBe(false);
		expect(sandbox().transactions(customer.id)).toHaveLength(2);

		// 0 looks through the whole history: a year later, still once.
		sandbox().passTime(365 * DAY);
		const always = await runStripe(sandbox(), [{ ...credit(customer.id), order: 7 }], withDataKey({ options: { lookBackDays: 0 } }));
		expect(always.output('Stripe')[0].json.alreadyApplied).toBe(true);
		expect(sandbox().transactions(customer.id)).toHaveLength(2);
	});

	it('the same key with another amount is refused as already applied, naming the transaction; nothing is written', async () => {
		const customer = sandbox().createCustomer({});
		const first = await runStripe(sandbox(), [{ ...credit(customer.id, -100), order: 7 }], withDataKey());
		sandbox().passTime(2 * DAY);
		const other = await runStripe(sandbox(), [{ ...credit(customer.id, -500), order: 7 }], withDataKey());
		expect(other.status).toBe('error');
		expect(other.error?.message).toContain('order-7');
		expect(other.error?.message).toContain(String(first.output('Stripe')[0].json.id));
		expect(sandbox().transactions(customer.id)).toHaveLength(1);
	});

	it('the same money under the same key is the same write, also after an Update changed its description', async () => {
		const customer = sandbox().createCustomer({});
		const first = await runStripe(sandbox(), [{ ...credit(customer.id, -100), order: 7 }], withDataKey());
		const id = String(first.output('Stripe')[0].json.id);
		await runStripe(sandbox(), [{ customer: customer.id, id }], {
			resource: 'customerBalanceTransaction',
			operation: 'update',
			customer: byId('={{ $json.customer }}'),
			transactionId: '={{ $json.id }}',
			updateFields: { description: 'Booked' },
		});
		sandbox().passTime(2 * DAY);
		const again = await runStripe(sandbox(), [{ ...credit(customer.id, -100), order: 7 }], withDataKey());
		expect(again.output('Stripe')[0].json).toMatchObject({ id, alreadyApplied: true, description: 'Booked' });
		expect(sandbox().transactions(customer.id)).toHaveLength(1);
	});

	it('Stripe\'s own replay (the key still known, the transaction older than the window) is marked the same way', async () => {
		const customer = sandbox().createCustomer({});
		sandbox().setFaults({ idempotencyKeyTtlMs: null });
		await runStripe(sandbox(), [{ ...credit(customer.id), order: 9 }], withDataKey());
		sandbox().passTime(2 * DAY);
		const replayed = await runStripe(sandbox(), [{ ...credit(customer.id), order: 9 }], withDataKey({ options: { lookBackDays: 1 } }));
		expect(writesTo(sandbox())[1].replayed).toBe(true);
		expect(replayed.output('Stripe')[0].json.alreadyApplied).toBe(true);
		expect(sandbox().transactions(customer.id)).toHaveLength(1);
	});

	it('a write retried after a dropped connection is this item\'s own write: not marked as applied earlier', async () => {
		const customer = sandbox().createCustomer({});
		sandbox().setFaults({ idempotencyKeyTtlMs: null, script: [{ fault: 'drop-after-commit', method: 'POST' }] });
		const result = await runStripe(sandbox(), [{ ...credit(customer.id), order: 3 }], withDataKey());
		expect(writesTo(sandbox()).map((request) => request.replayed)).toEqual([false, true]);
		expect(result.output('Stripe')[0].json.alreadyApplied).toBe(false);
	});
});

describe('the look-up costs one read per customer per execution', () => {
	it('ten items of one customer with keys from the data: one list request serves them all', async () => {
		const customer = sandbox().createCustomer({});
		const items = Array.from({ length: 10 }, (_, order) => ({ ...credit(customer.id, -(order + 1)), order }));
		const result = await runStripe(sandbox(), items, withDataKey());
		expect(result.status).toBe('success');
		expect(listsOf(customer.id)).toHaveLength(1);
		expect(sandbox().transactions(customer.id)).toHaveLength(10);
	});

	it('the same key twice in one execution: written once, the second item says so', async () => {
		const customer = sandbox().createCustomer({});
		const result = await runStripe(sandbox(), [{ ...credit(customer.id), order: 1 }, { ...credit(customer.id), order: 1 }], withDataKey());
		expect(result.output('Stripe').map((item) => item.json.alreadyApplied)).toEqual([false, true]);
		expect(sandbox().transactions(customer.id)).toHaveLength(1);
	});

	it('a customer with 1,000 transactions in the window costs 10 list requests, and its oldest key is still found', async () => {
		const customer = sandbox().createCustomer({});
		for (let index = 0; index < 1000; index++) {
			sandbox().createTransaction(customer.id, { amount: -1, currency: 'usd', metadata: { n8n_idempotency_key: `order-${index}` } });
		}
		const result = await runStripe(sandbox(), [{ ...credit(customer.id, -1), order: 0 }], withDataKey());
		expect(result.output('Stripe')[0].json.alreadyApplied).toBe(true);
		expect(listsOf(customer.id)).toHaveLength(10);
		expect(writesTo(sandbox())).toHaveLength(0);
	});
});

describe('the key is recorded on every write, and its place is kept', () => {
	it('metadata with 50 keys leaves no room for it: refused naming Metadata, nothing sent', async () => {
		const customer = sandbox().createCustomer({});
		const metadataValues = Array.from({ length: 50 }, (_, index) => ({ key: `k${index}`, value: 'v' }));
		const result = await runStripe(sandbox(), [credit(customer.id)], createFromItem({ additionalFields: { metadata: { metadataValues } } }));
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/^Invalid Metadata in item 0: has 50 keys/);
		expect(sandbox().requests).toHaveLength(0);
	});

	it('a metadata key of the same name is refused, naming Metadata', async () => {
		const customer = sandbox().createCustomer({});
		const metadataValues = [{ key: 'n8n_idempotency_key', value: 'mine' }];
		const result = await runStripe(sandbox(), [credit(customer.id)], createFromItem({ additionalFields: { metadata: { metadataValues } } }));
		expect(result.error?.message).toMatch(/^Invalid Metadata in item 0: uses the key n8n_idempotency_key/);
		expect(sandbox().requests).toHaveLength(0);
	});

	it('the look-back takes no expression: an AI agent or the data cannot shorten how long once holds', async () => {
		const customer = sandbox().createCustomer({});
		const result = await runStripe(sandbox(), [credit(customer.id)], createFromItem({ options: { lookBackDays: '={{ 0 }}' } }));
		expect(result.error?.message).toMatch(/^Invalid Look Back for Earlier Writes \(Days\) in item 0: is an expression/);
		expect(sandbox().requests).toHaveLength(0);
	});
});

describe('Check Only shows which items a real run would not write', () => {
	it('the item whose key is found is shown alreadyApplied with its transaction; the other as the write it would send', async () => {
		const [known, fresh] = [sandbox().createCustomer({}), sandbox().createCustomer({})];
		await runStripe(sandbox(), [{ ...credit(known.id), order: 1 }], withDataKey());
		sandbox().passTime(DAY);
		const checked = await runStripe(
			sandbox(),
			[{ ...credit(known.id), order: 1 }, { ...credit(fresh.id), order: 2 }],
			withDataKey({ customer: byId('={{ $json.customer }}'), options: { checkOnly: true } }),
		);
		const [found, wouldWrite] = checked.output('Stripe').map((item) => item.json);
		expect(found).toMatchObject({ checkOnly: true, alreadyApplied: true, object: 'customer_balance_transaction' });
		expect(wouldWrite).toMatchObject({ checkOnly: true, alreadyApplied: false, method: 'POST', idempotencyKey: 'order-2' });
		expect(String(wouldWrite.body)).toContain('metadata[n8n_idempotency_key]=order-2');
		expect(writesTo(sandbox())).toHaveLength(1);
	});
});
