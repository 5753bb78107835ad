/**
 * Create: credit or debit a customer's balance. Runs the built node in n8n's engine against the local Stripe sandbox,
 * and checks each request against the one the official stripe SDK sends for the same input.
 */
import Stripe from 'stripe';

import { byUrl, createFromItem, runStripe, useSandbox, writesTo } from './support';

const sandbox = useSandbox();

function sdkFor(key: string, url: string): Stripe {
	const { hostname, port } = new URL(url);
	return new Stripe(key, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0 });
}

describe('create a customer balance transaction', () => {
	it('credits a customer from CRM-like items, with expressions, and outputs the transaction paired with its item', async () => {
		const alice = sandbox().createCustomer({ email: 'alice@example.com', name: 'Alice' });
		const bob = sandbox().createCustomer({ email: 'bob@example.com', name: 'Bob' });
		const items = [
			{ customer: alice.id, amount: '-1000', currency: 'EUR', note: 'Goodwill credit' },
			{ customer: bob.id, amount: 2500, currency: 'eur', note: 'Late fee' },
			{ customer: alice.id, amount: -250, currency: 'eur', note: 'Referral' },
		];
		const result = await runStripe(
			sandbox(),
			items,
			createFromItem({ additionalFields: { description: '={{ $json.note }}' } }),
		);

		expect(result.status).toBe('success');
		const output = result.output('Stripe');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output.map((item) => [item.json.customer, item.json.amount, item.json.currency, item.json.description])).toEqual([
			[alice.id, -1000, 'eur', 'Goodwill credit'],
			[bob.id, 2500, 'eur', 'Late fee'],
			[alice.id, -250, 'eur', 'Referral'],
		]);
		expect(output[0].json).toMatchObject({ object: 'customer_balance_transaction', type: 'adjustment', ending_balance: -1000 });
		expect(output[2].json.ending_balance).toBe(-1250);
		expect(sandbox().customer(alice.id)?.balance).toBe(-1250);
		expect(sandbox().customer(bob.id)?.balance).toBe(2500);
		expect(sandbox().transactions()).toHaveLength(3);
	});

	it('sends every field exactly as the official stripe SDK does', async () => {
		const customer = sandbox().createCustomer({ email: 'carol@example.com' });
		sandbox().addAccount('acct_1032D82eZvKYlo2C');
		const connected = sandbox().createCustomer({ id: 'cus_Connected00001', account: 'acct_1032D82eZvKYlo2C' });
		const metadata = { crm_id: '0012 345', 'note & more': 'a=b+c [x] 100% ✓', removed: '' };
		const description = 'Geste commercial — ticket #4512 / “thanks”';

		const result = await runStripe(
			sandbox(),
			[{ customer: connected.id, amount: '-1250', currency: 'USD' }],
			createFromItem({
				additionalFields: {
					description,
					expand: ['customer', 'invoice'],
					metadata: { metadataValues: Object.entries(metadata).map(([key, value]) => ({ key, value })) },
				},
				options: { idempotencyKey: 'order-4512', stripeAccount: 'acct_1032D82eZvKYlo2C', apiVersion: '2026-07-29.dahlia' },
			}),
		);
		expect(result.status).toBe('success');
		const fromNode = writesTo(sandbox())[0];

		sandbox().reset();
		sandbox().addAccount('acct_1032D82eZvKYlo2C');
		sandbox().createCustomer({ id: 'cus_Connected00001', account: 'acct_1032D82eZvKYlo2C' });
		await sdkFor(sandbox().secretKey, sandbox().url).customers.createBalanceTransaction(
			'cus_Connected00001',
			// The node records the write's key on the transaction (metadata n8n_idempotency_key): see earlierWrites.test.ts.
			{ amount: -1250, currency: 'usd', description, expand: ['customer', 'invoice'], metadata: { ...metadata, n8n_idempotency_key: 'order-4512' } },
			{ idempotencyKey: 'order-4512', stripeAccount: 'acct_1032D82eZvKYlo2C', apiVersion: '2026-07-29.dahlia' },
		);
		const fromSdk = writesTo(sandbox())[0];

		expect(fromNode.path).toBe(fromSdk.path);
		expect(fromNode.rawBody).toBe(fromSdk.rawBody);
		expect(fromNode.params).toEqual(fromSdk.params);
		for (const name of ['content-type', 'stripe-version', 'stripe-account', 'idempotency-key']) {
			expect([name, fromNode.headers[name]]).toEqual([name, fromSdk.headers[name]]);
		}
		expect(customer.id).toMatch(/^cus_/);
	});

	it('takes the customer by ID, by Stripe Dashboard URL (test and live) and from a plain expression string', async () => {
		const customer = sandbox().createCustomer({ email: 'dan@example.com' });
		const urls = [
			`https://dashboard.stripe.com/test/customers/${customer.id}`,
			`https://dashboard.stripe.com/customers/${customer.id}`,
			`https://dashboard.stripe.com/acct_1032D82eZvKYlo2C/test/customers/${customer.id}?tab=balance`,
		];
		for (const url of urls) {
			const result = await runStripe(sandbox(), [{}], createFromItem({ customer: byUrl(url), amount: -1, currency: 'usd' }));
			expect(result.output('Stripe')[0].json.customer).toBe(customer.id);
		}
		const plain = await runStripe(sandbox(), [{ id: customer.id }], createFromItem({ customer: '={{ $json.id }}', amount: -1, currency: 'usd' }));
		expect(plain.output('Stripe')[0].json.customer).toBe(customer.id);
		const picked = await runStripe(sandbox(), [{}], createFromItem({ customer: { __rl: true, mode: 'list', value: customer.id }, amount: -1, currency: 'usd' }));
		expect(picked.output('Stripe')[0].json.customer).toBe(customer.id);
		expect(sandbox().customer(customer.id)?.balance).toBe(-5);
	});

	it('upper-case currency is sent in lower case, and the customer currency is set by the first transaction', async () => {
		const customer = sandbox().createCustomer({});
		await runStripe(sandbox(), [{ customer: customer.id, amount: -700, currency: 'GBP' }], createFromItem());
		expect(writesTo(sandbox())[0].params).toMatchObject({ currency: 'gbp', amount: '-700' });
		expect(sandbox().customer(customer.id)).toMatchObject({ currency: 'gbp', balance: -700 });
	});

	it('sends the pinned API version by default, and no description, expand or metadata but the write\'s key unless given', async () => {
		const customer = sandbox().createCustomer({});
		await runStripe(sandbox(), [{ customer: customer.id, amount: 100, currency: 'usd' }], createFromItem());
		const request = writesTo(sandbox())[0];
		expect(request.headers['stripe-version']).toBe('2026-07-29.dahlia');
		expect(request.headers['stripe-account']).toBeUndefined();
		expect(request.rawBody).toBe(`amount=100&currency=usd&metadata[n8n_idempotency_key]=${request.idempotencyKey}`);
		expect(request.headers.authorization).not.toContain(sandbox().secretKey);
	});

	it('expands related objects when asked', async () => {
		const customer = sandbox().createCustomer({ email: 'erin@example.com' });
		const result = await runStripe(
			sandbox(),
			[{ customer: customer.id, amount: -100, currency: 'usd' }],
			createFromItem({ additionalFields: { expand: ['customer'] } }),
		);
		expect(result.output('Stripe')[0].json.customer).toMatchObject({ id: customer.id, object: 'customer', email: 'erin@example.com' });
	});

	it('an empty metadata value is sent empty, which Stripe reads as "unset this key"', async () => {
		const customer = sandbox().createCustomer({});
		const result = await runStripe(
			sandbox(),
			[{ customer: customer.id, amount: -100, currency: 'usd' }],
			createFromItem({ additionalFields: { metadata: { metadataValues: [{ key: 'keep', value: 'yes' }, { key: 'drop', value: '' }] } } }),
		);
		const [write] = writesTo(sandbox());
		expect(write.rawBody).toBe(`amount=-100&currency=usd&metadata[keep]=yes&metadata[drop]=&metadata[n8n_idempotency_key]=${write.idempotencyKey}`);
		expect(result.output('Stripe')[0].json.metadata).toEqual({ keep: 'yes', n8n_idempotency_key: write.idempotencyKey });
	});

	it('accepts decimal amounts and a direction, converting with the currency exponent', async () => {
		const customer = sandbox().createCustomer({});
		const items = [
			{ customer: customer.id, amount: '12.50', currency: 'EUR' },
			{ customer: customer.id, amount: '1200', currency: 'JPY' },
			{ customer: customer.id, amount: 1.23, currency: 'KWD' },
		];
		const result = await runStripe(sandbox(), items, createFromItem({ options: { amountFormat: 'decimal', direction: 'credit' } }));
		expect(result.output('Stripe').map((item) => [item.json.amount, item.json.currency])).toEqual([
			[-1250, 'eur'],
			[-1200, 'jpy'],
			[-1230, 'kwd'],
		]);
	});

	it('works with one item per customer as well as many items for one customer', async () => {
		const customer = sandbox().createCustomer({});
		const items = Array.from({ length: 12 }, (_, index) => ({ customer: customer.id, amount: -(index + 1), currency: 'usd' }));
		const result = await runStripe(sandbox(), items, createFromItem());
		const output = result.output('Stripe');
		expect(output.map((item) => item.json.amount)).toEqual(items.map((item) => item.amount));
		// One at a time in input order: each ending balance follows from the previous one.
		expect(output.map((item) => item.json.ending_balance)).toEqual(
			items.map((_, index) => -((index + 1) * (index + 2)) / 2),
		);
		expect(sandbox().stats.lockTimeouts).toBe(0);
	});
});
