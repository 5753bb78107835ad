/** The rest of the balance: get, update and list transactions, and read a customer's balance. */
import { byId, createFromItem, runStripe, useSandbox, writesTo } from './support';

const sandbox = useSandbox();

const txn = (operation: string, extra: Record<string, unknown> = {}) => ({
	resource: 'customerBalanceTransaction',
	operation,
	customer: byId('={{ $json.customer }}'),
	...extra,
});

async function seedTransactions(customerId: string, amounts: number[]) {
	const result = await runStripe(
		sandbox(),
		amounts.map((amount, index) => ({ customer: customerId, amount, currency: 'usd', note: `t${index}` })),
		createFromItem({
			additionalFields: { description: '={{ $json.note }}', metadata: { metadataValues: [{ key: 'source', value: 'crm' }] } },
			options: { maxRequestsPerSecond: 1000 },
		}),
	);
	return result.output('Stripe').map((item) => item.json);
}

describe('get', () => {
	it('retrieves a transaction by id, and expands on request', async () => {
		const customer = sandbox().createCustomer({ email: 'get@example.com' });
		const [created] = await seedTransactions(customer.id, [-700]);
		const result = await runStripe(
			sandbox(),
			[{ customer: customer.id, id: created.id }],
			txn('get', { transactionId: '={{ $json.id }}', options: { expand: ['customer'] } }),
		);
		const fetched = result.output('Stripe')[0];
		expect(fetched.json).toMatchObject({ id: created.id, amount: -700, description: 't0' });
		expect(fetched.json.customer).toMatchObject({ id: customer.id, email: 'get@example.com' });
		expect(sandbox().requests.at(-1)?.query).toBe('expand[0]=customer');
	});

	it('refuses a transaction id that is not one, before sending', async () => {
		const customer = sandbox().createCustomer({});
		const result = await runStripe(sandbox(), [{ customer: customer.id }], txn('get', { transactionId: 'cbtxn_1/../../x' }));
		expect(result.error?.message).toMatch(/Invalid Transaction ID in item 0/);
		expect(sandbox().requests).toHaveLength(0);
	});
});

describe('update', () => {
	it('changes description and metadata (an empty value removes a key), with an idempotency key', async () => {
		const customer = sandbox().createCustomer({});
		const [created] = await seedTransactions(customer.id, [-100]);
		const result = await runStripe(
			sandbox(),
			[{ customer: customer.id, id: created.id }],
			txn('update', {
				transactionId: '={{ $json.id }}',
				updateFields: {
					description: 'Corrected note',
					metadata: { metadataValues: [{ key: 'source', value: '' }, { key: 'ticket', value: '4512' }] },
				},
			}),
		);
		expect(result.output('Stripe')[0].json).toMatchObject({ id: created.id, amount: -100, description: 'Corrected note', metadata: { ticket: '4512' } });
		const request = writesTo(sandbox()).at(-1);
		expect(request?.rawBody).toBe('description=Corrected%20note&metadata[source]=&metadata[ticket]=4512');
		expect(request?.idempotencyKey).toMatch(/^n8n-/);
		expect(sandbox().customer(customer.id)?.balance).toBe(-100);
	});

	it('only description and metadata can change: the amount is not a field of this operation', async () => {
		const customer = sandbox().createCustomer({});
		const [created] = await seedTransactions(customer.id, [-100]);
		await runStripe(sandbox(), [{ customer: customer.id }], txn('update', { transactionId: created.id, amount: 999, updateFields: { description: 'x' } }));
		expect(writesTo(sandbox()).at(-1)?.rawBody).toBe('description=x');
	});
});

describe('get many', () => {
	it('returns all transactions across pages, newest first, each paired with the input item', async () => {
		const customer = sandbox().createCustomer({});
		await seedTransactions(customer.id, Array.from({ length: 130 }, (_, index) => -(index + 1)));
		sandbox().requests.length = 0;
		const result = await runStripe(sandbox(), [{ customer: customer.id }], txn('getAll', { returnAll: true }));
		const output = result.output('Stripe');
		expect(output).toHaveLength(130);
		expect(output[0].json.amount).toBe(-130);
		expect(output[129].json.amount).toBe(-1);
		expect(output.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(sandbox().requests.map((request) => request.query)).toEqual([
			'limit=100',
			`limit=100&starting_after=${String(output[99].json.id)}`,
		]);
	});

	it('fetches no more pages than the limit needs, and asks each page for only what is still needed', async () => {
		const customer = sandbox().createCustomer({});
		await seedTransactions(customer.id, Array.from({ length: 30 }, (_, index) => -(index + 1)));
		sandbox().requests.length = 0;
		const five = await runStripe(sandbox(), [{ customer: customer.id }], txn('getAll', { returnAll: false, limit: 5 }));
		expect(five.output('Stripe')).toHaveLength(5);
		expect(sandbox().requests.map((request) => request.query)).toEqual(['limit=5']);
	});

	it('filters by created date range and invoice, and expands inside the list', async () => {
		const customer = sandbox().createCustomer({});
		await seedTransactions(customer.id, [-1, -2]);
		const now = Math.floor(Date.now() / 1000);
		sandbox().requests.length = 0;
		const result = await runStripe(
			sandbox(),
			[{ customer: customer.id }],
			txn('getAll', {
				returnAll: true,
				filters: { createdAfter: new Date((now - 3600) * 1000).toISOString(), createdBefore: new Date((now + 3600) * 1000).toISOString() },
				options: { expand: ['invoice'] },
			}),
		);
		expect(result.output('Stripe')).toHaveLength(2);
		expect(sandbox().requests[0].query).toBe(`limit=100&created[gte]=${now - 3600}&created[lt]=${now + 3600}&expand[0]=data.invoice`);

		const none = await runStripe(
			sandbox(),
			[{ customer: customer.id }],
			txn('getAll', { returnAll: true, filters: { invoice: 'in_1MtHbELkdIwHu7ixl4OzzPMv' } }),
		);
		expect(none.status).toBe('success');
		expect(sandbox().requests.at(-1)?.query).toBe('limit=100&invoice=in_1MtHbELkdIwHu7ixl4OzzPMv');
	});

	it('a customer without transactions gives no items, not an error', async () => {
		const customer = sandbox().createCustomer({});
		const result = await runStripe(sandbox(), [{ customer: customer.id }], txn('getAll', { returnAll: true }));
		expect(result.status).toBe('success');
		expect(result.output('Stripe')).toHaveLength(0);
	});
});

describe('customer: get balance', () => {
	it("reads the current balance, currency and per-currency credit balances", async () => {
		const customer = sandbox().createCustomer({ email: 'bal@example.com', name: 'Bal' });
		await seedTransactions(customer.id, [-1000, 250]);
		const result = await runStripe(sandbox(), [{ customer: customer.id }], {
			resource: 'customer',
			operation: 'getBalance',
			customer: byId('={{ $json.customer }}'),
		});
		const json = result.output('Stripe')[0].json;
		expect(json).toMatchObject({ customer: customer.id, email: 'bal@example.com', name: 'Bal', balance: -750, currency: 'usd' });
		// Passed through exactly as Stripe returns it.
		const stored = sandbox().customer(customer.id)?.invoice_credit_balance;
		expect(stored).toBeDefined();
		expect(json.invoice_credit_balance).toEqual(stored);
		expect(sandbox().requests.at(-1)?.query).toBe('expand[0]=invoice_credit_balance');
	});

	it('an unknown customer is a clear error, and with On Error continue an error item', async () => {
		const result = await runStripe(
			sandbox(),
			[{ customer: 'cus_Unknown000001' }],
			{ resource: 'customer', operation: 'getBalance', customer: byId('={{ $json.customer }}') },
			{ onError: 'continueRegularOutput' },
		);
		expect(result.output('Stripe')[0].json).toMatchObject({ code: 'resource_missing', statusCode: 404 });
	});
});
